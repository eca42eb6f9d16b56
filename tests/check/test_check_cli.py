"""``lambda-release check`` end to end, through the console script."""

from __future__ import annotations

import json
from pathlib import Path

from tests.check.helpers import FIXTURES, SEED
from tests.support.processes import Cli, Spawn, clean_env


def test_error_exits_1_with_text_lines(lr: Cli) -> None:
    path = SEED / "template-canary.yaml"
    proc = lr("check", str(path))
    assert proc.returncode == 1, proc.stderr
    first = proc.stdout.splitlines()[0]
    assert first.startswith(f"{path}:11:7: error E9005 Function MyFunc shifts traffic")
    assert proc.stdout.splitlines()[1].startswith("    fix: add 'Alarms:")
    assert "1 error(s)" in proc.stderr


def test_warnings_only_exit_0(lr: Cli) -> None:
    proc = lr("check", str(FIXTURES / "W9007" / "bad.yaml"))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.count(": warning W9007 ") == 2


def test_clean_template_exits_0_and_prints_nothing(lr: Cli) -> None:
    proc = lr("check", str(FIXTURES / "E9010" / "good.yaml"))
    assert (proc.returncode, proc.stdout) == (0, "")


def test_missing_and_unreadable_templates_exit_2(lr: Cli, tmp_path: Path) -> None:
    missing = lr("check", str(tmp_path / "nope.yaml"))
    assert missing.returncode == 2 and "nope.yaml" in missing.stderr
    broken = tmp_path / "broken.yaml"
    broken.write_text("Resources: [\n", encoding="utf-8")
    proc = lr("check", str(broken))
    assert proc.returncode == 2
    assert "cannot read template" in proc.stderr and "broken.yaml" in proc.stderr


def test_default_template_is_template_yaml_in_the_working_directory(
    lr: Cli, tmp_path: Path
) -> None:
    (tmp_path / "template.yaml").write_text(
        (SEED / "template-canary.yaml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    proc = lr("check", "--output", "json", cwd=tmp_path)
    assert proc.returncode == 1
    assert [f["rule"] for f in json.loads(proc.stdout)] == ["E9005"]


def test_json_template_is_read_with_positions(lr: Cli, tmp_path: Path) -> None:
    template = {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Resources": {
            "Fn": {
                "Type": "AWS::Serverless::Function",
                "Properties": {"Runtime": "python3.12", "Handler": "a.h", "CodeUri": "src/"},
            }
        },
    }
    path = tmp_path / "template.json"
    path.write_text(json.dumps(template, indent=2), encoding="utf-8")
    proc = lr("check", str(path), "--output", "json")
    assert proc.returncode == 1
    (finding,) = json.loads(proc.stdout)
    assert (finding["rule"], finding["resource"], finding["line"]) == ("E9001", "Fn", 4)


def test_sarif_output(lr: Cli) -> None:
    proc = lr("check", str(SEED / "template-per-env.yaml"), "--output", "sarif")
    assert proc.returncode == 1
    sarif = json.loads(proc.stdout)
    assert sarif["version"] == "2.1.0"
    results = sarif["runs"][0]["results"]
    assert {(r["ruleId"], r["level"]) for r in results} == {("E9005", "error"), ("E9008", "error")}
    region = next(r for r in results if r["ruleId"] == "E9008")["locations"][0]
    assert region["physicalLocation"]["region"]["startLine"] == 17
    rule_ids = {r["id"] for r in sarif["runs"][0]["tool"]["driver"]["rules"]}
    assert {"E9001", "E9010", "I9020"} <= rule_ids


def test_ignore_checks_on_the_command_line_and_by_prefix(lr: Cli) -> None:
    path = str(SEED / "template-per-env.yaml")
    one = lr("check", path, "--output", "json", "--ignore-checks", "E9005")
    assert [f["rule"] for f in json.loads(one.stdout)] == ["E9008"]
    both = lr("check", path, "--ignore-checks", "E9005,E9008")
    assert (both.returncode, both.stdout) == (0, "")
    env = lr(
        "check", path, "--output", "json", env=clean_env({"LAMBDA_RELEASE_IGNORE_CHECKS": "E900"})
    )
    assert json.loads(env.stdout) == []


def _with_metadata(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "template.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_ignore_checks_in_template_metadata(lr: Cli, tmp_path: Path) -> None:
    seed = (SEED / "template-per-env.yaml").read_text(encoding="utf-8")
    whole = seed.replace(
        "Parameters:",
        "Metadata:\n  cfn-lint:\n    config:\n      ignore_checks: [E9008]\nParameters:",
    )
    proc = lr("check", str(_with_metadata(tmp_path, whole)), "--output", "json")
    assert [f["rule"] for f in json.loads(proc.stdout)] == ["E9005"]
    one = seed.replace(
        "    Type: AWS::Serverless::Function\n",
        "    Type: AWS::Serverless::Function\n"
        "    Metadata:\n      cfn-lint:\n        config:\n          ignore_checks: [E9005]\n",
    )
    proc = lr("check", str(_with_metadata(tmp_path, one)), "--output", "json")
    assert [f["rule"] for f in json.loads(proc.stdout)] == ["E9008"]


def test_environments_from_the_command_line(lr: Cli) -> None:
    canary = str(SEED / "template-canary.yaml")  # AutoPublishAlias: PROD, FunctionName: my-func
    single = lr("check", canary, "--output", "json")
    assert {f["rule"] for f in json.loads(single.stdout)} == {"E9005"}
    multi = lr("check", canary, "--output", "json", "--environments", "prod,staging")
    assert {f["rule"] for f in json.loads(multi.stdout)} == {"E9002", "E9005", "E9008"}
    staging = lr("check", canary, "--output", "json", "--prod-alias", "LIVE")
    assert {f["rule"] for f in json.loads(staging.stdout)} == {"W9006"}
    assert staging.returncode == 0


def test_environments_reach_plain_cfnlint_through_the_environment(spawn: Spawn) -> None:
    from tests.check.helpers import BIN, RULES_DIR  # noqa: PLC0415

    proc = spawn.run(
        [
            BIN / "cfn-lint",
            *("--append-rules", RULES_DIR, "--format", "parseable"),
            *("--", SEED / "template-canary.yaml"),
        ],
        env={"LAMBDA_RELEASE_ENVIRONMENTS": "prod,staging", "PATH": str(BIN)},
    )
    ids = {line.split(":")[5] for line in proc.stdout.splitlines() if ":E9" in line}
    assert ids == {"E9002", "E9005", "E9008"}, proc.stdout + proc.stderr


def test_bad_environments_value_exits_2(lr: Cli) -> None:
    proc = lr("check", str(SEED / "template-canary.yaml"), "--environments", "prod=")
    assert proc.returncode == 2 and "--environments" in proc.stderr


def test_without_cfnlint_the_error_says_how_to_install(spawn: Spawn) -> None:
    code = (
        "import sys; sys.modules['cfnlint'] = None\n"
        "from lambda_release.cli import main\n"
        f"sys.exit(main(['check', {str(SEED / 'template-canary.yaml')!r}]))"
    )
    proc = spawn.python(code)
    assert proc.returncode == 2
    assert "pip install 'lambda-release[check]'" in proc.stderr
