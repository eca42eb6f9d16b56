"""The fixer writes only what it changes (issue 26): every other line byte-identical.

Each case is a shape that the serialiser used to rewrite: a 4-space ``Globals``, folded
and literal scalars, lists written at another indentation, inline comments, a dash alone
on its line, a long-form ``Fn::Sub`` written over two lines.
"""

from __future__ import annotations

import difflib
from pathlib import Path

from lambda_release.fix.run import fix_text
from tests.fix.corpus_cases import as_plain

TEMPLATE = """\
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Description: >
    A description folded
    over lines, indented by four.

Globals:
    Function:
        Timeout: 3     # seconds, on purpose
        Runtime: python3.12
        Architectures:
        - arm64

Resources:
    # the worker
    Worker:
        Type: AWS::Serverless::Function # More info: a link
        Properties:
            CodeUri: src/
            Handler: app.handler
            Policies:
                -
                    Statement:
                      - Effect: Allow
                        Action: [ 'sqs:SendMessage' ]
                        Resource: '*'
            Events:
                Queue:
                    Type: SQS
                    Properties: { Queue: !GetAtt Queue.Arn, BatchSize: 10 }
    Queue:
        Type: AWS::SQS::Queue
    Permission:
        Type: AWS::Lambda::Permission
        Properties:
            Action: lambda:InvokeFunction
            FunctionName: !GetAtt Worker.Arn   # the worker, by ARN
            Principal: sns.amazonaws.com
    Route:
        Type: AWS::ApiGatewayV2::Integration
        Properties:
            ApiId: api
            IntegrationType: AWS_PROXY
            IntegrationUri:
                Fn::Sub:
                    arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Worker.Arn}/invocations

Outputs:
    WorkerArn:
        Value: !GetAtt Worker.Arn   # for the console
"""


def _removed(before: str, after: str) -> list[str]:
    """Lines of ``before`` that ``after`` no longer has as they were."""
    a, b = before.splitlines(keepends=True), after.splitlines(keepends=True)
    out: list[str] = []
    for tag, i1, i2, _, _ in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag in ("replace", "delete"):
            out.extend(a[i1:i2])
    return out


def test_only_the_changed_lines_change(tmp_path: Path) -> None:
    path = tmp_path / "template.yaml"
    result = fix_text(path, TEMPLATE)
    assert result.changed
    removed = _removed(TEMPLATE, result.after)
    # the two invocation targets, and nothing else: Globals, folded text, lists, flow
    # mappings and every comment are as written
    assert removed == [
        "            FunctionName: !GetAtt Worker.Arn   # the worker, by ARN\n",
        "                    arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/"
        "${Worker.Arn}/invocations\n",
    ], removed
    # the inline comment stays on its key
    assert "            FunctionName: !Ref Worker.Alias   # the worker, by ARN\n" in result.after
    fixed = as_plain(result.after)
    sub = fixed["Resources"]["Route"]["Properties"]["IntegrationUri"]["Fn::Sub"]
    assert sub[1] == {"WorkerAlias": {"Ref": "Worker.Alias"}}
    assert "${WorkerAlias}/invocations" in sub[0]


def test_new_entries_take_their_siblings_column(tmp_path: Path) -> None:
    result = fix_text(tmp_path / "template.yaml", TEMPLATE)
    lines = result.after.splitlines()
    assert "        AutoPublishAlias: !Ref AliasName" in lines  # in Globals.Function, 8 spaces
    assert "            DeploymentPreference:" in lines
    assert "    WorkerErrorsAlarm:" in lines


def test_a_name_built_arn_gets_the_qualifier_appended(tmp_path: Path) -> None:
    text = TEMPLATE.replace(
        "${Worker.Arn}/invocations",
        "arn:aws:lambda:${AWS::Region}:${AWS::AccountId}:function:${Worker}/invocations",
    )
    result = fix_text(tmp_path / "template.yaml", text)
    assert ":function:${Worker}:${AliasName}/invocations" in result.after
    assert "${Worker.Alias}" not in result.after  # never an ARN inside an ARN


def test_crlf_and_a_missing_last_newline_survive(tmp_path: Path) -> None:
    text = TEMPLATE.replace("\n", "\r\n").rstrip("\r\n")
    result = fix_text(tmp_path / "template.yaml", text)
    assert "\n" not in result.after.replace("\r\n", "")
    kept = [ln for ln in text.split("\r\n") if "Worker.Arn" not in ln and "Fn::Sub" not in ln]
    after = result.after.split("\r\n")
    assert all(ln in after for ln in kept)
