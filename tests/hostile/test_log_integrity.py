"""Issue 12 items 2, 4 and 7 against the sandbox: the log never lies.

Releases go through the engine's own begin/settle (tests/rollback/stackkit.py); the
commands under test run as the console script. Each case checks the exit code, the
line, and the log and aliases afterwards.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
import yaml

from lambda_release.log import ids as release_ids
from lambda_release.log import lock
from lambda_release.log.schema import SETTLEMENT_SCHEMA
from lambda_release.release.begin import begin
from lambda_release.release.settle import settle
from lambda_release.rollback import Request, rollback
from lambda_release.sandbox import Sandbox
from tests.hostile.world import SAM, one_line, world
from tests.rollback.cli import kit_lr
from tests.rollback.stackkit import ALIAS, Kit, template


@pytest.fixture
def kit(sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch) -> Iterator[Kit]:
    k = Kit.in_env(sandbox, monkeypatch, "integ")
    k.release({"A": "1", "B": "1"})
    k.release({"A": "2"})
    yield k


def _ids_in_time_order(kit: Kit) -> list[str]:
    return [r.id for r in kit.entries()]


@pytest.mark.parametrize("skew", [timedelta(days=-400), timedelta(days=2)])
def test_release_ids_follow_the_lock_not_the_local_clock(
    kit: Kit, monkeypatch: pytest.MonkeyPatch, skew: timedelta
) -> None:
    """A runner whose clock is wrong still puts its release after the log's newest; the
    next runner (clock right) after that one; rollback then undoes the newest."""
    real_now = release_ids.now
    with monkeypatch.context() as mp:
        mp.setattr(release_ids, "now", lambda: real_now() + skew)
        skewed = kit.release({"A": "3"})
    latest = kit.release({"B": "2"})
    ids = _ids_in_time_order(kit)
    assert ids[-2:] == [skewed, latest] and ids == sorted(ids)
    p = kit_lr(kit, "rollback")
    assert p.returncode == 0, p.stderr
    assert kit.versions() == {"A": "3", "B": "1"}  # the newest (B 1->2) undone, nothing else
    assert kit.log().read_undo(latest) is not None and kit.log().read_undo(skewed) is None


@pytest.mark.parametrize("how", ["undo", "explicit"])
def test_a_rollback_on_a_clock_behind_still_comes_after_what_it_undoes(
    kit: Kit, monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    """A runner 400 days behind: its rollback's entry must not sort before the release it
    undoes, or the log would name that release the newest while the aliases say undone."""
    undone = kit.entries()[-1].id
    real_now = release_ids.now
    engine = kit.engine()
    req = Request() if how == "undo" else Request(functions=("AFunction",), to_version="1")
    with monkeypatch.context() as mp:
        mp.setattr(release_ids, "now", lambda: real_now() - timedelta(days=400))
        outcome = rollback(engine, kit.log(), req, lambda _line: None)
    assert outcome.exit_code == 0, outcome.data
    entries = kit.entries()
    assert entries[-1].kind == "rollback" and entries[-1].id > undone
    assert [r.id for r in entries] == sorted(r.id for r in entries)
    assert kit.versions()["A"] == "1"
    history = kit_lr(kit, "history", "--output", "json")
    assert history.returncode == 0, history.stderr
    assert json.loads(history.stdout)[0]["kind"] == "rollback"


def test_an_entry_at_the_end_of_time_does_not_block_a_rollback(kit: Kit) -> None:
    """A planted entry no id can sort after: deploy refuses, naming it; rollback, the way
    out of an emergency, still undoes the newest release in effect."""
    end = "99991231T235959.999999Z-ffffffff"
    log = kit.log()
    log.write_entry(
        {"id": end, "kind": "release", "stack": kit.stack, "alias": ALIAS, "functions": []}
    )
    log.put_new(
        log.settlement_key(end),
        {"schema": SETTLEMENT_SCHEMA, "id": end, "outcome": "no-change", "functions": []},
    )
    p = kit_lr(kit, "rollback")
    assert p.returncode == 0, p.stderr
    assert kit.versions() == {"A": "1", "B": "1"}


def _write_newer_release_settled(kit: Kit, newer_than: str) -> str:
    """A newer release written and settled beside an older pending one (an old helper)."""
    log = kit.log()
    rid = release_ids.ordered_id(release_ids.new_id(), newer_than)
    entry = {"id": rid, "kind": "release", "stack": kit.stack, "alias": ALIAS, "functions": []}
    log.write_entry(entry)
    log.put_new(
        log.settlement_key(rid),
        {"schema": SETTLEMENT_SCHEMA, "id": rid, "outcome": "no-change", "functions": []},
    )
    return rid


def test_an_old_pending_release_is_settled_unknown_never_credited(kit: Kit) -> None:
    log = kit.log()
    entry, _lease, problems = begin(
        kit.engine(), log, environment="t", mode="deploy", lock_ttl=30, lock_timeout=5
    )
    assert not problems
    old = str(entry["id"])
    lock.release(log, old)  # its job died; then aliases moved under newer releases
    assert kit.update_outside_the_log({"A": "4"}) == "UPDATE_COMPLETE"
    newer = _write_newer_release_settled(kit, old)
    p = kit_lr(kit, "record", "--output", "json")
    assert p.returncode == 1, p.stderr
    settled = log.load(old)
    assert settled.outcome == "unknown"
    assert settled.settlement is not None
    assert settled.settlement["reason"] == "superseded"
    assert settled.settlement["superseded_by"] == [newer]
    assert not any(f["moved"] for f in settled.settlement["functions"])  # credited nothing
    history = kit_lr(kit, "history")
    (row,) = [line for line in history.stdout.splitlines() if line.startswith(old)]
    assert row.split()[4:6] == ["unknown", "superseded:"]  # the outcome, then its why


def test_a_rollback_that_moves_nothing_marks_nothing_undone(kit: Kit) -> None:
    r2 = kit.entries()[-1].id
    # Someone put A back on 1 by hand: nothing routes to release r2's version any more.
    lam = kit.sandbox.client("lambda")
    lam.update_alias(FunctionName=kit.names()["A"], Name=ALIAS, FunctionVersion="1")
    aliases = kit.aliases()
    p = kit_lr(kit, "rollback")
    assert p.returncode == 0, p.stderr
    assert f"no alias of release {r2} routes to its versions" in p.stderr
    assert kit.log().read_undo(r2) is None
    assert kit.aliases() == aliases
    rollbacks = kit.rollback_entries()
    assert [r.outcome for r in rollbacks] == ["no-change"]


def test_orphaned_settlement_and_undo_markers_are_reported(kit: Kit) -> None:
    log = kit.log()
    first = kit.entries()[0].id
    log.write_undo(first, "someone")
    kit.sandbox.client("s3").delete_object(Bucket=kit.bucket, Key=log.entry_key(first))
    before = world(kit)
    history = kit_lr(kit, "history")
    status = kit_lr(kit, "status")
    assert history.returncode == 0 and status.returncode == 0, history.stderr + status.stderr
    for key in (log.settlement_key(first), log.undo_key(first)):
        uri = f"s3://{kit.bucket}/{key}"
        assert f"warning: {uri} has no entry in the log" in history.stderr
        assert f"warning: {uri} has no entry in the log" in status.stdout
    assert world(kit) == before


def test_a_release_that_removed_its_alias_settles_failed_alias_removed(kit: Kit) -> None:
    log = kit.log()
    entry, _lease, problems = begin(
        kit.engine(), log, environment="t", mode="deploy", lock_ttl=300, lock_timeout=5
    )
    assert not problems
    # sam deploy with AliasName=STAGING: CloudFormation deletes PROD from every function.
    cfn = kit.sandbox.client("cloudformation")
    cfn.update_stack(
        StackName=kit.stack,
        TemplateBody=template(kit.code, kit.bucket),
        Parameters=[{"ParameterKey": "AliasName", "ParameterValue": "STAGING"}],
        Capabilities=["CAPABILITY_IAM", "CAPABILITY_AUTO_EXPAND"],
    )
    waiter_status = kit.sandbox.client("cloudformation")
    from tests.support.aws_state import wait_for_stack  # noqa: PLC0415

    assert wait_for_stack(waiter_status, kit.stack) == "UPDATE_COMPLETE"
    lock.release(log, str(entry["id"]))
    p = kit_lr(kit, "record", "--sam-exit-code", "0", "--output", "json")
    assert p.returncode == 1, p.stdout
    data = json.loads(p.stdout)["settled"][-1]
    assert (data["outcome"], data["reason"]) == ("failed", "alias-removed")
    assert f"alias {ALIAS} was removed from AFunction, BFunction" in data["warnings"][0]


def test_deploy_refuses_a_template_that_drops_the_alias(kit: Kit, tmp_path: Path) -> None:
    body = yaml.safe_load(template(kit.code, kit.bucket))
    del body["Resources"]["AFunction"]["Properties"]["AutoPublishAlias"]
    (tmp_path / "template.yaml").write_text(yaml.safe_dump(body))
    before = world(kit)
    p = kit_lr(kit, "deploy", "--sam-path", SAM, cwd=tmp_path)
    assert p.returncode == 1
    assert one_line(p.stderr) == (
        f"lambda-release deploy: error: the template would remove alias {ALIAS} from "
        f"AFunction (no AutoPublishAlias) in stack {kit.stack}: production would call "
        f"nothing there. Restore AutoPublishAlias (AliasName {ALIAS}), or pass "
        "--allow-alias-removal if that is meant"
    )
    assert world(kit) == before
    dry = kit_lr(kit, "deploy", "--sam-path", SAM, "--dry-run", cwd=tmp_path)
    assert dry.returncode == 1 and one_line(dry.stderr) == one_line(p.stderr)


def test_deploy_refuses_an_alias_name_override_through_samconfig_too(
    kit: Kit, tmp_path: Path
) -> None:
    (tmp_path / "template.yaml").write_text(template(kit.code, kit.bucket))
    (tmp_path / "samconfig.toml").write_text(
        'version = 0.1\n[default.deploy.parameters]\nparameter_overrides = "AliasName=PROD"\n'
    )
    before = world(kit)
    p = kit_lr(kit, "deploy", "--sam-path", SAM, "--dry-run", cwd=tmp_path)
    # The helper's own AliasName always wins over samconfig's: nothing to refuse here.
    assert "would remove alias" not in p.stderr
    assert world(kit) == before


def test_allow_rolled_back_code_reason_is_recorded_and_shown(kit: Kit) -> None:
    log = kit.log()
    engine = kit.engine()
    entry, _lease, problems = begin(
        engine,
        log,
        environment="t",
        mode="deploy",
        lock_ttl=300,
        lock_timeout=5,
        allow_rolled_back_code="the alarm was a false alarm (INC-42)",
    )
    assert not problems and entry is not None
    settle(engine, log, entry, sam_exit_code=0, settled_by="test")
    lock.release(log, str(entry["id"]))
    assert log.load(str(entry["id"])).entry["allow_rolled_back_code"] == (
        "the alarm was a false alarm (INC-42)"
    )
    p = kit_lr(kit, "history")
    assert p.returncode == 0
    assert "released rolled-back code again: the alarm was a false alarm (INC-42)" in next(
        line for line in p.stdout.splitlines() if line.startswith(str(entry["id"]))
    )
