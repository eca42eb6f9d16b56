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
