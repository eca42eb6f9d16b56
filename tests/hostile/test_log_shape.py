"""Log objects of the wrong shape: an error naming the object (exit 1), never a traceback."""

from __future__ import annotations

import json
import subprocess
from typing import Any

import pytest

from lambda_release.sandbox import Sandbox
from tests.rollback.cli import kit_lr
from tests.rollback.stackkit import Kit


@pytest.fixture
def kit(sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch) -> Kit:
    kit = Kit.in_env(sandbox, monkeypatch, "shape")
    kit.release({"A": "1"})
    return kit


def plant(kit: Kit, key: str, body: Any) -> str:
    kit.sandbox.client("s3").put_object(Bucket=kit.bucket, Key=key, Body=json.dumps(body))
    return f"s3://{kit.bucket}/{key}"


def refused_naming(p: subprocess.CompletedProcess[str], uri: str, words: str) -> None:
    assert p.returncode == 1, (p.returncode, p.stderr)
    assert "Traceback" not in p.stderr
    (line,) = [x for x in p.stderr.splitlines() if ": error: " in x]
    assert uri in line and words in line, line


@pytest.mark.parametrize(
    ("body", "words"),
    [({}, "functions is missing"), ({"id": "x", "functions": [{}]}, "logical_id is missing")],
)
def test_an_entry_of_the_wrong_shape(kit: Kit, body: dict[str, Any], words: str) -> None:
    log = kit.log()
    uri = plant(kit, log.entry_key("29990101T000000.000000Z-deadbeef"), body)
    for command in ("history", "rollback"):
        refused_naming(kit_lr(kit, command), uri, words)


def test_a_settlement_of_the_wrong_shape(kit: Kit) -> None:
    log = kit.log()
    (rid,) = log.entry_ids()
    key = log.settlement_key(rid)
    kit.sandbox.client("s3").delete_object(Bucket=kit.bucket, Key=key)
    uri = plant(kit, key, {"outcome": "succeeded", "functions": {"A": 1}})
    refused_naming(kit_lr(kit, "history"), uri, "functions is an object, not a list")


def test_a_lock_with_a_non_numeric_expiry(kit: Kit) -> None:
    log = kit.log()
    uri = plant(kit, log.lock_key, {"holder": "x", "expires_epoch": "tomorrow"})
    refused_naming(kit_lr(kit, "rollback"), uri, "expires_epoch is a string, not a number")
    refused_naming(kit_lr(kit, "begin", "--dry-run"), uri, "expires_epoch")
