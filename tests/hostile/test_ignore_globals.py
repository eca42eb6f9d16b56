"""SAM's ``IgnoreGlobals``: a function that leaves the Globals' alias out has none.

`check` took every global for every function, so a function with ``IgnoreGlobals: '*'``
under ``Globals.Function.AutoPublishAlias`` passed while production would call its
$LATEST; `check --fix` then left it without an alias of its own.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from lambda_release.check.engine import run_rules
from lambda_release.fix.run import fix_text, recheck
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
