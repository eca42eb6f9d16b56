"""Attacks on `check --fix` and `init` (issue 17): each was a break, or a place one could hide."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from lambda_release.cli import main
from lambda_release.fix.run import fix_text, recheck
from tests.fix.corpus_cases import as_plain
from tests.support.processes import Spawn

FUNCTION = """\
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: app.handler
      Runtime: python3.11
"""
HEAD = "Transform: AWS::Serverless-2016-10-31\nResources:\n"


def _fix(tmp_path: Path, text: str, name: str = "template.yaml") -> tuple[str, str]:
    path = tmp_path / name
    path.write_bytes(text.encode())
    result = fix_text(path, text)
    recheck(result)
    return result.after, "\n".join(result.left)


def test_windows_line_endings_stay_windows_line_endings(tmp_path: Path) -> None:
    template = tmp_path / "template.yaml"
    template.write_bytes((HEAD + FUNCTION).replace("\n", "\r\n").encode())
    assert main(["check", str(template), "--fix"]) == 0
    raw = template.read_bytes()
    assert raw.count(b"\n") == raw.count(b"\r\n") > 20
    assert raw.startswith(b"Transform: AWS::Serverless-2016-10-31\r\nParameters:\r\n")
    assert FUNCTION.replace("\n", "\r\n").encode() in raw


def test_no_newline_at_the_end_and_a_new_resource_after_it(tmp_path: Path) -> None:
    after, _ = _fix(tmp_path, HEAD + FUNCTION.rstrip("\n"))
    data = as_plain(after)
    assert data["Resources"]["Fn"]["Properties"]["Runtime"] == "python3.11"
    assert "FnErrorsAlarm" in data["Resources"]


def test_a_comment_before_the_next_resource_stays_before_it(tmp_path: Path) -> None:
    text = HEAD + FUNCTION + "\n  # the queue that feeds Fn\n  Queue:\n    Type: AWS::SQS::Queue\n"
    after, _ = _fix(tmp_path, text)
    lines = after.splitlines()
    comment = lines.index("  # the queue that feeds Fn")
    assert lines[comment + 1] == "  Queue:"
    assert lines.index("      DeploymentPreference:") < comment


def test_yaml_anchor_shared_by_two_functions_gets_no_shared_alarm(tmp_path: Path) -> None:
    text = (
        HEAD
        + FUNCTION.replace("Properties:", "Properties: &props")
        + ("  Fn2:\n    Type: AWS::Serverless::Function\n    Properties: *props\n")
    )
    after, left = _fix(tmp_path, text)
    assert "Properties: *props" in after
    assert "FnErrorsAlarm" not in after  # it would have watched Fn only, for both
    assert "Fn2.Properties (line 11) is shared with Fn" in left  # key and line (issue 26)


def test_a_fixed_name_written_out_elsewhere_is_listed_not_renamed(tmp_path: Path) -> None:
    text = (
        HEAD
        + FUNCTION.replace("      CodeUri", "      FunctionName: orders\n      CodeUri")
        + (
            "  Perm:\n    Type: AWS::Lambda::Permission\n    Properties:\n"
            "      FunctionName: orders\n      Action: lambda:InvokeFunction\n"
            "      Principal: sns.amazonaws.com\n"
        )
    )
    after, left = _fix(tmp_path, text)
    assert "      FunctionName: orders\n      CodeUri" in after
    assert "Fn.FunctionName (line 6): orders is written out elsewhere" in left


def test_qualified_references_are_left_as_they_are(tmp_path: Path) -> None:
    targets = (
        "  Perm:\n    Type: AWS::Lambda::Permission\n    Properties:\n"
        "      FunctionName: !Sub '${Fn.Arn}:PROD'\n      Action: lambda:InvokeFunction\n"
        "      Principal: sns.amazonaws.com\n"
        "  Perm2:\n    Type: AWS::Lambda::Permission\n    Properties:\n"
        "      FunctionName: !Join [':', [!GetAtt Fn.Arn, !Ref AliasName]]\n"
        "      Action: lambda:InvokeFunction\n      Principal: sns.amazonaws.com\n"
        "  Perm3:\n    Type: AWS::Lambda::Permission\n    Properties:\n"
        "      FunctionName: !GetAtt Fn.Arn\n      Action: lambda:InvokeFunction\n"
        "      Principal: sns.amazonaws.com\n"
    )
    after, _ = _fix(tmp_path, HEAD + FUNCTION + targets)
    assert "FunctionName: !Sub '${Fn.Arn}:PROD'" in after
    assert "FunctionName: !Join [':', [!GetAtt Fn.Arn, !Ref AliasName]]" in after
    assert "FunctionName: !Ref Fn.Alias" in after  # only the unqualified one moved


def test_a_plain_lambda_function_target_is_listed(tmp_path: Path) -> None:
    plain = (
        "  Plain:\n    Type: AWS::Lambda::Function\n    Properties:\n"
        "      Handler: a.b\n      Runtime: python3.11\n      Role: arn:aws:iam::1:role/r\n"
        "      Code: {ZipFile: 'def b(e, c): pass'}\n"
        "  Perm:\n    Type: AWS::Lambda::Permission\n    Properties:\n"
        "      FunctionName: !GetAtt Plain.Arn\n      Action: lambda:InvokeFunction\n"
        "      Principal: sns.amazonaws.com\n"
    )
    after, left = _fix(tmp_path, HEAD + FUNCTION + plain)
    assert "FunctionName: !GetAtt Plain.Arn" in after
    assert "give Plain an alias" in left


def test_an_existing_resource_named_like_the_alarm_is_not_overwritten(tmp_path: Path) -> None:
    taken = "  FnErrorsAlarm:\n    Type: AWS::SNS::Topic\n"
    after, _ = _fix(tmp_path, HEAD + FUNCTION + taken)
    data = yaml.safe_load(after.replace("!", ""))
    assert data["Resources"]["FnErrorsAlarm"] == {"Type": "AWS::SNS::Topic"}
    assert data["Resources"]["FnErrorsAlarm2"]["Type"] == "AWS::CloudWatch::Alarm"


def test_flow_style_properties_stay_flow_and_valid(tmp_path: Path) -> None:
    text = HEAD + (
        "  Fn:\n    Type: AWS::Serverless::Function\n"
        "    Properties: {CodeUri: src/, Handler: app.handler, Runtime: python3.11}\n"
    )
    after, _ = _fix(tmp_path, text)
    props = as_plain(after)["Resources"]["Fn"]["Properties"]
    assert props["AutoPublishAlias"] == {"Ref": "AliasName"}
    assert "    Properties: {CodeUri: src/, Handler: app.handler, Runtime: python3.11, " in after


@pytest.mark.parametrize(
    ("content", "says"),
    [
        (b"- a\n- b\n", "not a CloudFormation or SAM template"),
        (b"Resources: 3\n", "not a CloudFormation or SAM template"),
        (b"Resources:\n  A: 1\n  A: 2\n", "cannot read template"),
        (b"\xff\xfe\x00bad", "cannot read template"),
        (b"Resources: [unclosed\n", "cannot read template"),
    ],
)
def test_unusable_files_are_bad_input_naming_the_users_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes, says: str
) -> None:
    template = tmp_path / "mine.yaml"
    template.write_bytes(content)
    assert main(["check", str(template), "--fix"]) == 2
    err = capsys.readouterr().err
    assert says in err and "mine.yaml" in err and "lambda-release-fix-" not in err
    assert "Traceback" not in err
    assert template.read_bytes() == content


def test_init_leaves_an_unreadable_circleci_config_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "template.yaml").write_text(HEAD + FUNCTION)
    (tmp_path / ".circleci").mkdir()
    broken = "version: 2.1\nworkflows: [unclosed\n"
    (tmp_path / ".circleci/config.yml").write_text(broken)
    monkeypatch.chdir(tmp_path)
    assert main(["init", "--stack-prefix", "app"]) == 1
    assert (tmp_path / ".circleci/config.yml").read_text() == broken
    out = capsys.readouterr().out
    assert "cannot be read" in out and "lambda-release/deploy:" in out


def test_without_ruamel_fix_says_how_to_install_and_check_still_works(
    spawn: Spawn, tmp_path: Path
) -> None:
    template = tmp_path / "template.yaml"
    template.write_text(HEAD + FUNCTION)
    code = (
        "import sys; sys.modules['ruamel'] = None\n"
        "from lambda_release.cli import main\n"
        "sys.exit(main(sys.argv[1:]))"
    )
    fix = spawn.python(code, "check", str(template), "--fix")
    assert fix.returncode == 2 and "pip install 'lambda-release[check]'" in fix.stderr
    assert "Traceback" not in fix.stderr
    plain = spawn.python(code, "check", str(template))
    assert plain.returncode == 1 and "E9001" in plain.stdout  # check needs no ruamel


ROLE = """\
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument: {}
      Policies:
        - PolicyName: invoke
          PolicyDocument:
            Statement:
              - Effect: Allow
                Action: lambda:InvokeFunction
                Resource: !GetAtt Fn.Arn
              - Effect: Deny
                Action: lambda:InvokeFunction
                Resource: !GetAtt Fn.Arn
  Machine:
    Type: AWS::Serverless::StateMachine
    Properties:
      Role: !GetAtt Role.Arn
      DefinitionUri: machine.json
      DefinitionSubstitutions:
        FnArn: !GetAtt Fn.Arn
"""


def test_a_role_that_invoked_the_function_may_invoke_its_alias_too(tmp_path: Path) -> None:
    after, _ = _fix(tmp_path, HEAD + FUNCTION + ROLE)
    statements = as_plain(after)["Resources"]["Role"]["Properties"]["Policies"][0][
        "PolicyDocument"
    ]["Statement"]
    allow, deny = statements
    assert allow["Resource"] == [
        {"Fn::GetAtt": ["Fn", "Arn"]},
        {"Fn::Sub": "${Fn.Arn}:*"},
    ]
    assert deny["Resource"] == {"Fn::GetAtt": ["Fn", "Arn"]}  # a Deny is not widened
    assert "FnArn: !Ref Fn.Alias" in after
    again = fix_text(tmp_path / "template.yaml", after)
    assert not again.changed, again.diff()


def test_init_sees_the_orb_under_another_name_and_adds_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "template.yaml").write_text(HEAD + FUNCTION)
    (tmp_path / ".circleci").mkdir()
    mine = (
        "version: 2.1\norbs:\n  lr: lambda-release/lambda-release@1.0.0\n"
        "workflows:\n  ship:\n    jobs:\n      - lr/deploy:\n          stack_prefix: app\n"
    )
    (tmp_path / ".circleci/config.yml").write_text(mine)
    monkeypatch.chdir(tmp_path)
    assert main(["init", "--stack-prefix", "app"]) == 0
    assert (tmp_path / ".circleci/config.yml").read_text() == mine


def test_sequences_indented_two_ways_still_give_the_same_template(tmp_path: Path) -> None:
    # ruamel writes every sequence one way; with repeated lines in both styles the
    # line-splice could misplace a change: the result must still mean what it says.
    text = HEAD + (
        "  A:\n    Type: AWS::Serverless::Function\n    Properties:\n"
        "      CodeUri: s3://b/k.zip\n      Handler: a.b\n      Runtime: python3.11\n"
        "      AutoPublishAlias: live\n      DeploymentPreference:\n"
        "        Type: Linear10PercentEvery3Minutes\n        Enabled: !If\n"
        "          - C\n          - true\n          - false\n"
        "      ReservedConcurrentExecutions: !If\n      - C\n      - true\n      - false\n"
    )
    after, _ = _fix(tmp_path, "Conditions:\n  C: !Equals [a, a]\n" + text)
    props = as_plain(after)["Resources"]["A"]["Properties"]
    branch = {"Fn::If": ["C", True, False]}
    assert props["ReservedConcurrentExecutions"] == branch
    assert props["DeploymentPreference"]["Enabled"] == branch
    assert props["DeploymentPreference"]["Alarms"] == [{"Ref": "AErrorsAlarm"}]
