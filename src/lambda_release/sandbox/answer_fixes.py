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


def _json(change: Callable[[Any], None]) -> Fix:
    """A correction of a JSON success answer by `change` (which edits it in place)."""

    def fix(status: int, body: bytes) -> bytes:
        if status >= 300 or not body.strip():
            return body
        answer = json.loads(body)
        change(answer)
        return json.dumps(answer).encode()

    return fix


def _items(answer: Any, key: str) -> list[Any]:
    """The listed items under `key`, or the answer itself when it is one item."""
    items = answer.get(key) if isinstance(answer, dict) else None
    return list(items) if isinstance(items, list) else [answer]


def _without(key: str, member: str) -> Fix:
    def change(answer: Any) -> None:
        for item in _items(answer, key):
            item.pop(member, None)

    return _json(change)


def _function_url(answer: Any) -> None:
    """InvokeMode is BUFFERED or RESPONSE_STREAM (moto: "Buffered"); CreateFunctionUrlConfig
    answers no LastModifiedTime (https://docs.aws.amazon.com/lambda/latest/api/
    API_CreateFunctionUrlConfig.html#API_CreateFunctionUrlConfig_ResponseSyntax)."""
    for item in _items(answer, "FunctionUrlConfigs"):
        if isinstance(item.get("InvokeMode"), str):
            item["InvokeMode"] = (
                item["InvokeMode"].upper().replace("RESPONSESTREAM", "RESPONSE_STREAM")
            )


_INVOKE_MODES = {"buffered": "BUFFERED", "responsestream": "RESPONSE_STREAM"}


def _created_function_url(answer: Any) -> None:
    _function_url(answer)
    answer.pop("LastModifiedTime", None)


# API Gateway's `Deployment` has no `stageName` (CreateDeployment's request parameter, not part
# of the resource: https://docs.aws.amazon.com/apigateway/latest/api/API_Deployment.html).
# Lambda's `EventSourceMappingConfiguration` has no `Tags` (ListTags reads them:
# https://docs.aws.amazon.com/lambda/latest/api/API_EventSourceMappingConfiguration.html).
# EventBridge's `Rule` (ListRules) has no `CreatedBy`, which DescribeRule answers
# (https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_Rule.html).
FIXES: dict[str, Fix] = {
    "apigateway GetDeployments": _without("item", "stageName"),
    "apigateway GetDeployment": _without("item", "stageName"),
    "apigateway CreateDeployment": _without("item", "stageName"),
    **{
        f"lambda {op}EventSourceMapping{'s' if op == 'List' else ''}": _without(
            "EventSourceMappings", "Tags"
        )
        for op in ("List", "Create", "Get", "Update", "Delete")
    },
    "events ListRules": _without("Rules", "CreatedBy"),
    "lambda CreateFunctionUrlConfig": _json(_created_function_url),
    "lambda GetFunctionUrlConfig": _json(_function_url),
    "lambda UpdateFunctionUrlConfig": _json(_function_url),
    "lambda ListFunctionUrlConfigs": _json(_function_url),
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


# moto's API Gateway v2 answers 200 to every create and delete.
_V2_CREATED = (
    "Api",
    "Authorizer",
    "Model",
    "RouteResponse",
    "Integration",
    "IntegrationResponse",
    "VpcLink",
    "Stage",
)
_V2_DELETED = (
    "Api",
    "Authorizer",
    "CorsConfiguration",
    "Model",
    "Route",
    "RouteRequestParameter",
    "RouteResponse",
    "Integration",
    "IntegrationResponse",
    "Stage",
)

# A success's HTTP status, where moto's is not the model's (`responseCode`, 200 unless the
# operation names another: "If the action is successful, the service sends back an HTTP 200
# response", https://docs.aws.amazon.com/lambda/latest/api/API_GetAlias.html).
STATUS: dict[str, int] = {
    "lambda GetAlias": 200,
    "lambda UpdateAlias": 200,
    "lambda DeleteAlias": 204,
    "lambda GetFunctionUrlConfig": 200,
    "lambda CreateEventSourceMapping": 202,
    "lambda AddPermission": 201,
    "apigateway CreateRestApi": 201,
    "apigateway DeleteRestApi": 202,
    **{f"apigatewayv2 Create{kind}": 201 for kind in _V2_CREATED},
    **{f"apigatewayv2 Delete{kind}": 204 for kind in _V2_DELETED},
    "apigatewayv2 DeleteVpcLink": 202,
    "apigatewayv2 UntagResource": 204,
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
