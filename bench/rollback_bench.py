"""Rollback of a 20-function stack through a proxy adding 50 ms per call and capping Lambda at
15 calls/s: wall time beside the floor (Lambda calls / 15 s) and beside the seed's procedure
(one `aws lambda update-alias` per function, one after another, each in a new process).

Goal: within 1.5x of the floor, at most 3 Lambda calls per function.

    .venv/bin/python bench/rollback_bench.py [--functions 20] [--rate-mode throttle|delay]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.rollback.stackkit import ALIAS, Kit  # noqa: E402

from lambda_release.aws.trace import read_trace  # noqa: E402
from lambda_release.sandbox import Sandbox  # noqa: E402
from lambda_release.sandbox.faultproxy import FaultProxy  # noqa: E402

LATENCY = 0.05
RATE = 15.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--functions", type=int, default=20)
    parser.add_argument("--rate-mode", choices=("throttle", "delay"), default="throttle")
    args = parser.parse_args()
    n = args.functions
    exe = str(Path(sys.executable).parent / "lambda-release")
    with Sandbox(port=0, minute=0.05) as sb:
        os.environ.update(sb.env)
        kit = Kit.create(sb, "bench")
        names = [f"F{i:02d}" for i in range(n)]
        t = time.monotonic()
        for version in ("1", "2", "3"):
            kit.release(dict.fromkeys(names, version))
        print(
            f"set-up: {n} functions, releases R1 R2 R3 (all moved) in {time.monotonic() - t:.1f} s"
        )
        assert set(kit.versions().values()) == {"3"}

        with (
            FaultProxy(
                sb.endpoint_url, latency=LATENCY, lambda_rate=RATE, rate_mode=args.rate_mode
            ) as proxy,
            tempfile.TemporaryDirectory() as tmp,
        ):
            trace = str(Path(tmp) / "trace.jsonl")
            env = dict(os.environ, AWS_ENDPOINT_URL=proxy.url, LAMBDA_RELEASE_TRACE_AWS=trace)
            t = time.monotonic()
            done = subprocess.run(
                [exe, "rollback", *kit.cli_args()],
                env=env,
                capture_output=True,
                text=True,
                check=False,
            )
            wall = time.monotonic() - t
            if done.returncode != 0:
                print(done.stdout, done.stderr)
                return 1
            assert set(kit.versions().values()) == {"2"}
            calls = read_trace(trace)
            by_service = Counter(c["service"] for c in calls)
            lambda_ops = Counter(c["operation"] for c in calls if c["service"] == "lambda")
            lam = by_service["lambda"]
            floor = lam / RATE
            throttled = sum(1 for c in proxy.calls if c.status == 429)

            # The seed's procedure: one `aws lambda update-alias` per function, in turn.
            lam_client = sb.client("lambda")
            fn_names = kit.names()
            for name in fn_names.values():
                lam_client.update_alias(FunctionName=name, Name=ALIAS, FunctionVersion="3")
            aws = shutil.which("aws")
            seed = None
            if aws:
                t = time.monotonic()
                for name in fn_names.values():
                    subprocess.run(
                        [
                            aws,
                            "lambda",
                            "update-alias",
                            "--function-name",
                            name,
                            "--name",
                            ALIAS,
                            "--function-version",
                            "2",
                            "--endpoint-url",
                            proxy.url,
                        ],
                        env=env,
                        capture_output=True,
                        check=True,
                    )
                seed = time.monotonic() - t

    print(
        f"proxy: +{LATENCY * 1000:.0f} ms per call, Lambda capped at {RATE:g}/s ({args.rate_mode})"
    )
    print(f"lambda-release rollback ({n} functions): {wall:.2f} s wall (whole process)")
    print(f"  AWS calls: {dict(by_service)}; Lambda: {dict(lambda_ops)}")
    print(f"  Lambda calls per function: {lam / n:.2f} (goal <= 3); 429 answers seen: {throttled}")
    print(
        f"  floor (Lambda calls / {RATE:g} per s): {floor:.2f} s -> {wall / floor:.2f}x "
        "(goal <= 1.5x)"
    )
    if seed is not None:
        print(
            f"seed procedure ({n} x `aws lambda update-alias`, one process each): {seed:.2f} s "
            f"-> rollback is {seed / wall:.1f}x faster"
        )
    else:
        print("seed procedure: skipped (no `aws` CLI on PATH)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
