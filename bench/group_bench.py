"""A group release's helper time against releasing its targets one after another (issue 33).

STACKS stacks in each of three regions (default 20: 60 targets), each stack a SAM app of
FUNCTIONS functions (default 2) with a canary, released to PROD through a proxy that adds
50 ms to every call and paces Lambda per region as Lambda's quotas do (15 control-plane
calls a second and 100 GetFunction a second, per account and region: faultproxy's
``per_region``). The stacks are made by a first group release; then every function's code
changes twice:

- one after another: `lambda-release deploy --region R` of each of the 60 targets in turn
  (what a team without groups runs); its helper time is each deploy's wall time minus the
  time its `sam` ran, summed;
- as a group: one `lambda-release group deploy` of the same targets, in two waves, each
  wave's targets CONCURRENCY at once (regions interleaved, so a wave works in every region
  at once); its helper time is the group's wall time minus the time at least one `sam`
  (build or deploy) was running.

Beside each, the floor: the helper's Lambda calls in each region over that region's rates.
One after another, the regions' floors add up; as a group the regions run in parallel, so
the floor is the slowest region's. Goal (issue 33): the group's helper time within 1.3x of
that per-region floor. Figures only: nothing here fails on timing.

    .venv/bin/python bench/group_bench.py [STACKS [FUNCTIONS [CONCURRENCY]]]  # 20 2 9
    BENCH_FAT=1 ...   # run the helper from the development venv (else a slim venv, as a job)
    BENCH_GROUP_ONLY=1 ...  # the group alone; build/group-bench/ keeps its stamped lines,
                            # AWS calls (.trace.jsonl) and sam runs (.sam)
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from engine_bench import slim_helper  # noqa: E402
from tests.support.sam import sam_build, sam_env  # noqa: E402
from tests.support.samapp import set_code_version, write_sam_app  # noqa: E402

from lambda_release.sandbox.faultproxy import FaultProxy  # noqa: E402
from lambda_release.sandbox.server import Sandbox  # noqa: E402

BIN = Path(sys.executable).parent
REGIONS = ("us-east-1", "eu-west-1", "ap-southeast-2")
LAMBDA_RATE = 15.0
GET_FUNCTION_RATE = 100.0
LATENCY = 0.05

# `sam` as the helper runs it, timed: each run appends "start end" to BENCH_SAM_TIMES.
TIMING_SAM = """#!{python}
import os, subprocess, sys, time
env = dict(os.environ)
env["AWS_ENDPOINT_URL"] = env["BENCH_SANDBOX_URL"]   # sam itself talks to the stand-in
env.pop("LAMBDA_RELEASE_TRACE_AWS", None)
start = time.time()
code = subprocess.call([{sam!r}, *sys.argv[1:]], env=env, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
with open(env["BENCH_SAM_TIMES"], "a") as f:
    f.write(f"{{start}} {{time.time()}}\\n")
sys.exit(code)
"""


def union_seconds(intervals: list[tuple[float, float]]) -> float:
    """How long at least one of the intervals was open."""
    total, end = 0.0, float("-inf")
    for start, stop in sorted(intervals):
        if start > end:
            total += stop - start
            end = stop
        elif stop > end:
            total += stop - end
            end = stop
    return total


def sam_intervals(path: Path) -> list[tuple[float, float]]:
    if not path.exists():
        return []
    pairs = [line.split() for line in path.read_text().splitlines() if line.strip()]
    return [(float(a), float(b)) for a, b in pairs]


def region_floor(proxy: FaultProxy) -> dict[str, float]:
    """Each region's floor: its helper's Lambda calls over its rates."""
    control: Counter[str] = Counter()
    get_function: Counter[str] = Counter()
    for call in proxy.calls:
        if call.service == "lambda":
            (get_function if call.operation == "GetFunction" else control)[call.region] += 1
    return {
        r: control[r] / LAMBDA_RATE + get_function[r] / GET_FUNCTION_RATE
        for r in set(control) | set(get_function)
    }


class Bench:
    def __init__(self, work: Path, sb: Sandbox, proxy: FaultProxy, helper: Path) -> None:
        self.work, self.sb, self.proxy, self.helper = work, sb, proxy, helper
        self.app = work / "app"
        self.env = sam_env({**os.environ, **sb.env})
        self.env["BENCH_SANDBOX_URL"] = sb.endpoint_url
        self.env["AWS_ENDPOINT_URL"] = proxy.url
        # The canary display polls CodeDeploy while sam runs: not the engine's cost.
        self.env["LAMBDA_RELEASE_POLL_INTERVAL"] = "3600"
        self.sam = work / "sam"
        self.sam.write_text(TIMING_SAM.format(python=sys.executable, sam=str(BIN / "sam")))
        self.sam.chmod(0o755)

    def run(self, args: list[str], times: Path) -> subprocess.CompletedProcess[str]:
        """The helper run to its end; each line of its stderr stamped with the seconds since
        it started (where the helper time goes, read after in build/group-bench/)."""
        env = dict(self.env, BENCH_SAM_TIMES=str(times))
        start = time.monotonic()
        proc = subprocess.Popen(
            [str(self.helper), *args, "--sam-path", str(self.sam)],
            cwd=self.app,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        stamped: list[str] = []

        def read_stderr() -> None:
            assert proc.stderr is not None
            for text in proc.stderr:
                stamped.append(f"{time.monotonic() - start:7.2f} {text}")

        reader = threading.Thread(target=read_stderr)
        reader.start()
        out = proc.stdout.read() if proc.stdout is not None else ""
        code = proc.wait()
        reader.join()
        return subprocess.CompletedProcess(proc.args, code, out, "".join(stamped))

    def group(self, label: str) -> dict[str, Any]:
        times = self.work / f"sam-{label}"
        self.proxy.clear()
        start = time.monotonic()
        kept = ROOT / "build" / "group-bench" / f"{label}.stderr"
        kept.parent.mkdir(parents=True, exist_ok=True)
        trace = kept.with_suffix(".trace.jsonl")  # every AWS call the helper made, timed
        trace.unlink(missing_ok=True)
        self.env["LAMBDA_RELEASE_TRACE_AWS"] = str(trace)
        try:
            p = self.run(["group", "deploy", "lambda-release.group.yml", "--output", "json"], times)
        finally:
            del self.env["LAMBDA_RELEASE_TRACE_AWS"]
        wall = time.monotonic() - start
        kept.with_suffix(".sam").write_text(times.read_text() if times.exists() else "")
        kept.write_text(p.stderr)  # each member's progress lines, to read after
        if p.returncode != 0:
            raise SystemExit(f"group deploy failed ({p.returncode}): its lines are in {kept}")
        outcome = json.loads(p.stdout)["outcome"]
        sam = union_seconds(sam_intervals(times))
        floors = region_floor(self.proxy)
        return {"outcome": outcome, "wall": wall, "sam": sam, "helper": wall - sam,
                "floor": max(floors.values()), "floors": floors}  # fmt: skip

    def one_after_another(self, targets: list[tuple[str, str, str]]) -> dict[str, Any]:
        self.proxy.clear()
        wall = helper = sam_total = 0.0
        for stack, region, bucket in targets:
            times = self.work / f"sam-{uuid.uuid4().hex[:6]}"
            args = ["deploy", "--stack", stack, "--alias", "PROD", "--region", region,
                    "--s3-bucket", bucket, "--output", "json"]  # fmt: skip
            start = time.monotonic()
            p = self.run(args, times)
            took = time.monotonic() - start
            if p.returncode != 0:
                raise SystemExit(f"deploy {stack} {region} failed:\n{p.stderr[-4000:]}")
            sam = union_seconds(sam_intervals(times))
            wall, sam_total, helper = wall + took, sam_total + sam, helper + took - sam
        floors = region_floor(self.proxy)
        return {"outcome": "succeeded", "wall": wall, "sam": sam_total, "helper": helper,
                "floor": sum(floors.values()), "floors": floors}  # fmt: skip


def group_file(targets: list[tuple[str, str, str]], concurrency: int) -> dict[str, object]:
    half = (len(targets) + 1) // 2
    waves = [targets[:half], targets[half:]]
    return {
        "version": 1,
        "group": "bench",
        "alias": "PROD",
        "waves": [
            {
                "name": f"wave-{n}",
                "concurrency": min(concurrency, len(wave)),
                "targets": [{"stack": s, "region": r, "s3_bucket": b} for s, r, b in wave],
            }
            for n, wave in enumerate(waves, 1)
            if wave
        ],
    }


def line(label: str, r: dict[str, Any]) -> str:
    floors = ", ".join(f"{k} {v:.1f}" for k, v in sorted(r["floors"].items()))
    return (
        f"{label:<22} wall {r['wall']:7.1f} s  sam {r['sam']:7.1f} s  "
        f"helper {r['helper']:6.1f} s  floor {r['floor']:6.1f} s  "
        f"helper/floor {r['helper'] / r['floor']:5.2f}x   (region floors: {floors})"
    )


def main(stacks: int, functions: int, concurrency: int) -> None:
    names = [f"F{i}" for i in range(functions)]
    with Sandbox(port=0, minute=0.01) as sb, tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        helper = BIN / "lambda-release" if os.environ.get("BENCH_FAT") else slim_helper(work)
        proxy_args: dict[str, Any] = {"latency": LATENCY, "lambda_rate": LAMBDA_RATE,
                      "get_function_rate": GET_FUNCTION_RATE, "per_region": True}  # fmt: skip
        with FaultProxy(sb.endpoint_url, **proxy_args) as proxy:
            bench = Bench(work, sb, proxy, helper)
            write_sam_app(bench.app, functions=names, deployment_type="Canary10Percent5Minutes")
            buckets = {}
            for region in REGIONS:
                buckets[region] = f"bench-{region}-{uuid.uuid4().hex[:6]}"
                config = {} if region == "us-east-1" else {"LocationConstraint": region}
                kwargs = {"CreateBucketConfiguration": config} if config else {}
                sb.client("s3", region).create_bucket(Bucket=buckets[region], **kwargs)
            # Regions interleaved: a wave's concurrent targets are in every region at once.
            targets = [
                (f"bench-{i:02d}-{uuid.uuid4().hex[:4]}", r, buckets[r])
                for i in range(stacks)
                for r in REGIONS
            ]
            body = group_file(targets, concurrency)
            (bench.app / "lambda-release.group.yml").write_text(yaml.safe_dump(body))
            print(
                f"{stacks} stacks x {len(REGIONS)} regions = {len(targets)} targets, "
                f"{functions} functions each, group concurrency {concurrency}, proxy "
                f"{LATENCY * 1000:.0f} ms/call, Lambda {LAMBDA_RATE:g}/s and GetFunction "
                f"{GET_FUNCTION_RATE:g}/s per region",
                flush=True,
            )
            print(line("create (group)", bench.group("create")), flush=True)
            set_code_version(bench.app, "2", names)
            sam_build(bench.app, bench.env)
            # BENCH_GROUP_ONLY=1: the group alone (reading where its time goes, faster).
            seq = None if os.environ.get("BENCH_GROUP_ONLY") else bench.one_after_another(targets)
            if seq is not None:
                print(line("one after another", seq), flush=True)
            set_code_version(bench.app, "3", names)
            grp = bench.group("update")
            print(line("group (update)", grp), flush=True)
    print()
    if seq is not None:
        print(
            f"group helper time {grp['helper']:.1f} s vs one after another "
            f"{seq['helper']:.1f} s ({seq['helper'] / grp['helper']:.1f}x less); group wall "
            f"{grp['wall']:.1f} s vs {seq['wall']:.1f} s"
        )
    ratio = grp["helper"] / grp["floor"]
    verdict = "met" if ratio <= 1.3 else "NOT met"
    print(
        f"goal (issue 33): group helper time <= 1.3x the per-region floor: {ratio:.2f}x, {verdict}"
    )


if __name__ == "__main__":
    given = [int(a) for a in sys.argv[1:]]
    defaults = [20, 2, 9]
    main(*(given + defaults[len(given) :]))
