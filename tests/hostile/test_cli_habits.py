"""Issue 25 item 2 as a hostile user: what is typed where our option was meant, and a
branch from git that is not what a script expects. Every answer is one line, escaped."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.support.processes import Cli, clean_env


def one_line(p: subprocess.CompletedProcess[str]) -> str:
    assert p.returncode == 2, (p.stdout, p.stderr)
    assert p.stdout == ""
    lines = p.stderr.splitlines()
    assert len(lines) == 1, p.stderr
    return lines[0]


@pytest.mark.parametrize(
    "option",
    [
        "--x\x1b[2J\x1b[1;1Hforged",  # clear the screen, then write at the top
        "--stack-name\nlambda-release deploy: release succeeded",  # a forged second line
        "--" + "a" * 20000,
        "--bucket=\u202eyrt",  # right-to-left override
    ],
)
def test_an_option_nobody_has_is_answered_in_one_escaped_line(lr: Cli, option: str) -> None:
    line = one_line(lr("status", option, "value"))
    assert "\x1b" not in line and "\u202e" not in line and len(line) < 400


def test_a_malformed_sam_override_word_never_shows_its_value(lr: Cli, tmp_path: Path) -> None:
    secret = "hunter2-do-not-print"
    p = lr(
        "deploy", "--stack", "s-prod", "--alias", "PROD", "--dry-run",
        "--parameter-overrides", "A=1", f'Password="{secret}',
        cwd=tmp_path,
    )  # fmt: skip
    line = one_line(p)
    assert "--parameter-overrides is malformed" in line and secret not in p.stderr


def test_old_spellings_of_a_wait_are_checked_as_the_new_one(lr: Cli) -> None:
    for args in (("watch", "--wait", "nan"), ("rollback", "--wait-timeout", "-1")):
        line = one_line(lr(*args, "--stack", "s-prod", "--alias", "PROD"))
        assert ("--start-timeout" in line) or ("--deployment-timeout" in line)


@pytest.fixture
def checkout(tmp_path: Path, git: Callable[..., None]) -> Path:
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    git(repo, "commit", "-q", "--allow-empty", "-m", "one")
    return repo


def target(lr: Cli, repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in clean_env().items() if k not in ("CI", "CIRCLECI")}
    return lr("target", "--stack-prefix", "shop", *args, cwd=repo, env=env)


def test_target_by_hand_reads_the_branch_checked_out(
    lr: Cli, checkout: Path, git: Callable[..., None]
) -> None:
    p = target(lr, checkout, "--output", "text")
    assert p.returncode == 0, p.stderr
    assert p.stdout == "prod\tPROD\tshop-prod\tmain\n"
    git(checkout, "checkout", "-q", "-b", "feature/x")
    assert (
        target(lr, checkout, "--output", "text").stdout
        == "staging\tSTAGING\tshop-staging\tfeature/x\n"
    )


def test_a_branch_name_from_git_is_exported_quoted_never_run(
    lr: Cli, checkout: Path, git: Callable[..., None]
) -> None:
    evil = "a$(touch${IFS}PWNED)"
    git(checkout, "checkout", "-q", "-b", evil)
    p = target(lr, checkout)
    assert p.returncode == 0, p.stderr
    assert f"export LAMBDA_RELEASE_BRANCH='{evil}'" in p.stdout.splitlines()
    subprocess.run(["bash", "-c", p.stdout], cwd=checkout, check=True)
    assert not (checkout / "PWNED").exists()


def test_a_detached_head_or_no_repository_is_bad_input(
    lr: Cli, checkout: Path, git: Callable[..., None], tmp_path: Path
) -> None:
    git(checkout, "checkout", "-q", "--detach")
    assert "detached HEAD" in one_line(target(lr, checkout))
    bare = tmp_path / "not-a-repo"
    bare.mkdir()
    assert "--branch" in one_line(target(lr, bare))


def test_in_ci_the_branch_is_never_guessed_from_the_checkout(lr: Cli, checkout: Path) -> None:
    env = clean_env({"CI": "true", "CIRCLE_TAG": "v1.0.0"})
    p = lr("target", "--stack-prefix", "shop", cwd=checkout, env=env)
    assert "no branch" in one_line(p)
