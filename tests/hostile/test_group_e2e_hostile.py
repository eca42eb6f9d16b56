"""Release waves (issue 33) end to end as a hostile user runs them, with the real SAM CLI
and the stand-in: a NoEcho value in a target's parameter_overrides, `--dry-run`, every
command's `--output json`, and a SIGTERM (a cancelled CI job) in wave 2."""

from __future__ import annotations

import json
import signal
import subprocess
import time
import uuid
from collections.abc import Callable
from typing import Any

import yaml

from tests.group.conftest import Group, client, group_app, make_app
from tests.group.test_group_e2e import v1_released, wave_2_begun
from tests.support.leaks import secrets_in

__all__ = ["group_app", "make_app"]


def objects(g: Group) -> dict[tuple[str, str], bytes]:
    """Every object in the group's buckets (its log, each member's log, sam's uploads)."""
    found: dict[tuple[str, str], bytes] = {}
    for region, bucket in g.buckets.items():
        s3 = client(g.app.sandbox, "s3", region)
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
            for obj in page.get("Contents", []):
                body = s3.get_object(Bucket=bucket, Key=obj["Key"])["Body"].read()
                found[bucket, obj["Key"]] = body
    return found


def with_secret(g: Group, secret: str) -> None:
    """A NoEcho parameter in the template; every target of the file passes it a value."""
    path = g.app.directory / "template.yaml"
    template = yaml.safe_load(path.read_text())
    template.setdefault("Parameters", {})["DbPassword"] = {
        "Type": "String",
        "NoEcho": True,
        "Default": "x",
    }
    path.write_text(yaml.safe_dump(template, sort_keys=False))
    body = yaml.safe_load(g.file.read_text())
    for wave in body["waves"]:
        for target in wave["targets"]:
            target["parameter_overrides"] = {"DbPassword": secret}
    g.file.write_text(yaml.safe_dump(body, sort_keys=False))


def test_a_secret_override_and_a_dry_run_leave_no_trace(
    group_app: Callable[..., Group],
) -> None:
    g = group_app()
    secret = f"s3cr3t-{uuid.uuid4().hex}"
    with_secret(g, secret)
    before = objects(g)
    outputs: list[str] = []
    # --dry-run: each member's pre-flight, and nothing written, built or released.
    dry = g.lr("deploy", str(g.file), "--dry-run", "--output", "json")
    outputs += [dry.stdout, dry.stderr]
    assert dry.returncode == 0, dry.stderr
    data = json.loads(dry.stdout)
    assert data["outcome"] == "dry run" and data["id"] == ""
    assert [m["outcome"] for m in data["members"]] == ["would release"] * len(g.stacks)
    assert objects(g) == before, "group deploy --dry-run wrote to S3"
    assert set(g.versions().values()) == {None}
    assert not (g.app.directory / ".aws-sam" / "group").exists()
    for action in ("status", "rollback"):
        p = g.lr(action, str(g.file), "--output", "json")  # nothing released yet: said so
        outputs += [p.stdout, p.stderr]
        assert p.returncode == 2 and "holds no group release" in p.stderr, (action, p.stderr)
    code, hist, err = g.json("history", str(g.file))
    assert (code, hist) == (0, {"group": g.name, "releases": []}), err
    assert objects(g) == before
    # The release itself, then every command's JSON, parsed.
    code, released, err = g.json("deploy", str(g.file))
    outputs.append(err)
    assert code == 0, err
    assert set(g.versions().values()) == {"1"}
    cfn = client(g.app.sandbox, "cloudformation", g.stacks[0][1])
    params = cfn.describe_stacks(StackName=g.stacks[0][0])["Stacks"][0]["Parameters"]
    assert {p["ParameterKey"]: p["ParameterValue"] for p in params}["DbPassword"] == secret
    mid = objects(g)
    for args in (("status",), ("history",), ("deploy", "--dry-run"), ("rollback", "--dry-run")):
        p = g.lr(args[0], str(g.file), *args[1:], "--output", "json")
        outputs += [p.stdout, p.stderr]
        assert p.returncode == 0, (args, p.stderr)
        parsed: dict[str, Any] = json.loads(p.stdout)
        assert parsed["group"] == g.name, (args, parsed)
    assert objects(g) == mid, "a read or a --dry-run wrote to S3"
    # A first release created each alias: rollback has no earlier version to move it back
    # to. The group used to say "rolled back" (exit 0, its mark written) while every member
    # said succeeded and in effect; now it says not undone, and writes no mark.
    p = g.lr("rollback", str(g.file), "--group-release", released["id"], "--output", "json")
    outputs += [p.stdout, p.stderr]
    assert p.returncode == 1, p.stderr
    undone = json.loads(p.stdout)
    assert undone["outcome"] == "succeeded", undone
    assert all(m["in_effect"] for m in undone["members"]), undone
    assert "still in effect, nothing earlier to go back to" in p.stderr, p.stderr
    assert set(g.versions().values()) == {"1"}
    marks = [k for _, k in objects(g) if "/rolled-back/" in k]
    assert marks == [], marks
    written = objects(g)
    assert any(key.startswith("lambda-release/groups/") for _, key in written)
    leaks = secrets_in([secret], *outputs, *written.values())
    assert not leaks, "a NoEcho value reached output or a log"


def test_sigterm_in_wave_2_ends_it_and_group_rollback_puts_every_alias_back(
    group_app: Callable[..., Group],
) -> None:
    g = group_app()
    before = v1_released(g)
    wave2 = g.stacks[1:]
    proc = g.popen("deploy", str(g.file), "--output", "json")
    try:
        wave_2_begun(g, wave2, proc)
        proc.send_signal(signal.SIGTERM)  # the helper only, as CircleCI's cancel does
        out, err = proc.communicate(timeout=300)
    except subprocess.TimeoutExpired:
        g.kill(proc)
        raise
    assert proc.returncode == 1, (proc.returncode, err[-3000:])
    assert "interrupted" in err and "Traceback" not in err, err
    assert out == ""  # no half a JSON document
    # The group release stays pending (no end written); each member under way settled.
    code, status, err = g.json("status", str(g.file))
    assert code == 0, err
    assert status["outcome"] == "pending", status
    assert all(m["outcome"] != "pending" for m in status["members"]), status
    deadline = time.monotonic() + 120
    while True:
        code, data, err = g.json("rollback", str(g.file))
        if code == 0 or time.monotonic() > deadline:
            break
        time.sleep(5)
    assert code == 0, err
    assert data["outcome"] == "rolled back" and g.versions() == before
