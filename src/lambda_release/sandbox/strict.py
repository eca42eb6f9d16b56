"""Strict mode: every answer the stand-in sends checked against botocore's model of AWS's API.

A success must have the operation's output shape (`model_check`); an error must be one the
operation documents (code and HTTP status), or one of the errors common to every AWS API
(`COMMON_ERRORS`). What does not is recorded as a violation naming the operation and the
member; the pytest plugin fails the test during which it was sent. Every checked call is
counted by operation, and calls the product made (its user agent) separately, so that a run
can show what it exercised.

The answer is checked after the sandbox's corrections of moto's answers (`answer_fixes`):
what is checked is what the client receives.
"""

from __future__ import annotations

import functools
import io
import json
import threading
import time
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qs

from botocore.model import StructureShape
from botocore.parsers import create_parser
from werkzeug.datastructures import EnvironHeaders

from lambda_release.sandbox import answer_fixes, model_check
from lambda_release.sandbox.model_routes import Call, identify, service_model

# AWS's "Common Errors" (the same page in every service's API reference, e.g.
# https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/CommonErrors.html): any
# operation may answer them, so the models do not list them per operation.
COMMON_ERRORS = {
    "AccessDeniedException": 400,
    "IncompleteSignature": 400,
    "InternalFailure": 500,
    "InvalidAction": 400,
    "InvalidClientTokenId": 403,
    "NotAuthorized": 400,
    "OptInRequired": 403,
    "RequestExpired": 400,
    "ServiceUnavailable": 503,
    "ThrottlingException": 400,
    "ValidationError": 400,
}
# JSON protocols name the validation error `ValidationException` (Lambda's and CodeDeploy's
# "1 validation error detected" answers); the query protocol `ValidationError`.
JSON_COMMON_ERRORS = {"ValidationException": 400}
# S3 documents its error codes in one table, not per operation
# (https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html#ErrorCodeList): the
# ones a run may meet. A HEAD answer has no body, so its code is its status.
S3_ERRORS = {
    "AccessDenied": 403,
    "BucketAlreadyOwnedByYou": 409,
    "BucketNotEmpty": 409,
    "ConditionalRequestConflict": 409,
    "InvalidArgument": 400,
    "InvalidBucketName": 400,
    "NoSuchBucket": 404,
    "NoSuchKey": 404,
    "NoSuchUpload": 404,
    "PreconditionFailed": 412,
    "NotModified": 304,
    "404": 404,
    "403": 403,
    "412": 412,
    "304": 304,
}
# Where AWS sends values beyond an enum of its model: (service, shape) -> the shape whose values
# it may also take. A stack's own events (`AWS::CloudFormation::Stack`) carry the stack's
# status, `REVIEW_IN_PROGRESS` and `UPDATE_COMPLETE_CLEANUP_IN_PROGRESS` among them, which the
# model's `ResourceStatus` lacks (https://docs.aws.amazon.com/AWSCloudFormation/latest/
# UserGuide/using-cfn-updating-stacks-monitor-stack.html, view-stack-events.html).
WIDENED_ENUMS = {("cloudformation", "ResourceStatus"): "StackStatus"}
PRODUCT_AGENT = "lambda-release/"
MAX_PROBLEMS = 5  # per answer: the first few name the member; the rest are the same kind


class Checks:
    """What strict mode found and saw, shared by every request thread."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.violations: list[str] = []
        self.calls: Counter[str] = Counter()  # "service Operation" -> answers checked
        self.errors: Counter[str] = Counter()  # "service Operation Code" -> error answers
        self.product_calls: Counter[str] = Counter()  # made by the product (its user agent)
        self.seconds = 0.0  # spent checking

    def record(
        self, call: Call, status: int, problems: list[str], product: bool, took: float
    ) -> None:
        with self._lock:
            self.seconds += took
            self.calls[call.name] += 1
            if product:
                self.product_calls[call.name] += 1
            self.violations.extend(f"{call.name} (HTTP {status}): {p}" for p in problems)

    def record_error(self, call: Call, code: str) -> None:
        with self._lock:
            self.errors[f"{call.name} {code}"] += 1

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            return {
                "calls": dict(self.calls),
                "errors": dict(self.errors),
                "product_calls": dict(self.product_calls),
                "violations": list(self.violations),
                "check_seconds": round(self.seconds, 3),
            }


CHECKS = Checks()


def check_answer(call: Call, status: int, headers: Any, body: bytes) -> tuple[list[str], str]:
    """The answer's problems, and its error code ('' for a success)."""
    if status >= 300:
        return check_error(call, status, headers, body)
    output = call.operation.output_shape
    problems: list[str] = []
    path = call.operation.name
    expected = int(call.operation.http.get("responseCode", 200))
    if status != expected and not _status_is_data(output):
        problems.append(f"{path}: HTTP {status} for a success, the model's is {expected}")
    wide = _widened(call.service.service_name)
    try:
        if output is None:
            _check_no_output(call, body, problems)
        elif call.protocol in ("json", "smithy-rpc-v2-cbor"):
            model_check.check_value(output, _decode(call, body), path, problems, wide)
        elif call.protocol == "query":
            _check_query(output, body, path, problems, wide)
        else:
            _check_rest(call, output, headers, body, problems, wide)
    except (ValueError, ET.ParseError, UnicodeDecodeError) as exc:
        problems.append(f"{path}: the body does not parse as {call.protocol}: {exc}")
    return problems[:MAX_PROBLEMS], ""


def _status_is_data(output: StructureShape | None) -> bool:
    """The model returns the HTTP status as a member (Invoke's, DeleteFunction's StatusCode):
    any success status is then the answer's data, not a fixed code."""
    members = output.members.values() if output is not None else ()
    return any(m.serialization.get("location") == "statusCode" for m in members)


@functools.cache
def _widened(service: str) -> model_check.Widened:
    model = service_model(service)
    assert model is not None
    return {
        shape: frozenset(getattr(model.shape_for(other), "enum", ()))
        for (name, shape), other in WIDENED_ENUMS.items()
        if name == service
    }


def _decode(call: Call, body: bytes) -> Any:
    if not body:
        return {}
    if call.protocol == "smithy-rpc-v2-cbor":
        parser: Any = create_parser("smithy-rpc-v2-cbor")  # botocore's CBOR decoder
        return parser._initial_body_parse(body)
    return json.loads(body)


def _check_no_output(call: Call, body: bytes, problems: list[str]) -> None:
    if call.protocol in ("json", "rest-json") and body.strip() not in (b"", b"{}"):
        problems.append(
            f"{call.operation.name}: the model has no output, the body is {body[:80]!r}"
        )


def _check_query(
    output: StructureShape, body: bytes, path: str, problems: list[str], wide: model_check.Widened
) -> None:
    root = ET.fromstring(body)  # noqa: S314 - our own server's answer
    wrapper = output.serialization.get("resultWrapper")
    for child in root:
        tag = model_check.local_name(child.tag)
        if tag == wrapper:
            model_check.check_xml(output, child, path, problems, wide)
        elif tag != "ResponseMetadata":
            problems.append(f"{path}: <{tag}> beside <{wrapper}> in the answer")


def _check_rest(
    call: Call,
    output: StructureShape,
    headers: Any,
    body: bytes,
    problems: list[str],
    wide: model_check.Widened,
) -> None:
    path = call.operation.name
    for name, member in output.members.items():
        if member.serialization.get("location") != "header":
            continue
        value = headers.get(member.serialization.get("name", name))
        if value is None or member.type_name in ("timestamp", "string"):
            continue
        if problem := model_check.scalar_problem(member, value, from_text=True):
            problems.append(f"{path}.{name} (header): {problem}")
    payload = output.serialization.get("payload")
    shape: Any = output.members[payload] if payload else output
    if shape.type_name != "structure" or not body.strip():
        return  # a blob or string payload (Invoke's, GetObject's), or no body
    if call.protocol == "rest-json":
        model_check.check_value(shape, json.loads(body), path, problems, wide)
    else:
        model_check.check_xml(shape, ET.fromstring(body), path, problems, wide)  # noqa: S314


def check_error(call: Call, status: int, headers: Any, body: bytes) -> tuple[list[str], str]:
    """Is this error one the operation documents, with its status? ([problem], code)."""
    parser = create_parser(call.protocol)
    try:
        parsed = parser.parse(
            {"status_code": status, "headers": headers, "body": body},
            call.operation.output_shape,  # type: ignore[arg-type]
        )
        code = str(parsed.get("Error", {}).get("Code") or status)
    except Exception as exc:
        return [f"{call.operation.name}: the error answer does not parse: {exc}"], str(status)
    allowed = documented_errors(call)
    if code not in allowed:
        return [
            f"error {code} is not documented for {call.operation.name} "
            f"(documented: {', '.join(sorted(allowed))})"
        ], code
    if allowed[code] is not None and allowed[code] != status:
        return [f"error {code} has HTTP status {allowed[code]} in the model, not {status}"], code
    return [], code


def documented_errors(call: Call) -> dict[str, int | None]:
    """Error code -> HTTP status (None: the model gives none) the operation may answer."""
    allowed: dict[str, int | None] = dict(COMMON_ERRORS)
    if call.protocol != "query":
        allowed.update(JSON_COMMON_ERRORS)
    if call.service.service_name == "s3":
        allowed.update(S3_ERRORS)
    for shape in call.operation.error_shapes:
        error = shape.metadata.get("error", {})
        status = error.get("httpStatusCode")
        allowed[shape.name] = status
        if "code" in error:  # the query protocol's name for it (awsQueryCompatible too)
            allowed[str(error["code"])] = status
    return allowed


# WSGI -----------------------------------------------------------------------------------------


class StrictApp:
    """WSGI middleware around moto's app: corrects every answer to a signed call as AWS gives
    it (answer_fixes, always) and, in strict mode (`checks`), checks it against the model."""

    def __init__(self, app: Callable[..., Iterable[bytes]], checks: Checks | None = CHECKS) -> None:
        self.app = app
        self.checks = checks

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        headers = EnvironHeaders(environ)
        whole = _buffer_body(environ)
        call = identify(environ, headers, _form(environ))
        if call is None or (self.checks is None and not answer_fixes.corrects(call)):
            return self.app(environ, start_response)
        if not whole:
            # The caller hung up part-way through its body (a killed process): moto's 400
            # for the body that never came goes to nobody, so there is no answer to check.
            return self.app(environ, start_response)
        got: dict[str, Any] = {}
        chunks: list[bytes] = []

        def capture(status: str, response_headers: list[Any], exc_info: Any = None) -> Any:
            got["status"], got["headers"] = status, response_headers
            return chunks.append

        result = self.app(environ, capture)
        try:
            chunks.extend(result)
        finally:
            close = getattr(result, "close", None)
            if close is not None:
                close()
        status, answer_headers = got["status"], list(got["headers"])
        body = b"".join(chunks)
        status, body, answer_headers = answer_fixes.fix(call, status, answer_headers, body)
        if self.checks is not None:
            self._check(call, int(status.split()[0]), answer_headers, body, headers)
        start_response(status, answer_headers)
        return [body]

    def _check(
        self, call: Call, status: int, answer_headers: list[Any], body: bytes, request: Any
    ) -> None:
        assert self.checks is not None
        started = time.perf_counter()
        lowered = _HeaderMap(answer_headers)
        problems, code = check_answer(call, status, lowered, body)
        product = PRODUCT_AGENT in request.get("User-Agent", "")
        self.checks.record(call, status, problems, product, time.perf_counter() - started)
        if code:
            self.checks.record_error(call, code)


class _HeaderMap(dict[str, str]):
    """Response headers looked up in any case, as botocore's parsers do."""

    def __init__(self, pairs: list[Any]) -> None:
        super().__init__((str(k).lower(), str(v)) for k, v in pairs)

    def get(self, key: str, default: Any = None) -> Any:
        return super().get(key.lower(), default)

    def __contains__(self, key: object) -> bool:
        return super().__contains__(str(key).lower())

    def __getitem__(self, key: str) -> str:
        return super().__getitem__(key.lower())


def _buffer_body(environ: dict[str, Any]) -> bool:
    """Read the body the request declares (``Content-Length``) and put it back for moto as a
    buffer; whether all of it arrived. A chunked body (no length) is left as it is."""
    declared = environ.get("CONTENT_LENGTH")
    if not declared or environ.get("wsgi.input_terminated"):
        return True
    length = int(declared)
    try:
        body = environ["wsgi.input"].read(length)
    except OSError:
        body = b""
    environ["wsgi.input"] = io.BytesIO(body)
    environ["CONTENT_LENGTH"] = str(len(body))
    return len(body) == length


def _form(environ: dict[str, Any]) -> dict[str, list[str]] | None:
    """A form body's fields (the query protocol's Action), from the body buffered by
    :func:`_buffer_body` (put back for moto)."""
    if "x-www-form-urlencoded" not in environ.get("CONTENT_TYPE", ""):
        return None
    stream = environ["wsgi.input"]
    if not isinstance(stream, io.BytesIO):
        return {}  # no length declared: no body read
    return parse_qs(stream.getvalue().decode("utf-8", "replace"))
