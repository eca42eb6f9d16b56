"""Issue 24 item 3: the log checks identity, not only shape.

An object can have the right shape and still lie about which release it is: an entry
copied under another release's key, a settlement or undo mark under another id, a head
in the lease that hides a pending release, a garbage object with an id-shaped name.
Each case runs the console script against the sandbox and checks the exit code, the one
line naming the key, and that the log and the aliases are as before where it refused.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from lambda_release.log import ids as release_ids
from lambda_release.log import lock
from lambda_release.log.schema import UNDO_SCHEMA
from lambda_release.release.begin import begin
from lambda_release.sandbox import Sandbox
from tests.hostile.lease_object import lease_body, put_lease
from tests.hostile.world import one_line, world
from tests.rollback.cli import kit_lr
from tests.rollback.stackkit import ALIAS, Kit, template


@pytest.fixture
def kit(sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch) -> Kit:
    k = Kit.in_env(sandbox, monkeypatch, "ident")
    k.release({"A": "1", "B": "1"})
    k.release({"A": "2"})
    return k


def body_of(kit: Kit, key: str) -> dict[str, Any]:
    got = kit.sandbox.client("s3").get_object(Bucket=kit.bucket, Key=key)
    return dict(json.loads(got["Body"].read()))


def plant(kit: Kit, key: str, body: Any) -> str:
    """Write ``key`` behind the helper's back; its URI, as errors name it."""
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    kit.sandbox.client("s3").put_object(Bucket=kit.bucket, Key=key, Body=data)
    return f"s3://{kit.bucket}/{key}"


def refused(p: subprocess.CompletedProcess[str], uri: str, words: str) -> str:
    """Exit 1 and ONE line, naming the object and saying what is wrong with it."""
    assert p.returncode == 1, (p.returncode, p.stdout, p.stderr)
    line = one_line(p.stderr)
    assert uri in line and words in line, line
    return line


def newer_id(kit: Kit) -> str:
    return release_ids.ordered_id(release_ids.new_id(), kit.entries()[-1].id)


# -- an entry, a settlement, an undo mark under another release's key --------------------
def test_an_entry_copied_under_a_newer_key_is_refused_naming_the_key(kit: Kit) -> None:
    """A copy of the oldest entry under a new newest/ key: history listed it twice and
    rollback "undid" the oldest release while PROD stayed on the newest."""
    log = kit.log()
    oldest = kit.entries()[0].id
    uri = plant(kit, log.entry_key(newer_id(kit)), body_of(kit, log.entry_key(oldest)))
    before = world(kit)
    for command in (("history",), ("status",), ("rollback", "--dry-run"), ("rollback",)):
        p = kit_lr(kit, *command)
        refused(p, uri, f"holds the entry of release {oldest}")
    assert world(kit) == before
    assert kit.versions() == {"A": "2", "B": "1"}


def test_a_settlement_under_another_releases_key_is_refused(kit: Kit) -> None:
    log = kit.log()
    first, second = (r.id for r in kit.entries())
    key = log.settlement_key(second)
    uri = plant(kit, key, body_of(kit, log.settlement_key(first)))
    before = world(kit)
    for command in (("history",), ("rollback", "--dry-run"), ("rollback",)):
        refused(kit_lr(kit, *command), uri, f"holds the settlement of release {first}")
    assert world(kit) == before


def test_an_undo_mark_under_another_releases_key_is_refused(kit: Kit) -> None:
    log = kit.log()
    first, second = (r.id for r in kit.entries())
    uri = plant(kit, log.undo_key(second), {"schema": UNDO_SCHEMA, "id": first, "by": "x"})
    before = world(kit)
    for command in (("history",), ("rollback",), ("rollback", "--release", second)):
        refused(kit_lr(kit, *command), uri, f"holds the undo mark of release {first}")
    assert world(kit) == before
    assert kit.versions() == {"A": "2", "B": "1"}


def test_an_undo_mark_of_no_entry_does_not_make_a_release_undone(kit: Kit) -> None:
    """`rollback --release ID` of an id the log has no entry for, with an undo mark
    planted for it: said "already undone" and exited 0."""
    log = kit.log()
    ghost = newer_id(kit)
    uri = plant(kit, log.undo_key(ghost), {"schema": UNDO_SCHEMA, "id": ghost, "by": "x"})
    before = world(kit)
    refused(kit_lr(kit, "rollback", "--release", ghost), uri, "has no entry")
    assert world(kit) == before


# -- a head in the lease that hides a pending release ------------------------------------
def fake_sam(tmp_path: Path) -> tuple[str, Path]:
    """A `sam` that only leaves a mark that it ran (the stack stays as it is)."""
    mark = tmp_path / "sam-ran"
    sam = tmp_path / "fake-sam"
    sam.write_text(f'#!/bin/sh\necho "$@" >> {mark}\nexit 0\n')
    sam.chmod(0o755)
    return str(sam), mark


def app_dir(kit: Kit, tmp_path: Path) -> Path:
    app = tmp_path / "app"
    app.mkdir()
    (app / "template.yaml").write_text(template(kit.code, kit.bucket))
    return app


def left_pending(kit: Kit) -> str:
    """A release begun whose job died after giving the lease back (head: it is pending)."""
    log = kit.log()
    entry, _lease, problems = begin(
        kit.engine(), log, environment="t", mode="deploy", lock_ttl=60, lock_timeout=5
    )
    assert not problems and entry is not None
    lock.release(log, str(entry["id"]))
    return str(entry["id"])


@pytest.mark.parametrize("names", ["the pending release", "an older release"])
def test_a_head_saying_nothing_is_pending_is_checked_against_the_log(
    kit: Kit, tmp_path: Path, names: str
) -> None:
    """lock.json's head says `pending: []` while a release is pending: each next holder
    trusted it and handed it on, so that release stayed pending for good."""
    pending = left_pending(kit)
    older = kit.entries()[-2].id
    newest = pending if names == "the pending release" else older
    put_lease(kit, {**lease_body(kit), "head": {"newest": newest, "pending": []}})
    sam, mark = fake_sam(tmp_path)
    p = kit_lr(kit, "deploy", "--sam-path", sam, "--output", "json", cwd=app_dir(kit, tmp_path))
    assert p.returncode == 0, p.stderr
    assert mark.exists()
    rid = json.loads(p.stdout)["id"]
    entries = kit.entries()
    assert [r.id for r in entries][-2:] == [pending, rid]
    assert all(r.settlement is not None for r in entries), [r.id for r in entries]
    status = kit_lr(kit, "status", "--output", "json")
    assert status.returncode == 0, status.stderr
    assert json.loads(status.stdout)["aliases"][0]["pending"] == []
    head = lease_body(kit)["head"]
    assert head.pop("listed_at")  # when this holder listed the log: the next one checks it
    assert head == {"newest": rid, "pending": []}
    assert kit.versions() == {"A": "2", "B": "1"}


# -- a garbage object with an id-shaped name ---------------------------------------------
@pytest.mark.parametrize("garbage", [b"not json", b'{"id": 1}'])
def test_a_garbage_entry_refuses_the_dry_run_and_the_real_run_alike(
    kit: Kit, tmp_path: Path, garbage: bytes
) -> None:
    """deploy --dry-run said yes; the real deploy ran sam, settled, then exited 1 with no
    stable pointer and no record file. Both refuse, before anything changes."""
    uri = plant(kit, kit.log().entry_key(newer_id(kit)), garbage)
    app = app_dir(kit, tmp_path)
    sam, mark = fake_sam(tmp_path)
    before = world(kit)
    dry = kit_lr(kit, "deploy", "--sam-path", sam, "--dry-run", cwd=app)
    line = refused(dry, uri, "")
    assert world(kit) == before
    real = kit_lr(kit, "deploy", "--sam-path", sam, cwd=app)
    assert refused(real, uri, "") == line
    assert not mark.exists()  # sam never ran
    assert not (app / ".lambda-release").exists()
    after = world(kit)
    lease = kit.log().lock_key
    # The lease was taken and given back; nothing else changed.
    assert {k: v for k, v in after[0].items() if k != lease} == {
        k: v for k, v in before[0].items() if k != lease
    }
    assert after[1:] == before[1:]
    assert lease_body(kit)["released"] is True
    assert [r for r in kit.versions(f"{ALIAS}_STABLE").values()] == ["1", "1"]
