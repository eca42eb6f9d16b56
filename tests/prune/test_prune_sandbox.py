"""`lambda-release prune` against the sandbox: more than 50 versions, every protection at once.

Function A ends with 58 published versions (Lambda pages at 50) and, after a rollback:
PROD -> 2, PROD_STABLE -> 1, an extra alias EXTRA -> 10 with a routing weight on 11,
releases in effect naming 1 and 2, and the stack's template still recording 3 (drift: a
CloudFormation rollback would need it). With --keep 5 exactly 4..53 except 10 and 11 may go.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from lambda_release.sandbox.server import Sandbox
from tests.support.zips import app_zip
from tests.watch.app import App, make_app

EXTRA_VERSIONS = 55  # 4..58


def handler_zip(text: str) -> bytes:
    return app_zip(f"def handler(event, context):\n    return {text!r}\n")


def versions(sandbox: Sandbox, name: str) -> list[str]:
    lam = sandbox.client("lambda")
    found: list[str] = []
    for page in lam.get_paginator("list_versions_by_function").paginate(FunctionName=name):
        found += [v["Version"] for v in page["Versions"]]
    return found


@pytest.fixture(scope="module")
def app(
    sandbox: Sandbox, sandbox_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> App:
    built = make_app(
        sandbox, sandbox_env, tmp_path_factory.mktemp("prune-app"), deployment="AllAtOnce"
    )
    for code in ("1", "2", "3"):
        if code != "1":
            built.change_code(code, ("A", "B"))
        p = built.deploy()
        assert p.returncode == 0, p.stderr
    lam = sandbox.client("lambda")
    a = built.function_name("A")
    for n in range(EXTRA_VERSIONS):
        lam.update_function_code(FunctionName=a, ZipFile=handler_zip(f"extra {n}"))
        lam.publish_version(FunctionName=a)
    lam.create_alias(
        FunctionName=a,
        Name="EXTRA",
        FunctionVersion="10",
        RoutingConfig={"AdditionalVersionWeights": {"11": 0.25}},
    )
    back = built.lr("rollback", "--stack", built.stack, "--alias", "PROD", "--reason", "test")
    assert back.returncode == 0, back.stderr
    assert versions(sandbox, a)[-1] == "58"
    return built


def prune(app: App, *args: str, trace: Path | None = None) -> tuple[int, dict[str, Any], str]:
    env = dict(app.env)
    if trace is not None:
        env["LAMBDA_RELEASE_TRACE_AWS"] = str(trace)
    p = app.lr("prune", "--stack", app.stack, "--keep", "5", "--output", "json", *args, env=env)
    return p.returncode, json.loads(p.stdout) if p.stdout.strip() else {}, p.stderr


EXPECTED_A = [str(v) for v in range(4, 54) if v not in (10, 11)]


def test_dry_run_lists_what_would_go_and_the_bytes_and_deletes_nothing(
    app: App, sandbox: Sandbox
) -> None:
    before = versions(sandbox, app.function_name("A"))
    code, plan, err = prune(app, "--dry-run")
    assert code == 0, err
    runs = {f["logical_id"]: f for f in plan["functions"]}
    a, b = runs["AFunction"], runs["BFunction"]
    assert a["published_versions"] == 58
    assert [d["version"] for d in a["delete"]] == EXPECTED_A
    assert b["delete"] == [] and b["published_versions"] == 3
    assert all(d["code_size"] > 0 for d in a["delete"])
    assert plan["bytes"] == a["bytes"] == sum(d["code_size"] for d in a["delete"])
    assert plan["dry_run"] is True and a["deleted"] == []
    kept = {k["version"]: k["reasons"] for k in a["kept"]}
    assert kept["3"] == ["referenced by the stack's current template"]
    assert "alias PROD" in kept["2"] and "alias PROD_STABLE" in kept["1"]
    assert "stable version of PROD" in kept["1"]
    assert kept["10"] == ["alias EXTRA"] and kept["11"] == ["alias EXTRA (routing weight)"]
    assert any("in effect" in r for r in kept["1"]) and any("in effect" in r for r in kept["2"])
    assert all(kept[str(v)] == ["one of the 5 newest"] for v in range(54, 59))
    assert versions(sandbox, app.function_name("A")) == before
    text = app.lr("prune", "--stack", app.stack, "--keep", "5", "--dry-run")
    assert text.returncode == 0
    assert "would delete 48 (" in text.stdout and "4-9, 12-53" in text.stdout
    assert "kept 3: referenced by the stack's current template" in text.stdout


def test_prune_deletes_exactly_the_unprotected_reading_every_page(
    app: App, sandbox: Sandbox, tmp_path: Path
) -> None:
    trace = tmp_path / "trace.jsonl"
    a_name = app.function_name("A")
    code, result, err = prune(app, trace=trace)
    assert code == 0, err
    runs = {f["logical_id"]: f for f in result["functions"]}
    assert runs["AFunction"]["deleted"] == EXPECTED_A
    assert runs["AFunction"]["refused"] == [] and runs["AFunction"]["failed"] == []
    assert runs["BFunction"]["deleted"] == []
    remaining = versions(sandbox, a_name)
    assert remaining == ["$LATEST", "1", "2", "3", "10", "11", "54", "55", "56", "57", "58"]
    assert versions(sandbox, app.function_name("B")) == ["$LATEST", "1", "2", "3"]
    calls = [json.loads(line) for line in trace.read_text().splitlines()]
    listings = [
        c
        for c in calls
        if c["operation"] == "ListVersionsByFunction" and c["params"].get("FunctionName") == a_name
    ]
    assert len(listings) == 2  # 59 entries ($LATEST included) at 50 a page
    deletes = [c for c in calls if c["operation"] == "DeleteFunction"]
    assert len(deletes) == len(EXPECTED_A)
    # Run again: nothing left to delete, nothing protected touched.
    code, again, err = prune(app)
    assert code == 0, err
    assert all(f["delete"] == [] for f in again["functions"])


def test_bad_input_exits_2(app: App) -> None:
    no_keep = app.lr("prune", "--stack", app.stack)
    assert no_keep.returncode == 2 and "no --keep" in no_keep.stderr
    negative = app.lr("prune", "--stack", app.stack, "--keep", "-1")
    assert negative.returncode == 2 and "--keep '-1'" in negative.stderr
    missing = app.lr("prune", "--stack", "no-such-stack-y", "--keep", "3")
    assert missing.returncode == 2 and "no-such-stack-y does not exist" in missing.stderr
