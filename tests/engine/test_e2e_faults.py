"""A deploy through a fault-injecting proxy: throttling, 5xx and lost answers on the
helper's own Lambda calls are retried by botocore; the release is recorded once."""

from __future__ import annotations

import json
from collections.abc import Callable

from lambda_release.log.location import LogLocation
from lambda_release.log.store import ReleaseLog
from lambda_release.sandbox.faultproxy import (
    HTTP_500,
    HTTP_503,
    RESET_AFTER,
    THROTTLE,
    Fault,
    FaultProxy,
)
from tests.engine.conftest import App


def test_deploy_survives_throttling_5xx_and_lost_answers(make_app: Callable[..., App]) -> None:
    app = make_app(functions=("A", "B"))
    code, _, err = app.deploy_json()
    assert code == 0, err
    app.change_code("2", ("A", "B"))
    with FaultProxy(app.sandbox.endpoint_url) as proxy:
        faults = [
            proxy.inject(Fault("ListAliases", THROTTLE, times=2, service="lambda")),
            proxy.inject(Fault("GetFunction", HTTP_503, service="lambda")),  # the read after sam
            proxy.inject(Fault("GetFunction", HTTP_500, service="lambda")),
            # The stable pointer is created, but the answer is lost: the retry finds it.
            proxy.inject(Fault("CreateAlias", RESET_AFTER, service="lambda")),
        ]
        env = dict(app.env, AWS_ENDPOINT_URL=proxy.url, LAMBDA_RELEASE_POLL_INTERVAL="3600")
        p = app.lr(*app.deploy_args("--output", "json"), env=env)
    assert p.returncode == 0, p.stderr
    assert all(f.fired for f in faults), [(f.operation, f.kind, f.fired) for f in faults]
    data = json.loads(p.stdout)
    assert data["outcome"] == "succeeded"
    assert {f["logical_id"]: f["stable"] for f in data["functions"]} == {
        "AFunction": "1",
        "BFunction": "1",
    }
    for fn in ("AFunction", "BFunction"):
        stable = app.alias(fn, "PROD_STABLE")
        assert stable is not None and stable["FunctionVersion"] == "1"
    log = ReleaseLog(app.sandbox.client("s3"), LogLocation(app.bucket), app.stack, "PROD")
    assert len(log.releases()) == 2 and log.pending_ids() == []
