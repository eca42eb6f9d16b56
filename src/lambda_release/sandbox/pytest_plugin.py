"""Pytest fixtures: one sandbox per test session, on a free port, with a fast clock, strict.

Tests share it: give each test its own stack names rather than resetting it.

Strict (strict.py, `LAMBDA_RELEASE_SANDBOX_STRICT=0` turns it off): every answer the sandbox
sends is checked against botocore's model of AWS's API; a test during which one did not match
fails at teardown, naming the operation and the member. At the end of the session each process
writes what it exercised to `build/standin-operations/` and the terminal summary lists it.
"""

from __future__ import annotations

import json
import os
import sys
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from lambda_release.sandbox.server import Sandbox

# Real seconds per CodeDeploy minute in tests: a 5-minute canary takes 0.25 s.
TEST_MINUTE = 0.05
STRICT_ENV = "LAMBDA_RELEASE_SANDBOX_STRICT"
OPERATIONS_DIR = Path("build") / "standin-operations"


def strict_wanted() -> bool:
    return os.environ.get(STRICT_ENV, "1") != "0"


@pytest.fixture(scope="session")
def sandbox() -> Iterator[Sandbox]:
    with Sandbox(port=0, minute=TEST_MINUTE, strict=strict_wanted()) as sb:
        yield sb
    left = _violations()
    assert not left, "the stand-in answered outside AWS's model after the last test:\n" + (
        "\n".join(left)
    )


@pytest.fixture(scope="session")
def sandbox_env(sandbox: Sandbox) -> dict[str, str]:
    """os.environ plus the sandbox's variables, for subprocesses (sam, lambda-release)."""
    env = dict(os.environ)
    for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN"):
        env.pop(name, None)
    env.update(sandbox.env)
    return env


def _checks() -> Any:
    """strict.CHECKS when a strict sandbox was started in this process (never imported here:
    strict mode loads botocore's models)."""
    module = sys.modules.get("lambda_release.sandbox.strict")
    return module.CHECKS if module is not None else None


def _violations() -> list[str]:
    checks = _checks()
    if checks is None:
        return []
    with checks._lock:
        found, checks.violations[:] = list(checks.violations), []
    return found


@pytest.fixture(autouse=True)
def standin_answers_as_aws_models() -> Iterator[None]:
    """Fails the test during which the stand-in sent an answer outside AWS's model."""
    _violations()  # anything before this test (a previous test's teardown) is not its own
    yield
    found = _violations()
    if found:
        pytest.fail(
            "the stand-in answered outside botocore's model of AWS's API (strict mode; fix the "
            "answer in lambda_release/sandbox/answer_fixes.py or the stand-in):\n  "
            + "\n  ".join(found),
            pytrace=False,
        )


def pytest_configure(config: pytest.Config) -> None:
    # The run's id, chosen here so that the summary reads only this run's records: xdist
    # takes it (its --testrunuid) and hands it to every worker.
    controller = not hasattr(config, "workerinput")
    if controller and getattr(config.option, "testrunuid", "") is None:
        config.option.testrunuid = uuid.uuid4().hex


def _run_id(config: pytest.Config) -> str:
    if hasattr(config, "workerinput"):
        return str(config.workerinput.get("testrunuid", ""))
    numprocesses = getattr(config.option, "numprocesses", None)
    return str(config.option.testrunuid) if numprocesses else ""


def pytest_sessionfinish(session: pytest.Session) -> None:
    checks = _checks()
    if checks is None:
        return
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    folder = Path(session.config.rootpath) / OPERATIONS_DIR
    folder.mkdir(parents=True, exist_ok=True)
    data = checks.snapshot()
    data["run"] = _run_id(session.config)
    (folder / f"{worker}.json").write_text(json.dumps(data, indent=1, sort_keys=True))


def read_operations(folder: Path, run: str | None = None) -> dict[str, Counter[str]]:
    """Every process's record in `folder` (of test run `run`, if given), summed."""
    total: dict[str, Counter[str]] = {
        "calls": Counter(),
        "errors": Counter(),
        "product_calls": Counter(),
    }
    seconds = 0.0
    for path in sorted(folder.glob("*.json")):
        data = json.loads(path.read_text())
        if run is not None and data.get("run") != run:
            continue
        for key, counts in total.items():
            counts.update(data.get(key, {}))
        seconds += float(data.get("check_seconds", 0.0))
    total["check_seconds"] = Counter({"": round(seconds * 1000)})
    return total


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    if hasattr(config, "workerinput"):
        return
    folder = Path(config.rootpath) / OPERATIONS_DIR
    run = _run_id(config)
    if not folder.is_dir() or (not run and _checks() is None):
        return  # no stand-in in this run (a single process writes its record as "")
    total = read_operations(folder, run)
    if not total["calls"]:
        return
    write = terminalreporter.write_line
    terminalreporter.section("stand-in operations checked against AWS's model (strict mode)")
    for name, count in sorted(total["calls"].items()):
        product = total["product_calls"].get(name, 0)
        write(f"{count:7d}  {name}" + (f"  (product: {product})" if product else ""))
    write(
        f"{sum(total['calls'].values())} answers, {len(total['calls'])} operations, "
        f"{total['check_seconds']['']} ms checking; record: {folder}"
    )
