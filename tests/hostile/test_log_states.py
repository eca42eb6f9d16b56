"""Issue 30: after a rollback, a failed release, a release left pending and settlements
written out of order, each command's S3 calls do not grow with the log's length.

Counts (deterministic), not times: every state reached on a log of 10 entries and on one
of 1,000 (written straight into the stand-in's S3 with the log's own keys), the same
commands run through the console script, their S3 calls compared (within 2, the issue's
bound). Then as many releases that moved nothing as the log holds, on top: the next
record's walk to the release in effect (the stable pointers), `rollback --to-version`
(moving, then finding the alias already there) and `rollback --dry-run`. Before the fix,
the deploy after a rollback read every entry of the log (one GetObject per entry and
settlement), and each of those after no-change releases read every one of them.
bench/log_bench.py prints the same states at 10, 1,000 and 10,000 entries.
"""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path

import pytest

from lambda_release.aws.trace import read_trace
from lambda_release.sandbox import Sandbox
from tests.rollback.stackkit import Kit
from tests.support.logstates import STATES, pad
from tests.support.processes import Cli


def s3_calls_in_each_state(
    lr: Cli, sandbox: Sandbox, size: int, work: Path, env_patch: pytest.MonkeyPatch
) -> dict[str, int]:
    # The sandbox's credentials in this process's environment: the engine here needs them.
    kit = Kit.in_env(sandbox, env_patch, f"st{size}")
    pad(kit.log(), sandbox.client("s3"), size - 2)
    kit.release({"F0": "1"})
    kit.release({"F0": "2"})
    trace = work / f"trace-{size}.jsonl"
    env = dict(os.environ, **sandbox.env, LAMBDA_RELEASE_TRACE_AWS=str(trace))
    counts: dict[str, int] = {}
    for name, setup, argv in STATES:
        if setup is not None:
            setup(kit, size)
        trace.unlink(missing_ok=True)
        done = lr(*argv, *kit.cli_args(), env=env, cwd=work, timeout=180)
        assert done.returncode == 0, (name, done.stderr)
        ops = Counter(c["operation"] for c in read_trace(str(trace)) if c["service"] == "s3")
        counts[name] = sum(ops.values())
        if name == "record, out of order":
            # The states were reached: the rollback undid the newest release and the deploy
            # after it realigned CloudFormation; a failed release; an old pending release
            # settled as unknown after a newer one.
            newest = kit.log().releases(10)
            outcomes = [r.outcome for r in newest]
            assert [r.kind for r in newest].count("rollback") == 1
            assert "failed" in outcomes and "unknown" in outcomes, outcomes
            assert kit.versions() == {"F0": "1"}
    # Then as many releases that moved nothing as the log held, the last one settled by
    # record; `rollback --to-version 2` moved the alias (written) and found it there the
    # second time (nothing written).
    newest = kit.log().releases(4)
    assert [r.kind for r in newest] == ["rollback", "release", "release", "release"]
    assert [r.outcome for r in newest[1:]] == ["no-change"] * 3
    assert newest[1].settlement is not None and "in_effect_before" in newest[1].settlement
    assert kit.versions() == {"F0": "2"}
    return counts


def test_each_state_costs_the_same_s3_calls_at_10_and_1000_entries(
    lr: Cli, sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    short = s3_calls_in_each_state(lr, sandbox, 10, tmp_path, monkeypatch)
    long = s3_calls_in_each_state(lr, sandbox, 1000, tmp_path, monkeypatch)
    grown = {name: (short[name], long[name]) for name in short if long[name] - short[name] > 2}
    assert grown == {}, grown
