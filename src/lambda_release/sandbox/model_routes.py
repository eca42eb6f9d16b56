"""Which operation of which botocore service model an HTTP request to the stand-in calls.

The service is the signing name in the request's SigV4 credential scope; the operation comes
from the protocol: `X-Amz-Target` (json), the `Action` parameter (query), the path of a
Smithy RPC v2 CBOR call, or the model's `requestUri` templates (rest-json, rest-xml), the
most specific that matches (most literal characters, then most query keys).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

from botocore.model import OperationModel, ServiceModel

# Signing names whose service models differ from the name (the rest are the same).
SIGNING_NAMES = {"monitoring": ("cloudwatch",), "apigateway": ("apigateway", "apigatewayv2")}
_CREDENTIAL = re.compile(r"Credential=[^/]+/[^/]+/[^/]+/([^/]+)/aws4_request")
_LABEL = re.compile(r"\{([^}]+)\}")


@dataclass(frozen=True)
class Call:
    """One request: its operation, and the protocol it was made in (botocore's names)."""

    service: ServiceModel
    operation: OperationModel
    protocol: str

    @property
    def name(self) -> str:
        return f"{self.service.service_name} {self.operation.name}"


@dataclass(frozen=True)
class Route:
    operation: str
    method: str
    path: re.Pattern[str]
    literal: int
    query: tuple[tuple[str, str | None], ...]


@functools.cache
def _loader() -> Any:
    from botocore.session import get_session  # noqa: PLC0415

    return get_session()


@functools.cache
def service_model(name: str) -> ServiceModel | None:
    try:
        return _loader().get_service_model(name)  # type: ignore[no-any-return]
    except Exception:
        return None


def signing_name(headers: Any) -> str | None:
    found = _CREDENTIAL.search(headers.get("Authorization", ""))
    return found.group(1) if found else None


def identify(
    environ: dict[str, Any], headers: Any, form: dict[str, list[str]] | None
) -> Call | None:
    """The call `environ` makes, or None (unsigned, unknown service or operation)."""
    signed = signing_name(headers)
    if signed is None:
        return None
    for name in SIGNING_NAMES.get(signed, (signed,)):
        model = service_model(name)
        if model is None:
            continue
        found = _rpc_call(model, environ, headers, form)
        if found is not None:
            return found
    return _rest_call(signed, environ, headers)


def _rpc_call(
    model: ServiceModel, environ: dict[str, Any], headers: Any, form: dict[str, list[str]] | None
) -> Call | None:
    operation: str | None = None
    if headers.get("smithy-protocol") == "rpc-v2-cbor":
        protocol, operation = "smithy-rpc-v2-cbor", environ["PATH_INFO"].rsplit("/", 1)[-1]
    elif target := headers.get("X-Amz-Target"):
        protocol, operation = "json", target.rsplit(".", 1)[-1]
    else:
        query = parse_qs(environ.get("QUERY_STRING", ""))
        action = (form or {}).get("Action") or query.get("Action")
        if not action:
            return None
        protocol, operation = "query", action[0]
    if operation not in model.operation_names:
        return None
    return Call(model, model.operation_model(operation), protocol)


def _rest_call(signed: str, environ: dict[str, Any], headers: Any) -> Call | None:
    method, path = environ["REQUEST_METHOD"], environ.get("PATH_INFO") or "/"
    query = parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True)
    best: tuple[tuple[int, int, bool], Call] | None = None
    for name in SIGNING_NAMES.get(signed, (signed,)):
        model = service_model(name)
        if model is None or model.protocol not in ("rest-json", "rest-xml"):
            continue
        for route in routes(name):
            if route.method != method or not route.path.fullmatch(path):
                continue
            if not all(k in query and (v is None or v in query[k]) for k, v in route.query):
                continue
            operation = model.operation_model(route.operation)
            if not _required_envelope_present(operation, headers, query):
                continue
            # Two operations on one path (S3's GetBucketNotification, deprecated, and
            # GetBucketNotificationConfiguration): the one not deprecated.
            score = (route.literal, len(route.query), not operation.deprecated)
            if best is None or score > best[0]:
                best = (score, Call(model, operation, model.protocol))
    return best[1] if best else None


def _required_envelope_present(operation: OperationModel, headers: Any, query: Any) -> bool:
    """False when the request lacks a header or query parameter the operation requires (S3's
    CopyObject and PutObject share a path; only one of them has `x-amz-copy-source`)."""
    shape = operation.input_shape
    if shape is None:
        return True
    for name in shape.required_members:
        member = shape.members[name]
        where, key = member.serialization.get("location"), member.serialization.get("name", name)
        if where == "header" and key not in headers:
            return False
        if where == "querystring" and key not in query:
            return False
    return True


@functools.cache
def routes(service: str) -> tuple[Route, ...]:
    model = service_model(service)
    assert model is not None
    found = []
    for name in model.operation_names:
        http = model.operation_model(name).http
        uri = str(http.get("requestUri", "/"))
        path, _, query_text = uri.partition("?")
        pattern, literal = _path_pattern(path)
        query = []
        for pair in filter(None, query_text.split("&")):
            key, eq, value = pair.partition("=")
            if key != "x-id":  # botocore's own tag; older clients do not send it
                query.append((key, value if eq else None))
        found.append(Route(name, str(http.get("method")), pattern, literal, tuple(query)))
    return tuple(found)


def _path_pattern(path: str) -> tuple[re.Pattern[str], int]:
    parts, literal, last = [], 0, 0
    for label in _LABEL.finditer(path):
        text = path[last : label.start()]
        parts.append(re.escape(text))
        literal += len(text)
        parts.append("(.+)" if label.group(1).endswith("+") else "([^/]+)")
        last = label.end()
    parts.append(re.escape(path[last:]))
    literal += len(path[last:])
    pattern = "".join(parts)
    if pattern.endswith("/") and pattern != "/":
        pattern += "?"
    return re.compile(pattern), literal
