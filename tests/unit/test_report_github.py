"""The GitHub posts' pure parts: the comment's body, the deployment's and status's bodies,
and the checks of what to post to (report/github.py)."""

from __future__ import annotations

from typing import Any

import pytest

from lambda_release.errors import UsageError
from lambda_release.report import github


def facts(**over: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "id": "20261126T221700.123456Z-1a2b3c4d",
        "kind": "release",
        "stack": "app-prod",
        "alias": "PROD",
        "environment": "prod",
        "outcome": "failed",
        "why": ["alarm A went into ALARM at 2026-11-26T22:18:00Z: " + "x" * 300],
        "who": {"job_url": "https://app.circleci.com/jobs/1"},
    }
    return {**base, **over}


def test_a_short_report_is_the_comment_as_it_is() -> None:
    assert github.comment_body("### a\n\n| x |\n") == "### a\n\n| x |\n"


def test_a_long_report_is_cut_at_a_line_with_a_note_within_the_limit() -> None:
    text = "\n".join(f"line {i} " + "y" * 50 for i in range(200))
    body = github.comment_body(text, limit=1000)
    assert len(body) <= 1000
    kept = body.split("\n\n*(report cut")[0]
    assert text.startswith(kept) and kept.endswith("y")  # whole lines only
    assert f"of {len(text):,} characters" in body and f"cut at {len(kept):,}" in body


def test_control_characters_are_escaped_and_line_breaks_kept() -> None:
    body = github.comment_body("a\x1bb\r\nc\x00")
    assert body == "a\\x1bb\nc\\x00"


@pytest.mark.parametrize(
    ("outcome", "state"),
    [
        ("succeeded", "success"),
        ("no-change", "success"),
        ("failed", "failure"),
        ("partial", "error"),
        ("unknown", "error"),
        ("pending", "in_progress"),
        ("something new", "error"),
    ],
)
def test_the_status_state_of_each_outcome(outcome: str, state: str) -> None:
    assert github.status_request(facts(outcome=outcome))["state"] == state


def test_the_status_description_fits_githubs_140_characters() -> None:
    body = github.status_request(facts())
    assert len(body["description"]) == 140 and body["description"].startswith("failed: alarm A")
    assert body["log_url"] == "https://app.circleci.com/jobs/1"


def test_a_job_url_that_is_not_https_is_not_a_log_url() -> None:
    assert "log_url" not in github.status_request(facts(who={"job_url": "javascript:x"}))


def test_the_deployment_asks_no_checks_and_names_the_release() -> None:
    body = github.deployment_request(facts(environment="staging", alias="STAGING"), "abc")
    assert body["ref"] == "abc" and body["environment"] == "staging"
    assert body["required_contexts"] == [] and body["production_environment"] is False
    assert body["payload"]["release_id"] == facts()["id"]


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        (None, True),
        ("https://github.example.com/api/v3/", True),
        ("http://127.0.0.1:8080", True),
        ("http://localhost:1", True),
        ("http://github.example.com/api/v3", False),
        ("ftp://x", False),
        ("https://", False),
    ],
)
def test_the_api_url_is_https_or_this_machine(url: str | None, ok: bool) -> None:
    env = {"GITHUB_TOKEN": "t"}
    if ok:
        assert not github.api_of(url, "o/r", env).api_url.endswith("/")
    else:
        with pytest.raises(UsageError, match="not an https URL"):
            github.api_of(url, "o/r", env)


def test_the_token_is_never_in_the_targets_repr() -> None:
    assert "s3cret" not in repr(github.api_of(None, "o/r", {"GITHUB_TOKEN": "s3cret"}))


@pytest.mark.parametrize("token", ["", "  ", "a b", "a\nb"])
def test_a_missing_or_broken_token_is_bad_input(token: str) -> None:
    with pytest.raises(UsageError, match="GITHUB_TOKEN"):
        github.api_of(None, "o/r", {"GITHUB_TOKEN": token})


def test_the_pull_request_from_circleci() -> None:
    env = {"CIRCLE_PULL_REQUEST": "https://github.com/o/r/pull/17"}
    assert github.pull_request_of(None, env) == 17
    assert github.pull_request_of("5", env) == 5
    with pytest.raises(UsageError, match="--pull-request N"):
        github.pull_request_of(None, {})
