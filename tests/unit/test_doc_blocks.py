"""Every shell block in README.md and docs/*.md says whether it runs against the stand-in
(and the docs test runs it) or is shown only, and why."""

from __future__ import annotations

from pathlib import Path

from tests.support.doc_blocks import Block, _commands, printed, shell_blocks, unlabelled_commands


def test_every_shell_block_runs_or_says_why_not() -> None:
    unmarked = [b.where for b in shell_blocks() if not b.runs and not b.shown_only]
    assert unmarked == [], "mark each `sh sandbox` or `sh norun: <why>`"
    no_reason = [b.where for b in shell_blocks() if b.shown_only and ":" not in b.info]
    assert no_reason == []


def test_no_command_block_hides_its_language() -> None:
    assert [b.where for b in unlabelled_commands()] == []


def _subcommands(blocks: list[Block]) -> set[str]:
    return {
        c.text.split()[1]
        for b in blocks
        for c in b.commands
        if c.text.startswith("lambda-release ") and len(c.text.split()) > 1
    }


def test_every_documented_command_runs_somewhere() -> None:
    """Each lambda-release command a doc shows runs in at least one block the docs test runs
    (`sandbox` itself serves every block: tests/sandbox/test_command.py runs it as shown;
    `bake` takes minutes of real time: tests/bake/test_bake_e2e.py runs it on the stand-in's
    fast clock)."""
    blocks = shell_blocks()
    shown = _subcommands([b for b in blocks if b.shown_only])
    ran = _subcommands([b for b in blocks if b.runs])
    assert shown - ran - {"sandbox", "bake"} == set()


def test_commands_join_continuations_and_take_their_output() -> None:
    lines = (
        "# a comment",
        "lambda-release target --branch main \\",
        "    --stack-prefix my-lambda --output json",
        '# => {"alias": "PROD"}',
        "lambda-release status",
    )
    cmds = _commands(lines)
    assert [c.text for c in cmds] == [
        "lambda-release target --branch main  --stack-prefix my-lambda --output json",
        "lambda-release status",
    ]
    assert cmds[0].expected == ('{"alias": "PROD"}',)
    script = Block("x.md", 1, "sh sandbox", lines, cmds).script(Path("/o"))
    assert '> "/o/0"; cat "/o/0"' in script and script.startswith("set -euo pipefail")


def test_printed_compares_json_as_json() -> None:
    assert printed('{"a": 1, "b": 2}', 'noise\n{"b": 2, "a": 1}\n')
    assert not printed('{"a": 1}', '{"a": 2}')
    assert printed("release of", "a release of x")
