"""The CLI's one error boundary, through the console script: one line, the right exit code,
never a traceback (issue 12 item 6, issue 13 item 3)."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from lambda_release import cli
from lambda_release.commands import target
from lambda_release.sandbox import Sandbox
from tests.support.processes import Cli

BIN = Path(sys.executable).parent / "lambda-release"
CLEAN = ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL")


def base_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "LAMBDA_RELEASE_"))}
    env.update(
        AWS_CONFIG_FILE=os.devnull,
        AWS_SHARED_CREDENTIALS_FILE=os.devnull,
        AWS_EC2_METADATA_DISABLED="true",
    )
    env.update(extra)
    return env


def one_line_error(p: subprocess.CompletedProcess[str], code: int) -> str:
    """Asserts the exit code and one error line (after any progress lines), no traceback."""
    assert p.returncode == code, (p.returncode, p.stderr)
    assert "Traceback" not in p.stderr, p.stderr
    errors = [line for line in p.stderr.splitlines() if ": error: " in line]
    assert len(errors) == 1 and p.stderr.rstrip().endswith(errors[0]), p.stderr
    return errors[0]


def stack_name() -> str:
    return f"nostack-{uuid.uuid4().hex[:8]}"


TARGET = ("--stack", "some-stack", "--alias", "PROD")


@pytest.mark.parametrize(
    "command",
    [
        ("status", *TARGET),
        ("history", *TARGET, "--log-bucket", "log-bucket"),
        ("rollback", *TARGET, "--log-bucket", "log-bucket"),
        ("audit", *TARGET),
        ("watch", *TARGET),
        ("prune", "--stack", "some-stack", "--keep", "5"),
    ],
)
def test_no_credentials_is_one_line_and_exit_1(
    lr: Cli, sandbox: Sandbox, command: tuple[str, ...]
) -> None:
    env = base_env(AWS_REGION=sandbox.region, AWS_ENDPOINT_URL=sandbox.endpoint_url)
    line = one_line_error(lr(*command, env=env), 1)
    assert "credentials" in line and "aws-cli/setup" in line


def test_unreachable_endpoint_names_the_call_and_the_way_out(lr: Cli, sandbox: Sandbox) -> None:
    env = base_env(**{k: v for k, v in sandbox.env.items() if k in ("AWS_REGION",)})
    env.update({k: v for k, v in sandbox.env.items() if k.startswith("AWS_") and "KEY" in k})
    p = lr(
        "status", *TARGET, "--endpoint-url", "http://127.0.0.1:9", "--max-attempts", "1", env=env
    )
    line = one_line_error(p, 1)
    assert "cannot reach AWS" in line and "--endpoint-url" in line
    assert "cloudformation.DescribeStacks" in line or "cloudformation" in line


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("--endpoint-url", "not a url"),
        ("--endpoint-url", "http://127.0.0.1:notaport"),
        ("--endpoint-url", "ftp://127.0.0.1:9"),
        ("--region", "us east 1"),
        ("--region", "eu-west-1/../x"),
    ],
)
def test_malformed_endpoint_or_region_is_bad_input(
    lr: Cli, sandbox: Sandbox, option: str, value: str
) -> None:
    p = lr("status", *TARGET, option, value, env=base_env(**sandbox.env))
    line = one_line_error(p, 2)
    assert repr(value) in line and option in line


def test_a_region_set_only_in_aws_region_is_read(lr: Cli, sandbox: Sandbox) -> None:
    env = base_env(**sandbox.env)
    env.pop("AWS_DEFAULT_REGION", None)
    stack = stack_name()
    line = one_line_error(lr("status", "--stack", stack, env=env), 2)
    assert "no AWS region" not in line
    assert f"stack {stack} does not exist" in line


def test_a_nonexistent_stack_is_bad_input_on_status_and_rollback(lr: Cli, sandbox: Sandbox) -> None:
    env = base_env(**sandbox.env)
    stack = stack_name()
    for command in ("status", "rollback"):
        p = lr(command, "--stack", stack, "--alias", "PROD", "--log-bucket", "log-bucket", env=env)
        assert f"stack {stack} does not exist" in one_line_error(p, 2)


def test_a_closed_pipe_ends_quietly(lr: Cli, sandbox: Sandbox) -> None:
    """`lambda-release ... | head -1`: the reader is gone before we write."""
    proc = lr.popen(
        "iam-policy",
        "--role",
        "deploy",
        "--stack",
        "my-stack",
        "--log-bucket",
        "log-bucket",
        env=base_env(**sandbox.env),
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()
    err = proc.stderr.read()
    proc.stderr.close()
    assert proc.wait(timeout=60) == 1
    assert err == ""


@pytest.mark.parametrize("debug", [False, True])
def test_anything_else_is_an_internal_error_exit_3(
    debug: bool, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A bug in a command (here target's run raises): main() is the boundary, in-process."""

    def broken(ctx: object) -> int:
        raise ZeroDivisionError("a bug")

    monkeypatch.setattr(target, "run", broken)
    env = base_env()
    for name in set(os.environ) - set(env):
        monkeypatch.delenv(name)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    args = ["target", "--branch", "main", "--stack-prefix", "x"] + (["--debug"] if debug else [])
    code = cli.main(args)
    err = capsys.readouterr().err
    assert code == 3, err
    assert "internal error (ZeroDivisionError), please report it" in err
    assert "--debug" in err
    assert ("Traceback" in err) is debug
