"""A record of every AWS API call the helper makes, for audits, IAM and benchmarks.

Set ``LAMBDA_RELEASE_TRACE_AWS=/path/file.jsonl`` and every call becomes one
JSON line: service, operation and the identifiers it touched (function, alias,
bucket, key, stack, ...). Only identifier parameters are kept, so nothing
secret (environment values, code, credentials) is ever written. Lines are
appended with O_APPEND, so several processes may share one file.
"""

from __future__ import annotations

import json
import os
import time
from typing import Any

TRACE_ENV = "LAMBDA_RELEASE_TRACE_AWS"

# Parameters that name what a call touches; everything else is left out.
IDENTIFIER_PARAMS = (
    "FunctionName",
    "Name",
    "Qualifier",
    "FunctionVersion",
    "Bucket",
    "Key",
    "Prefix",
    "StackName",
    "LogicalResourceId",
    "ChangeSetName",
    "applicationName",
    "deploymentGroupName",
    "deploymentGroupNames",
    "deploymentId",
    "deploymentIds",
    "deploymentConfigName",
    "AlarmNames",
    "UUID",
    "restApiId",
    "resourceId",
    "httpMethod",
    "ApiId",
    "Rule",
    "EventBusName",
    "TopicArn",
)


def trace_path() -> str | None:
    return os.environ.get(TRACE_ENV) or None


def record_call(
    path: str, service: str, operation: str, params: dict[str, Any], command: str = ""
) -> None:
    """Append one call to the trace file (``command``: the one being run, so a trace can
    be read per command)."""
    entry = {
        "time": round(time.time(), 3),
        "pid": os.getpid(),
        "command": command,
        "service": service,
        "operation": operation,
        "params": {k: params[k] for k in IDENTIFIER_PARAMS if k in params},
    }
    line = (json.dumps(entry, default=str) + "\n").encode()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        os.write(fd, line)
    finally:
        os.close(fd)


def install(client: Any, path: str, command: str = "") -> None:
    """Record every call ``client`` makes (once per call, not per retry attempt), as made
    for ``command``."""
    service = client.meta.service_model.service_name

    def before_call(params: dict[str, Any], model: Any, **_: Any) -> None:
        record_call(path, service, model.name, params, command)

    client.meta.events.register(f"before-parameter-build.{service}.*", before_call)


def read_trace(path: str) -> list[dict[str, Any]]:
    """Every call recorded in ``path``, oldest first."""
    if not os.path.exists(path):
        return []
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]
