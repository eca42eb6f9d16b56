"""A release that renames a function (its ``FunctionName``): CloudFormation replaces it.

The new function starts again at version 1 and the old one is deleted with its versions.
The release records the function as replaced; `history` says so; `<ALIAS>_STABLE` has
nothing to point at (the before-version was the old function's) instead of a failed
CreateAlias on a version the new function lacks; `rollback` refuses that function by name,
saying how to go back, and leaves the others' state and the stable pointers as they were.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator

import pytest
import yaml

from lambda_release.sandbox import Sandbox
from tests.engine.conftest import App
from tests.rollback.cli import kit_lr
from tests.rollback.stackkit import ALIAS, Kit
from tests.support.sam import sam_build


@pytest.fixture
def kit(sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch) -> Iterator[Kit]:
    k = Kit.in_env(sandbox, monkeypatch, "ren")
    k.function_names = {"A": f"{k.stack}-a-one"}
    k.release({"A": "1", "B": "1"})
    k.release({"A": "2", "B": "2"})
    yield k


def test_a_renamed_function_is_recorded_replaced_and_rollback_refuses_it_by_name(
    kit: Kit,
) -> None:
    old_name, new_name = kit.function_names["A"], f"{kit.stack}-a-two"
    kit.function_names["A"] = new_name
    release = kit.release({"A": "3"})
    assert kit.names()["A"] == new_name
    assert kit.versions() == {"A": "1", "B": "2"}  # the new function's first version
    rows = {f["logical_id"]: f for f in kit.entries()[-1].functions()}
    assert rows["AFunction"]["replaced"] and rows["AFunction"]["moved"]
    assert rows["AFunction"]["function_name"] == new_name
    assert kit.entries()[-1].entry["functions"][0]["function_name"] == old_name
    # Nothing earlier to return to on the new function; B keeps its own.
    assert kit.versions(f"{ALIAS}_STABLE") == {"A": None, "B": "2"}

    history = kit_lr(kit, "history")
    assert history.returncode == 0, history.stderr
    assert "AFunction 2->1 (replaced)" in history.stdout

    dry = kit_lr(kit, "rollback", "--dry-run", "--output", "json")
    assert dry.returncode == 0, dry.stderr
    done = kit_lr(kit, "rollback", "--output", "json")
    assert done.returncode == 1, done.stderr
    steps = {s["logical_id"]: s for s in json.loads(done.stdout)["functions"]}
    assert steps["AFunction"]["action"] == "refused"
    assert new_name in steps["AFunction"]["reason"]
    assert "deploy the previous template" in steps["AFunction"]["reason"]
    assert steps["BFunction"]["action"] == "untouched"
    assert "could not point" not in done.stderr  # no CreateAlias on a version A lacks
    assert kit.versions() == {"A": "1", "B": "2"}
    assert kit.versions(f"{ALIAS}_STABLE") == {"A": None, "B": "2"}
    assert kit.log().read_undo(release) is None  # nothing moved: nothing marked undone


def test_a_rename_through_sam_deploy_settles_replaced_with_no_stable_warning(
    make_app: Callable[..., App],
) -> None:
    """The same through the console script and the real `sam deploy`, renaming only (the
    version's and alias's text unchanged: they are updated because what they refer to was
    replaced); the after-sam read finds the old function gone and lists the stack again."""
    app = make_app(("A", "B"))
    code, _, err = app.deploy_json()
    assert code == 0, err
    path = app.directory / "template.yaml"
    doc = yaml.safe_load(path.read_text())
    new_name = f"{app.stack}-renamed"
    doc["Resources"]["AFunction"]["Properties"]["FunctionName"] = new_name
    path.write_text(yaml.safe_dump(doc))
    sam_build(app.directory, app.env)
    code, data, err = app.deploy_json()
    assert code == 0, err
    rows = {f["logical_id"]: f for f in data["functions"]}
    assert rows["AFunction"]["replaced"] and rows["AFunction"]["function_name"] == new_name
    assert rows["AFunction"]["after"] == "1" and rows["AFunction"]["stable"] is None
    assert "could not point" not in err
    assert app.function_names()["AFunction"] == new_name
    done = app.lr("rollback", "--stack", app.stack, "--alias", "PROD")  # log found by tag
    assert done.returncode == 1
    assert f"this release replaced the function (a new name: {new_name})" in done.stdout
