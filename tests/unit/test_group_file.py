"""The group file (release waves): the model's own checks agree with its JSON schema, each
problem names its path, and the plan (members, templates, undo order, outcomes) is pure."""

from __future__ import annotations

import copy
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from lambda_release import bounds
from lambda_release.errors import UsageError
from lambda_release.group import model, plan
from lambda_release.group.members import find_release
from lambda_release.group.model import build, duration_seconds, load, problems
from lambda_release.group.schema_check import schema, schema_problems
from lambda_release.log.records import Release

GOOD: dict[str, Any] = {
    "version": 1,
    "group": "orders",
    "alias": "PROD",
    "on_failure": "rollback",
    "log": {"bucket": "my-release-logs", "region": "us-east-1"},
    "waves": [
        {
            "name": "first",
            "bake": "10m",
            "concurrency": 2,
            "targets": [
                {
                    "stack_prefix": "orders",
                    "region": "us-east-1",
                    "template": "template.yaml",
                    "config_env": "prod",
                    "s3_bucket": "artifacts-use1",
                    "parameter_overrides": {"Stage": "prod"},
                }
            ],
        },
        {
            "targets": [
                {"stack": "orders-prod", "region": "eu-west-1"},
                {"stack": "b", "region": "eu-west-1"},
            ]
        },
    ],
}


def changed(path: str, value: Any) -> dict[str, Any]:
    """GOOD with the value at ``path`` (dots, [n] for lists) replaced; ``...``: removed."""
    data = copy.deepcopy(GOOD)
    *parents, last = path.replace("[", ".").replace("]", "").split(".")
    node: Any = data
    for p in parents:
        node = node[int(p)] if p.isdigit() else node[p]
    key: Any = int(last) if last.isdigit() else last
    if value is ...:
        del node[key]
    else:
        node[key] = value
    return data


BAD = {
    "version": changed("version", 2),
    "version bool": changed("version", True),
    "no group": changed("group", ...),
    "group chars": changed("group", "orders/prod"),
    "group long": changed("group", "g" * 65),
    "alias digits": changed("alias", "123"),
    "alias chars": changed("alias", "PROD STAGING"),
    "on_failure": changed("on_failure", "ignore"),
    "log key": changed("log.colour", "red"),
    "log bucket": changed("log.bucket", "UPPER"),
    "no waves": changed("waves", []),
    "waves not list": changed("waves", {"a": 1}),
    "too many waves": changed("waves", [GOOD["waves"][1]] * 21),
    "unknown top": changed("colour", "red"),
    "unknown wave key": changed("waves[0].colour", "red"),
    "bake word": changed("waves[0].bake", "ten minutes"),
    "bake number": changed("waves[0].bake", 10),
    "bake bool": changed("waves[0].bake", True),
    "concurrency 0": changed("waves[0].concurrency", 0),
    "concurrency huge": changed("waves[0].concurrency", 10**9),
    "concurrency str": changed("waves[0].concurrency", "2"),
    "no targets": changed("waves[0].targets", []),
    "too many targets": changed("waves[1].targets", [{"stack": "a", "region": "us-east-1"}] * 51),
    "target both": changed("waves[0].targets[0].stack", "orders-prod"),
    "target neither": changed("waves[1].targets[0].stack", ...),
    "no region": changed("waves[1].targets[0].region", ...),
    "bad region": changed("waves[1].targets[0].region", "mars-1"),
    "stack chars": changed("waves[1].targets[0].stack", "1orders"),
    "stack long": changed("waves[1].targets[0].stack", "s" * 129),
    "prefix long": changed("waves[0].targets[0].stack_prefix", "s" * 121),
    "unknown target key": changed("waves[1].targets[0].function", "x"),
    "empty template": changed("waves[0].targets[0].template", ""),
    "template absolute": changed("waves[0].targets[0].template", "/etc/passwd"),
    "template climbing": changed("waves[0].targets[0].template", "a/../../etc/passwd"),
    "override number": changed("waves[0].targets[0].parameter_overrides", {"Port": 8080}),
    "override key": changed("waves[0].targets[0].parameter_overrides", {"a-b": "x"}),
    "override huge": changed("waves[0].targets[0].parameter_overrides", {"A": "x" * 4097}),
    "override NUL": changed("waves[0].targets[0].parameter_overrides", {"A": "x\0y"}),
    "bucket": changed("waves[0].targets[0].s3_bucket", "Bad_Bucket"),
    "config env": changed("waves[0].targets[0].config_env", "a b"),
    "not a mapping": ["version", 1],
    "empty": None,
}


def test_the_good_file_is_good_for_both() -> None:
    assert problems(GOOD) == []
    assert schema_problems(GOOD) == []


@pytest.mark.parametrize("name", sorted(BAD))
def test_the_model_and_the_schema_refuse_the_same_files(name: str) -> None:
    data = BAD[name]
    assert problems(data), name
    assert schema_problems(data), name


def test_each_problem_names_its_path() -> None:
    (one,) = problems(changed("waves[1].targets[0].region", "mars-1"))
    assert one.startswith("waves[1].targets[0].region: 'mars-1'")
    (key,) = problems(changed("waves[1].targets[0].function", "x"))
    assert key.startswith("waves[1].targets[0].function: unknown key")
    (schema_one,) = schema_problems(changed("waves[1].targets[0].region", "mars-1"))
    assert schema_one.startswith("waves[1].targets[0].region:")


def test_the_checks_no_schema_can_say() -> None:
    twice = changed("waves[1].name", "first")
    assert any("names two waves" in p for p in problems(twice))
    assert schema_problems(twice) == []  # documented in the schema's description
    too_long = changed("waves[0].bake", "25h")
    assert problems(too_long) == ["waves[0].bake: '25h' is longer than a day (at most 24h)"]
    assert schema_problems(too_long) == []  # likewise
    # YAML's 1.0 is a float, equal to 1 in Python: only the integer 1 is a version. JSON
    # Schema's "integer" is any number with no fractional part, so the schema takes it.
    for text in ("1.0", "1.00", "!!float 1"):
        data = changed("version", yaml.safe_load(text))
        assert problems(data) == [f"version: {data['version']!r} is not 1 (write version: 1)"]
        assert schema_problems(data) == []  # likewise


def test_a_bake_is_bounded_as_deploys_is() -> None:
    assert bounds.BAKE.high * 60 == model.MAX_BAKE
    assert problems(changed("waves[0].bake", "24h")) == []
    assert problems(changed("waves[0].bake", "1440m")) == []
    assert problems(changed("waves[0].bake", "86401s"))


def test_a_target_twice_is_refused_naming_both_places(tmp_path: Path) -> None:
    gf = build(tmp_path / "g.yml", GOOD)
    with pytest.raises(
        UsageError, match=r"waves\[1\]\.targets\[0\].*already waves\[0\]\.targets\[0\]"
    ):
        dup = changed("waves[1].targets[0].region", "us-east-1")
        build(tmp_path / "g.yml", dup).members("PROD")
    # The prefix makes orders-staging for another alias: no clash there.
    assert len(gf.members("STAGING")) == 3


def test_load_reads_the_file_and_names_it(tmp_path: Path) -> None:
    path = tmp_path / "lambda-release.group.yml"
    path.write_text(yaml.safe_dump(GOOD))
    gf = load(path)
    assert gf.group == "orders" and gf.waves[0].bake_seconds == 600
    assert gf.waves[1].name == "wave-2" and gf.waves[1].concurrency == 1
    assert gf.template_path(gf.waves[0].targets[0]) == (tmp_path / "template.yaml").resolve()
    path.write_text("version: 1\ngroup: [")
    with pytest.raises(UsageError, match="is not YAML"):
        load(path)
    with pytest.raises(UsageError, match="does not exist"):
        load(tmp_path / "nope.yml")


def test_durations() -> None:
    assert [duration_seconds(t) for t in ("0", "30s", "10m", "2h")] == [0, 30, 600, 7200]


def test_the_schema_is_package_data_with_every_key_the_model_knows() -> None:
    s = schema()
    assert set(s["properties"]) == set(model.TOP_KEYS)
    assert set(s["$defs"]["wave"]["properties"]) == set(model.WAVE_KEYS)
    assert set(s["$defs"]["target"]["properties"]) == set(model.TARGET_KEYS)


def members(tmp_path: Path) -> list[plan.Member]:
    return plan.members(build(tmp_path / "g.yml", GOOD), "PROD")


def test_members_in_wave_order_and_templates_once(tmp_path: Path) -> None:
    ms = members(tmp_path)
    assert [(m.wave, m.stack, m.region) for m in ms] == [
        (1, "orders-prod", "us-east-1"),
        (2, "orders-prod", "eu-west-1"),
        (2, "b", "eu-west-1"),
    ]
    gf = build(tmp_path / "g.yml", GOOD)
    assert plan.templates(gf, ms) == [(tmp_path / "template.yaml").resolve()]


def test_undo_order_is_newest_wave_first(tmp_path: Path) -> None:
    order = plan.undo_order(members(tmp_path))
    assert [[m.wave for m in wave] for wave in order] == [[2, 2], [1]]


def test_outcomes() -> None:
    assert plan.member_outcome(None, False) == "not started"
    assert plan.member_outcome("succeeded", True) == "rolled back"
    assert plan.member_outcome("no-change", False) == "succeeded"
    assert plan.member_outcome("partial", False) == "failed"
    assert plan.member_outcome("pending", False) == "pending"
    assert plan.undo_skip("succeeded", False) is None
    assert plan.undo_skip("pending", False) is None  # rollback settles it first
    assert plan.undo_skip("partial", False) is None
    assert plan.undo_skip("failed", False) == "nothing to undo"
    assert plan.undo_skip("succeeded", True) == "rolled back"
    assert plan.undo_skip(None, False) == "not started"
    assert plan.group_outcome(None, False) == "pending"
    assert plan.group_outcome("stopped", True) == "rolled back"
    assert plan.group_outcome("succeeded", False) == "succeeded"


class FakeLog:
    """A member's log as ``newest_first`` reads it (the reads are the store's; tested there)."""

    def __init__(self, *releases: Release) -> None:
        self.releases = releases

    def newest_first(self) -> Iterator[Release]:
        return iter(self.releases)


def entry(rid: str, group: str | None = None, kind: str = "release") -> Release:
    e: Any = {"id": rid, "kind": kind, "functions": []}
    if group is not None:
        e["group"] = {"name": "orders", "id": group, "wave": 1}
    return Release(e)


GID = "20261206T140000.000000Z-0a0b0c0d"


def test_a_members_release_is_found_by_its_group_id_and_what_came_since() -> None:
    mine = entry("20261206T140001.000000Z-00000001", GID)
    later = entry("20261206T150000.000000Z-00000002")
    undo = entry("20261206T150001.000000Z-00000003", kind="rollback")
    older = entry("20261205T000000.000000Z-00000004", "20261205T000000.000000Z-0a0b0c0d")
    assert find_release(FakeLog(undo, later, mine, older), GID) == (mine, later.id)  # type: ignore[arg-type]
    assert find_release(FakeLog(mine, older), GID) == (mine, None)  # type: ignore[arg-type]
    # Never began: the search stops at the first release older than the group release.
    assert find_release(FakeLog(later, older, mine), GID) == (None, later.id)  # type: ignore[arg-type]


def test_an_interrupt_begins_no_further_member() -> None:
    from lambda_release.group.deploy import _concurrently  # noqa: PLC0415 - one test's

    began: list[int] = []
    gate = threading.Event()

    def one(i: int) -> int:
        began.append(i)
        if i == 0:
            raise KeyboardInterrupt  # SIGTERM, as cli.main makes it
        gate.wait(5)
        return i

    with pytest.raises(KeyboardInterrupt):
        threading.Timer(0.5, gate.set).start()
        _concurrently(one, list(range(10)), 2)
    assert len(began) <= 3, began  # the two under way (and at most one picked up meanwhile)


def test_without_jsonschema_check_group_says_which_extra_to_install(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "jsonschema", None)  # as if not installed
    with pytest.raises(UsageError, match=r"install lambda-release\[check\]") as got:
        schema_problems(GOOD)
    assert got.value.exit_code == 2
