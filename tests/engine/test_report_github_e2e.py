"""`lambda-release report --post github-comment|github-deployment` through the console script:
the release read from the stand-in's log, posted to a stand-in of GitHub's API on 127.0.0.1
(tests/support/github_api.py), which checks each request as GitHub would."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator

import pytest

from lambda_release.sandbox.server import Sandbox
from tests.support.github_api import API_VERSION, GitHubStandIn, github_standin
from tests.support.processes import Cli
from tests.support.report_pages import parse_markdown
from tests.support.written_log import CI, WrittenLog

TOKEN = "ghp_" + "S3cr3tT0ken" * 3
WHY = 'alarm app-A-errors went into ALARM: "5xx" > 1 | see <runbook>'


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
    api: GitHubStandIn,
    *args: str,
    token: str | None = TOKEN,
) -> subprocess.CompletedProcess[str]:
    run_env = {**env, "GITHUB_TOKEN": token} if token is not None else dict(env)
    if token is None:
        run_env.pop("GITHUB_TOKEN", None)
    return lr(
        "report",
        *written.args(),
        "--github-api-url",
        api.url,
        *args,
        env=run_env,
    )


def test_a_failed_release_is_commented_on_its_pull_request(
    lr: Cli, sandbox_env: dict[str, str], written: WrittenLog, api: GitHubStandIn
) -> None:
    rid = written.release("failed", settlement={"failures": [WHY]})
    p = post(lr, sandbox_env, written, api, "--post", "github-comment", "--pull-request", "42")
    assert p.returncode == 0, p.stderr
    assert p.stdout.strip() == "https://github.com/my-org/my-lambda/pull/42#issuecomment-1"
    [req] = api.requests
    assert (req.method, req.path) == ("POST", "/repos/my-org/my-lambda/issues/42/comments")
    assert req.headers["authorization"] == f"Bearer {TOKEN}"
    assert req.headers["accept"] == "application/vnd.github+json"
    assert req.headers["x-github-api-version"] == API_VERSION
    # The comment is the report's Markdown: the same facts, parsed back.
    facts = parse_markdown(req.body["body"])
    assert rid in facts.title and facts.outcome == "failed"
    assert WHY in facts.why
    assert facts.functions["AFunction"]["before"] == "1"
    assert TOKEN not in p.stdout + p.stderr


def test_the_pull_request_and_repository_come_from_circleci(
    lr: Cli, sandbox_env: dict[str, str], written: WrittenLog, api: GitHubStandIn
) -> None:
    written.release("succeeded")
    env = {**sandbox_env, "CIRCLE_PULL_REQUEST": "https://github.com/my-org/my-lambda/pull/42"}
    p = post(lr, env, written, api, "--post", "github-comment")
    assert p.returncode == 0, p.stderr
    assert [r.path for r in api.requests] == ["/repos/my-org/my-lambda/issues/42/comments"]


def test_a_release_becomes_a_deployment_with_its_status(
    lr: Cli, sandbox_env: dict[str, str], written: WrittenLog, api: GitHubStandIn
) -> None:
    rid = written.release("failed", settlement={"failures": [WHY]})
    p = post(lr, sandbox_env, written, api, "--post", "github-deployment")
    assert p.returncode == 0, p.stderr
    made, status = api.requests
    assert made.path == "/repos/my-org/my-lambda/deployments"
    assert made.body["ref"] == CI["commit"]
    assert made.body["environment"] == "prod" and made.body["production_environment"] is True
    assert made.body["required_contexts"] == [] and made.body["auto_merge"] is False
    assert made.body["payload"]["release_id"] == rid
    assert status.path == "/repos/my-org/my-lambda/deployments/1/statuses"
    assert status.body["state"] == "failure"
    assert status.body["description"].startswith("failed: alarm app-A-errors")
    assert len(status.body["description"]) <= 140
    assert status.body["log_url"] == CI["job_url"]
    assert p.stdout.strip().endswith("/deployments/1/statuses/1")


def test_a_dry_run_prints_the_requests_and_sends_nothing(
    lr: Cli, sandbox_env: dict[str, str], written: WrittenLog, api: GitHubStandIn
) -> None:
    written.release("succeeded")
    p = post(lr, sandbox_env, written, api, "--post", "github-deployment", "--dry-run")
    assert p.returncode == 0, p.stderr
    assert api.requests == []
    printed = json.loads(p.stdout)
    assert [r["path"] for r in printed] == [
        "/repos/my-org/my-lambda/deployments",
        "/repos/my-org/my-lambda/deployments/{id}/statuses",
    ]
    assert printed[1]["body"]["state"] == "success"
    assert TOKEN not in p.stdout + p.stderr


def test_json_says_what_was_posted_and_a_limit_from_the_environment_yields(
    lr: Cli, sandbox_env: dict[str, str], written: WrittenLog, api: GitHubStandIn
) -> None:
    rid = written.release("succeeded")
    env = {**sandbox_env, "LAMBDA_RELEASE_LIMIT": "5"}  # set for `history`, say
    p = post(
        lr,
        env,
        written,
        api,
        "--post",
        "github-comment",
        "--pull-request",
        "42",
        "--output",
        "json",
    )
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout) == {
        "posted": "github-comment",
        "release": rid,
        "url": "https://github.com/my-org/my-lambda/pull/42#issuecomment-1",
    }
    flag = post(lr, sandbox_env, written, api, "--post", "github-comment", "--limit", "2")
    assert flag.returncode == 2 and "--post posts one release" in flag.stderr
