"""A command imports its own module, not every command's (the start-up every CI step pays)."""

from __future__ import annotations

import subprocess
import sys

import pytest

PROBE = """\
import sys
from lambda_release.cli import main
try:
    code = main(sys.argv[1:])
except SystemExit as exc:
    code = exc.code
sys.stdout.flush()
mods = sorted(m for m in sys.modules if m.startswith("lambda_release.commands."))
print("exit", code, *mods, file=sys.stderr)
"""


def commands_imported(*args: str) -> list[str]:
    p = subprocess.run(
        [sys.executable, "-c", PROBE, *args], capture_output=True, text=True, check=False
    )
    last = p.stderr.strip().splitlines()[-1].split()
    assert last[:2] == ["exit", "0"], p.stderr
    return last[2:]


@pytest.mark.parametrize(
    ("args", "own"),
    [
        (["target", "--stack-prefix", "app", "--branch", "main"], ["target"]),
        (
            [
                "iam-policy",
                "--role",
                "readonly",
                "--stack",
                "s",
                "--account",
                "123456789012",
                "--region",
                "eu-west-1",
            ],
            ["iam_policy"],
        ),
        (["history", "--help"], ["_release_options", "history"]),
    ],
)
def test_a_command_imports_only_its_own_modules(
    processes: None, args: list[str], own: list[str]
) -> None:
    assert commands_imported(*args) == [f"lambda_release.commands.{m}" for m in own]


def test_top_level_help_imports_no_command(processes: None) -> None:
    assert commands_imported("--help") == []
