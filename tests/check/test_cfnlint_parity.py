"""``cfn-lint --append-rules`` reports exactly what ``lambda-release check`` reports."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lambda_release.check.engine import run_rules
from tests.check.helpers import BIN, RULES_DIR, SEED, rule_dirs
from tests.support.processes import Cli, Spawn

TEMPLATES = [
    *(d / kind for d in rule_dirs() for kind in ("good.yaml", "bad.yaml")),
    SEED / "template-canary.yaml",
    SEED / "template-per-env.yaml",
]
Key = tuple[str, str, int, int, str]


def _ours(path: Path) -> set[Key]:
    return {(str(path), f.rule, f.line, f.column, f.message) for f in run_rules(path)}


def _cfnlint(spawn: Spawn, rules: str, paths: list[Path]) -> set[Key]:
    proc = spawn.run(
        [
            BIN / "cfn-lint",
            *("--append-rules", rules, "--include-checks", "I", "--format", "json"),
            *("--", *paths),
        ],
        timeout=300,
    )
    assert proc.stdout.strip(), proc.stderr
    return {
        (
            m["Filename"],
            m["Rule"]["Id"],
            m["Location"]["Start"]["LineNumber"],
            m["Location"]["Start"]["ColumnNumber"],
            m["Message"],
        )
        for m in json.loads(proc.stdout)
        if m["Rule"]["Id"][1] == "9"  # ours; cfn-lint's own checks are its business
    }


@pytest.mark.parametrize("rules", [str(RULES_DIR), "lambda_release.check.rules"])
def test_cfnlint_finds_the_same(lr: Cli, rules: str) -> None:
    expected: set[Key] = set().union(*(_ours(p) for p in TEMPLATES))
    assert expected  # the bad fixtures and the seed do have findings
    assert _cfnlint(lr.spawn, rules, TEMPLATES) == expected


def test_console_script_json_matches_cfnlint(lr: Cli) -> None:
    path = SEED / "template-per-env.yaml"
    proc = lr("check", str(path), "--output", "json")
    assert proc.returncode == 1, proc.stderr
    ours = {
        (f["file"], f["rule"], f["line"], f["column"], f["message"])
        for f in json.loads(proc.stdout)
    }
    assert ours == _cfnlint(lr.spawn, str(RULES_DIR), [path])
