"""Each rule on its own good and bad fixtures (tests/check/fixtures/<rule-id>/)."""

from __future__ import annotations

from pathlib import Path

import pytest

from lambda_release.check.engine import run_rules
from lambda_release.check.rules import RULES
from tests.check.helpers import FIXTURES, REPO, rule_dirs

IDS = [d.name for d in rule_dirs()]


def test_every_rule_has_fixtures_and_documentation() -> None:
    docs = (REPO / "docs" / "rules.md").read_text(encoding="utf-8")
    for rule in RULES:
        assert (FIXTURES / rule.id / "good.yaml").is_file(), rule.id
        assert (FIXTURES / rule.id / "bad.yaml").is_file(), rule.id
        assert f"## {rule.id}" in docs, rule.id
        assert rule.shortdesc and rule.description and rule.source_url.endswith(rule.id.lower())
    assert sorted(IDS) == sorted(r.id for r in RULES)


@pytest.mark.parametrize("rule_id", IDS)
def test_bad_fixture_is_reported_with_position_and_fix(rule_id: str) -> None:
    bad = FIXTURES / rule_id / "bad.yaml"
    found = [f for f in run_rules(bad) if f.rule == rule_id]
    assert found, f"{rule_id} did not fire on {bad}"
    lines = bad.read_text(encoding="utf-8").splitlines()
    for f in found:
        assert f.fix
        assert f.resource is not None
        assert 1 <= f.line <= len(lines)
        assert f.severity == {"E": "error", "W": "warning", "I": "info"}[rule_id[0]]


@pytest.mark.parametrize("rule_id", IDS)
def test_good_fixture_is_clean(rule_id: str) -> None:
    assert run_rules(FIXTURES / rule_id / "good.yaml") == []


def _resources_named(path: Path, prefix: str) -> set[str]:
    return {
        line.strip().rstrip(":")
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.startswith(f"  {prefix}") and line.rstrip().endswith(":")
    }


def test_unqualified_targets_every_kind_is_found_at_its_reference() -> None:
    bad = FIXTURES / "E9010" / "bad.yaml"
    findings = [f for f in run_rules(bad) if f.rule == "E9010"]
    assert {f.resource for f in findings} == _resources_named(bad, "Bad")
    lines = bad.read_text(encoding="utf-8").splitlines()
    for f in findings:
        # The position is the reference itself (a block scalar starts a line earlier):
        # by logical id, by the fixed name `fixed-fn` written out, or the $LATEST named.
        near = " ".join(lines[f.line - 1 : f.line + 1])
        assert any(w in near for w in ("Fn", "fixed-fn", "$LATEST")), (f.resource, f.line)
    # Both literal targets of BadLiteralRule (a !Sub without variables, a plain ARN).
    assert sum(f.resource == "BadLiteralRule" for f in findings) == 2


def test_fixed_names_reports_each_named_resource() -> None:
    findings = [f for f in run_rules(FIXTURES / "E9008" / "bad.yaml") if f.rule == "E9008"]
    assert {(f.resource, f.line) for f in findings} == {("Fn", 11), ("Table", 19)}


def test_alias_hash_names_only_unhashed_properties() -> None:
    findings = run_rules(FIXTURES / "I9020" / "bad.yaml")
    props = {f.message.split(": ")[1].split(" ")[0] for f in findings}
    assert props == {"Timeout", "Layers"}  # MemorySize is in SAM's hash


def test_a_property_from_globals_is_reported_where_globals_write_it(tmp_path: Path) -> None:
    path = tmp_path / "template.yaml"
    path.write_text(
        "Transform: AWS::Serverless-2016-10-31\n"
        "Globals:\n"
        "  Function:\n"
        "    AutoPublishAlias: PROD\n"
        "    DeploymentPreference:\n"
        "      Type: Canary10Percent10Minutes\n"
        "Resources:\n"
        "  Fn:\n"
        "    Type: AWS::Serverless::Function\n"
        "    Properties: {Runtime: python3.12, Handler: app.handler, CodeUri: src/}\n",
        encoding="utf-8",
    )
    (finding,) = run_rules(path)
    assert (finding.rule, finding.resource, finding.line, finding.column) == ("E9005", "Fn", 5, 5)


def test_a_codedeploy_hook_needs_no_alias(tmp_path: Path) -> None:
    # CodeDeploy invokes a PreTraffic/PostTraffic hook by name, unqualified, by design.
    template = tmp_path / "template.yaml"
    template.write_text(
        """\
Transform: AWS::Serverless-2016-10-31
Resources:
  Api:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      CodeUri: src/
      AutoPublishAlias: PROD
      DeploymentPreference:
        Type: AllAtOnce
        Hooks:
          PreTraffic: !Ref SmokeTest
          PostTraffic: Later
  SmokeTest:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: smoke.handler
      CodeUri: src/
  Later:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: later.handler
      CodeUri: src/
  Unrelated:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: other.handler
      CodeUri: src/
""",
        encoding="utf-8",
    )
    e9001 = sorted(f.resource or "" for f in run_rules(template) if f.rule == "E9001")
    assert e9001 == ["Unrelated"]
