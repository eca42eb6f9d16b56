"""Stable versions and outcomes: pure rules from PRODUCT.md."""

from __future__ import annotations

from typing import Any

from lambda_release.aws.stack import FunctionNow
from lambda_release.log.records import Release
from lambda_release.release.settlement import outcome_of
from lambda_release.release.stable import stable_versions

ARN = "arn:aws:lambda:us-east-1:123456789012:function:"


def release(moves: dict[str, tuple[str | None, str]], outcome: str = "succeeded") -> Release:
    entry: dict[str, Any] = {
        "id": "r",
        "kind": "release",
        "functions": [
            {"logical_id": f, "function_arn": ARN + f, "before": b} for f, (b, _) in moves.items()
        ],
    }
    settlement = {
        "outcome": outcome,
        "functions": [
            {"logical_id": f, "function_arn": ARN + f, "before": b, "after": a, "moved": a != b}
            for f, (b, a) in moves.items()
        ],
    }
    return Release(entry, settlement)


def current(**versions: str) -> dict[str, FunctionNow]:
    return {f: FunctionNow(f, f, ARN + f, v, None) for f, v in versions.items()}


def test_no_release_in_effect_means_current() -> None:
    assert stable_versions(None, current(A="3", B="5")) == {"A": "3", "B": "5"}


def test_moved_function_gets_its_before_version() -> None:
    rel = release({"A": ("2", "3"), "B": ("2", "2"), "C": ("2", "2")})
    assert stable_versions(rel, current(A="3", B="2", C="2")) == {"A": "2", "B": "2", "C": "2"}


def test_created_function_has_no_stable_version() -> None:
    rel = release({"A": (None, "1")})
    assert stable_versions(rel, current(A="1")) == {"A": None}


def test_replaced_function_keeps_current() -> None:
    rel = release({"A": ("7", "1")})
    replaced = {"A": FunctionNow("A", "A", ARN + "A-new", "1", None)}
    assert stable_versions(rel, replaced) == {"A": "1"}


def test_function_added_after_the_release_uses_current() -> None:
    rel = release({"A": ("1", "2")})
    assert stable_versions(rel, current(A="2", D="4")) == {"A": "1", "D": "4"}


def test_in_effect_rules() -> None:
    assert release({"A": ("1", "2")}).in_effect
    assert release({"A": ("1", "2")}, "partial").in_effect
    assert not release({"A": ("1", "1")}, "no-change").in_effect
    assert not release({"A": ("1", "1")}, "failed").in_effect
    undone = release({"A": ("1", "2")})
    undone.undo = {"by": "x"}
    assert not undone.in_effect
    assert Release({"id": "p", "functions": []}).outcome == "pending"


def test_outcomes() -> None:
    assert outcome_of(True, failed=False) == "succeeded"
    assert outcome_of(True, failed=True) == "partial"
    assert outcome_of(False, failed=True) == "failed"
    assert outcome_of(False, failed=False) == "no-change"
