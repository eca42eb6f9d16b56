"""What a command pays before it does anything: the interpreter, then its imports.

Every command in a CI job pays the start-up. For ``--version``, ``--help``, a command's
``--help`` and ``status`` up to its first AWS call, prints the median wall time of a few
runs of the console script, and, from ``python -X importtime``, the imports that cost
most (cumulative, first level under ``lambda_release``) and whether boto3, botocore,
PyYAML, cfn-lint, ruamel or the stand-in (moto) were imported at all.

``status`` is timed to its first AWS call: the trace (LAMBDA_RELEASE_TRACE_AWS) stamps
each call as it is built, before any network, so an endpoint that answers nothing
(127.0.0.1:9) ends the run right after it without changing what was measured.

Goals (issue 30): ``--version`` under 0.15 s, ``status`` to its first AWS call under
0.4 s. Figures only: nothing here fails on timing.

    .venv/bin/python bench/startup_bench.py [RUNS]      # default: 5 runs each
    BENCH_FAT=1 ...   # run the helper from the development venv instead

The helper runs as a job installs it (bench/engine_bench.py's slim_helper): this tree with
its core dependencies only, bytecode compiled; the development venv also holds the SAM
CLI, moto and the AWS CRT, which boto3 then imports (0.2 s more).
"""

from __future__ import annotations

import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from engine_bench import slim_helper


class Helper:
    """The console script measured, and the interpreter of its venv."""

    exe = str(Path(sys.executable).parent / "lambda-release")
    python = sys.executable


WATCHED = ("boto3", "botocore", "yaml", "cfnlint", "ruamel", "moto", "lambda_release.sandbox")
ENV = dict(
    os.environ,
    AWS_ACCESS_KEY_ID="bench",
    AWS_SECRET_ACCESS_KEY="bench",  # noqa: S106 - a dummy: no call reaches AWS
    AWS_REGION="us-east-1",
    AWS_ENDPOINT_URL="http://127.0.0.1:9",
    LAMBDA_RELEASE_MAX_ATTEMPTS="1",
)
CASES: list[tuple[str, list[str]]] = [
    ("--version", ["--version"]),
    ("--help", ["--help"]),
    ("deploy --help", ["deploy", "--help"]),
    ("status (to 1st call)", ["status", "--stack", "bench-stack", "--alias", "PROD"]),
]


def wall(argv: list[str], trace: Path | None) -> float:
    """Seconds from start to exit, or to the first AWS call when ``trace`` is given."""
    env = dict(ENV)
    if trace is not None:
        trace.unlink(missing_ok=True)
        env["LAMBDA_RELEASE_TRACE_AWS"] = str(trace)
    start = time.time()
    subprocess.run([Helper.exe, *argv], env=env, capture_output=True, check=False)
    end = time.time()
    if trace is None or not trace.exists():
        return end - start
    first = json.loads(trace.read_text().splitlines()[0])
    return float(first["time"]) - start


def imports(argv: list[str]) -> tuple[dict[str, float], list[str]]:
    """-X importtime of the command's process: lambda_release's modules by cumulative
    seconds (first level under the package), and which watched packages were imported."""
    code = (
        f"import sys; sys.argv = ['lambda-release', *{argv!r}]; "
        "from lambda_release.cli import run; run()"
    )
    done = subprocess.run(
        [Helper.python, "-X", "importtime", "-c", code],
        env=ENV,
        capture_output=True,
        text=True,
        check=False,
    )
    cost: dict[str, float] = {}
    seen: set[str] = set()
    for line in done.stderr.splitlines():
        m = re.match(r"import time:\s+\d+ \|\s+(\d+) \|( +)(\S+)$", line)
        if not m:
            continue
        cumulative, depth, name = int(m.group(1)), len(m.group(2)), m.group(3)
        seen.update(w for w in WATCHED if name == w or name.startswith(w + "."))
        if name.startswith("lambda_release") and depth <= 3:
            cost[name] = max(cost.get(name, 0.0), cumulative / 1e6)
    return cost, sorted(seen)


def main(runs: int) -> None:
    with tempfile.TemporaryDirectory() as work:
        if not os.environ.get("BENCH_FAT"):
            Helper.exe = str(slim_helper(Path(work)))
            Helper.python = str(Path(Helper.exe).parent / "python")
        measure(runs)


def measure(runs: int) -> None:
    bare = statistics.median(wall_of([Helper.python, "-c", "pass"]) for _ in range(runs))
    print(f"python -c pass: {bare:.3f} s (the interpreter alone)\n")
    with tempfile.TemporaryDirectory() as tmp:
        trace = Path(tmp) / "trace.jsonl"
        for name, argv in CASES:
            timed = [wall(argv, trace if name.startswith("status") else None) for _ in range(runs)]
            cost, seen = imports(argv)
            top = sorted(cost.items(), key=lambda kv: -kv[1])[:4]
            print(f"{name:<22} {statistics.median(timed):.3f} s (median of {runs})")
            print(f"  imported: {', '.join(seen) or 'none of ' + ', '.join(WATCHED)}")
            print("  costliest: " + ", ".join(f"{n} {s * 1000:.0f} ms" for n, s in top))
    print("\ngoals (issue 30): --version < 0.15 s; status to its first AWS call < 0.4 s")


def wall_of(argv: list[str]) -> float:
    start = time.time()
    subprocess.run(argv, capture_output=True, check=False)
    return time.time() - start


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
