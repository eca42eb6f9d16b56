"""A stand-in of GitHub's REST API on 127.0.0.1, for the report's posts (never GitHub).

It checks what GitHub checks of the three calls the helper makes (``POST
/repos/{owner}/{repo}/issues/{n}/comments``, ``POST /repos/{owner}/{repo}/deployments``,
``POST /repos/{owner}/{repo}/deployments/{id}/statuses``): the method and path, the headers
GitHub documents (``Authorization: Bearer``, ``Accept: application/vnd.github+json``,
``X-GitHub-Api-Version``), and a JSON body of the documented shape and limits (a comment's
65,536 characters, a description's 140). It answers as GitHub does (201 and the object, or
401/404/415/422 with GitHub's ``message``), records every request, and can be told to answer
the next request with a status of the test's choosing.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

API_VERSION = "2022-11-28"
STATES = {"error", "failure", "inactive", "in_progress", "queued", "pending", "success"}
_COMMENTS = re.compile(r"/repos/([^/]+)/([^/]+)/issues/(\d+)/comments")
_DEPLOYMENTS = re.compile(r"/repos/([^/]+)/([^/]+)/deployments")
_STATUSES = re.compile(r"/repos/([^/]+)/([^/]+)/deployments/(\d+)/statuses")


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: Any


@dataclass
class GitHubStandIn:
    token: str
    repository: str = "my-org/my-lambda"
    pull_requests: set[int] = field(default_factory=lambda: {42})
    requests: list[Request] = field(default_factory=list)
    # (status, JSON answer) for the next request, whatever it is.
    answer_next: tuple[int, Any] | None = None
    deployments: dict[int, dict[str, Any]] = field(default_factory=dict)
    url: str = ""

    def answer(self, req: Request) -> tuple[int, Any]:
        self.requests.append(req)
        if self.answer_next is not None:
            forced, self.answer_next = self.answer_next, None
            return forced
        if req.headers.get("authorization") != f"Bearer {self.token}":
            return 401, {"message": "Bad credentials"}
        if req.headers.get("accept") != "application/vnd.github+json":
            return 415, {"message": "Unsupported 'Accept' header"}
        if req.headers.get("x-github-api-version") != API_VERSION:
            return 400, {"message": "Unsupported API version"}
        if req.method != "POST" or not isinstance(req.body, dict):
            return 400, {"message": "Problems parsing JSON"}
        return self.route(req)

    def route(self, req: Request) -> tuple[int, Any]:
        for pattern, handler in (
            (_COMMENTS, self.comment),
            (_STATUSES, self.status),
            (_DEPLOYMENTS, self.deployment),
        ):
            found = pattern.fullmatch(req.path)
            if found:
                if f"{found.group(1)}/{found.group(2)}" != self.repository:
                    return 404, {"message": "Not Found"}
                return handler(req.body, found.groups()[2:])
        return 404, {"message": "Not Found"}

    def comment(self, body: dict[str, Any], ids: tuple[str, ...]) -> tuple[int, Any]:
        number = int(ids[0])
        if number not in self.pull_requests:
            return 404, {"message": "Not Found"}
        text = body.get("body")
        if not isinstance(text, str) or not text:
            return 422, invalid("IssueComment", "body", "missing_field")
        if len(text) > 65_536:
            return 422, invalid(
                "IssueComment", "body", "custom", "body is too long (maximum is 65536 characters)"
            )
        html = f"https://github.com/{self.repository}/pull/{number}#issuecomment-1"
        return 201, {"id": 1, "body": text, "html_url": html}

    def deployment(self, body: dict[str, Any], _ids: tuple[str, ...]) -> tuple[int, Any]:
        if not isinstance(body.get("ref"), str) or not body["ref"]:
            return 422, invalid("Deployment", "ref", "missing_field")
        if len(str(body.get("description") or "")) > 140:
            return 422, invalid("Deployment", "description", "too_long")
        did = len(self.deployments) + 1
        self.deployments[did] = body
        return 201, {"id": did, "ref": body["ref"], "environment": body.get("environment")}

    def status(self, body: dict[str, Any], ids: tuple[str, ...]) -> tuple[int, Any]:
        did = int(ids[0])
        if did not in self.deployments:
            return 404, {"message": "Not Found"}
        if body.get("state") not in STATES:
            return 422, invalid("DeploymentStatus", "state", "invalid")
        if len(str(body.get("description") or "")) > 140:
            return 422, invalid("DeploymentStatus", "description", "too_long")
        url = f"{self.url}/repos/{self.repository}/deployments/{did}/statuses/1"
        return 201, {"id": 1, "state": body["state"], "url": url}


def invalid(resource: str, fld: str, code: str, message: str = "") -> dict[str, Any]:
    error = {"resource": resource, "field": fld, "code": code}
    if message:
        error["message"] = message
    return {"message": "Validation Failed", "errors": [error]}


def _handler(api: GitHubStandIn) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.handle_any()

        def do_GET(self) -> None:
            self.handle_any()

        def handle_any(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length)
            try:
                body = json.loads(raw.decode("utf-8")) if raw else None
            except ValueError:
                body = raw
            headers = {k.lower(): v for k, v in self.headers.items()}
            status, answer = api.answer(Request(self.command, self.path, headers, body))
            data = json.dumps(answer).encode()
            self.send_response(status)
            if isinstance(answer, dict) and "location" in answer:
                self.send_header("Location", str(answer["location"]))
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: Any) -> None:
            return

    return Handler


@contextmanager
def github_standin(token: str) -> Iterator[GitHubStandIn]:
    """The stand-in serving on 127.0.0.1 (a free port) for the ``with`` block."""
    api = GitHubStandIn(token)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(api))
    api.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield api
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
