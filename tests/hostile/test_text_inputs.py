"""Issue 24 item 5: text that cannot forge output.

A reason, a name or any other text given to an option is refused when it carries a control
character (exit 2, one line naming the option, the log and the aliases untouched). Text
already in a log (an older version's, or a person's) is shown escaped by `history`,
`status` and `rollback`: never a raw escape sequence, never a row of its own.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from lambda_release.sandbox import Sandbox
from tests.hostile.world import SAM, one_line, world
from tests.rollback.cli import kit_lr
from tests.rollback.stackkit import Kit

FORGED_ROW = "20990101T000000.000000Z-0f0f0f0f  release  succeeded  A 1->9  -  root"
# A second line that looks like a row of `history`, then "cursor up" over the first.
FORGE = f"false alarm\n{FORGED_ROW}\x1b[1A"


@pytest.fixture(scope="module")
def kit(sandbox: Sandbox) -> Iterator[Kit]:
    with pytest.MonkeyPatch.context() as mp:
        k = Kit.in_env(sandbox, mp, "text")
        k.release({"A": "1", "B": "1"})
        k.release({"A": "2"})
        yield k


DEPLOY = ("deploy", "--sam-path", SAM)
REFUSED = [
    (("rollback", "--reason", FORGE), "--reason", "\\n"),
    (("rollback", "--reason", "fine\u202eenif"), "--reason", "\\u202e"),
    (("rollback", "--dry-run", "--reason", "tab\there"), "--reason", "\\t"),
    (("rollback", "--function", "AFunction\n"), "--function", "\\n"),
    ((*DEPLOY, "--allow-rolled-back-code", FORGE), "--allow-rolled-back-code", "\\n"),
    ((*DEPLOY, "--environment", "prod\x1b[2J"), "--environment", "\\x1b"),
    ((*DEPLOY, "--tags", "team=a\x07"), "--tags", "\\x07"),
    ((*DEPLOY, "--dry-run", "--sam-arg=--debug\r"), "--sam-arg", "\\r"),
    (("begin", "--environment", "staging\u2028prod"), "--environment", "\\u2028"),
    (("record", "--record-file", "release\n.json"), "--record-file", "\\n"),
    (("history", "--pipeline-id", "1\x852"), "--pipeline-id", "\\x85"),
]


@pytest.mark.parametrize(
    ("args", "label", "shown"), REFUSED, ids=[f"{c[0][0]}{c[1]}-{c[2]}" for c in REFUSED]
)
def test_a_control_character_in_an_option_is_bad_input_and_changes_nothing(
    kit: Kit, app_dir: Path, args: tuple[str, ...], label: str, shown: str
) -> None:
    before = world(kit)
    p = kit_lr(kit, *args, cwd=app_dir)
    assert p.returncode == 2, p.stderr
    line = one_line(p.stderr)
    assert line.startswith(f"lambda-release {args[0]}: error: {label} contains "), line
    assert f"contains a control character ({shown} at position " in line, line
    assert line.endswith(
        "give it as one line of plain text, without line breaks, tabs or escape sequences"
    )
    assert "\x1b" not in p.stderr and p.stdout == ""
    assert world(kit) == before


def test_an_option_from_the_environment_is_named_by_its_variable(kit: Kit) -> None:
    before = world(kit)
    p = kit_lr(kit, "rollback", extra_env={"LAMBDA_RELEASE_REASON": FORGE})
    assert p.returncode == 2
    assert one_line(p.stderr).startswith(
        "lambda-release rollback: error: LAMBDA_RELEASE_REASON contains a control character"
    )
    assert world(kit) == before


def test_a_clean_reason_is_recorded_as_given(kit: Kit) -> None:
    """Unicode text is not a control character: it goes through untouched."""
    p = kit_lr(kit, "rollback", "--dry-run", "--reason", "caf\u00e9 \u2615 down")
    assert p.returncode == 0, p.stderr


# -- what a log already holds -------------------------------------------------------------


@pytest.fixture
def forged_log(sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch) -> Kit:
    """A log whose newest entry an older version (or a person) wrote with control characters
    in every free-text field."""
    kit = Kit.in_env(sandbox, monkeypatch, "forged")
    kit.release({"A": "1"})
    kit.release({"A": "2"})
    log = kit.log()
    newest = max(log.entry_ids())
    s3 = kit.sandbox.client("s3")
    key = log.entry_key(newest)
    entry = json.loads(s3.get_object(Bucket=kit.bucket, Key=key)["Body"].read())
    entry.update(
        who=f"mallory\n{FORGED_ROW}\x1b[1A",
        reason=f"hotfix\r{FORGED_ROW}",
        allow_rolled_back_code=f"\x1b[2Jtrust me\n{FORGED_ROW}",
    )
    entry["ci"]["commit"] = "\x1b]0;pwned\x07abc"
    s3.put_object(Bucket=kit.bucket, Key=key, Body=json.dumps(entry))
    return kit


def test_history_shows_a_forged_entry_escaped_on_its_own_row(forged_log: Kit) -> None:
    p = kit_lr(forged_log, "history")
    assert p.returncode == 0, p.stderr
    assert "\x1b" not in p.stdout and "\r" not in p.stdout and "\x07" not in p.stdout
    lines = p.stdout.splitlines()
    # The header and one row per entry; that rolled-back code was released is in its notes.
    assert len(lines) == 1 + 2, p.stdout
    assert "mallory\\n2099" in lines[1] and "\\x1b[1A" in lines[1]
    assert lines[1].endswith(f"released rolled-back code again: \\x1b[2Jtrust me\\n{FORGED_ROW}")
    assert not any(line.startswith("20990101T") for line in lines)


def test_history_text_keeps_one_line_and_nine_columns_per_entry(forged_log: Kit) -> None:
    """--output text is for `cut` and `while read`: a tab or line break in a log's words
    must not make a column or a row of its own."""
    p = kit_lr(forged_log, "history", "--output", "text")
    assert p.returncode == 0, p.stderr
    assert "\x1b" not in p.stdout and "\r" not in p.stdout and "\x07" not in p.stdout
    rows = [line.split("\t") for line in p.stdout.splitlines()]
    assert len(rows) == 2 and all(len(r) == 9 for r in rows), p.stdout
    assert rows[0][7].startswith("mallory\\n2099")


def test_history_json_keeps_the_text_as_written(forged_log: Kit) -> None:
    p = kit_lr(forged_log, "history", "--output", "json")
    assert p.returncode == 0 and "\x1b" not in p.stdout  # JSON escapes it as \u001b
    assert json.loads(p.stdout)[0]["who"] == f"mallory\n{FORGED_ROW}\x1b[1A"


def test_status_shows_a_forged_entry_escaped(forged_log: Kit) -> None:
    p = kit_lr(forged_log, "status")
    assert p.returncode == 0, p.stderr
    assert "\x1b" not in p.stdout and "\x07" not in p.stdout
    (last,) = [line for line in p.stdout.splitlines() if line.startswith("last release")]
    assert "by mallory\\n2099" in last
    assert not any(line.startswith("20990101T") for line in p.stdout.splitlines())


def test_rollback_prints_a_forged_entry_escaped(forged_log: Kit) -> None:
    p = kit_lr(forged_log, "rollback", "--reason", "undo the forged one")
    assert p.returncode == 0, p.stderr
    for stream in (p.stdout, p.stderr):
        assert "\x1b" not in stream and "\x07" not in stream
    h = kit_lr(forged_log, "history")
    assert "\x1b" not in h.stdout and len(h.stdout.splitlines()) == 1 + 3


def test_a_parameter_value_with_an_escape_is_refused_without_forging_a_line(
    kit: Kit, app_dir: Path
) -> None:
    """A parameter value goes to the template, not to people: it may hold a tab (a password
    may), but not what CloudFormation's XML answers cannot carry; refused in one line that
    shows the value escaped (a secret's would be *****)."""
    before = world(kit)
    p = kit_lr(kit, *DEPLOY, "--parameter-override", "Greeting=\x1b[31mred", cwd=app_dir)
    assert p.returncode == 2, p.stderr
    line = one_line(p.stderr)
    assert "Greeting" in line and "U+001B" in line and "\x1b" not in p.stderr
    assert world(kit) == before
