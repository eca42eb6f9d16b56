"""Invoke runs Python handlers, as Lambda does, in a child interpreter (moto needs Docker).

A function whose runtime is `python3.*` and whose code is a zip runs in a fresh `python`
process: the zip unpacked into a temporary directory, the function's environment variables,
the sandbox's endpoint and credentials (so the handler's boto3 calls come back here, as a
Lambda function's calls go to AWS), the event on stdin. Its answer or its error
(`{"errorMessage", "errorType"}` with `X-Amz-Function-Error: Unhandled`) is what Invoke returns.
`InvocationType=Event` returns at once and runs the handler on a thread. Anything else
(another runtime, an image) keeps moto's echo.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import tempfile
import threading
import zipfile
from collections.abc import Callable
from typing import Any

from moto.awslambda_simple import models as simple_models

# Interpreter start and `import boto3` take a second or two on a busy machine, time Lambda
# does not count against a function's timeout.
START_ALLOWANCE = 10.0

_RUNNER = """
import importlib, json, sys, traceback
module_name, _, function_name = sys.argv[1].rpartition(".")
event = json.load(sys.stdin)
class Context:
    function_name = sys.argv[2]
    aws_request_id = "sandbox"
    def get_remaining_time_in_millis(self):
        return 60_000
try:
    handler = getattr(importlib.import_module(module_name), function_name)
    result = {"ok": handler(event, Context())}
except Exception as exc:
    result = {"error": {"errorMessage": str(exc), "errorType": type(exc).__name__,
                        "stackTrace": traceback.format_exc().splitlines()}}
with open(sys.argv[3], "w") as out:
    json.dump(result, out, default=str)
"""

ENDPOINT: dict[str, dict[str, str]] = {}  # "env": the sandbox's variables, set when it starts


def runs_here(fn: Any) -> bool:
    return str(getattr(fn, "run_time", "") or "").startswith("python") and bool(
        getattr(fn, "code_bytes", b"")
    )


def run_handler(fn: Any, event: Any) -> tuple[Any, dict[str, Any] | None]:
    """(answer, None) or (None, error) of one invocation of `fn` with `event`."""
    env = {k: v for k, v in os.environ.items() if k in ("PATH", "LANG", "HOME", "TMPDIR")}
    env.update(ENDPOINT.get("env", {}))
    env.update({str(k): str(v) for k, v in (fn.environment_vars or {}).items()})
    # Lambda's reserved variables: the function's own region (a hook in eu-west-1 reports
    # to eu-west-1's CodeDeploy), whatever region the stand-in was started with.
    region = str(fn.region)
    env.update(
        {
            "AWS_REGION": region,
            "AWS_DEFAULT_REGION": region,
            "AWS_LAMBDA_FUNCTION_NAME": str(fn.function_name),
            "AWS_LAMBDA_FUNCTION_VERSION": str(fn.version),
            "AWS_LAMBDA_FUNCTION_TIMEOUT": str(fn.timeout),
            "_HANDLER": str(fn.handler),
        }
    )
    with tempfile.TemporaryDirectory(prefix="sandbox-lambda-") as task:
        with zipfile.ZipFile(io.BytesIO(fn.code_bytes)) as code:
            code.extractall(task)
        env["LAMBDA_TASK_ROOT"] = task
        env["PYTHONPATH"] = task
        result_path = os.path.join(task, ".sandbox-result.json")
        try:
            # Fixed argv, no shell: the handler name is an argument, never a command.
            subprocess.run(
                [
                    sys.executable,
                    "-c",
                    _RUNNER,
                    str(fn.handler),
                    str(fn.function_name),
                    result_path,
                ],
                input=json.dumps(event).encode(),
                cwd=task,
                env=env,
                capture_output=True,
                timeout=float(fn.timeout or 3) + START_ALLOWANCE,
                check=False,
            )
        except subprocess.TimeoutExpired:
            return None, {
                "errorMessage": f"Task timed out after {float(fn.timeout or 3):.2f} seconds",
                "errorType": "Sandbox.Timedout",
            }
        try:
            with open(result_path) as answer:
                result = json.load(answer)
        except (OSError, ValueError):
            return None, {
                "errorMessage": "Runtime exited without an answer",
                "errorType": "Runtime.ExitError",
            }
    if "error" in result:
        return None, dict(result["error"])
    return result.get("ok"), None


_originals: dict[str, Callable[..., Any]] = {}


def _invoke(
    self: Any,
    function_name: str,
    qualifier: str | None,
    body: Any,
    headers: Any,
    response_headers: Any,
) -> bytes | None:
    fn = self.get_function(function_name, qualifier)
    if not runs_here(fn):
        return _originals["invoke"](self, function_name, qualifier, body, headers, response_headers)  # type: ignore[no-any-return]
    event = json.loads(body) if body else {}
    if headers.get("X-Amz-Invocation-Type") == "Event":
        threading.Thread(target=run_handler, args=(fn, event), daemon=True).start()
        return b""
    answer, error = run_handler(fn, event)
    if error is not None:
        response_headers["x-amz-function-error"] = "Unhandled"
        return json.dumps(error).encode()
    return json.dumps(answer).encode()


def invoke_async(fn: Any, event: Any) -> threading.Thread:
    """Run `fn` with `event` as an asynchronous invocation does (how CodeDeploy calls hooks)."""
    thread = threading.Thread(target=run_handler, args=(fn, event), daemon=True)
    thread.start()
    return thread


def install() -> None:
    """Patch moto's Docker-free Lambda backend; idempotent."""
    if _originals:
        return
    backend = simple_models.LambdaSimpleBackend
    _originals["invoke"] = backend.invoke
    backend.invoke = _invoke  # type: ignore[method-assign]
