"""The orb's group scripts (issue 33 item 4), function by function, with a helper that echoes.

group_deploy.sh runs one `lambda-release group deploy FILE` and keeps its JSON result as the
group's record; group_rollback.sh undoes exactly this pipeline's group release (the id from
the record, else the group's log by pipeline id, never "the latest"); group_report.sh turns
the record into a Markdown table and each member release's own report page.
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from tests.orb.test_scripts import fake_helper
from tests.support.processes import OrbShell, lines

GROUP = "version: 1\ngroup: orders\nwaves: []\n"


def with_group_file(tmp_path: Path, name: str = "lambda-release.group.yml") -> Path:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(GROUP)
    return path


def helper_env(tmp_path: Path, **env: str) -> dict[str, str]:
    return {"PATH": f"{fake_helper(tmp_path)}:{os.environ['PATH']}", **env}


def test_group_deploy_runs_one_group_deploy_and_keeps_its_result_as_the_record(
    orb_sh: OrbShell, tmp_path: Path
) -> None:
    with_group_file(tmp_path, "deploy/orders.group.yml")
    env = helper_env(
        tmp_path,
        DIR="deploy",
        LR_STR_GROUP_FILE="${DIR}/orders.group.yml",  # substituted as every string is
        LR_STR_ALIAS="PROD",
        LR_STR_PROFILE_NAME="deployer",
        LR_BOOL_DRY_RUN="0",
        LR_INT_PIPELINE_NUMBER="42",
        LR_STR_RECORD_FILE="out/group.json",
    )
    proc = orb_sh.script("group_deploy.sh", env, tmp_path)
    assert proc.returncode == 0, proc.stderr
    expected = [
        "<group>",
        "<deploy>",
        "<deploy/orders.group.yml>",
        "<--output=json>",
        "<--alias=PROD>",
        "<--profile=deployer>",
    ]
    assert lines(proc) == expected
    assert (tmp_path / "out/group.json").read_text().splitlines() == expected
    dry = orb_sh.script("group_deploy.sh", {**env, "LR_BOOL_DRY_RUN": "1"}, tmp_path)
    assert lines(dry)[-1] == "<--dry-run>"


def test_group_deploy_defaults_and_a_file_name_that_looks_like_an_option(
    orb_sh: OrbShell, tmp_path: Path
) -> None:
    with_group_file(tmp_path)
    proc = orb_sh.script("group_deploy.sh", helper_env(tmp_path), tmp_path)
    assert lines(proc) == ["<group>", "<deploy>", "<lambda-release.group.yml>", "<--output=json>"]
    with_group_file(tmp_path, "--dry-run")
    proc = orb_sh.script(
        "group_deploy.sh", helper_env(tmp_path, LR_STR_GROUP_FILE="--dry-run"), tmp_path
    )
    assert "<./--dry-run>" in lines(proc) and "<--dry-run>" not in lines(proc)


def test_group_deploy_without_its_file_says_how_to_fix_it(orb_sh: OrbShell, tmp_path: Path) -> None:
    proc = orb_sh.script("group_deploy.sh", helper_env(tmp_path), tmp_path)
    assert proc.returncode == 2
    assert "no group file lambda-release.group.yml" in proc.stderr
    assert "set group_file" in proc.stderr and "<group>" not in proc.stdout


def test_group_deploy_keeps_the_helpers_exit_status_through_the_record(
    orb_sh: OrbShell, tmp_path: Path
) -> None:
    with_group_file(tmp_path)
    bin_dir = tmp_path / "failing"
    bin_dir.mkdir()
    helper = bin_dir / "lambda-release"
    helper.write_text(
        '#!/usr/bin/env bash\necho \'{"group": "orders", "outcome": "rolled back"}\'\nexit 1\n'
    )
    helper.chmod(helper.stat().st_mode | stat.S_IEXEC)
    env = {"PATH": f"{bin_dir}:{os.environ['PATH']}", "LR_STR_RECORD_FILE": "r/group.json"}
    proc = orb_sh.script("group_deploy.sh", env, tmp_path)
    assert proc.returncode == 1  # the group stopped or was rolled back: the job fails
    assert json.loads((tmp_path / "r/group.json").read_text())["outcome"] == "rolled back"


ROLLBACK_ENV = {"LAMBDA_RELEASE_APPROVER": "octocat", "LR_STR_ALIAS": "PROD"}


def test_group_rollback_undoes_the_group_release_of_this_pipelines_record(
    orb_sh: OrbShell, tmp_path: Path
) -> None:
    with_group_file(tmp_path)
    (tmp_path / "group.json").write_text('{"group": "orders", "id": "g-1", "outcome": "stopped"}')
    env = helper_env(
        tmp_path,
        **ROLLBACK_ENV,
        LR_STR_DEPLOY_RECORD="group.json",
        LR_STR_REASON="5xx in eu-west-1\nafter wave 2\n",
        LR_STR_RECORD_FILE="out/group-rollback.json",
    )
    proc = orb_sh.script("group_rollback.sh", env, tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert lines(proc) == [
        "<group>",
        "<rollback>",
        "<lambda-release.group.yml>",
        "<--group-release=g-1>",
        "<--reason=5xx in eu-west-1 after wave 2 (approved by octocat)>",
        "<--output=json>",
        "<--alias=PROD>",
    ]
    assert (tmp_path / "out/group-rollback.json").read_text().splitlines() == lines(proc)
    explicit = orb_sh.script("group_rollback.sh", {**env, "LR_STR_GROUP_RELEASE": "g-0"}, tmp_path)
    assert "<--group-release=g-0>" in lines(explicit)


def fake_group_history(tmp_path: Path, rows: list[dict[str, object]]) -> Path:
    """A `lambda-release` whose `group history` prints ``rows``; others echo their args."""
    bin_dir = tmp_path / "hbin"
    bin_dir.mkdir(exist_ok=True)
    (tmp_path / "history.json").write_text(json.dumps({"group": "orders", "releases": rows}))
    helper = bin_dir / "lambda-release"
    helper.write_text(
        "#!/usr/bin/env bash\n"
        f'if [ "$2" = history ]; then printf "%s\\n" "$*" > "{tmp_path}/history.args"; '
        f'cat "{tmp_path}/history.json"; exit 0; fi\n'
        'for a in "$@"; do printf "<%s>\\n" "$a"; done\n'
    )
    helper.chmod(helper.stat().st_mode | stat.S_IEXEC)
    return bin_dir


def test_group_rollback_finds_its_pipelines_group_release_in_the_log_when_no_record_came(
    orb_sh: OrbShell, tmp_path: Path
) -> None:
    with_group_file(tmp_path)
    rows = [
        {"id": "g-newer", "pipeline_id": "pipe-8"},
        {"id": "g-mine", "pipeline_id": "pipe-7"},
        {"id": "g-older", "pipeline_id": "pipe-7"},
    ]
    env = {
        **ROLLBACK_ENV,
        "PATH": f"{fake_group_history(tmp_path, rows)}:{os.environ['PATH']}",
        "LR_STR_DEPLOY_RECORD": "lambda-release/group.json",  # never persisted: killed
        "CIRCLE_PIPELINE_ID": "pipe-7",
    }
    proc = orb_sh.script("group_rollback.sh", env, tmp_path)
    assert "<--group-release=g-mine>" in lines(proc), proc.stderr
    assert (tmp_path / "history.args").read_text().split() == [
        "group",
        "history",
        "lambda-release.group.yml",
        "--output=json",
        "--limit=50",
        "--alias=PROD",
    ]
    (tmp_path / "history.json").write_text(json.dumps({"group": "orders", "releases": rows[:1]}))
    proc = orb_sh.script("group_rollback.sh", env, tmp_path)
    assert proc.returncode == 2
    assert "no release of pipeline pipe-7" in proc.stderr and "set the group_release" in proc.stderr
    assert "<rollback>" not in proc.stdout


@pytest.mark.parametrize("shell", [["bash"], ["bash", "-eo", "pipefail"]])
def test_group_rollback_never_means_the_latest(
    orb_sh: OrbShell, tmp_path: Path, shell: list[str]
) -> None:
    """A placeholder record (the deploy job died) and no pipeline id: refused, exit 2."""
    with_group_file(tmp_path)
    (tmp_path / "group.json").write_text('{"outcome": "unknown"}')
    env = helper_env(tmp_path, **ROLLBACK_ENV, LR_STR_DEPLOY_RECORD="group.json")
    proc = orb_sh.script("group_rollback.sh", env, tmp_path, shell)
    assert proc.returncode == 2, proc.stderr
    assert "set the group_release parameter" in proc.stderr
    assert "<rollback>" not in proc.stdout


def test_group_report_tables_the_members_and_asks_each_members_page(
    orb_sh: OrbShell, tmp_path: Path
) -> None:
    record = {
        "group": "orders",
        "id": "g-1",
        "alias": "PROD",
        "outcome": "rolled back",
        "stopped_at_wave": 2,
        "members": [
            {"wave": 1, "stack": "orders-prod", "region": "us-east-1", "alias": "PROD",
             "release": "r-1", "outcome": "rolled back"},
            {"wave": 2, "stack": "orders-prod", "region": "eu-west-1", "alias": "PROD",
             "release": None, "outcome": "failed"},
        ],
    }  # fmt: skip
    (tmp_path / "group.json").write_text(json.dumps(record))
    env = helper_env(tmp_path, LR_STR_RECORD_FILE="group.json", LR_STR_REPORT_DIR="rep")
    proc = orb_sh.script("group_report.sh", env, tmp_path)
    assert proc.returncode == 0, proc.stderr
    md = (tmp_path / "rep/report.md").read_text().splitlines()
    assert md[0] == "# Group orders release g-1 to PROD: rolled back at wave 2"
    assert md[4] == (
        "| 1 | orders-prod | us-east-1 | r-1 | rolled back | 1-us-east-1-orders-prod.html |"
    )
    assert md[5] == "| 2 | orders-prod | eu-west-1 | - | failed | - |"
    # One page per member release, asked of the helper's own report (not of a member
    # that released nothing).
    asked = lines(proc)
    assert asked[:7] == [
        "<report>",
        "<--release=r-1>",
        "<--stack=orders-prod>",
        "<--region=us-east-1>",
        "<--alias=PROD>",
        "<--output=html>",
        "<--output-file=rep/1-us-east-1-orders-prod.html>",
    ]
    assert asked.count("<report>") == 1


def test_group_report_of_no_record_says_so_and_never_fails(
    orb_sh: OrbShell, tmp_path: Path
) -> None:
    (tmp_path / "group.json").write_text('{"outcome": "unknown"}')
    env = helper_env(tmp_path, LR_STR_RECORD_FILE="group.json", LR_STR_REPORT_DIR="rep")
    proc = orb_sh.script("group_report.sh", env, tmp_path)
    assert proc.returncode == 0
    assert "No group release was recorded" in (tmp_path / "rep/report.md").read_text()
    assert "<report>" not in proc.stdout
