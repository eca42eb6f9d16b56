"""The AWS call trace: one line per call, identifiers only, nothing secret."""

from __future__ import annotations

from pathlib import Path

import pytest

from lambda_release.aws import trace as awstrace
from lambda_release.aws.client import Aws


def test_trace_records_calls_and_only_identifiers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    trace = tmp_path / "trace.jsonl"
    monkeypatch.setenv(awstrace.TRACE_ENV, str(trace))
    # An unreachable endpoint: the trace is written before the request is sent.
    aws = Aws(
        region="us-east-1", endpoint_url="http://127.0.0.1:9", max_attempts=1, command="rollback"
    )
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDTRACETEST")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "secret-trace-test")
    client = aws.client("lambda")
    with pytest.raises(Exception, match="Could not connect"):
        client.update_function_configuration(
            FunctionName="fn", Environment={"Variables": {"PASSWORD": "hunter2"}}
        )
    calls = awstrace.read_trace(str(trace))
    assert [(c["service"], c["operation"]) for c in calls] == [
        ("lambda", "UpdateFunctionConfiguration")
    ]
    assert calls[0]["params"] == {"FunctionName": "fn"}
    assert calls[0]["command"] == "rollback"
    text = trace.read_text()
    for secret in ("hunter2", "AKIDTRACETEST", "secret-trace-test"):
        assert secret not in text


def test_no_trace_without_the_variable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(awstrace.TRACE_ENV, raising=False)
    assert awstrace.trace_path() is None
    assert awstrace.read_trace(str(tmp_path / "missing.jsonl")) == []
