from __future__ import annotations
import time
from collections import Counter
from pathlib import Path
from lambda_release.aws.trace import read_trace

def run(app, trace, *args):
    trace.unlink(missing_ok=True)
    env = dict(app.env, LAMBDA_RELEASE_TRACE_AWS=str(trace), LAMBDA_RELEASE_POLL_INTERVAL="3600")
    p = app.lr(*args, env=env)
    calls = read_trace(str(trace))
    print(args[:1], p.returncode, p.stderr[-500:] if p.returncode else "")
    for c in calls:
        print("   ", c["service"], c["operation"], {k: v for k, v in c["params"].items() if k in ("Key","Prefix","StackName","FunctionName")})
    print("  ", Counter(f"{c['service']}.{c['operation']}" for c in calls), len(calls))

def test_scratch(make_app, tmp_path):
    app = make_app(functions=("A",), deployment="Canary10Percent5Minutes")
    run(app, tmp_path / "t1", *app.deploy_args("--output", "json"))
    time.sleep(1.1)
    app.change_code("2", ("A",))
    run(app, tmp_path / "t2", *app.deploy_args("--output", "json"))
    time.sleep(1.1)
    run(app, tmp_path / "t3", "rollback", "--stack", app.stack, "--alias", "PROD", "--output", "json")
    time.sleep(1.1)
    app.change_code("3", ("A",))
    run(app, tmp_path / "t4", *app.deploy_args("--output", "json"))
