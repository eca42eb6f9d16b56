"""Hostile conditions for a group's log (release waves, issue 33): an object in it that
lambda-release did not write, and two group deploys of one group at once."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from lambda_release.log.ids import index_name, new_id
from lambda_release.sandbox.server import Sandbox
from tests.group.conftest import Group, group_app, make_app
from tests.hostile.group_log_file import setup
from tests.support.processes import Cli

__all__ = ["group_app", "make_app"]


def test_a_corrupted_group_log_object_is_named_never_a_traceback(
    lr: Cli, sandbox: Sandbox, sandbox_env: dict[str, str], tmp_path: Path
) -> None:
    s3, bucket, group, path = setup(sandbox, tmp_path)
    gid = new_id()
    key = f"lambda-release/groups/{group}/runs/{index_name(gid)}"
    for garbage, says in (
        (b"not json {", "is not JSON"),
        (json.dumps({"id": gid}).encode(), "is not a valid group release"),
    ):
        s3.put_object(Bucket=bucket, Key=key, Body=garbage)
        for action in ("history", "status", "rollback"):
            p = lr("group", action, str(path), cwd=tmp_path, env=sandbox_env, timeout=120)
            assert p.returncode == 1, (action, p.stdout, p.stderr)
            assert "Traceback" not in p.stderr
            assert says in p.stderr and key in p.stderr, p.stderr


def test_two_group_deploys_at_once_never_mix_their_members(
    group_app: Callable[..., Group],
) -> None:
    g = group_app()
    procs = [g.popen("deploy", str(g.file), "--output", "json") for _ in range(2)]
    results = [(p, *p.communicate(timeout=600)) for p in procs]
    codes = sorted(p.returncode for p, _, _ in results)
    for p, out, err in results:
        assert "Traceback" not in err
        assert p.returncode in (0, 1), err
        data = json.loads(out)
        assert data["outcome"] in ("succeeded", "rolled back", "stopped"), data
    assert codes[0] == 0, [err for _, _, err in results]  # one of them released the group
    # One builds and releases; the other waited for it to end (group/build_lock.py) rather
    # than building into the same .aws-sam/group/ folder at once.
    assert sum("waiting for it to end" in err for _, _, err in results) == 1, results
    # Each group release's members are its own: each member's entry names that release.
    code, hist, err = g.json("history", str(g.file))
    assert code == 0, err
    assert len(hist["releases"]) == 2
    for rel in hist["releases"]:
        for m in rel["members"]:
            if m["release"] is None:
                continue  # refused: another release of the stack held its lock
            found = {r.id: r for r in g.log(m["stack"], m["region"]).releases(10)}
            assert found[m["release"]].entry["group"]["id"] == rel["id"]
    assert set(g.versions().values()) == {"1"}
