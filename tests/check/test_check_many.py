"""``check`` over many templates in one run, production aliases, --help (console script)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.check.helpers import FIXTURES, SEED
from tests.support.processes import Cli, clean_env

CANARY = (SEED / "template-canary.yaml").read_text(encoding="utf-8")  # alias PROD, no alarms


def _tree(tmp_path: Path) -> Path:
    root = tmp_path / "stacks"
    (root / "api").mkdir(parents=True)
    (root / "node_modules" / "x").mkdir(parents=True)
    (root / ".aws-sam").mkdir()
    shutil.copy(FIXTURES / "E9010" / "good.yaml", root / "api" / "template.yaml")
    shutil.copy(FIXTURES / "E9001" / "bad.yaml", root / "worker.yml")
    (root / "package.json").write_text('{"name": "x"}', encoding="utf-8")
    for skipped in (root / "node_modules" / "x", root / ".aws-sam"):
        shutil.copy(FIXTURES / "E9001" / "bad.yaml", skipped / "template.yaml")
    return root


def test_directory_is_searched_and_skips_build_output(lr: Cli, tmp_path: Path) -> None:
    root = _tree(tmp_path)
    proc = lr("check", str(root), "--output", "json")
    assert proc.returncode == 1, proc.stderr
    files = {f["file"] for f in json.loads(proc.stdout)}
    assert files == {str(root / "worker.yml")}
    assert "2 templates:" in proc.stderr


def test_files_and_quoted_globs_in_one_run(lr: Cli, tmp_path: Path) -> None:
    root = _tree(tmp_path)
    proc = lr("check", str(root / "api" / "template.yaml"), f"{root}/**/*.yml", "--output", "json")
    assert proc.returncode == 1
    assert {f["rule"] for f in json.loads(proc.stdout)} == {"E9001"}
    nothing = lr("check", f"{root}/**/*.nope")
    assert nothing.returncode == 2 and "matches no file" in nothing.stderr


def test_exit_code_is_the_worst_of_the_files(lr: Cli, tmp_path: Path) -> None:
    clean = FIXTURES / "E9010" / "good.yaml"
    warn = FIXTURES / "W9007" / "bad.yaml"
    failing = FIXTURES / "E9001" / "bad.yaml"
    broken = tmp_path / "broken.yaml"
    broken.write_text("Resources: [\n", encoding="utf-8")
    assert lr("check", str(clean), str(warn)).returncode == 0
    assert lr("check", str(clean), str(failing)).returncode == 1
    mixed = lr("check", str(failing), str(broken), str(tmp_path / "nope.yaml"), str(clean))
    assert mixed.returncode == 2
    assert mixed.stdout.count("error E9001") == 3  # the good files were still checked
    reasons = [line for line in mixed.stderr.splitlines() if ": error: " in line]
    assert len(reasons) == 2
    assert "broken.yaml" in reasons[0] and "nope.yaml" in reasons[1]
    assert "2 not checked" in mixed.stderr


def test_sarif_names_the_files_it_could_not_check(lr: Cli, tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text("[1", encoding="utf-8")
    proc = lr("check", str(FIXTURES / "E9001" / "bad.yaml"), str(broken), "--output", "sarif")
    assert proc.returncode == 2
    run = json.loads(proc.stdout)["runs"][0]
    (note,) = run["invocations"][0]["toolExecutionNotifications"]
    assert note["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == str(broken)
    assert run["invocations"][0]["executionSuccessful"] is False
    assert {r["ruleId"] for r in run["results"]} == {"E9001"}


@pytest.mark.parametrize("alias", ["PROD", "Production", "live", "prod"])
def test_default_production_aliases(lr: Cli, tmp_path: Path, alias: str) -> None:
    path = tmp_path / "template.yaml"
    path.write_text(CANARY.replace("AutoPublishAlias: PROD", f"AutoPublishAlias: {alias}"))
    proc = lr("check", str(path), "--output", "json")
    assert [f["rule"] for f in json.loads(proc.stdout)] == ["E9005"], proc.stderr
    assert proc.returncode == 1


def test_production_alias_option_replaces_the_defaults(lr: Cli, tmp_path: Path) -> None:
    path = tmp_path / "template.yaml"
    path.write_text(CANARY.replace("AutoPublishAlias: PROD", "AutoPublishAlias: LIVE"))
    default = lr("check", str(path), "--output", "json")
    assert [f["rule"] for f in json.loads(default.stdout)] == ["W9006"]
    given = lr("check", str(path), "--production-alias", "Blue", "--production-alias", "LIVE")
    assert given.returncode == 1 and "error E9005" in given.stdout
    env = lr("check", str(path), env=clean_env({"LAMBDA_RELEASE_PRODUCTION_ALIAS": "Blue,LIVE"}))
    assert env.returncode == 1
    live = CANARY.replace("AutoPublishAlias: PROD", "AutoPublishAlias: live")
    path.write_text(live)
    only_blue = lr("check", str(path), "--production-alias", "Blue", "--output", "json")
    assert [f["rule"] for f in json.loads(only_blue.stdout)] == ["W9006"]


def test_help_lists_every_output_format_and_the_exit_codes(lr: Cli) -> None:
    proc = lr("check", "--help")
    assert proc.returncode == 0
    text = " ".join(proc.stdout.split())
    assert "table (default: one line per finding and its fix), text" in text
    assert "json (a list of findings) or sarif" in text
    assert "--production-alias" in text
    assert "3 internal error" in text
