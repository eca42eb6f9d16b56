"""SAM's Globals as SAM applies them: ``IgnoreGlobals``, and merged properties.

`check` took every global for every function, so a function with ``IgnoreGlobals: '*'``
under ``Globals.Function.AutoPublishAlias`` passed while production would call its
$LATEST; `check --fix` then left it without an alias of its own. And a property set in
both places replaced the Globals' one where SAM merges them: alarms in Globals with the
canary on the function were reported missing (E9005).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from samtranslator.plugins.globals.globals import GlobalProperties

from lambda_release.check.engine import run_rules
from lambda_release.fix.run import fix_text, recheck
from lambda_release.template.sam_globals import merged_property
from tests.fix.corpus_cases import as_plain

TEMPLATE = """\
Transform: AWS::Serverless-2016-10-31
Parameters:
  AliasName:
    Type: String
    AllowedValues: [STAGING, PROD]
Globals:
  Function:
    AutoPublishAlias: !Ref AliasName
    DeploymentPreference:
      Type: AllAtOnce
Resources:
  Kept:
    Type: AWS::Serverless::Function
    Properties: {CodeUri: src/, Handler: app.handler, Runtime: python3.12}
  Left:
    Type: AWS::Serverless::Function
    IgnoreGlobals: IGNORED
    Properties: {CodeUri: src/, Handler: app.handler, Runtime: python3.12}
"""


@pytest.mark.parametrize("ignored", ["'*'", "[AutoPublishAlias]"])
def test_check_sees_the_function_that_ignores_the_globals_alias(
    tmp_path: Path, ignored: str
) -> None:
    path = tmp_path / "template.yaml"
    path.write_text(TEMPLATE.replace("IGNORED", ignored), encoding="utf-8")
    missing = [(f.rule, f.resource) for f in run_rules(path) if f.rule == "E9001"]
    assert missing == [("E9001", "Left")]


def test_ignoring_something_else_keeps_the_globals_alias(tmp_path: Path) -> None:
    path = tmp_path / "template.yaml"
    path.write_text(TEMPLATE.replace("IGNORED", "[DeploymentPreference]"), encoding="utf-8")
    assert [f for f in run_rules(path) if f.rule == "E9001"] == []


@pytest.mark.parametrize("ignored", ["'*'", "[AutoPublishAlias]"])
def test_fix_gives_that_function_an_alias_of_its_own(tmp_path: Path, ignored: str) -> None:
    path = tmp_path / "template.yaml"
    text = TEMPLATE.replace("IGNORED", ignored)
    path.write_text(text, encoding="utf-8")
    result = fix_text(path, text)
    recheck(result)
    props = as_plain(result.after)["Resources"]
    assert props["Left"]["Properties"]["AutoPublishAlias"] == {"Ref": "AliasName"}
    assert "AutoPublishAlias" not in props["Kept"]["Properties"]  # the Globals' covers it
    assert [f.rule for f in result.remaining if f.rule == "E9001"] == []


def test_fix_adding_the_globals_alias_still_covers_a_function_that_ignores_it(
    tmp_path: Path,
) -> None:
    text = (
        "Transform: AWS::Serverless-2016-10-31\n"
        "Globals:\n  Function:\n    Timeout: 3\n"
        "Resources:\n"
        "  Kept:\n    Type: AWS::Serverless::Function\n"
        "    Properties: {CodeUri: src/, Handler: app.handler, Runtime: python3.12}\n"
        "  Left:\n    Type: AWS::Serverless::Function\n    IgnoreGlobals: '*'\n"
        "    Properties: {CodeUri: src/, Handler: app.handler, Runtime: python3.12}\n"
    )
    path = tmp_path / "template.yaml"
    path.write_text(text, encoding="utf-8")
    result = fix_text(path, text)
    recheck(result)
    data = as_plain(result.after)
    assert data["Globals"]["Function"]["AutoPublishAlias"] == {"Ref": "AliasName"}
    assert data["Resources"]["Left"]["Properties"]["AutoPublishAlias"] == {"Ref": "AliasName"}
    # The Globals' canary does not reach it either: it gets its own preference and alarm.
    assert "DeploymentPreference" in data["Resources"]["Left"]["Properties"]
    assert [f.rule for f in result.remaining if f.rule == "E9001"] == []


# -- a property set in Globals and on the function is merged as SAM merges it -------------
MERGED = """\
Transform: AWS::Serverless-2016-10-31
Parameters:
  AliasName:
    Type: String
    AllowedValues: [STAGING, PROD]
Globals:
  Function:
    AutoPublishAlias: !Ref AliasName
    DeploymentPreference: GLOBAL
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: app.handler
      Runtime: python3.12
      DeploymentPreference: OWN
  Al:
    Type: AWS::CloudWatch::Alarm
    Properties:
      Namespace: AWS/Lambda
      MetricName: Errors
      Statistic: Sum
      Period: 60
      EvaluationPeriods: 1
      Threshold: 1
      ComparisonOperator: GreaterThanOrEqualToThreshold
      Dimensions:
        - {Name: Resource, Value: !Sub "${Fn}:${AliasName}"}
        - {Name: FunctionName, Value: !Ref Fn}
"""


@pytest.mark.parametrize(
    ("in_globals", "own", "rules"),
    [
        # The alarms in Globals reach a function that names only its canary: no E9005.
        ("{Alarms: [!Ref Al]}", "{Type: Canary10Percent5Minutes}", []),
        ("{Type: Canary10Percent5Minutes}", "{Alarms: [!Ref Al]}", []),
        # Without alarms anywhere the merged canary is still found out, at the function.
        ("{Type: Canary10Percent5Minutes}", "{Enabled: true}", [("E9005", 17)]),
    ],
)
def test_a_deployment_preference_split_between_globals_and_the_function(
    tmp_path: Path, in_globals: str, own: str, rules: list[tuple[str, int]]
) -> None:
    path = tmp_path / "template.yaml"
    path.write_text(MERGED.replace("GLOBAL", in_globals).replace("OWN", own), encoding="utf-8")
    found = [(f.rule, f.line) for f in run_rules(path) if f.severity != "info"]
    assert found == rules


@pytest.mark.parametrize(
    ("global_value", "own"),
    [
        ({"Type": "Linear", "Alarms": ["a"]}, {"Alarms": ["b"], "Hooks": {"Pre": "h"}}),
        ({"Variables": {"A": "1", "B": "2"}}, {"Variables": {"B": "3"}}),
        (["x"], ["y", "z"]),
        ({"Ref": "P"}, {"Type": "AllAtOnce"}),  # an intrinsic against a mapping: the own
        ({"Type": "Linear"}, {"Fn::If": ["C", "a", "b"]}),
        ("a", ["b"]),
        ({"Alarms": ["a"]}, {"Alarms": {"Ref": "L"}}),
        ({"Enabled": True}, {"Enabled": None}),
    ],
)
def test_the_merge_is_samtranslators(global_value: Any, own: Any) -> None:
    sam = GlobalProperties({"DeploymentPreference": global_value})
    expected = sam.merge({"DeploymentPreference": own})["DeploymentPreference"]
    assert merged_property("DeploymentPreference", global_value, own) == expected


def test_architectures_are_replaced_as_sam_replaces_them() -> None:
    assert merged_property("Architectures", ["x86_64"], ["arm64"]) == ["arm64"]
    assert merged_property("Layers", ["a"], ["b"]) == ["a", "b"]
