"""Review rules RC001-RC005, RC008-RC012: the real orb passes; each rule broken once is caught."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from orbtools.review import review


def edit(rel: str, old: str, new: str) -> Callable[[Path], None]:
    def change(orb: Path) -> None:
        path = orb / rel
        text = path.read_text(encoding="utf-8")
        assert old in text, f"{old!r} not in {rel}"
        path.write_text(text.replace(old, new, 1), encoding="utf-8")

    return change


def rename(old: str, new: str) -> Callable[[Path], None]:
    return lambda orb: (orb / old).rename(orb / new)


def remove_examples(orb: Path) -> None:
    for path in (orb / "examples").glob("*.yml"):  # sdk/ holds no YAML: not an example
        path.unlink()


def test_the_real_orb_passes_review(orb_copy: Path) -> None:
    assert [str(f) for f in review(orb_copy)] == []


BROKEN = [
    (
        "RC001",
        edit("@orb.yml", "  source_url: https://github.com/lambda-release/lambda-release\n", ""),
    ),
    (
        "RC002",
        edit("commands/check.yml", "    description: The SAM template.\n", ""),
    ),
    ("RC002", edit("executors/machine.yml", "description: >\n", "summary: >\n")),
    ("RC003", remove_examples),
    ("RC004", rename("examples/multi_region_matrix.yml", "examples/example1.yml")),
    ("RC004", rename("examples/serialised_deploys.yml", "examples/deploy.yml")),
    (
        "RC005",
        lambda orb: (orb / "@orb.yml").write_text(
            re.sub(
                r"description: >\n(  .*\n)+",
                "description: Lambda releases.\n",
                (orb / "@orb.yml").read_text(encoding="utf-8"),
            ),
            encoding="utf-8",
        ),
    ),
    ("RC008", edit("commands/check.yml", "      name: Check the SAM template\n", "")),
    (
        "RC009",
        edit(
            "commands/check.yml",
            "command: <<include(scripts/check_template.sh)>>",
            'command: lambda-release check "${LR_STR_TEMPLATE}" && echo "template checked, ok"',
        ),
    ),
    ("RC010", rename("commands/store_record.yml", "commands/storeRecord.yml")),
    ("RC010", edit("commands/check.yml", "  template:\n", "  Template:\n")),
    ("RC011", edit("examples/canary_with_alarms.yml", "lambda-release@1", "lambda-release@0.1")),
    (
        "RC011",
        edit("examples/canary_with_alarms.yml", "lambda-release@1", "lambda-release@volatile"),
    ),
    (
        "RC012",
        edit(
            "commands/release.yml",
            '    type: string\n    default: ""\n    description: AWS region',
            "    type: string\n    default: $AWS_REGION\n    description: AWS region",
        ),
    ),
]


@pytest.mark.parametrize(("rule", "breakage"), BROKEN)
def test_each_rule_broken_once_is_caught(
    orb_copy: Path, rule: str, breakage: Callable[[Path], None]
) -> None:
    breakage(orb_copy)
    findings = review(orb_copy)
    assert rule in {f.rule for f in findings}, [str(f) for f in findings]
    # Only the broken rule fires: the others still hold.
    assert {f.rule for f in findings} == {rule}, [str(f) for f in findings]


def test_every_rule_is_exercised() -> None:
    rules = {rule for rule, _ in BROKEN}
    assert rules == {f"RC{n:03d}" for n in (1, 2, 3, 4, 5, 8, 9, 10, 11, 12)}
