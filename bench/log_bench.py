"""What each command costs as the release log grows: 10, 1,000 and 10,000 entries.

For each size, a 1-function stack gets two real releases (so rollback has something
to undo); the rest of the log is older settled entries written straight into the
stand-in's S3 with the product's own key builder (ReleaseLog), not by running
thousands of deploys. Then each command runs once as a process, with
LAMBDA_RELEASE_TRACE_AWS counting its AWS calls:

    begin + record      a deploy's pre-flight and begin, then its settlement
    rollback --dry-run  finding the release to undo
    status              the alias and the log's summary
    history --limit 20  the 20 newest entries

Then the states a log passes through (issue 30), each followed by the next deploy's
pre-flight and begin (``begin``, then ``record`` to settle it):

    rollback                 a real rollback of the newest release
    status after rollback    the drift it leaves, explained from the log
    begin after rollback     the drift realigned, the rollback found in the log
    begin after failure      a release that failed (nothing moved) just before
    begin, one pending       a release a killed job left pending (settled first)
    begin, out of order      an older release pending under a newer settled one: its
                             settlement is written after the newer release's
    begin after no-change    as many releases that moved nothing as the log holds, on
                             top (settled as the product settles them: each names the
                             release in effect before it), then one more begun and
    record after no-change   settled: its stable pointers walk back to the one in effect
    rollback --to-version    F0 moved to version 2 (the walk to the release in effect)
    --to-version again       F0 found on 2 already, as the log records (the walk back to
                             the entry that moved it)
    rollback --dry-run, ...  the release to undo, past the no-change releases

The older entries are no-change releases settled as this version settles them (naming
none in effect before them); settlements written before issue 30 name nothing, and a walk
past the newest release in effect reads those one by one (two GetObject each).

Goal (issues 18 and 30): at 10,000 entries each command makes the same number of S3
calls as at 10 (within 2). Figures only: nothing here fails on timing.

    .venv/bin/python bench/log_bench.py [SIZES...]      # default: 10 1000 10000
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
from tests.support.logstates import STATES, pad  # noqa: E402

from lambda_release.aws.trace import read_trace  # noqa: E402
from lambda_release.sandbox import Sandbox  # noqa: E402

EXE = str(Path(sys.executable).parent / "lambda-release")
COMMANDS: list[tuple[str, list[list[str]]]] = [
    ("begin+record", [["begin", "--environment", "bench"], ["record"]]),
    ("rollback --dry-run", [["rollback", "--dry-run"]]),
    ("status", [["status"]]),
    ("history --limit 20", [["history", "--limit", "20"]]),
]


def run(kit: Kit, argv: list[str], trace: Path) -> tuple[float, Counter[str]]:
    env = dict(os.environ, LAMBDA_RELEASE_TRACE_AWS=str(trace))
    trace.unlink(missing_ok=True)
    t = time.monotonic()
    done = subprocess.run(
        [EXE, *argv, *kit.cli_args()], env=env, capture_output=True, text=True, check=False
    )
    wall = time.monotonic() - t
    if done.returncode != 0:
        raise SystemExit(f"{argv} failed ({done.returncode}):\n{done.stderr[-2000:]}")
    calls = read_trace(str(trace))
    counted = Counter(c["service"] for c in calls)
    counted.update(f"s3.{c['operation']}" for c in calls if c["service"] == "s3")
    return wall, counted


def measure(sb: Sandbox, size: int, work: Path) -> dict[str, tuple[float, Counter[str]]]:
    kit = Kit.create(sb, f"log{size}")
    log = kit.log()
    t = time.monotonic()
    pad(log, sb.client("s3"), max(size - 2, 0))
    kit.release({"F0": "1"})
    kit.release({"F0": "2"})
    print(f"  {size} entries written in {time.monotonic() - t:.1f} s", flush=True)
    out: dict[str, tuple[float, Counter[str]]] = {}
    for name, steps in COMMANDS:
        wall, calls = 0.0, Counter[str]()
        for argv in steps:
            w, c = run(kit, argv, work / "trace.jsonl")
            wall += w
            calls.update(c)
        out[name] = (wall, calls)
    for name, setup, argv in STATES:
        if setup is not None:
            setup(kit, size)
        out[name] = run(kit, argv, work / "trace.jsonl")
    return out


NAMES = [name for name, _ in COMMANDS] + [name for name, _, _ in STATES]


def main(sizes: list[int]) -> None:
    with Sandbox(port=0, minute=0.05) as sb, tempfile.TemporaryDirectory() as tmp:
        os.environ.update(sb.env)
        results = {size: measure(sb, size, Path(tmp)) for size in sizes}
    print()
    head = "".join(f"{f'{s} entries':>24}" for s in sizes)
    print(f"{'command':<30}{head}")
    print(f"{'':<30}" + "".join(f"{'S3 / AWS calls, time':>24}" for _ in sizes))
    for name in NAMES:
        cells = []
        for s in sizes:
            wall, calls = results[s][name]
            every = sum(v for k, v in calls.items() if "." not in k)
            cells.append(f"{calls['s3']:>6} / {every:<4} {wall:6.2f} s")
        print(f"{name:<30}" + "".join(f"{c:>24}" for c in cells))
    print()
    print("S3 calls by operation (ListObjectsV2 / GetObject / PutObject)")
    for name in NAMES:
        cells = []
        for s in sizes:
            c = results[s][name][1]
            cells.append(
                f"{c['s3.ListObjectsV2']:>4} / {c['s3.GetObject']:>5} / {c['s3.PutObject']:>3}"
            )
        print(f"{name:<30}" + "".join(f"{x:>24}" for x in cells))
    print("(history --limit 20 shows min(20, entries) entries and reads each one: an entry")
    print(" and its settlement; beyond those its calls do not depend on the log's length)")
    print()
    print("goal: at the largest size, each command's S3 calls within 2 of the smallest's")
    print("(history --limit 20 against the smallest log that has 20 entries to show: the")
    print(" smallest has fewer, so reads fewer; its listings are compared too)")
    for name in NAMES:
        base = sizes[0]
        if name.startswith("history") and base < 20:
            base = next((n for n in sizes if n >= 20), base)
        lo, hi = results[base][name][1]["s3"], results[sizes[-1]][name][1]["s3"]
        ok = "ok" if hi - lo <= 2 else "MISSED"
        print(f"  {name:<30} {lo} -> {hi} ({base} -> {sizes[-1]}): {ok}")
    lo_list = results[sizes[0]]["history --limit 20"][1]["s3.ListObjectsV2"]
    hi_list = results[sizes[-1]]["history --limit 20"][1]["s3.ListObjectsV2"]
    ok = "ok" if hi_list <= lo_list else "MISSED"
    print(f"  {'history listings':<22} {lo_list} -> {hi_list}: {ok}")


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [10, 1000, 10000])
