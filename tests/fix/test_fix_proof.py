"""The fixer proves each group of edits before writing it (issue 26).

The proof's four questions, each on a pair of texts, and the fixer's answer to a failed
proof: the edits are not written, and each is listed with its reason, key and line.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from lambda_release.check.findings import Finding
from lambda_release.fix.proof import prove
from lambda_release.fix.run import fix_text, rules_on
from tests.fix.corpus_cases import as_plain

HEAD = "Transform: AWS::Serverless-2016-10-31\nResources:\n"
FN = """\
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: app.handler
      Runtime: python3.12
"""
ALIASES = ("STAGING", "PROD")


def _prove(before: str, after: str, **kw: Any) -> str | None:
    return prove(before, after, name="t.yaml", parameter="AliasName", aliases=ALIASES, **kw)


def test_a_template_the_translator_rejects_fails_the_proof() -> None:
    after = HEAD + FN + "      AutoPublishAlias: !Ref Nowhere\n"
    reason = _prove(HEAD + FN, after, lint=False)
    assert reason is not None and "SAM translator rejects it" in reason


def test_a_reference_that_no_longer_resolves_fails_the_proof() -> None:
    # a hand-written reference to SAM's alias resource, alias renamed under it
    out = "Outputs:\n  A:\n    Value: !Ref FnAliaslive\n"
    before = HEAD + FN + "      AutoPublishAlias: live\n" + out
    after = (
        "Transform: AWS::Serverless-2016-10-31\nParameters:\n  AliasName:\n    Type: String\n"
        "    AllowedValues: [STAGING, PROD]\nResources:\n"
        + FN
        + "      AutoPublishAlias: !Ref AliasName\n"
        + out
    )
    reason = _prove(before, after, lint=False)
    assert reason is not None and "FnAliaslive no longer resolves" in reason


def test_a_new_cfn_lint_error_fails_the_proof_an_old_one_does_not() -> None:
    fn = HEAD + FN + "      AutoPublishAlias: live\n"
    sub = (  # E1019
        "  P:\n    Type: AWS::Lambda::Permission\n    Properties:\n"
        "      Action: lambda:InvokeFunction\n      Principal: sns.amazonaws.com\n"
        "      FunctionName: !Sub '${Fn.Alias}'\n"
    )
    reason = _prove(fn, fn + sub)
    assert reason is not None and "E1019" in reason
    assert _prove(fn + sub, fn + sub + "#\n") is None


def test_a_new_check_finding_fails_the_proof() -> None:
    def check(path: Path) -> list[Finding]:
        bad = "Nope" in path.read_text()
        return [Finding(str(path), 1, 1, "E9001", "error", "m", "f", "Fn")] if bad else []

    reason = _prove(HEAD + FN, HEAD + FN + "# Nope\n", lint=False, check=check)
    assert reason is not None and "check finds E9001 on Fn" in reason


def test_an_edit_that_fails_the_proof_is_listed_with_reason_key_and_line(tmp_path: Path) -> None:
    path = tmp_path / "template.yaml"
    text = (
        HEAD
        + FN
        + "  Topic:\n    Type: AWS::SNS::Topic\n    Properties:\n      TopicName: orders\n"
    )

    def check(copy: Path) -> list[Finding]:  # the renamed topic: a new finding, say
        renamed = "orders-${AliasName}" in copy.read_text()
        return [Finding(str(copy), 1, 1, "E9001", "error", "m", "f", "Topic")] if renamed else []

    result = fix_text(path, text, check=check, lint=False)
    assert "TopicName: orders\n" in result.after  # not written
    assert "AutoPublishAlias: !Ref AliasName" in result.after  # the rest is
    (left,) = [item for item in result.left if "not written" in item]
    assert left.startswith("Topic.TopicName (line 12):")
    assert "check finds E9001 on Topic" in left


def test_a_literal_alias_named_by_hand_is_kept_and_listed(tmp_path: Path) -> None:
    """serverless-patterns lambda-durable-scheduled-tasks-sam and
    sam-dotnet-durablefunction-expenseapproval: renaming `live` broke them."""
    for by_hand in (
        "Outputs:\n  A:\n    Value: !Ref FnAliaslive\n",
        "Outputs:\n  A:\n    Value: !Sub 'arn:aws:apigateway:${AWS::Region}:lambda:path/"
        "2015-03-31/functions/${Fn.Arn}:live/invocations'\n",
    ):
        text = HEAD + FN + "      AutoPublishAlias: live\n" + by_hand
        result = fix_text(tmp_path / "template.yaml", text, check=rules_on())
        fixed = as_plain(result.after)
        assert fixed["Resources"]["Fn"]["Properties"]["AutoPublishAlias"] == "live"
        (kept,) = [item for item in result.left if "named by hand" in item]
        assert kept.startswith("Fn.AutoPublishAlias (line 9): live is named by hand")


def test_a_literal_alias_nobody_names_by_hand_becomes_the_parameter(tmp_path: Path) -> None:
    text = HEAD + FN + "      AutoPublishAlias: live\n"
    result = fix_text(tmp_path / "template.yaml", text, check=rules_on())
    fixed = as_plain(result.after)
    assert fixed["Resources"]["Fn"]["Properties"]["AutoPublishAlias"] == {"Ref": "AliasName"}


def test_sub_edits_pass_cfn_lint(tmp_path: Path) -> None:
    """`${Fn.Alias}` inside !Sub is cfn-lint E1019 (`sam validate --lint` fails)."""
    text = (
        HEAD
        + FN
        + "  Integration:\n    Type: AWS::ApiGatewayV2::Integration\n    Properties:\n"
        + "      ApiId: x\n      IntegrationType: AWS_PROXY\n"
        + "      IntegrationUri: !Sub 'arn:aws:apigateway:${AWS::Region}:lambda:path/"
        + "2015-03-31/functions/${Fn.Arn}/invocations'\n"
    )
    result = fix_text(tmp_path / "template.yaml", text, check=rules_on())
    assert not [item for item in result.left if "not written" in item], result.left
    uri = as_plain(result.after)["Resources"]["Integration"]["Properties"]["IntegrationUri"]
    assert uri["Fn::Sub"][1] == {"FnAlias": {"Ref": "Fn.Alias"}}
    assert "${Fn.Alias}" not in result.after
