"""A report posted to GitHub: a pull request's comment, or a deployment and its status.

Through GitHub's REST API with ``urllib`` (no dependency): ``POST
/repos/{owner}/{repo}/issues/{number}/comments``, ``POST /repos/{owner}/{repo}/deployments``
then ``POST .../deployments/{id}/statuses``. The token comes from ``GITHUB_TOKEN`` (a
CircleCI context) and goes only into the ``Authorization`` header: never printed, never
sent over plain HTTP to another host than this machine, never handed on by a redirect.
"""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from lambda_release.errors import OperationError, UsageError
from lambda_release.text import visible

TOKEN_ENV = "GITHUB_TOKEN"  # noqa: S105 (the variable's name, not a token)
DEFAULT_API = "https://api.github.com"
API_VERSION = "2022-11-28"
# GitHub refuses a comment body over 65,536 characters (422 "body is too long").
COMMENT_LIMIT = 65_536
# A deployment's and a status's description: at most 140 characters.
DESCRIPTION_LIMIT = 140
POSTS = ("github-comment", "github-deployment")
_REPO = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})/[A-Za-z0-9._-]{1,100}")
_LOOPBACK = ("127.0.0.1", "localhost", "::1")
# The state of a deployment, from the release's outcome.
STATES = {
    "succeeded": "success",
    "no-change": "success",
    "failed": "failure",
    "partial": "error",
    "unknown": "error",
    "pending": "in_progress",
}


@dataclass(frozen=True)
class GitHub:
    """Where to post, and the token (kept out of repr, so no traceback shows it)."""

    api_url: str
    repository: str
    token: str = field(repr=False)


def api_url_of(url: str | None) -> str:
    """The API's base URL: https (plain http only to this machine: the tests' stand-in)."""
    api = (url or DEFAULT_API).rstrip("/")
    parts = urllib.parse.urlsplit(api)
    local = parts.scheme == "http" and parts.hostname in _LOOPBACK
    if not (parts.scheme == "https" or local) or not parts.hostname:
        raise UsageError(
            f"--github-api-url {visible(url)!r} is not an https URL: give GitHub Enterprise's "
            "API (https://HOST/api/v3), or leave it out for https://api.github.com"
        )
    return api


def token_of(environ: Mapping[str, str]) -> str:
    """The token in ``GITHUB_TOKEN``; missing or broken, bad input saying where it goes."""
    token = environ.get(TOKEN_ENV, "").strip()
    if not token:
        raise UsageError(
            f"{TOKEN_ENV} is not set: put a token that may write pull requests (or "
            "deployments) into a CircleCI context as GITHUB_TOKEN and give the job that "
            "context, or export it in this shell"
        )
    if any(c.isspace() or not c.isprintable() for c in token):
        raise UsageError(f"{TOKEN_ENV} holds a space or control character: copy the token again")
    return token


def api_of(url: str | None, repository: str | None, environ: Mapping[str, str]) -> GitHub:
    """The API to post to, checked: its URL, a repository ``owner/name``, the token."""
    api = api_url_of(url)
    if not repository:
        raise UsageError(
            "no repository to post to: give --github-repository OWNER/NAME (in CircleCI it is "
            "read from CIRCLE_PROJECT_USERNAME and CIRCLE_PROJECT_REPONAME)"
        )
    if not _REPO.fullmatch(repository):
        raise UsageError(
            f"--github-repository {visible(repository)!r} is not OWNER/NAME: give it as "
            "GitHub spells it, e.g. my-org/my-lambda"
        )
    return GitHub(api, repository, token_of(environ))


def pull_request_of(value: str | None, environ: Mapping[str, str]) -> int:
    """The pull request's number: ``--pull-request``, else CircleCI's CIRCLE_PULL_REQUEST
    (the pull request's URL, whose last part is its number)."""
    given = value or environ.get("CIRCLE_PULL_REQUEST", "").rstrip("/").rpartition("/")[2]
    if not given:
        raise UsageError(
            "no pull request to comment on: give --pull-request N (CircleCI sets "
            "CIRCLE_PULL_REQUEST only on a branch with an open pull request)"
        )
    if not given.isdigit() or not 0 < int(given) < 2**31:
        raise UsageError(f"--pull-request {visible(given)!r} is not a pull request's number")
    return int(given)


def comment_body(markdown: str, limit: int = COMMENT_LIMIT) -> str:
    """The Markdown as a comment: control characters other than line breaks shown escaped,
    and cut at a line within GitHub's limit, with a note saying so, when it is longer."""
    text = "\n".join(visible(line) for line in markdown.replace("\r\n", "\n").split("\n"))
    if len(text) <= limit:
        return text
    note = (
        f"\n\n*(report cut at {{shown:,}} of {len(text):,} characters: GitHub's comments hold "
        f"{limit:,}; the whole report is in the job's artifacts, report.md)*\n"
    )
    room = limit - len(note.format(shown=limit))
    cut = text.rfind("\n", 0, room)
    shown = text[: cut if cut > 0 else room]
    return shown + note.format(shown=len(shown))


def short(text: str, limit: int = DESCRIPTION_LIMIT) -> str:
    one = " ".join(visible(text).split())
    return one if len(one) <= limit else one[: limit - 1] + "…"


def deployment_request(facts: Mapping[str, Any], ref: str) -> dict[str, Any]:
    """The deployment a release is on GitHub: its commit, its environment, no checks asked
    (the release has happened; GitHub must not refuse it for a commit's statuses)."""
    kind = "Rollback" if facts["kind"] == "rollback" else "Release"
    return {
        "ref": ref,
        "environment": facts.get("environment") or facts.get("alias") or "production",
        "description": short(f"{kind} {facts['id']} of {facts['stack']} {facts['alias']}"),
        "auto_merge": False,
        "required_contexts": [],
        "production_environment": facts.get("environment") == "prod",
        "payload": {"release_id": facts["id"], "stack": facts["stack"], "alias": facts["alias"]},
    }


def status_request(facts: Mapping[str, Any]) -> dict[str, Any]:
    """The deployment's status: the outcome and the first why, in GitHub's 140 characters."""
    why = list(facts.get("why") or [])
    body: dict[str, Any] = {
        "state": STATES.get(str(facts["outcome"]), "error"),
        "description": short(f"{facts['outcome']}" + (f": {why[0]}" if why else "")),
        "environment": facts.get("environment") or facts.get("alias") or "production",
    }
    url = str((facts.get("who") or {}).get("job_url") or "")
    if url.startswith("https://"):
        body["log_url"] = url
    return body


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect is refused: urllib would hand the Authorization header to its target."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


def headers(gh: GitHub) -> dict[str, str]:
    return {
        "Accept": "application/vnd.github+json",
        "Authorization": f"Bearer {gh.token}",
        "X-GitHub-Api-Version": API_VERSION,
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": "lambda-release",
    }


def call(gh: GitHub, path: str, body: Mapping[str, Any], timeout: float = 30) -> dict[str, Any]:
    """``POST`` ``body`` to ``path``; GitHub's answer, or one line saying what to fix."""
    data = json.dumps(body, ensure_ascii=False).encode("utf-8")
    # S310: api_of allows https, and plain http only to this machine
    req = urllib.request.Request(  # noqa: S310
        gh.api_url + path, data=data, headers=headers(gh), method="POST"
    )
    try:
        with _OPENER.open(req, timeout=timeout) as resp:
            raw = resp.read()
    except urllib.error.HTTPError as exc:
        raise refused(gh, path, exc.code, exc.read()) from None
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        raise OperationError(
            f"cannot reach {gh.api_url} for POST {path}: {said(gh, str(reason))}; check "
            "--github-api-url and the network, then run again"
        ) from None
    try:
        answer = json.loads(raw or b"{}")
    except ValueError:
        answer = None
    if not isinstance(answer, dict):
        raise OperationError(f"POST {path}: GitHub's answer is not a JSON object")
    return answer


def said(gh: GitHub, text: str) -> str:
    """The server's words, one line, short, the token masked on its way through (a server
    or proxy may echo the request back)."""
    return short(text.replace(gh.token, "*****"), 300)


HINTS = {
    401: "the token in GITHUB_TOKEN was refused: make a new one and update the context",
    403: "the token may not do this: it needs pull requests (comments) or deployments: write",
    404: "no such repository or pull request, or the token cannot see it",
    422: "GitHub refused the request's content",
}


def refused(gh: GitHub, path: str, status: int, raw: bytes) -> Exception:
    try:
        answer = json.loads(raw)
        message = str(answer.get("message") or "") if isinstance(answer, dict) else ""
        errors = answer.get("errors") if isinstance(answer, dict) else None
        if errors:
            message += f" ({json.dumps(errors)[:200]})"
    except ValueError:
        message = raw[:200].decode("utf-8", "replace")
    hint = HINTS.get(status, "GitHub failed: run again later")
    line = f"GitHub answered {status} to POST {path}: {said(gh, message) or '-'}; {hint}"
    return UsageError(line) if status in HINTS else OperationError(line)


def post_comment(gh: GitHub, number: int, markdown: str) -> str:
    """The comment's URL."""
    path = f"/repos/{gh.repository}/issues/{number}/comments"
    answer = call(gh, path, {"body": comment_body(markdown)})
    return str(answer.get("html_url") or answer.get("url") or "")


def post_deployment(gh: GitHub, facts: Mapping[str, Any], ref: str) -> str:
    """The deployment made and its status set; the status's URL."""
    made = call(gh, f"/repos/{gh.repository}/deployments", deployment_request(facts, ref))
    did = made.get("id")
    if not isinstance(did, int):  # 202: GitHub merged the default branch in instead
        raise OperationError(
            f"GitHub made no deployment for {ref}: {said(gh, str(made.get('message') or '-'))}"
        )
    path = f"/repos/{gh.repository}/deployments/{did}/statuses"
    answer = call(gh, path, status_request(facts))
    return str(answer.get("url") or "")
