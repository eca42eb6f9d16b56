"""Posting a report to GitHub, as a hostile user and a failing API would have it: the token
never printed (not even when the API echoes it), every refusal one line with the fix and the
documented exit code, a report too long for a comment cut with a note, control characters
shown escaped, a redirect never followed (urllib would hand it the token)."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from lambda_release.sandbox.server import Sandbox
from lambda_release.text import visible
from tests.support.github_api import GitHubStandIn, github_standin
from tests.support.processes import Cli
from tests.support.report_pages import parse_markdown
from tests.support.written_log import WrittenLog

TOKEN = "ghp_" + "H0st1leT0ken" * 3
COMMENT = ("--post", "github-comment", "--pull-request", "42")


@pytest.fixture
def api() -> Iterator[GitHubStandIn]:
    with github_standin(TOKEN) as api:
        yield api


@pytest.fixture
def written(sandbox: Sandbox) -> WrittenLog:
    return WrittenLog(sandbox)


def post(
    lr: Cli,
    env: dict[str, str],
    written: WrittenLog,
    url: str,
    *args: str,
    token: str | None = TOKEN,
) -> subprocess.CompletedProcess[str]:
    run_env = dict(env)
    run_env.pop("GITHUB_TOKEN", None)
    if token is not None:
        run_env["GITHUB_TOKEN"] = token
    return lr("report", *written.args(), "--github-api-url", url, *args, env=run_env)


def one_line(p: subprocess.CompletedProcess[str]) -> str:
    assert "Traceback" not in p.stderr
    assert TOKEN not in p.stdout + p.stderr
    lines = [line for line in p.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, p.stderr
    return lines[0]


def test_no_token_is_bad_input_that_says_how_to_fix_it(
    lr: Cli, sandbox_env: dict[str, str], written: WrittenLog, api: GitHubStandIn
) -> None:
    written.release("succeeded")
    p = post(lr, sandbox_env, written, api.url, *COMMENT, token=None)
    assert p.returncode == 2
    line = one_line(p)
    assert "GITHUB_TOKEN is not set" in line and "context" in line
    assert api.requests == []


@pytest.mark.parametrize(
    ("status", "answer", "code", "said"),
    [
        (401, {"message": f"Bad credentials: Bearer {TOKEN}"}, 2, "token in GITHUB_TOKEN"),
        (403, {"message": "Resource not accessible by integration"}, 2, "pull requests"),
        (404, {"message": "Not Found"}, 2, "no such repository"),
        (
            422,
            {"message": "Validation Failed", "errors": [{"field": "body", "code": "custom"}]},
            2,
            "refused the request",
        ),
        (500, {"message": "Server Error"}, 1, "run again"),
        (502, "<html>bad gateway</html>", 1, "run again"),
    ],
    ids=["401-echoing-the-token", "403", "404", "422", "500", "502-not-json"],
)
def test_each_refusal_is_one_line_with_its_exit_code(
    lr: Cli,
    sandbox_env: dict[str, str],
    written: WrittenLog,
    api: GitHubStandIn,
    status: int,
    answer: object,
    code: int,
    said: str,
) -> None:
    written.release("failed")
    api.answer_next = (status, answer)
    p = post(lr, sandbox_env, written, api.url, *COMMENT)
    assert p.returncode == code, p.stderr
    line = one_line(p)
    assert f"GitHub answered {status}" in line and said in line


def test_a_wrong_token_is_refused_by_the_standin_and_never_shown(
    lr: Cli, sandbox_env: dict[str, str], written: WrittenLog, api: GitHubStandIn
) -> None:
    written.release("succeeded")
    p = post(lr, sandbox_env, written, api.url, *COMMENT, token=TOKEN + "x")
    assert p.returncode == 2
    assert "GitHub answered 401" in one_line(p)
    assert TOKEN + "x" not in p.stdout + p.stderr


def test_a_redirect_is_not_followed_with_the_token(
    lr: Cli, sandbox_env: dict[str, str], written: WrittenLog, api: GitHubStandIn
) -> None:
    written.release("succeeded")
    with github_standin("other") as elsewhere:
        api.answer_next = (302, {"location": elsewhere.url + "/steal"})
        p = post(lr, sandbox_env, written, api.url, *COMMENT)
        assert elsewhere.requests == []
    assert p.returncode == 1
    assert "GitHub answered 302" in one_line(p)


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (("--github-api-url", "http://api.github.example"), "not an https URL"),
        (("--github-api-url", "file:///etc/passwd"), "not an https URL"),
        (("--github-repository", "my-org/my-lambda/../x"), "is not OWNER/NAME"),
        (("--pull-request", "42; rm -rf /"), "is not a pull request's number"),
        (("--pull-request", "0"), "is not a pull request's number"),
    ],
    ids=["plain-http-elsewhere", "file-url", "repository-path", "pull-request-shell", "zero"],
)
def test_bad_targets_are_bad_input_before_any_request(
    lr: Cli,
    sandbox_env: dict[str, str],
    written: WrittenLog,
    api: GitHubStandIn,
    args: tuple[str, ...],
    said: str,
) -> None:
    written.release("succeeded")
    # later flags win: each case overrides the stand-in's URL or the comment's number
    p = post(lr, sandbox_env, written, api.url, *COMMENT, *args)
    assert p.returncode == 2, p.stderr
    assert said in one_line(p)
    assert api.requests == []


def test_a_huge_report_is_cut_to_a_comment_with_a_note(
    lr: Cli, sandbox_env: dict[str, str], written: WrittenLog, api: GitHubStandIn
) -> None:
    failures = [f"hook {i}: " + "x" * 200 for i in range(600)]  # ~125,000 characters
    written.release("failed", settlement={"failures": failures})
    p = post(lr, sandbox_env, written, api.url, *COMMENT)
    assert p.returncode == 0, p.stderr  # the stand-in answers 422 to a body over the limit
    body = api.requests[0].body["body"]
    assert len(body) <= 65_536
    assert "hook 0: " in body and "hook 599: " not in body
    assert body.rstrip().endswith("the whole report is in the job's artifacts, report.md)*")


def test_control_characters_reach_the_comment_escaped(
    lr: Cli, sandbox_env: dict[str, str], written: WrittenLog, api: GitHubStandIn
) -> None:
    hostile = "boom\x1b[31m red\x00\r\nFAKE ROW | x |\u202e"
    written.release("failed", settlement={"failures": [hostile]}, who="eve\x07")
    p = post(lr, sandbox_env, written, api.url, *COMMENT)
    assert p.returncode == 0, p.stderr
    body = api.requests[0].body["body"]
    assert not [c for c in body if (ord(c) < 32 and c != "\n") or c in "\x7f\u202e"]
    assert "\n\\nFAKE ROW" not in body and "\nFAKE ROW" not in body
    # read back, the reason is the text it was, its control characters shown as escapes
    assert parse_markdown(body).why == [visible(hostile)]


def test_no_token_is_said_before_aws_is_asked(lr: Cli, tmp_path: Path) -> None:
    """No AWS credentials either: the token is what the user must fix first, and is named."""
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path)}
    p = lr("report", "--stack", "app-prod", "--alias", "PROD", *COMMENT, env=env)
    assert p.returncode == 2
    assert "GITHUB_TOKEN is not set" in one_line(p)
