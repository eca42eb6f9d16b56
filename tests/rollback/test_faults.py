"""Faults between the helper and AWS, injected by a proxy: every rollback still finishes.

After each fault: a re-run ends with every function on its target, the log holds
exactly one entry for the logical rollback, and no alias was ever asked to route
to a version that was neither its old one nor its target.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from typing import Any

import botocore.config
import pytest

from lambda_release.aws.client import Aws
from lambda_release.log.location import LogLocation
from lambda_release.release.stack_alias import StackAlias
from lambda_release.rollback import Request, rollback
from lambda_release.sandbox import Sandbox
from lambda_release.sandbox.faultproxy import (
    HTTP_500,
    HTTP_503,
    RESET,
    RESET_AFTER,
    THROTTLE,
    TIMEOUT_AFTER,
    Call,
    Fault,
    FaultProxy,
)
from tests.rollback.cli import run_rollback, start_rollback, versions_sent
from tests.rollback.stackkit import ALIAS, Kit
from tests.support.processes import describe


@pytest.fixture
def kit(sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch) -> Kit:
    """Three functions, R1 (all created) and R2 (all moved 1 -> 2): rollback undoes R2."""
    kit = Kit.in_env(sandbox, monkeypatch, "flt")
    kit.release({"A": "1", "B": "1", "C": "1"})
    kit.release({"A": "2", "B": "2", "C": "2"})
    return kit


@pytest.fixture
def proxy(sandbox: Sandbox) -> Iterator[FaultProxy]:
    with FaultProxy(sandbox.endpoint_url) as p:
        yield p


def r2(kit: Kit) -> str:
    return kit.entries()[-1].id


def alias_updates(proxy: FaultProxy) -> list[Call]:
    return [c for c in proxy.calls if c.operation == "UpdateAlias" and c.path.endswith(f"/{ALIAS}")]


def assert_finished(kit: Kit, proxy: FaultProxy, release: str) -> None:
    rerun = run_rollback(kit, "--release", release, endpoint=proxy.url)
    assert rerun.returncode == 0, describe(rerun)
    assert kit.aliases() == {"A": ("1", {}), "B": ("1", {}), "C": ("1", {})}
    entries = [r for r in kit.rollback_entries() if r.entry["undoes"] == release]
    assert len(entries) == 1, [r.id for r in entries]
    assert next(r for r in kit.entries() if r.id == release).undone
    assert versions_sent([c.json() for c in alias_updates(proxy)]) <= {"1", "2"}


@pytest.mark.parametrize("kind", [THROTTLE, HTTP_500, HTTP_503, RESET, RESET_AFTER])
def test_transient_faults_on_update_alias_are_survived(
    kit: Kit, proxy: FaultProxy, kind: str
) -> None:
    release = r2(kit)
    fault = proxy.inject(Fault("UpdateAlias", kind, times=2))
    result = run_rollback(kit, endpoint=proxy.url)
    assert fault.fired == 2
    assert result.returncode == 0, describe(result)
    assert_finished(kit, proxy, release)


def test_throttling_from_the_rate_cap_is_backed_off(kit: Kit, sandbox: Sandbox) -> None:
    release = r2(kit)
    with FaultProxy(sandbox.endpoint_url, lambda_rate=2, rate_mode="throttle") as capped:
        result = run_rollback(kit, endpoint=capped.url)
        assert result.returncode == 0, describe(result)
        assert any(c.status == 429 for c in capped.calls)
        assert_finished(kit, capped, release)


class ShortReads(Aws):
    """The helper's AWS settings with a 1 s read timeout, to meet a held answer quickly."""

    def config(self) -> botocore.config.Config:
        return super().config().merge(botocore.config.Config(read_timeout=1))


def test_read_timeout_after_the_update_applied(kit: Kit, proxy: FaultProxy) -> None:
    """The first UpdateAlias applies but its answer never comes: did it apply? The re-sent
    request carries the old RevisionId, gets 412, and the re-read shows it on its target."""
    release = r2(kit)
    fault = proxy.inject(Fault("UpdateAlias", TIMEOUT_AFTER, times=1, hold=3))
    engine = StackAlias(
        ShortReads(region=kit.sandbox.region, endpoint_url=proxy.url), kit.stack, ALIAS
    )
    log = engine.log(LogLocation(kit.bucket))
    outcome = rollback(engine, log, Request(), lambda _line: None)
    assert fault.fired == 1
    assert outcome.exit_code == 0, outcome.data
    assert any(c.status == 412 for c in alias_updates(proxy))
    assert_finished(kit, proxy, release)


def test_stale_revision_id_is_read_again_and_decided_again(
    kit: Kit, proxy: FaultProxy, sandbox: Sandbox
) -> None:
    release = r2(kit)
    lam = sandbox.client("lambda")
    name_a = kit.names()["A"]
    changed = threading.Event()

    def someone_else(call: Call) -> None:
        # Right after the helper read A's aliases, someone edits A's alias (same version).
        if call.operation == "ListAliases" and name_a in call.path and not changed.is_set():
            changed.set()
            lam.update_alias(FunctionName=name_a, Name=ALIAS, Description="edited meanwhile")

    proxy.on_call = someone_else
    result = run_rollback(kit, "--output", "json", endpoint=proxy.url)
    assert result.returncode == 0, describe(result)
    stale = [c for c in alias_updates(proxy) if c.status == 412]
    assert len(stale) == 1 and name_a in stale[0].path
    proxy.on_call = None
    assert_finished(kit, proxy, release)


def test_an_alias_moved_elsewhere_meanwhile_is_refused_not_overwritten(
    kit: Kit, proxy: FaultProxy, sandbox: Sandbox
) -> None:
    lam = sandbox.client("lambda")
    name_a = kit.names()["A"]
    lam.update_function_code(FunctionName=name_a, ZipFile=b"PK\x05\x06" + b"\x00" * 18)
    third = lam.publish_version(FunctionName=name_a)["Version"]

    def someone_else(call: Call) -> None:
        if call.operation == "ListAliases" and name_a in call.path:
            lam.update_alias(FunctionName=name_a, Name=ALIAS, FunctionVersion=third)

    proxy.on_call = someone_else
    result = run_rollback(kit, endpoint=proxy.url)
    proxy.on_call = None
    assert result.returncode == 1, describe(result)
    assert "someone moved it" in result.stdout
    assert kit.aliases() == {"A": (third, {}), "B": ("1", {}), "C": ("1", {})}
    # Nothing routes to R2's versions any more, so R2 counts as undone (a re-run would
    # refuse A forever otherwise); the entry records A as refused.
    (entry,) = kit.rollback_entries()
    results = {f["logical_id"]: f["result"] for f in entry.functions()}
    assert results == {"AFunction": "refused", "BFunction": "moved", "CFunction": "moved"}
    assert entry.outcome == "partial"
    assert next(r for r in kit.entries() if r.id == entry.entry["undoes"]).undone


def test_killed_half_way_then_run_again(kit: Kit, sandbox: Sandbox) -> None:
    release = r2(kit)
    # The first UpdateAlias goes through; every later one is cut off before it reaches the
    # sandbox, so the kill lands half-way however the moves interleave and however slow
    # the machine is (cutting off only once the first answer was seen raced a second move
    # already forwarded).
    with FaultProxy(sandbox.endpoint_url, lambda_rate=1) as slow:
        first_move = threading.Event()
        cut_off = Fault("UpdateAlias", RESET, times=1_000, after=1)
        slow.inject(cut_off)

        def watch(call: Call) -> None:
            if call.operation == "UpdateAlias" and 200 <= call.status < 300:
                first_move.set()

        slow.on_call = watch
        proc = start_rollback(kit, endpoint=slow.url)
        moved_in_time = first_move.wait(timeout=120)
        proc.send_signal(signal.SIGKILL)
        assert moved_in_time, [(c.operation, c.status) for c in slow.calls if c.service == "lambda"]
        proc.wait(timeout=10)
        # A move the killed job left queued at the rate gate is decided after the kill:
        # it must meet the fault, not the spent one, or a second move lands late.
        assert slow.wait_idle(timeout=60)
        slow.on_call = None
        cut_off.times = cut_off.fired  # spent: the rerun goes through
        moved = [v for v, _ in kit.aliases().values()]
        assert moved.count("1") == 1, moved  # half-way: one moved, two not
        assert kit.rollback_entries() == []
        assert_finished(kit, slow, release)


def test_two_rollbacks_at_once_write_one_entry(kit: Kit, sandbox: Sandbox) -> None:
    release = r2(kit)
    with FaultProxy(sandbox.endpoint_url, latency=0.1) as slow:
        procs = [start_rollback(kit, "--release", release, endpoint=slow.url) for _ in range(2)]
        outs: list[Any] = [p.communicate(timeout=120) for p in procs]
        assert [p.returncode for p in procs] == [0, 0], outs
        assert_finished(kit, slow, release)
