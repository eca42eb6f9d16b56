"""`lambda-release sandbox` end to end: start it, read its env lines, call it, stop it."""

from __future__ import annotations

import json
import os
import shlex
import signal
import socket
import subprocess
from typing import Any

import boto3
import pytest

from tests.support.doc_blocks import ROOT, blocks
from tests.support.processes import Cli, start_sandbox_command


def _read_env(proc: subprocess.Popen[str]) -> dict[str, str]:
    """Parse `export NAME='value'` lines until the last one (SAM_CLI_POLL_DELAY)."""
    assert proc.stdout is not None
    env: dict[str, str] = {}
    while "SAM_CLI_POLL_DELAY" not in env:
        line = proc.stdout.readline()
        assert line, f"sandbox exited early: {proc.stderr.read() if proc.stderr else ''}"
        words = shlex.split(line)
        assert words[0] == "export", line
        name, _, value = words[1].partition("=")
        env[name] = value
    return env


@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT])
def test_command_prints_env_serves_and_stops_cleanly(lr: Cli, stop_signal: int) -> None:
    proc = start_sandbox_command(lr, "--minute", "0.1")
    try:
        env = _read_env(proc)
        assert env["AWS_ENDPOINT_URL"].startswith("http://127.0.0.1:")
        assert env["AWS_REGION"] == env["AWS_DEFAULT_REGION"] == "us-east-1"
        assert env["AWS_ACCESS_KEY_ID"] and env["AWS_SECRET_ACCESS_KEY"]
        session: Any = boto3.session.Session(
            aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"],
            region_name=env["AWS_REGION"],
        )
        s3 = session.client("s3", endpoint_url=env["AWS_ENDPOINT_URL"])
        s3.create_bucket(Bucket="from-the-command-test")
        assert [b["Name"] for b in s3.list_buckets()["Buckets"]] == ["from-the-command-test"]
    finally:
        proc.send_signal(stop_signal)
        _, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert "stopped" in err


def test_command_json_output_and_fixed_port(lr: Cli) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = start_sandbox_command(
        lr, "--port", str(port), "--output", "json", "--drift-model", "recorded"
    )
    try:
        assert proc.stdout is not None
        announced = json.loads(proc.stdout.readline())
        assert announced["endpoint_url"] == f"http://127.0.0.1:{port}"
        assert announced["env"]["AWS_ENDPOINT_URL"] == announced["endpoint_url"]
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=30)
    assert proc.returncode == 0
    assert "drift model recorded" in err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--port", "http"], "--port 'http' is not a whole number from 0 to 65535"),
        (["--port", "70000"], "out of range"),
        (["--minute", "0"], "--minute '0' is out of range: give a number more than 0"),
        (["--minute", "fast"], "--minute 'fast' is not a number more than 0"),
        (["--drift-model", "guess"], "--drift-model 'guess' is not one of fail, recorded, live"),
    ],
)
def test_command_rejects_bad_options(lr: Cli, args: list[str], message: str) -> None:
    done = lr.with_defaults(module=True)("sandbox", *args, env=os.environ, timeout=60)
    assert done.returncode == 2
    assert message in done.stderr


def test_core_package_does_not_import_moto(lr: Cli) -> None:
    code = (
        "import sys, lambda_release.cli, lambda_release.commands.sandbox; "
        "print('moto' in sys.modules, 'lambda_release.sandbox' in sys.modules)"
    )
    done = lr.spawn.python(code, check=True, timeout=60)
    assert done.stdout.split() == ["False", "False"]


def test_reset_wipes_state_and_hooks_setting_is_a_switch(lr: Cli) -> None:
    # In a fresh interpreter: a reset of the session sandbox would pull state from under
    # other tests (moto's state is per process).
    code = """
from lambda_release.sandbox import Sandbox
from lambda_release.sandbox.codedeploy import SETTINGS
with Sandbox(port=0, minute=0.05) as sb:
    s3 = sb.client("s3")
    s3.create_bucket(Bucket="before-reset")
    before = [b["Name"] for b in s3.list_buckets()["Buckets"]]
    sb.reset()
    after = [b["Name"] for b in s3.list_buckets()["Buckets"]]
    sb.fail_hooks(True)
    failing = SETTINGS.fail_hooks
    sb.fail_hooks(False)
    print(before, after, failing, SETTINGS.fail_hooks, SETTINGS.minute)
"""
    done = lr.spawn.python(code, check=True, timeout=120)
    assert done.stdout.strip() == "['before-reset'] [] True False 0.05"


def test_docs_show_the_environment_the_command_prints(lr: Cli) -> None:
    """docs/sandbox.md's printed environment names exactly the variables, in their order."""
    shown = next(
        b for b in blocks(ROOT / "docs" / "sandbox.md") if "export AWS_ENDPOINT_URL" in b.lines[0]
    )
    documented = [shlex.split(line)[1].partition("=")[0] for line in shown.lines if line.strip()]
    proc = start_sandbox_command(lr)
    try:
        printed = list(_read_env(proc))
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=30)
    assert documented == printed
