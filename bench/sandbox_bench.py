"""Sandbox figures: how long it takes to start, and the wall time of a canary `sam deploy`.

    .venv/bin/python bench/sandbox_bench.py --minute 0.5

Goals (issue 3): start under 2 s; the two-function Canary10Percent5Minutes deploy under 60 s at
--minute 0.5 on a 2-core machine. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # for tests.support

COLD_START = """
import time
t = time.perf_counter()
from lambda_release.sandbox import Sandbox
sandbox = Sandbox(port=0).start()
print(time.perf_counter() - t)
sandbox.stop()
"""


def cold_starts(count: int) -> list[float]:
    """Seconds from a fresh interpreter to a listening sandbox, `count` times."""
    return [
        float(
            subprocess.run(
                [sys.executable, "-c", COLD_START],
                capture_output=True,
                text=True,
                check=True,
                timeout=120,
            ).stdout
        )
        for _ in range(count)
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minute", type=float, default=0.5, help="real seconds per minute")
    parser.add_argument("--starts", type=int, default=5, help="cold starts to time (default 5)")
    args = parser.parse_args()

    if args.starts > 0:
        starts = cold_starts(args.starts)
        print(
            f"sandbox cold start over {len(starts)} runs: best {min(starts):.2f} s, "
            f"median {statistics.median(starts):.2f} s, worst {max(starts):.2f} s "
            f"(load average {os.getloadavg()[0]:.1f})"
        )

    t0 = time.perf_counter()
    from tests.support.sam import sam_build, sam_deploy  # noqa: PLC0415
    from tests.support.samapp import set_code_version, write_sam_app  # noqa: PLC0415

    from lambda_release.sandbox import Sandbox  # noqa: PLC0415 - timed on purpose

    t_import = time.perf_counter()
    sandbox = Sandbox(port=0, minute=args.minute)
    t_start0 = time.perf_counter()
    sandbox.start()
    t_started = time.perf_counter()
    print(
        f"sandbox start in this run: {t_started - t0:.2f} s "
        f"(imports {t_import - t0:.2f} s, Sandbox.start() {t_started - t_start0:.2f} s)"
    )
    try:
        env = dict(os.environ)
        env.update(sandbox.env)
        with tempfile.TemporaryDirectory() as tmp:
            app = Path(tmp) / "app"
            write_sam_app(app, functions=("A", "B"), deployment_type="Canary10Percent5Minutes")
            sam_build(app, env)
            t = time.perf_counter()
            first = sam_deploy(app, "bench", "PROD", env)
            print(f"create deploy: {time.perf_counter() - t:.2f} s (exit {first.returncode})")
            set_code_version(app, "2", ["A", "B"])
            sam_build(app, env)
            t = time.perf_counter()
            second = sam_deploy(app, "bench", "PROD", env)
            wall = time.perf_counter() - t
            print(
                f"canary deploy (Canary10Percent5Minutes, minute={args.minute:g} s): "
                f"{wall:.2f} s (exit {second.returncode}; traffic shifting alone "
                f"{5 * args.minute:.2f} s)"
            )
            if first.returncode or second.returncode:
                print(first.stdout[-2000:] + second.stdout[-2000:], file=sys.stderr)
                return 1
    finally:
        sandbox.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
