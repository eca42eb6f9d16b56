"""Issue 24 item 4, the pure parts: which states end by themselves, what the next deploy
does about drift, how the alias comes back, and when a missing alias is bad input."""

from __future__ import annotations

from typing import Any

import pytest

from lambda_release.aws.stack import FunctionRef, StackInfo
from lambda_release.errors import UsageError
from lambda_release.observe.status import drift_json, function_rows, status_text
from lambda_release.release.preflight import Drift, alarm_message, in_flight_message
from lambda_release.release.stack_alias import StackAlias
from lambda_release.rollback.restore_alias import alias_logical_id, with_alias
from lambda_release.rollback.summary import summary_text


@pytest.mark.parametrize(
    ("status", "in_progress", "never_executed"),
    [
        ("REVIEW_IN_PROGRESS", False, True),  # never ends by itself: not "wait until it ends"
        ("UPDATE_IN_PROGRESS", True, False),
        ("UPDATE_ROLLBACK_IN_PROGRESS", True, False),
        ("CREATE_IN_PROGRESS", True, False),
        ("UPDATE_COMPLETE", False, False),
    ],
)
def test_which_stack_states_end_by_themselves(
    status: str, in_progress: bool, never_executed: bool
) -> None:
    info = StackInfo(name="s", status=status)
    assert (info.in_progress, info.never_executed) == (in_progress, never_executed)


@pytest.mark.parametrize(
    ("alias", "logical_id"),
    [
        ("PROD", "AFunctionAliasPROD"),
        ("live-2", "AFunctionAliasliveD2"),
        ("a_b", "AFunctionAliasaUb"),
    ],
)
def test_the_alias_resource_has_sams_logical_id(alias: str, logical_id: str) -> None:
    assert alias_logical_id("AFunction", alias) == logical_id


def test_with_alias_pins_the_version_and_leaves_the_template_alone() -> None:
    template: dict[str, Any] = {"Resources": {"AFunction": {"Type": "AWS::Lambda::Function"}}}
    out = with_alias(template, "AFunction", "PROD", "2")
    assert out["Resources"]["AFunctionAliasPROD"] == {
        "Type": "AWS::Lambda::Alias",
        "Properties": {
            "Name": "PROD",
            "FunctionName": {"Ref": "AFunction"},
            "FunctionVersion": "2",
        },
    }
    assert list(template["Resources"]) == ["AFunction"]  # the input is not changed


@pytest.mark.parametrize(
    ("explained_by", "split", "realigned"),
    [("R1", False, True), (None, False, False), ("R1", True, False)],
)
def test_what_the_next_deploy_does_about_drift(
    explained_by: str | None, split: bool, realigned: bool
) -> None:
    d = drift_json(Drift("AFunction", "2", "1"), explained_by, split)
    assert d["realigned_by_deploy"] is realigned
    if realigned:
        assert "(put there by rollback R1): the next deploy realigns this" in d["message"]
    else:
        assert d["message"] == Drift("AFunction", "2", "1").message  # the deploy's refusal


def test_blocker_messages_are_the_preflights() -> None:
    assert in_flight_message([("d-1", "g")]).startswith("CodeDeploy deployment in flight: d-1 (g)")
    assert alarm_message(["a1", "a2"]).startswith("alarm already in ALARM: a1, a2: ")


def _stack_without_alias() -> StackInfo:
    return StackInfo(
        name="s",
        status="UPDATE_COMPLETE",
        other_functions=["AFunction", "BFunction"],
        function_names={"AFunction": "s-A", "BFunction": "s-B"},
    )


def test_function_rows_list_the_functions_without_the_alias() -> None:
    info = _stack_without_alias()
    info.functions = [FunctionRef("CFunction", "s-C", "CFunctionAliasPROD", "3")]
    info.other_functions = ["AFunction", "BFunction"]
    rows = function_rows(info, [], set())
    assert [(r["logical_id"], r["has_alias"]) for r in rows] == [
        ("AFunction", False),
        ("BFunction", False),
        ("CFunction", True),
    ]


def test_status_text_names_the_functions_that_lack_the_alias_and_the_blockers() -> None:
    info = _stack_without_alias()
    alias = {
        "alias": "PROD",
        "stable_alias": "PROD_STABLE",
        "functions": function_rows(info, [], set()),
        "without_alias": info.other_functions,
        "last_release": None,
        "pending": [],
        "before_next_deploy": [],
        "deployments_in_flight": [],
        "drift": [],
        "blockers": ["the lock is held"],
        "notes": [],
    }
    data = {"stack": {"name": "s", "status": "UPDATE_COMPLETE"}, "blockers": [], "aliases": [alias]}
    text = status_text(data)
    assert "AFunction, BFunction lack alias PROD: a deploy of a template that publishes" in text
    assert "the next deploy would be refused: the lock is held" in text


class _Log:
    def __init__(self, newest: str | None) -> None:
        self.newest = newest

    def newest_id(self) -> str | None:
        return self.newest


def test_a_missing_alias_is_bad_input_only_when_its_log_is_empty() -> None:
    sa = StackAlias.__new__(StackAlias)  # no clients: the check reads only what it is given
    sa.stack, sa.alias = "s", "PROD"
    info = _stack_without_alias()
    sa.require_alias_functions(info, _Log("20261206T000000.000000Z-0a0b0c0d"))  # type: ignore[arg-type]
    with pytest.raises(UsageError, match="its release log holds no release of it"):
        sa.require_alias_functions(info, _Log(None))  # type: ignore[arg-type]
    with pytest.raises(UsageError, match="no function of stack s carries alias 'PROD'"):
        sa.require_alias_functions(info, None)


def test_an_explicit_move_is_summarised_by_its_version_not_a_release() -> None:
    data = {"rollback": "R9", "to_version": "1", "functions": []}
    assert summary_text(data).splitlines()[0] == "rollback R9 to version 1"
    assert summary_text({"rollback": "R9", "release": "R1"}).startswith("rollback R9 of release R1")
