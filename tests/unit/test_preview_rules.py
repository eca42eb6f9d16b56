"""The preview's pure decisions (issue 31 item 2): whether a function publishes, why, and
its traffic plan as its template says."""

from __future__ import annotations

from typing import Any

from lambda_release.preview.change_set import Change
from lambda_release.preview.plan import (
    LiveVersion,
    code_change,
    config_changes,
    function_preview,
    preview_lines,
    publishes,
)
from lambda_release.preview.traffic import traffic_plans

CHANGES = [
    Change("Add", "AFunctionVersion1a2b3c", "AWS::Lambda::Version"),
    Change("Modify", "AFunction", "AWS::Lambda::Function"),
    Change("Remove", "AFunctionVersion9f8e7d", "AWS::Lambda::Version"),
    Change("Modify", "ABFunction", "AWS::Lambda::Function"),
]
LIVE = LiveVersion("3", "sha-live", {"MemorySize": 128, "Timeout": 3, "Handler": "app.h"})


def test_a_function_publishes_exactly_when_the_change_set_adds_its_version() -> None:
    assert publishes(CHANGES, "AFunction")
    assert not publishes(CHANGES, "ABFunction")  # modified, no new version
    assert not publishes(CHANGES, "BFunction")


def test_why_code_and_configuration() -> None:
    assert code_change("sha-live", LIVE) == "same"
    assert code_change("sha-new", LIVE) == "changed"
    assert code_change(None, LIVE) == "unknown"
    assert code_change("x", None) == "new"
    props = {"MemorySize": 256, "Timeout": {"Ref": "T"}, "Handler": "app.h", "Runtime": True}
    assert config_changes(props, LIVE) == ["MemorySize 128 -> 256"]  # computed: not compared


def test_a_function_preview_labels_its_current_state() -> None:
    row = function_preview(
        "AFunction", live=LIVE, built="sha-new", props={}, traffic=None, changes=CHANGES
    )
    assert row["now"] == {"version": "3", "code_sha256": "sha-live"}
    assert row["publishes_new_version"] is True
    assert row["why"] == ["its built code differs from the code its alias serves"]
    unknown = function_preview(
        "AFunction", live=LIVE, built=None, props={}, traffic=None, changes=None
    )
    assert unknown["publishes_new_version"] is None


TEMPLATE: dict[str, Any] = {
    "Parameters": {"Kind": {"Type": "String", "Default": "Linear10PercentEvery1Minute"}},
    "Globals": {"Function": {"DeploymentPreference": {"Type": "Canary10Percent5Minutes"}}},
    "Resources": {
        "AFunction": {
            "Type": "AWS::Serverless::Function",
            "Properties": {
                "DeploymentPreference": {
                    "Alarms": [{"Ref": "AErrors"}, "shared-5xx"],
                    "Hooks": {"PreTraffic": {"Ref": "PreHook"}},
                }
            },
        },
        "BFunction": {
            "Type": "AWS::Serverless::Function",
            "Properties": {"DeploymentPreference": {"Type": {"Ref": "Kind"}}},
        },
        "CFunction": {"Type": "AWS::Serverless::Function", "IgnoreGlobals": "*"},
        "AErrors": {"Type": "AWS::CloudWatch::Alarm"},
    },
}


def test_traffic_plans_take_globals_parameters_and_the_stack_names() -> None:
    plans = traffic_plans(TEMPLATE, {"AErrors": "stack-AErrors-XYZ"}, {"Kind": "AllAtOnce"})
    a, b, c = plans["AFunction"], plans["BFunction"], plans["CFunction"]
    assert a.deployment_type == "Canary10Percent5Minutes"  # from Globals, merged
    assert a.steps == [(0.0, 0.1), (5.0, 1.0)]
    assert a.alarms == ["stack-AErrors-XYZ", "shared-5xx"]
    assert a.hooks == {"PreTraffic": "PreHook (created by this release)"}
    assert b.deployment_type == "AllAtOnce" and b.steps == [(0.0, 1.0)]  # the override
    assert c.deployment_type is None and "nothing guards it" in c.text()
    assert traffic_plans(TEMPLATE, {})["BFunction"].steps[:2] == [(0.0, 0.1), (1.0, 0.2)]
    assert a.text() == (
        "Canary10Percent5Minutes: 10% at once, 100% after 5 min; alarms: stack-AErrors-XYZ, "
        "shared-5xx; hooks: PreTraffic PreHook (created by this release)"
    )


def test_the_preview_text_names_each_function_and_the_stack_changes() -> None:
    rows = [
        function_preview(
            "AFunction", live=LIVE, built="n", props={}, traffic=None, changes=CHANGES
        ),
        function_preview(
            "BFunction", live=LIVE, built="sha-live", props={}, traffic=None, changes=CHANGES
        ),
    ]
    data = {
        "functions": rows,
        "change_set": "created, described and deleted; never executed",
        "stack_changes": [c.as_json() for c in CHANGES],
    }
    text = "\n".join(preview_lines(data, "PROD"))
    assert "AFunction: publishes a new version, then moves PROD from 3" in text
    assert "BFunction: publishes nothing: PROD stays on 3" in text
    assert "+ Add     AFunctionVersion1a2b3c AWS::Lambda::Version" in text
