"""The seed's own templates break the rules the seed states (shared/seed/)."""

from __future__ import annotations

from lambda_release.check.engine import run_rules
from tests.check.helpers import SEED


def test_per_env_template_is_flagged_for_its_fixed_function_name() -> None:
    findings = run_rules(SEED / "template-per-env.yaml")
    fixed = [f for f in findings if f.rule == "E9008"]
    assert len(fixed) == 1
    assert fixed[0].resource == "MyFunc"
    assert "'my-func'" in fixed[0].message and "2 stacks" in fixed[0].message
    text = (SEED / "template-per-env.yaml").read_text(encoding="utf-8").splitlines()
    assert text[fixed[0].line - 1].strip() == "FunctionName: my-func"


def test_canary_template_is_flagged_for_a_canary_without_alarm() -> None:
    findings = run_rules(SEED / "template-canary.yaml")
    assert [(f.rule, f.resource, f.severity) for f in findings] == [("E9005", "MyFunc", "error")]
    text = (SEED / "template-canary.yaml").read_text(encoding="utf-8").splitlines()
    assert text[findings[0].line - 1].strip() == "DeploymentPreference:"
