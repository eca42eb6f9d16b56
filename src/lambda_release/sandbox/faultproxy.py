"""A fault-injecting HTTP proxy on 127.0.0.1, between a client and the sandbox.

Point the helper's ``--endpoint-url`` (or ``AWS_ENDPOINT_URL``) at the proxy and
it forwards every request to the sandbox, after optionally:

- adding latency to every call (``latency``, seconds), like a real network;
- capping Lambda calls per second (``lambda_rate``, a token bucket holding at most
  one second's worth, as Lambda's limits are): ``rate_mode="delay"`` holds calls
  back until they fit, ``"throttle"`` answers 429 TooManyRequestsException as
  Lambda does; ``per_region=True`` gives each region its own bucket, as Lambda's
  quotas are per account and region (the region from the SigV4 credential scope);
- injecting faults for chosen operations (:class:`Fault`): 429, HTTP 500/503,
  a connection reset before the request is forwarded, or after it was forwarded
  (the upstream applied it, the client never hears: "did it apply?"), or a read
  timeout after forwarding (the answer is held until the client gives up), or S3's 409
  ``ConditionalRequestConflict`` (two conditional writes raced; nothing applied).

The operation is told from the request: Lambda's REST paths (``PUT
/2015-03-31/functions/F/aliases/A`` is UpdateAlias), ``X-Amz-Target`` for JSON
services (CodeDeploy), ``Action=`` for query services (CloudFormation), and the
service from the SigV4 credential scope. Every call is recorded in ``calls``.
"""

from __future__ import annotations

import http.client
import json
import re
import socket
import struct
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, urlsplit

# Faults, by kind.
THROTTLE = "429"
HTTP_500 = "500"
HTTP_503 = "503"
RESET = "reset"  # connection reset before forwarding: nothing applied
RESET_AFTER = "reset-after-forward"  # forwarded (applied), then the connection reset
TIMEOUT_AFTER = "timeout-after-forward"  # forwarded (applied), answer held back
CONFLICT = "409"  # S3 ConditionalRequestConflict: a concurrent conditional write won
KINDS = (THROTTLE, HTTP_500, HTTP_503, RESET, RESET_AFTER, TIMEOUT_AFTER, CONFLICT)

_LAMBDA_ROUTES: list[tuple[str, re.Pattern[str], str]] = [
    ("PUT", re.compile(r"^/[\d-]+/functions/[^/]+/aliases/[^/]+$"), "UpdateAlias"),
    ("GET", re.compile(r"^/[\d-]+/functions/[^/]+/aliases/[^/]+$"), "GetAlias"),
    ("DELETE", re.compile(r"^/[\d-]+/functions/[^/]+/aliases/[^/]+$"), "DeleteAlias"),
    ("GET", re.compile(r"^/[\d-]+/functions/[^/]+/aliases/?$"), "ListAliases"),
    ("POST", re.compile(r"^/[\d-]+/functions/[^/]+/aliases/?$"), "CreateAlias"),
    ("GET", re.compile(r"^/[\d-]+/functions/[^/]+/configuration$"), "GetFunctionConfiguration"),
    ("GET", re.compile(r"^/[\d-]+/functions/[^/]+/versions$"), "ListVersionsByFunction"),
    ("POST", re.compile(r"^/[\d-]+/functions/[^/]+/versions$"), "PublishVersion"),
    ("GET", re.compile(r"^/[\d-]+/functions/[^/]+$"), "GetFunction"),
]
_SCOPE = re.compile(r"Credential=[^/]+/\d+/[^/]+/([^/]+)/aws4_request")
_REGION = re.compile(r"Credential=[^/]+/\d+/([^/]+)/[^/]+/aws4_request")


@dataclass
class Fault:
    """Inject ``kind`` into the next ``times`` calls of ``operation`` (``service`` optional).

    ``after``: let that many matching calls through first. ``hold``: seconds a
    timeout-after-forward answer is held before the connection is closed.
    """

    operation: str
    kind: str
    times: int = 1
    service: str | None = None
    after: int = 0
    hold: float = 5.0
    seen: int = field(default=0, init=False)
    fired: int = field(default=0, init=False)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"fault kind {self.kind!r} is not one of {', '.join(KINDS)}")


@dataclass(frozen=True)
class Call:
    time: float
    service: str
    operation: str
    path: str
    status: int  # 0: no answer (reset or timeout)
    fault: str = ""
    body: bytes = b""  # the request body (Lambda calls only), to check what was asked
    region: str = ""  # from the SigV4 credential scope

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None


def identify(method: str, path: str, headers: Any, body: bytes) -> tuple[str, str]:
    """(service, operation) of one AWS request."""
    match = _SCOPE.search(str(headers.get("Authorization", "")))
    service = match.group(1) if match else ""
    target = str(headers.get("X-Amz-Target", ""))
    if target:
        return service, target.rsplit(".", 1)[-1]
    bare = urlsplit(path).path
    if service == "lambda" or bare.startswith("/2015-03-31/"):
        return "lambda", _lambda_operation(method, bare)
    if service == "s3":
        return service, _s3_operation(method, path, headers)
    if method == "POST" and body:
        action = parse_qs(body.decode("utf-8", "replace")).get("Action")
        if action:
            return service, action[0]
    query = parse_qs(urlsplit(path).query).get("Action")
    if query:
        return service, query[0]
    return service, f"{method} {bare}"


def region_of(headers: Any) -> str:
    """The region a request is signed for ("" when unsigned)."""
    match = _REGION.search(str(headers.get("Authorization", "")))
    return match.group(1) if match else ""


def _lambda_operation(method: str, bare: str) -> str:
    for verb, pattern, name in _LAMBDA_ROUTES:
        if verb == method and pattern.match(bare):
            return name
    return f"{method} {bare}"


_S3_OBJECT_OPERATIONS = {
    "GET": "GetObject",
    "HEAD": "HeadObject",
    "DELETE": "DeleteObject",
    "PUT": "PutObject",
}


def _s3_operation(method: str, path: str, headers: Any) -> str:
    """S3 operations of path-style requests (what clients use against 127.0.0.1)."""
    parts = urlsplit(path)
    query = parse_qs(parts.query, keep_blank_values=True)
    bucket, _, key = parts.path.lstrip("/").partition("/")
    if key and method in _S3_OBJECT_OPERATIONS:
        if method == "PUT" and headers.get("x-amz-copy-source"):
            return "CopyObject"
        return _S3_OBJECT_OPERATIONS[method]
    if bucket and method == "GET" and not key:
        return "ListObjectsV2" if query.get("list-type") == ["2"] else "ListObjects"
    return f"{method} {parts.path}"


class RateGate:
    """A token bucket like Lambda's: ``rate`` tokens a second, at most ``rate`` saved up.

    A call takes a token; with none left it waits for one (``delay``) or is refused (429).
    """

    def __init__(self, rate: float) -> None:
        self.rate = rate
        self._tokens = rate
        self._at = time.monotonic()
        self._lock = threading.Lock()

    def _take(self, now: float) -> float:
        self._tokens = min(self.rate, self._tokens + (now - self._at) * self.rate)
        self._at = now
        if self._tokens >= 1.0:
            self._tokens -= 1.0
            return 0.0
        return (1.0 - self._tokens) / self.rate

    def admit(self, wait: bool) -> bool:
        while True:
            with self._lock:
                delay = self._take(time.monotonic())
            if delay <= 0:
                return True
            if not wait:
                return False
            time.sleep(delay)


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        return  # resets and timeouts are on purpose: no tracebacks


class FaultProxy:
    """The proxy; a context manager. ``url`` is what clients use as their endpoint."""

    def __init__(
        self,
        upstream: str,
        *,
        latency: float = 0.0,
        lambda_rate: float | None = None,
        rate_mode: str = "delay",
        port: int = 0,
        get_function_rate: float | None = None,
        per_region: bool = False,
    ) -> None:
        if rate_mode not in ("delay", "throttle"):
            raise ValueError(f"rate_mode {rate_mode!r}: use delay or throttle")
        parts = urlsplit(upstream)
        self.upstream_host = parts.hostname or "127.0.0.1"
        self.upstream_port = parts.port or 80
        self.latency = latency
        self.rate_mode = rate_mode
        self.gate = RateGate(lambda_rate) if lambda_rate else None
        # Lambda's quotas page gives GetFunction its own budget (100/s) apart from the
        # control plane's 15/s: with ``get_function_rate`` it is paced by its own bucket.
        self.get_function_gate = RateGate(get_function_rate) if get_function_rate else None
        self.lambda_rate, self.get_function_rate = lambda_rate, get_function_rate
        # per_region: one pair of buckets per region, made at its first call.
        self.per_region = per_region
        self._region_gates: dict[tuple[str, bool], RateGate] = {}
        self.faults: list[Fault] = []
        self.calls: list[Call] = []
        self.on_call: Callable[[Call], None] | None = None
        self._lock = threading.Lock()
        # Requests being served: a test that kills a client waits for the ones it left
        # queued at a rate gate to be decided before it changes the faults.
        self._in_flight = 0
        self._idle = threading.Condition(self._lock)
        self._server = _QuietServer(("127.0.0.1", port), self._handler())
        self._thread: threading.Thread | None = None

    # lifecycle ------------------------------------------------------------------------
    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def start(self) -> FaultProxy:
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> FaultProxy:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # controls ---------------------------------------------------------------------------
    def inject(self, fault: Fault) -> Fault:
        with self._lock:
            self.faults.append(fault)
        return fault

    def clear(self) -> None:
        with self._lock:
            self.faults.clear()
            self.calls.clear()

    def wait_idle(self, timeout: float = 60.0) -> bool:
        """Wait until no request is being served; False if ``timeout`` passed first."""
        with self._idle:
            return self._idle.wait_for(lambda: self._in_flight == 0, timeout=timeout)

    def count(self, operation: str | None = None, service: str | None = None) -> int:
        with self._lock:
            return sum(
                1
                for c in self.calls
                if (operation is None or c.operation == operation)
                and (service is None or c.service == service)
            )

    def _fault_for(self, service: str, operation: str) -> Fault | None:
        with self._lock:
            for f in self.faults:
                if f.operation != operation or (f.service and f.service != service):
                    continue
                f.seen += 1
                if f.seen > f.after and f.fired < f.times:
                    f.fired += 1
                    return f
        return None

    def _record(self, call: Call) -> None:
        with self._lock:
            self.calls.append(call)
        if self.on_call is not None:
            self.on_call(call)

    # the handler ------------------------------------------------------------------------
    def _handler(self) -> type[BaseHTTPRequestHandler]:
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                return

            def _any(self) -> None:
                with proxy._idle:
                    proxy._in_flight += 1
                try:
                    proxy._serve(self)
                finally:
                    with proxy._idle:
                        proxy._in_flight -= 1
                        proxy._idle.notify_all()

            do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = do_PATCH = _any

        return Handler

    def _serve(self, h: BaseHTTPRequestHandler) -> None:
        length = int(h.headers.get("Content-Length") or 0)
        body = h.rfile.read(length) if length else b""
        service, operation = identify(h.command, h.path, h.headers, body)
        kept = body if service == "lambda" else b""
        if self.latency:
            time.sleep(self.latency)
        region = region_of(h.headers)
        gate = self._gate(service, operation, region)
        if gate is not None and not gate.admit(wait=self.rate_mode == "delay"):
            self._record(Call(time.time(), service, operation, h.path, 429, "rate", kept, region))
            self._error(h, 429, "TooManyRequestsException", "Rate exceeded")
            return
        fault = self._fault_for(service, operation)
        kind = fault.kind if fault else ""
        if kind == RESET:
            self._record(Call(time.time(), service, operation, h.path, 0, kind, kept, region))
            self._reset(h)
            return
        if kind in (THROTTLE, HTTP_500, HTTP_503):
            status = int(kind)
            code = {429: "TooManyRequestsException", 500: "ServiceException"}.get(
                status, "ServiceUnavailable"
            )
            self._record(Call(time.time(), service, operation, h.path, status, kind, kept, region))
            self._error(h, status, code, f"injected {status}")
            return
        if kind == CONFLICT:
            self._record(Call(time.time(), service, operation, h.path, 409, kind, kept, region))
            self._s3_error(
                h,
                409,
                "ConditionalRequestConflict",
                "A conflicting operation occurred. If using PutObject you can retry the request.",
            )
            return
        status, reason, headers, payload = self._forward(h, body)
        if kind in (RESET_AFTER, TIMEOUT_AFTER):
            self._record(Call(time.time(), service, operation, h.path, 0, kind, kept, region))
            if kind == TIMEOUT_AFTER and fault is not None:
                time.sleep(fault.hold)
            self._reset(h)
            return
        self._record(Call(time.time(), service, operation, h.path, status, "", kept, region))
        h.send_response(status, reason)
        for k, v in headers:
            # send_response wrote Date and Server already: one of each, as AWS sends.
            skip = ("transfer-encoding", "connection", "content-length", "date", "server")
            if k.lower() not in skip:
                h.send_header(k, v)
        h.send_header("Content-Length", str(len(payload)))
        h.end_headers()
        if h.command != "HEAD":
            h.wfile.write(payload)

    def _forward(
        self, h: BaseHTTPRequestHandler, body: bytes
    ) -> tuple[int, str, list[tuple[str, str]], bytes]:
        conn = http.client.HTTPConnection(self.upstream_host, self.upstream_port, timeout=120)
        try:
            headers = {k: v for k, v in h.headers.items() if k.lower() != "connection"}
            conn.request(h.command, h.path, body=body or None, headers=headers)
            resp = conn.getresponse()
            payload = resp.read()
            return resp.status, resp.reason, resp.getheaders(), payload
        finally:
            conn.close()

    def _gate(self, service: str, operation: str, region: str) -> RateGate | None:
        """The bucket a call is paced by: Lambda's control plane, or GetFunction's own
        (per region with ``per_region``); None for other services."""
        if service != "lambda":
            return None
        own = operation == "GetFunction" and self.get_function_gate is not None
        if not self.per_region:
            return self.get_function_gate if own else self.gate
        rate = self.get_function_rate if own else self.lambda_rate
        if not rate:
            return None
        with self._lock:
            return self._region_gates.setdefault((region, own), RateGate(rate))

    @staticmethod
    def _error(h: BaseHTTPRequestHandler, status: int, code: str, message: str) -> None:
        payload = json.dumps({"__type": code, "message": message, "Message": message}).encode()
        h.send_response(status)
        h.send_header("Content-Type", "application/json")
        h.send_header("x-amzn-ErrorType", code)
        h.send_header("Content-Length", str(len(payload)))
        h.end_headers()
        h.wfile.write(payload)

    @staticmethod
    def _s3_error(h: BaseHTTPRequestHandler, status: int, code: str, message: str) -> None:
        payload = (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            f"<Error><Code>{code}</Code><Message>{message}</Message></Error>"
        ).encode()
        h.send_response(status)
        h.send_header("Content-Type", "application/xml")
        h.send_header("Content-Length", str(len(payload)))
        h.end_headers()
        h.wfile.write(payload)

    @staticmethod
    def _reset(h: BaseHTTPRequestHandler) -> None:
        """Close with RST (SO_LINGER 0): the client sees 'connection reset by peer'."""
        sock: socket.socket = h.connection
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            sock.close()
        except OSError:
            pass
        h.close_connection = True
