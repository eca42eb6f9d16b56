"""Corrections of moto's answers where they differ from AWS's model of the operation's output.

Each was found by strict mode (`strict.py`) and is cited in docs/sandbox.md ("Answers checked
against AWS's model"). A correction takes the answer's body and gives it back as AWS shapes it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from lambda_release.sandbox.model_routes import Call

Fix = Callable[[int, bytes], bytes]


def _deployment_without_stage_name(status: int, body: bytes) -> bytes:
    """API Gateway's `Deployment` has no `stageName` (it is CreateDeployment's request
    parameter, not part of the resource: https://docs.aws.amazon.com/apigateway/latest/api/
    API_Deployment.html); moto echoes it in every deployment it lists or returns."""
    if status >= 300 or b"stageName" not in body:
        return body
    answer = json.loads(body)
    for deployment in answer.get("item", [answer]):
        deployment.pop("stageName", None)
    return json.dumps(answer).encode()


FIXES: dict[str, Fix] = {
    "apigateway GetDeployments": _deployment_without_stage_name,
    "apigateway GetDeployment": _deployment_without_stage_name,
    "apigateway CreateDeployment": _deployment_without_stage_name,
}


def install_cloudformation() -> None:
    """Corrections made where moto builds the answer (its CloudFormation is loaded)."""
    from moto.cloudformation import responses  # noqa: PLC0415

    dto = responses.StackResourceDTO
    dto.__init__ = _with_last_updated_timestamp(dto.__init__)  # type: ignore[method-assign]


def _with_last_updated_timestamp(original: Callable[..., None]) -> Callable[..., None]:
    """`StackResourceDetail.LastUpdatedTimestamp` is required (DescribeStackResource,
    https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_StackResourceDetail.html);
    moto leaves it out. The stack's last update (or its creation) is the latest time any of its
    resources can have changed."""

    def init(self: Any, stack: Any, resource: Any) -> None:
        original(self, stack, resource)
        self.last_updated_timestamp = getattr(stack, "last_updated_time", None) or (
            stack.creation_time
        )

    return init


# A success's HTTP status, where moto's is not the model's (`responseCode`, 200 unless the
# operation names another: "If the action is successful, the service sends back an HTTP 200
# response", https://docs.aws.amazon.com/lambda/latest/api/API_GetAlias.html).
STATUS: dict[str, int] = {
    "lambda GetAlias": 200,
    "lambda UpdateAlias": 200,
    "lambda DeleteAlias": 204,
    "lambda GetFunctionUrlConfig": 200,
    "lambda CreateEventSourceMapping": 202,
}

_REASONS = {200: "OK", 201: "Created", 202: "Accepted", 204: "No Content"}


def corrects(call: Call) -> bool:
    return call.name in FIXES or call.name in STATUS


def fix(call: Call, status: str, headers: list[Any], body: bytes) -> tuple[str, bytes, list[Any]]:
    """The answer to `call` as AWS gives it: (status line, body, headers with its
    Content-Length)."""
    code = int(status.split(maxsplit=1)[0])
    if call.name in STATUS and 200 <= code < 300:
        code = STATUS[call.name]
        status = f"{code} {_REASONS.get(code, '')}".strip()
        if code == 204:  # No Content: moto's body (if any) goes
            body = b""
            headers = [(k, "0" if k.lower() == "content-length" else v) for k, v in headers]
    corrected = FIXES.get(call.name)
    if corrected is None:
        return status, body, headers
    fixed = corrected(code, body)
    if fixed == body:
        return status, body, headers
    headers = [(k, str(len(fixed)) if k.lower() == "content-length" else v) for k, v in headers]
    return status, fixed, headers
