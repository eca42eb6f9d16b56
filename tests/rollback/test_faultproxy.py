"""The fault proxy tells operations apart and caps Lambda like a token bucket."""

from __future__ import annotations

import pytest

from lambda_release.sandbox import faultproxy
from lambda_release.sandbox.faultproxy import Fault, RateGate, identify

AUTH = "AWS4-HMAC-SHA256 Credential=AKID/20261126/us-east-1/{}/aws4_request, SignedHeaders=host"


def test_lambda_operations_from_rest_paths() -> None:
    h = {"Authorization": AUTH.format("lambda")}
    base = "/2015-03-31/functions/my-fn"
    assert identify("PUT", f"{base}/aliases/PROD", h, b"{}") == ("lambda", "UpdateAlias")
    assert identify("GET", f"{base}/aliases/PROD", h, b"") == ("lambda", "GetAlias")
    assert identify("GET", f"{base}/aliases?Marker=x", h, b"") == ("lambda", "ListAliases")
    assert identify("GET", f"{base}/configuration?Qualifier=3", h, b"") == (
        "lambda",
        "GetFunctionConfiguration",
    )


def test_json_and_query_services() -> None:
    cd = {
        "Authorization": AUTH.format("codedeploy"),
        "X-Amz-Target": "CodeDeploy_20141006.StopDeployment",
    }
    assert identify("POST", "/", cd, b"{}") == ("codedeploy", "StopDeployment")
    cfn = {"Authorization": AUTH.format("cloudformation")}
    body = b"Action=DescribeStacks&Version=2010-05-15&StackName=s"
    assert identify("POST", "/", cfn, body) == ("cloudformation", "DescribeStacks")
    s3 = {"Authorization": AUTH.format("s3")}
    assert identify("GET", "/bucket/key.json", s3, b"")[0] == "s3"


class StillTime:
    """The proxy's `time`: it moves only when the gate sleeps (a loaded machine's real clock
    could refill a token between two admits, or sleep past a bound)."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def test_token_bucket_allows_a_seconds_worth_then_refuses_or_waits(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    clock = StillTime()
    monkeypatch.setattr(faultproxy, "time", clock)
    gate = RateGate(5)
    assert all(gate.admit(wait=False) for _ in range(5))
    assert not gate.admit(wait=False)
    assert gate.admit(wait=True)
    assert clock.slept == [pytest.approx(0.2)]  # one token's time at 5 a second


def test_fault_kinds_are_checked() -> None:
    with pytest.raises(ValueError, match="teapot"):
        Fault("UpdateAlias", "teapot")


def test_s3_operations_of_path_style_requests() -> None:
    s3 = {"Authorization": AUTH.format("s3")}
    assert identify("PUT", "/bucket/a/key.json", s3, b"{}") == ("s3", "PutObject")
    assert identify("GET", "/bucket/key.json", s3, b"") == ("s3", "GetObject")
    assert identify("HEAD", "/bucket/key.json", s3, b"") == ("s3", "HeadObject")
    assert identify("GET", "/bucket?list-type=2&prefix=x", s3, b"") == ("s3", "ListObjectsV2")
    copy = {**s3, "x-amz-copy-source": "/bucket/other"}
    assert identify("PUT", "/bucket/key.json", copy, b"") == ("s3", "CopyObject")


def test_per_region_pacing_gives_each_region_its_own_buckets() -> None:
    """Lambda's quotas are per account and region: with per_region, a region's calls never
    wait for another region's (the group bench paces three regions at once)."""
    west = {"Authorization": AUTH.replace("us-east-1", "eu-west-1")}
    assert faultproxy.region_of(west) == "eu-west-1" and faultproxy.region_of({}) == ""
    shared = faultproxy.FaultProxy("http://127.0.0.1:1", lambda_rate=5, get_function_rate=50)
    assert shared._gate("lambda", "UpdateAlias", "us-east-1") is shared._gate(
        "lambda", "UpdateAlias", "eu-west-1"
    )
    apart = faultproxy.FaultProxy(
        "http://127.0.0.1:1", lambda_rate=5, get_function_rate=50, per_region=True
    )
    try:
        gates = {
            (region, op): apart._gate("lambda", op, region)
            for region in ("us-east-1", "eu-west-1")
            for op in ("UpdateAlias", "GetAlias", "GetFunction")
        }
        assert gates["us-east-1", "UpdateAlias"] is gates["us-east-1", "GetAlias"]
        assert gates["us-east-1", "UpdateAlias"] is not gates["eu-west-1", "UpdateAlias"]
        assert gates["us-east-1", "GetFunction"] is not gates["us-east-1", "UpdateAlias"]
        assert gates["eu-west-1", "GetFunction"].rate == 50
        assert apart._gate("s3", "PutObject", "us-east-1") is None
        east_gate = gates["us-east-1", "UpdateAlias"]
        assert all(east_gate.admit(wait=False) for _ in range(5))
        assert not east_gate.admit(wait=False)  # us-east-1's second is spent...
        assert gates["eu-west-1", "UpdateAlias"].admit(wait=False)  # ...eu-west-1's is not
    finally:
        shared._server.server_close()
        apart._server.server_close()
