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


def fix(call: Call, status: int, headers: list[Any], body: bytes) -> tuple[bytes, list[Any]]:
    """The answer to `call` as AWS gives it: (body, headers with its Content-Length)."""
    corrected = FIXES.get(call.name)
    if corrected is None:
        return body, headers
    fixed = corrected(status, body)
    if fixed == body:
        return body, headers
    headers = [(k, str(len(fixed)) if k.lower() == "content-length" else v) for k, v in headers]
    return fixed, headers
