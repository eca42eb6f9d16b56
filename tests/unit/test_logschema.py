"""The release log's types against docs/release-log.md, and the schema check of reads."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from lambda_release.errors import OperationError
from lambda_release.log import schema as logschema
from lambda_release.log.group_schema import (
    GROUP_END_SCHEMA,
    GROUP_MEMBER_SCHEMA,
    GROUP_RELEASE_SCHEMA,
    GROUP_ROLLBACK_SCHEMA,
    GroupEnd,
    GroupMember,
    GroupRelease,
    GroupRollback,
)

DOC = Path(__file__).resolve().parents[2] / "docs" / "release-log.md"


def documented_objects() -> dict[str, dict[str, Any]]:
    """Every JSON example in the doc that names a log schema, by schema name."""
    text = DOC.read_text(encoding="utf-8")
    blocks = re.findall(r"```json\n(.*?)```", text, flags=re.S)
    blocks += re.findall(r'`(\{"schema": "lambda-release/[^`]*\})`', text)
    found: dict[str, dict[str, Any]] = {}
    for block in blocks:
        body = json.loads(block)
        if isinstance(body, dict) and str(body.get("schema", "")).startswith("lambda-release/"):
            found[body["schema"]] = body
    return found


@pytest.mark.parametrize(
    ("schema", "shape", "nested"),
    [
        (logschema.ENTRY_SCHEMA, logschema.Entry, logschema.EntryFunction),
        (logschema.SETTLEMENT_SCHEMA, logschema.Settlement, logschema.SettledFunction),
        (logschema.UNDO_SCHEMA, logschema.Undo, None),
        (logschema.BAKE_START_SCHEMA, logschema.BakeStart, None),
        (logschema.BAKE_END_SCHEMA, logschema.BakeEnd, None),
        (GROUP_RELEASE_SCHEMA, GroupRelease, None),
        (GROUP_MEMBER_SCHEMA, GroupMember, None),
        (GROUP_END_SCHEMA, GroupEnd, None),
        (GROUP_ROLLBACK_SCHEMA, GroupRollback, None),
    ],
)
def test_the_documented_examples_have_the_types_shape(
    schema: str, shape: type, nested: type | None
) -> None:
    example = documented_objects()[schema]
    assert logschema.problem_with(example, shape) is None
    fields = set(shape.__annotations__)
    assert set(example) <= fields, set(example) - fields  # nothing documented is untyped
    assert shape.__required_keys__ <= set(example)  # type: ignore[attr-defined]
    if nested is not None:
        for row in example["functions"]:
            assert set(row) <= set(nested.__annotations__)


def test_every_documented_key_of_the_lease_is_typed() -> None:
    text = DOC.read_text(encoding="utf-8")
    (listed,) = re.findall(r"a lease: `\{([^}]*)\}`", text.replace("\n  ", " "))
    keys = {k.strip() for k in listed.split(",")}
    assert keys <= set(logschema.Lease.__annotations__)


def test_the_outcomes_are_the_documented_ones() -> None:
    text = DOC.read_text(encoding="utf-8")
    for outcome in logschema.Outcome:
        if outcome is not logschema.Outcome.PENDING:
            assert f"`{outcome.value}`" in text
    assert json.dumps(logschema.Outcome.NO_CHANGE) == '"no-change"'  # the JSON is unchanged


@pytest.mark.parametrize(
    ("what", "body", "words"),
    [
        (logschema.Entry, {}, "functions is missing"),
        (logschema.Entry, {"id": "r", "functions": [{"before": "1"}]}, "functions[0].logical_id"),
        (logschema.Settlement, {"outcome": "succeeded", "functions": "x"}, "not a list"),
        (
            logschema.Lease,
            {"holder": "r", "expires_epoch": "tomorrow"},
            "expires_epoch is a string",
        ),
        (logschema.Lease, {"holder": "r", "expires_epoch": float("inf")}, "expires_epoch"),
        (logschema.Claim, [], "not an object"),
    ],
)
def test_a_log_object_of_the_wrong_shape_is_an_error_naming_its_key(
    what: type, body: Any, words: str
) -> None:
    uri = "s3://bucket/lambda-release/s/A/some.json"
    with pytest.raises(OperationError) as raised:
        logschema.checked(body, what, uri)
    message = str(raised.value)
    assert uri in message and words in message and raised.value.exit_code == 1


def test_old_entries_with_only_the_relied_on_fields_still_read() -> None:
    old = {"id": "20250101T000000.000000Z-00000000", "functions": [{"logical_id": "A"}]}
    assert logschema.checked(old, logschema.Entry, "s3://b/k") is old
