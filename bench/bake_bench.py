"""What a bake costs, in AWS calls and in time beyond its minutes (issue 31).

A 1-function stack on the stand-in gets two releases and one CloudWatch alarm; then
``lambda-release bake`` runs as a process with LAMBDA_RELEASE_TRACE_AWS counting its calls:

    quiet       --minutes 20 at 0.1 s a minute (2 s of bake), no alarm fires: the cost
                of the set-up (choosing the release, the alarms) and of each poll
    alarm       the same with the alarm already in ALARM: the cost of the automatic
                rollback on top (claim, moves, entry, stable pointers, undo mark)

Goal: one DescribeAlarms per poll, whatever the number of alarms up to 100; the set-up and
the rollback cost what `rollback` costs. Figures only: nothing here fails on timing.

    .venv/bin/python bench/bake_bench.py
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.rollback.stackkit import Kit  # noqa: E402
from tests.support.alarms import new_alarm  # noqa: E402

from lambda_release.aws.trace import read_trace  # noqa: E402
from lambda_release.sandbox import Sandbox  # noqa: E402

EXE = str(Path(sys.executable).parent / "lambda-release")
MINUTES, MINUTE, POLL = 20, 0.1, 0.1


def alarm(sb: Sandbox, state: str) -> str:
    return new_alarm(sb.client("cloudwatch"), "bench", state)


def bake(kit: Kit, name: str, trace: Path) -> tuple[float, int, Counter[str]]:
    env = dict(os.environ, LAMBDA_RELEASE_TRACE_AWS=str(trace))
    trace.unlink(missing_ok=True)
    argv = [EXE, "bake", *kit.cli_args(), "--minutes", str(MINUTES), "--bake-alarm", name]
    argv += ["--minute", str(MINUTE), "--poll-interval", str(POLL)]
    t = time.monotonic()
    done = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
    wall = time.monotonic() - t
    calls = Counter(f"{c['service']}.{c['operation']}" for c in read_trace(str(trace)))
    return wall, done.returncode, calls


def main() -> None:
    with Sandbox(port=0, minute=0.05) as sb, tempfile.TemporaryDirectory() as tmp:
        os.environ.update(sb.env)
        for case, state in (("quiet", "OK"), ("alarm", "ALARM")):
            kit = Kit.create(sb, f"bake{case}")
            kit.release({"F0": "1"})
            kit.release({"F0": "2"})
            wall, code, calls = bake(kit, alarm(sb, state), Path(tmp) / f"{case}.jsonl")
            polls = calls["cloudwatch.DescribeAlarms"]
            setup = sum(calls.values()) - polls
            bake_seconds = MINUTES * MINUTE if case == "quiet" else 0.0
            print(
                f"{case}: exit {code}, {wall:.2f} s wall ({bake_seconds:.1f} s of it the bake), "
                f"{polls} DescribeAlarms (polls), {setup} other calls"
            )
            for op, n in sorted(calls.items()):
                print(f"    {op:40} {n}")


if __name__ == "__main__":
    main()
