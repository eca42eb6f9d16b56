"""What one `lambda-release deploy` costs beyond `sam deploy` itself.

For stacks of 1, 10 and 50 functions (every function's code changed, so every
alias moves and every stable pointer changes: the most calls a deploy makes),
prints the helper's own AWS calls (from LAMBDA_RELEASE_TRACE_AWS; those made
while sam runs, by the canary watch, are counted apart) and its wall time
beyond sam, once directly against the sandbox and once through a proxy
adding 50 ms per call and spacing Lambda calls to 15 per second, beside the
floor those budgets imply (control-plane Lambda calls / 15 s + GetFunction calls / 100 s,
Lambda's quotas page).

Goals (issue 4): at most 3 Lambda calls per function; through the proxy,
within 1.5x of the floor. Issue 18: a 1-function release in at most 12 AWS calls
and under 1 s of helper time through the proxy; 50 functions within 1.2x of the
floor. Figures only: nothing here fails on timing.

    .venv/bin/python bench/engine_bench.py [SIZES...]     # default: 1 10 50
    BENCH_WITH_WATCH=1 .venv/bin/python bench/engine_bench.py   # with the canary display
    BENCH_FAT=1 ...   # run the helper from the development venv instead

The helper runs as a job installs it: this tree with its core dependencies only, in a
venv of its own with bytecode compiled (the development venv also holds the SAM CLI,
moto and the AWS CRT, which boto3 then imports: 0.2 s more per start).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.support.sam import sam_build, sam_env  # noqa: E402
from tests.support.samapp import set_code_version, write_sam_app  # noqa: E402

from lambda_release.sandbox.faultproxy import FaultProxy  # noqa: E402
from lambda_release.sandbox.server import Sandbox  # noqa: E402

BIN = Path(sys.executable).parent


def slim_helper(work: Path) -> Path:
    """This tree with its core dependencies in a venv of its own, bytecode compiled."""
    venv = work / "slim"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    pip = [str(venv / "bin" / "python"), "-m", "pip", "--disable-pip-version-check"]
    subprocess.run([*pip, "install", "--quiet", str(ROOT)], check=True)
    subprocess.run(
        [str(venv / "bin" / "python"), "-m", "compileall", "-q", str(venv / "lib")],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return venv / "bin" / "lambda-release"


LAMBDA_RATE = 15.0
GET_FUNCTION_RATE = 100.0  # Lambda quotas: GetFunction has its own budget

TIMING_SAM = """#!{python}
import os, subprocess, sys, time
env = dict(os.environ)
env["AWS_ENDPOINT_URL"] = env["BENCH_SANDBOX_URL"]   # sam itself talks to the sandbox directly
env.pop("LAMBDA_RELEASE_TRACE_AWS", None)
start = time.time()
code = subprocess.call([{sam!r}, *sys.argv[1:]], env=env, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
with open(env["BENCH_SAM_TIME"], "w") as f:
    f.write(f"{{start}} {{time.time()}}")
sys.exit(code)
"""


def deploy(
    app: Path,
    stack: str,
    bucket: str,
    env: dict[str, str],
    endpoint: str,
    work: Path,
    helper: Path,
) -> dict[str, float | int]:
    trace = work / f"trace-{uuid.uuid4().hex[:6]}.jsonl"
    sam_time = work / "sam-time"
    run_env = dict(env, AWS_ENDPOINT_URL=endpoint, LAMBDA_RELEASE_TRACE_AWS=str(trace))
    run_env["BENCH_SAM_TIME"] = str(sam_time)
    start = time.monotonic()
    p = subprocess.run(
        [
            str(helper),
            "deploy",
            "--stack",
            stack,
            "--alias",
            "PROD",
            "--s3-bucket",
            bucket,
            "--sam-path",
            str(work / "sam"),
            "--output",
            "json",
        ],
        cwd=app,
        env=run_env,
        capture_output=True,
        text=True,
        check=False,
    )
    total = time.monotonic() - start
    if p.returncode != 0:
        raise SystemExit(f"deploy failed ({p.returncode}):\n{p.stderr[-3000:]}")
    outcome = json.loads(p.stdout)["outcome"]
    every = [json.loads(line) for line in trace.read_text().splitlines()]
    if os.environ.get("BENCH_KEEP_TRACE"):
        (Path(os.environ["BENCH_KEEP_TRACE"]) / trace.name).write_text(trace.read_text())
    sam_start, sam_end = (float(x) for x in sam_time.read_text().split())
    sam_wall = sam_end - sam_start
    # Calls made while sam runs (the canary watch) overlap sam: not "beyond" it.
    calls = [c for c in every if not sam_start <= c["time"] <= sam_end]
    during = len(every) - len(calls)
    by_service = Counter(c["service"] for c in calls)
    by_op = Counter(f"{c['service']}.{c['operation']}" for c in calls)
    return {
        "outcome": outcome,
        "calls": len(calls),
        "lambda": by_service["lambda"],
        "get_function": by_op["lambda.GetFunction"],
        "lambda_ops": dict(by_op),
        "services": dict(by_service),
        "total": total,
        "sam": sam_wall,
        "helper": total - sam_wall,
        "during_sam": during,
    }


def main(sizes: list[int]) -> None:
    rows = []
    with Sandbox(port=0, minute=0.01) as sb, tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        helper = BIN / "lambda-release" if os.environ.get("BENCH_FAT") else slim_helper(work)
        (work / "sam").write_text(TIMING_SAM.format(python=sys.executable, sam=str(BIN / "sam")))
        (work / "sam").chmod(0o755)
        env = sam_env({**os.environ, **sb.env})
        env["BENCH_SANDBOX_URL"] = sb.endpoint_url
        # The canary progress display (watch.py) polls CodeDeploy while sam runs; it is
        # not part of the release engine's cost: quieten it unless asked to measure it.
        if not os.environ.get("BENCH_WITH_WATCH"):
            env["LAMBDA_RELEASE_POLL_INTERVAL"] = "3600"
        with FaultProxy(
            sb.endpoint_url,
            latency=0.05,
            lambda_rate=LAMBDA_RATE,
            get_function_rate=GET_FUNCTION_RATE,
        ) as proxy:
            for n in sizes:
                names = [f"F{i}" for i in range(n)]
                app = work / f"app{n}"
                write_sam_app(
                    app, functions=names, deployment_type="Canary10Percent5Minutes", alarms=True
                )
                sam_build(app, env)
                bucket = f"bench-{uuid.uuid4().hex[:8]}"
                sb.client("s3").create_bucket(Bucket=bucket)
                stack = f"bench-{n}-{uuid.uuid4().hex[:6]}"
                deploy(app, stack, bucket, env, sb.endpoint_url, work, helper)  # creates the stack
                for mode, endpoint, version in (
                    ("direct", sb.endpoint_url, "2"),
                    ("proxy", proxy.url, "3"),
                ):
                    set_code_version(app, version, names)
                    sam_build(app, env)
                    r = deploy(app, stack, bucket, env, endpoint, work, helper)
                    # Each budget's calls over its rate: the control plane's and GetFunction's.
                    control = r["lambda"] - r["get_function"]
                    floor = control / LAMBDA_RATE + r["get_function"] / GET_FUNCTION_RATE
                    rows.append((n, mode, r, floor))
                    print(
                        f"{n:>3} functions {mode:<6} {r['outcome']:<9} calls {r['calls']:>4} "
                        f"(lambda {r['lambda']:>4} = {r['lambda'] / n:.1f}/function) "
                        f"helper {r['helper']:6.2f} s  sam {r['sam']:6.2f} s  "
                        f"floor {floor:6.2f} s  helper/floor {r['helper'] / floor:4.2f}x",
                        flush=True,
                    )
                    print(f"      {r['lambda_ops']}; {r['during_sam']} more while sam ran")
    print()
    print("goals (issue 4): <= 3 Lambda calls per function; through the proxy, <= 1.5x floor")
    print("goals (issue 18): 1 function: <= 12 AWS calls and < 1 s of helper time through the")
    print("                  proxy; 50 functions: within 1.2x of the floor through the proxy")
    for n, mode, r, floor in rows:
        per = r["lambda"] / n
        ratio = r["helper"] / floor
        verdicts = [f"issue 4 {verdict(per <= 3 and (mode != 'proxy' or ratio <= 1.5))}"]
        if mode == "proxy" and n == 1:
            verdicts.append(f"issue 18 {verdict(r['calls'] <= 12 and r['helper'] < 1.0)}")
        if mode == "proxy" and n >= 50:
            verdicts.append(f"issue 18 {verdict(ratio <= 1.2)}")
        print(
            f"  {n:>3} {mode:<6} {r['calls']:>4} calls ({per:.1f} Lambda/function), "
            f"helper {r['helper']:.2f} s, {ratio:.2f}x floor: {', '.join(verdicts)}"
        )


def verdict(ok: bool) -> str:
    return "ok" if ok else "MISSED"


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [1, 10, 50])
