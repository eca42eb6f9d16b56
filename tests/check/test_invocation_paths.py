"""Every invocation path, explicit $LATEST, one finding per root cause (issue 16)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from lambda_release.check.engine import run_rules
from lambda_release.check.invocation_paths import PATHS
from lambda_release.check.render import as_template
from tests.check.helpers import FIXTURES

BAD = FIXTURES / "E9010" / "bad.yaml"
GOOD = FIXTURES / "E9010" / "good.yaml"


def _types_of(path: Path, prefix: str) -> set[str]:
    """Resource types of the resources named ``prefix*`` in a fixture."""
    types: set[str] = set()
    name = None
    for line in path.read_text(encoding="utf-8").splitlines():
        m = re.match(r"^  (\w+):$", line)
        if m:
            name = m.group(1)
        t = re.match(r"^    Type: (\S+)$", line)
        if t and name and name.startswith(prefix):
            types.add(t.group(1))
    return types


def test_every_path_has_a_bad_and_a_good_fixture() -> None:
    assert set(PATHS) <= _types_of(BAD, "Bad")
    assert set(PATHS) <= _types_of(GOOD, "Good")


def _by_resource() -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for f in run_rules(BAD):
        if f.rule == "E9010" and f.resource:
            out.setdefault(f.resource, []).append(f.message)
    return out


@pytest.mark.parametrize(
    ("resource", "words"),
    [
        ("BadUserPool", "Cognito trigger BadUserPool targets Fn unqualified (!GetAtt Fn.Arn)"),
        ("BadSamApi", "API BadSamApi targets Fn unqualified"),
        ("BadPipe", "pipe BadPipe targets Fn unqualified"),
        ("BadPipeEnrichment", "pipe BadPipeEnrichment targets Fn unqualified"),
        ("BadLogSubscription", "log subscription BadLogSubscription targets Fn"),
        ("BadAppSyncSource", "AppSync data source BadAppSyncSource targets Fn"),
        ("BadInvokeConfig", "event invoke config destination BadInvokeConfig targets Fn"),
        ("BadLatestSub", "names $LATEST explicitly (!Sub '${Fn.Arn}:$LATEST')"),
        ("BadLatestJoin", "names $LATEST explicitly (!Join [':', [..., '$LATEST']])"),
        ("BadLatestUrl", "names $LATEST explicitly (Qualifier: $LATEST)"),
        ("BadSubVariable", "(!Sub ['${Target}', {Target: !GetAtt Fn.Arn}])"),
        ("BadDistribution", "Lambda@Edge needs a published version"),
        ("BadLatestCustomResource", "names $LATEST explicitly (!Sub '${Other.Arn}:$LATEST')"),
        ("BadLatestOutsideTemplate", "names $LATEST explicitly"),
    ],
)
def test_issue_16_recall(resource: str, words: str) -> None:
    messages = _by_resource()[resource]
    assert any(words in m for m in messages), messages


def test_fixes_name_what_works_for_each_path() -> None:
    fixes = {f.resource: f.fix for f in run_rules(BAD) if f.rule == "E9010"}
    assert fixes["BadUserPool"] == "target the alias instead: !Ref Fn.Alias"
    assert fixes["BadDistribution"] == "name a version: !Ref Fn.Version"
    assert fixes["BadLatestOutsideTemplate"].endswith("an alias or a version")


def test_paths_to_a_function_without_alias_are_one_e9001(tmp_path: Path) -> None:
    findings = run_rules(FIXTURES / "E9001" / "bad.yaml")
    assert not [f for f in findings if f.rule == "E9010"]
    (called,) = [f for f in findings if f.resource == "Called"]
    assert called.message.endswith(
        "2 invocation path(s) name it unqualified: CalledPermission, CalledRule"
    )
    first, then = called.fix.split("; then ")
    assert first.startswith("first add 'AutoPublishAlias: !Ref AliasName'")
    assert then == "point CalledPermission, CalledRule at the alias (!Ref Called.Alias)"


def test_explicit_latest_is_reported_even_for_a_function_without_alias(tmp_path: Path) -> None:
    path = tmp_path / "template.yaml"
    path.write_text(
        "Transform: AWS::Serverless-2016-10-31\n"
        "Resources:\n"
        "  Fn:\n"
        "    Type: AWS::Serverless::Function\n"
        "    Properties: {Runtime: python3.12, Handler: a.h, CodeUri: src/}\n"
        "  Perm:\n"
        "    Type: AWS::Lambda::Permission\n"
        "    Properties:\n"
        "      Action: lambda:InvokeFunction\n"
        "      Principal: sns.amazonaws.com\n"
        "      FunctionName: !Sub '${Fn.Arn}:$LATEST'\n",
        encoding="utf-8",
    )
    rules = sorted(f.rule for f in run_rules(path))
    assert rules == ["E9001", "E9010"]


def test_lambda_at_edge_version_is_not_a_function_without_alias() -> None:
    findings = run_rules(GOOD)
    assert findings == []  # EdgeFn has a version for CloudFront and no alias: right


def test_custom_resource_provider_is_info_not_e9001() -> None:
    findings = run_rules(FIXTURES / "I9011" / "bad.yaml")
    assert {(f.rule, f.resource) for f in findings} == {("I9011", "Seed"), ("I9011", "Legacy")}
    assert all(f.severity == "info" for f in findings)


def test_w9006_prints_an_intrinsic_as_written(tmp_path: Path) -> None:
    path = tmp_path / "template.yaml"
    path.write_text(
        "Transform: AWS::Serverless-2016-10-31\n"
        "Parameters:\n"
        "  DeployType: {Type: String, Default: Canary10Percent5Minutes}\n"
        "Resources:\n"
        "  Fn:\n"
        "    Type: AWS::Serverless::Function\n"
        "    Properties:\n"
        "      Runtime: python3.12\n"
        "      Handler: a.h\n"
        "      CodeUri: src/\n"
        "      AutoPublishAlias: STAGING\n"
        "      DeploymentPreference:\n"
        "        Type: !Ref DeployType\n",
        encoding="utf-8",
    )
    (finding,) = run_rules(path)
    assert finding.rule == "W9006"
    assert "shifts traffic (!Ref DeployType) with no Alarms" in finding.message
    assert "{" not in finding.message


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ({"Ref": "AliasName"}, "!Ref AliasName"),
        ({"Fn::GetAtt": ["Fn", "Arn"]}, "!GetAtt Fn.Arn"),
        ({"Fn::If": ["IsProd", "A", {"Ref": "B"}]}, "!If [IsProd, A, !Ref B]"),
        ({"Fn::Sub": "${Fn.Arn}:live"}, "!Sub '${Fn.Arn}:live'"),
        ({"Type": "Canary", "Alarms": []}, "{Type: Canary, Alarms: []}"),
        ("on", "'on'"),
        ("it's", "'it''s'"),
    ],
)
def test_values_render_in_template_syntax(value: object, text: str) -> None:
    assert as_template(value) == text
