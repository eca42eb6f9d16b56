"""Templates that used to crash ``check`` (issue 16), and others built to: never a traceback.

Each case runs through the console script under every output format: exit 0, 1
or 2 as the template deserves, stdout valid for the format, a reason naming the
file on exit 2.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lambda_release.check import engine
from lambda_release.check.engine import RuleCrash, run_rules
from lambda_release.check.source import SourceTemplate
from tests.support.processes import Cli

FN = (
    "  Fn:\n"
    "    Type: AWS::Serverless::Function\n"
    "    Properties: {Runtime: python3.12, Handler: a.h, CodeUri: src/, AutoPublishAlias: live}\n"
)
SAM = "Transform: AWS::Serverless-2016-10-31\n"

# name -> (template text, expected exit code)
CASES: dict[str, tuple[str, int]] = {
    "empty-parameters": (SAM + "Parameters:\nResources:\n" + FN, 0),
    "empty-globals": (SAM + "Globals:\nResources:\n" + FN, 0),
    "empty-globals-function": (SAM + "Globals:\n  Function:\nResources:\n" + FN, 0),
    "empty-conditions-outputs": (SAM + "Conditions:\nOutputs:\nMappings:\nResources:\n" + FN, 0),
    "condition-named-on": (
        SAM
        + "Parameters:\n  Env: {Type: String}\n"
        + "Conditions:\n  On: !Equals [!Ref Env, prod]\n  Off: !Not [!Condition On]\n"
        + "Resources:\n"
        + FN
        + "    Condition: On\n"
        + "  Other:\n    Type: AWS::SNS::Topic\n"
        + "    Properties:\n      TopicName: !If [On, a, !Ref AWS::NoValue]\n",
        0,
    ),
    "boolean-resource-name": (SAM + "Resources:\n" + FN + "  Yes:\n    Type: AWS::SNS::Topic\n", 0),
    "no-alias-still-found": (
        SAM + "Parameters:\nGlobals:\nResources:\n" + FN.replace(", AutoPublishAlias: live", ""),
        1,
    ),
    "not-a-mapping": ("- just\n- a list\n", 2),
    "scalar": ("hello\n", 2),
    "empty-file": ("", 2),
    "resources-a-list": ("Resources:\n  - Fn\n", 2),
    "resources-empty": ("Resources:\n", 2),
    "no-resources": ("Parameters: {}\n", 2),
    # On and Yes are both YAML's true: cfn-lint's decoder fails on the duplicate. Named, exit 2.
    "two-keys-both-true": (
        "Conditions:\n  On: !Equals [a, a]\n  Yes: !Not [{Condition: On}]\n"
        "Resources:\n  A:\n    Type: AWS::SNS::Topic\n",
        2,
    ),
    "resource-without-type": ("Resources:\n  Fn:\n    Properties: {}\n", 0),
    "properties-a-string": (
        SAM + "Resources:\n  Fn:\n    Type: AWS::Lambda::Permission\n    Properties: x\n",
        0,
    ),
    "duplicate-keys": (
        "Resources:\n  A:\n    Type: AWS::SNS::Topic\n  A:\n    Type: AWS::SNS::Topic\n",
        2,
    ),
    "deep-nesting": (
        "Resources:\n  A:\n    Type: AWS::SNS::Topic\n    Metadata: "
        + "[" * 300
        + "]" * 300
        + "\n",
        2,  # deeper than the decoder's recursion: named, exit 2
    ),
    "unknown-tag": ("Resources:\n  A:\n    Type: !Bogus AWS::SNS::Topic\n", 0),
}


@pytest.mark.parametrize("output", ["text", "json", "sarif"])
@pytest.mark.parametrize("name", sorted(CASES))
def test_hostile_template_never_crashes(lr: Cli, tmp_path: Path, name: str, output: str) -> None:
    text, expected = CASES[name]
    path = tmp_path / f"{name}.yaml"
    path.write_text(text, encoding="utf-8")
    proc = lr("check", str(path), "--output", output)
    assert "Traceback" not in proc.stderr, proc.stderr
    assert proc.returncode == expected, (proc.returncode, proc.stdout, proc.stderr)
    if output == "json":
        assert isinstance(json.loads(proc.stdout), list)
    elif output == "sarif":
        assert json.loads(proc.stdout)["version"] == "2.1.0"
    if expected == 2:
        (reason,) = [line for line in proc.stderr.splitlines() if ": error: " in line]
        assert str(path) in reason


def test_binary_and_undecodable_files_exit_2(lr: Cli, tmp_path: Path) -> None:
    binary = tmp_path / "template.yaml"
    binary.write_bytes(b"\xff\xfe\x00\x01Resources\x00\x80\x81")
    proc = lr("check", str(binary), "--output", "json")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert json.loads(proc.stdout) == [] and str(binary) in proc.stderr


def test_a_directory_given_as_the_only_template_with_no_templates(lr: Cli, tmp_path: Path) -> None:
    proc = lr("check", str(tmp_path), "--output", "json")
    assert (proc.returncode, json.loads(proc.stdout)) == (0, [])
    assert "0 templates" in proc.stderr


def test_a_rule_that_raises_is_an_internal_error_exit_3(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "template.yaml"
    path.write_text("Resources:\n" + FN, encoding="utf-8")

    def broken(self: object, *types: str) -> list[object]:
        raise KeyError("boom")

    # cfn-lint may load the rule modules by path; the class they share is SourceTemplate.
    monkeypatch.setattr(SourceTemplate, "of_type", broken)
    with pytest.raises(RuleCrash) as info:
        run_rules(path)
    assert info.value.exit_code == engine.EXIT_INTERNAL
    assert "boom" in str(info.value) and str(path) in str(info.value)
