"""A group's log holding what its file does not say (release waves, issue 33): a group
release of valid JSON whose members are not the file's, an id of another group, an id
nobody wrote. Written straight into the stand-in's S3, as in test_group_log.py."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from lambda_release.log.group_schema import GROUP_RELEASE_SCHEMA
from lambda_release.log.ids import index_name, new_id
from lambda_release.sandbox.server import Sandbox
from tests.hostile.group_log_file import setup
from tests.support.cliapp import unique
from tests.support.processes import Cli


def plant(
    s3: Any, bucket: str, group: str, members: list[dict[str, Any]], alias: str = "PROD"
) -> str:
    gid = new_id()
    body = {
        "schema": GROUP_RELEASE_SCHEMA,
        "id": gid,
        "group": group,
        "alias": alias,
        "members": members,
    }
    key = f"lambda-release/groups/{group}/runs/{index_name(gid)}"
    s3.put_object(Bucket=bucket, Key=key, Body=json.dumps(body).encode())
    return gid


# Members the file does not name (a target removed from the file since): each read from
# where its own log would be, shown as `unknown` with why, never a traceback.
ELSEWHERE = {
    "not in the file": ({"wave": 1, "stack": "elsewhere", "region": "us-east-1"}, "no 'lambda"),
    "a region not in the file": (
        {"wave": 3, "stack": "in-file", "region": "eu-west-1"},
        "no 'lambda-release:log' tag",
    ),
    "a region that is a host": (
        {"wave": 1, "stack": "a", "region": "evil.example.com/x"},
        "is not a region name",
    ),
}


@pytest.mark.parametrize("case", sorted(ELSEWHERE))
def test_a_group_release_naming_members_the_file_does_not(
    lr: Cli, sandbox: Sandbox, sandbox_env: dict[str, str], tmp_path: Path, case: str
) -> None:
    s3, bucket, group, path = setup(sandbox, tmp_path)
    member, says = ELSEWHERE[case]
    gid = plant(s3, bucket, group, [member])
    for action, code in (("status", 0), ("rollback", 1)):
        p = lr(
            "group", action, str(path), "--output", "json", cwd=tmp_path, env=sandbox_env,
            timeout=120,
        )  # fmt: skip
        assert p.returncode == code, (action, p.stderr)
        assert "Traceback" not in p.stderr
        data = json.loads(p.stdout)
        (row,) = data["members"]
        assert data["id"] == gid and row["outcome"] == "unknown", data
        assert row["stack"] == member["stack"] and says in row["problems"][0], row
    # Not every member undone: the group's rolled-back mark is never written.
    marks = s3.list_objects_v2(Bucket=bucket, Prefix=f"lambda-release/groups/{group}/rolled-back/")
    assert marks.get("KeyCount", 0) == 0


@pytest.mark.parametrize("stack", ["s" * 100_000, "../../x", "9lives"])
@pytest.mark.parametrize("action", ["status", "rollback", "history"])
def test_a_group_release_naming_a_stack_no_deploy_made_is_named_as_corrupt(
    lr: Cli,
    sandbox: Sandbox,
    sandbox_env: dict[str, str],
    tmp_path: Path,
    stack: str,
    action: str,
) -> None:
    """A 100 KB stack name was echoed whole in each of rollback's progress lines (200 KB
    of stderr) and sent to AWS; now the object is named as not lambda-release's."""
    s3, bucket, group, path = setup(sandbox, tmp_path)
    gid = plant(s3, bucket, group, [{"wave": 1, "stack": stack, "region": "us-east-1"}])
    p = lr("group", action, str(path), cwd=tmp_path, env=sandbox_env, timeout=120)
    assert p.returncode == 1, p.stderr
    assert "Traceback" not in p.stderr
    assert "is not a valid group release: members[0].stack" in p.stderr, p.stderr
    assert index_name(gid) in p.stderr
    assert len(p.stderr) < 2_000


def test_an_id_of_another_group_or_of_nobody_is_bad_input(
    lr: Cli, sandbox: Sandbox, sandbox_env: dict[str, str], tmp_path: Path
) -> None:
    s3, bucket, group, path = setup(sandbox, tmp_path)
    other = plant(
        s3, bucket, unique("other"), [{"wave": 1, "stack": "in-file", "region": "us-east-1"}]
    )
    for gid in (other, new_id()):
        for action in ("status", "rollback"):
            p = lr(
                "group", action, str(path), "--group-release", gid, cwd=tmp_path,
                env=sandbox_env, timeout=120,
            )  # fmt: skip
            assert p.returncode == 2, p.stderr
            assert f"group release '{gid}' is not in s3://{bucket}/" in p.stderr, p.stderr
            assert group in p.stderr and "Traceback" not in p.stderr


@pytest.mark.parametrize("alias", ["A" * 100_000, "PROD STAGING", "123"])
@pytest.mark.parametrize("action", ["status", "rollback", "history"])
def test_a_group_release_naming_an_alias_no_deploy_made(
    lr: Cli,
    sandbox: Sandbox,
    sandbox_env: dict[str, str],
    tmp_path: Path,
    alias: str,
    action: str,
) -> None:
    s3, bucket, group, path = setup(sandbox, tmp_path)
    """Shown whole (100 KB) in status's and history's tables and rollback's lines; now the
    object is named as not lambda-release's, as for a stack."""
    gid = plant(s3, bucket, group, [{"wave": 1, "stack": "in-file", "region": "us-east-1"}], alias)
    p = lr("group", action, str(path), cwd=tmp_path, env=sandbox_env, timeout=120)
    assert p.returncode == 1, p.stderr
    assert "Traceback" not in p.stderr
    assert "is not a valid group release: " in p.stderr and index_name(gid) in p.stderr
    assert len(p.stderr) + len(p.stdout) < 2_000
