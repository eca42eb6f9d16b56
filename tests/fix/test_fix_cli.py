"""`lambda-release check --fix [--dry-run]` as a user runs it: what it prints, writes, exits."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lambda_release.cli import main
from tests.fix.corpus_cases import CORPUS, as_plain

SEED_LIKE = """\
# The seed's appendix template: a comment that must survive.
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Parameters:
  AliasName:
    Type: String
    Default: STAGING
    AllowedValues:
      - STAGING
      - PROD
Resources:
  MyFunc:
    Type: AWS::Serverless::Function
    Properties:
      FunctionName: my-func   # fixed: collides between the two stacks
      Runtime: python3.12
      Handler: "app.lambda_handler"
      CodeUri: src/
      AutoPublishAlias: !Ref AliasName
      DeploymentPreference:
        Type: Canary10Percent5Minutes
"""


def test_dry_run_prints_the_diff_and_changes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    template = tmp_path / "template.yaml"
    template.write_text(SEED_LIKE)
    assert main(["check", str(template), "--fix", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert template.read_text() == SEED_LIKE
    assert "-      FunctionName: my-func   # fixed: collides between the two stacks" in out
    assert "+      FunctionName: !Sub 'my-func-${AliasName}'" in out
    assert "+        Alarms: [!Ref MyFuncErrorsAlarm]" in out
    assert "would fix: MyFunc.DeploymentPreference.Alarms" in out


def test_fix_writes_in_place_keeping_comments_quotes_and_order(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    template = tmp_path / "template.yaml"
    template.write_text(SEED_LIKE)
    assert main(["check", str(template), "--fix"]) == 0
    fixed = template.read_text()
    assert fixed.startswith("# The seed's appendix template: a comment that must survive.\n")
    assert '      Handler: "app.lambda_handler"\n' in fixed
    assert "      - STAGING\n      - PROD\n" in fixed  # the block list as written
    keys = [ln.split(":")[0] for ln in fixed.splitlines() if ln and not ln.startswith((" ", "#"))]
    assert keys == ["AWSTemplateFormatVersion", "Transform", "Parameters", "Resources"]
    capsys.readouterr()
    assert main(["check", str(template)]) == 0  # check passes on the result
    assert main(["check", str(template), "--fix"]) == 0
    assert template.read_text() == fixed  # idempotent
    assert "nothing to fix" in capsys.readouterr().out


def test_json_template_stays_json_with_its_indentation(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = as_plain((CORPUS / "sns-lambda.yaml").read_text())
    original = json.dumps(data, indent=4) + "\n"
    template = tmp_path / "template.json"
    template.write_text(original)
    assert main(["check", str(template), "--fix", "--output", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["changed"] and report["remaining"] == []
    fixed = template.read_text()
    new = json.loads(fixed)
    assert new["Parameters"]["AliasName"]["AllowedValues"] == ["STAGING", "PROD"]
    for r in new["Resources"].values():
        if r["Type"] == "AWS::Serverless::Function":
            assert r["Properties"]["AutoPublishAlias"] == {"Ref": "AliasName"}
            assert r["Properties"]["DeploymentPreference"]["Alarms"]
    assert '    "Resources": {\n' in fixed  # four spaces, as written
    # Lines go only where a reference was retargeted, or gain the comma JSON needs
    # before a new key.
    after = fixed.splitlines()
    for line in original.splitlines():
        if line not in after:
            retargeted = any(w in line for w in ("Fn::GetAtt", "TopicConsumerFunction1", "Arn"))
            assert retargeted or line + "," in after or line.strip() == "]", line


def test_missing_template_is_bad_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(tmp_path / "nope.yaml"), "--fix"]) == 2
    assert "does not exist" in capsys.readouterr().err


def test_sarif_with_fix_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    template = tmp_path / "template.yaml"
    template.write_text(SEED_LIKE)
    assert main(["check", str(template), "--fix", "--output", "sarif"]) == 2
    assert template.read_text() == SEED_LIKE
    assert "--output sarif" in capsys.readouterr().err


def test_several_templates_one_json_list_and_the_worst_exit_code(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = tmp_path / "a.yaml"
    good.write_text(SEED_LIKE)
    broken = tmp_path / "b.yaml"
    broken.write_text("Resources: [unclosed\n")
    code = main(["check", str(good), str(broken), "--fix", "--dry-run", "--output", "json"])
    captured = capsys.readouterr()
    assert code == 2 and "b.yaml" in captured.err
    (report,) = json.loads(captured.out)
    assert report["file"] == str(good) and report["changed"] and report["dry_run"]
    assert good.read_text() == SEED_LIKE


def test_environments_name_the_aliases_and_production(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    template = tmp_path / "template.yaml"
    template.write_text(
        "Transform: AWS::Serverless-2016-10-31\nResources:\n  Fn:\n"
        "    Type: AWS::Serverless::Function\n    Properties:\n"
        "      CodeUri: src/\n      Handler: app.handler\n      Runtime: python3.11\n"
    )
    args = ["check", str(template), "--environments", "live=LIVE,test=TEST"]
    assert main([*args, "--fix", "--production-alias", "LIVE"]) == 0
    data = as_plain(template.read_text())
    assert data["Parameters"]["AliasName"]["AllowedValues"] == ["LIVE", "TEST"]
    assert data["Parameters"]["AliasName"]["Default"] == "TEST"
    assert data["Conditions"]["IsProductionAlias"] == {"Fn::Equals": [{"Ref": "AliasName"}, "LIVE"]}
    assert main([*args, "--production-alias", "LIVE"]) == 0


def test_errors_left_are_not_followed_by_nothing_to_fix(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Issue 26: "1 error(s) left" then "nothing to fix" contradicted itself."""
    template = tmp_path / "template.yaml"
    template.write_text(
        "Resources:\n  Plain:\n    Type: AWS::Lambda::Function\n    Properties:\n"
        "      Handler: a.h\n      Runtime: python3.12\n      Role: arn:aws:iam::1:role/r\n"
        "      Code: {ZipFile: 'x'}\n"
    )
    assert main(["check", str(template), "--fix"]) == 1
    out = capsys.readouterr()
    assert "1 error(s) left" in out.err
    assert "nothing to fix" not in out.out
    assert "left alone: Plain (line 2): an AWS::Lambda::Function" in out.out
