"""The shell blocks of README.md and docs/*.md, and how the docs test runs them.

Every fenced block of shell (info string ``sh``, ``bash``, ``shell`` or ``console``) says
what it is in its info string:

- ``sh sandbox``: runs verbatim against the local stand-in, as one bash script, in a
  folder holding ``my-sam-app/`` (`sam init`'s hello-world app, a git repository on
  branch ``docs``) with the stand-in's variables exported;
- ``sh norun``: shown only (it installs, needs AWS or a person's values), with the reason
  after it: ``sh norun: installs from PyPI``.

A line ``# => TEXT`` right after a command is that command's documented output: the
test checks that the command printed it (as JSON when it parses as JSON).
A block with no info string that holds a command must name its language.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
SHELLS = frozenset({"sh", "bash", "shell", "console"})
FENCE = re.compile(r"^(\s*)```(.*)$")
COMMAND_WORDS = ("lambda-release ", "sam ", "aws ", "pip ", "make ", "eval ", "export ")
EXPECTED = "# => "


@dataclass(frozen=True)
class Command:
    text: str  # one logical command (continuation lines joined)
    expected: tuple[str, ...] = ()  # documented output lines


@dataclass(frozen=True)
class Block:
    file: str
    line: int
    info: str
    lines: tuple[str, ...]
    commands: list[Command] = field(default_factory=list)

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}"

    @property
    def language(self) -> str:
        return self.info.split()[0] if self.info.split() else ""

    @property
    def runs(self) -> bool:
        return "sandbox" in self.info.split()

    @property
    def shown_only(self) -> bool:
        return self.info.split()[1:2] in (["norun"], ["norun:"])

    def script(self, out_dir: Path) -> str:
        """The block as a bash script; a command with documented output tees it to a file."""
        lines = ["set -euo pipefail"]
        for n, cmd in enumerate(self.commands):
            if cmd.expected:
                lines.append(f'{{ {cmd.text} ; }} > "{out_dir}/{n}"; cat "{out_dir}/{n}"')
            else:
                lines.append(cmd.text)
        return "\n".join(lines) + "\n"


def doc_files() -> list[Path]:
    return [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def _commands(lines: tuple[str, ...]) -> list[Command]:
    commands: list[Command] = []
    pending = ""
    for raw in lines:
        line = raw.strip()
        if line.startswith(EXPECTED) and commands and not pending:
            last = commands[-1]
            commands[-1] = Command(last.text, (*last.expected, line[len(EXPECTED) :]))
            continue
        if not pending and (not line or line.startswith("#")):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        commands.append(Command(pending + line))
        pending = ""
    return commands


def blocks(path: Path) -> Iterator[Block]:
    text = path.read_text(encoding="utf-8").split("\n")
    i = 0
    while i < len(text):
        opened = FENCE.match(text[i])
        if not opened:
            i += 1
            continue
        indent, info = opened.group(1), opened.group(2).strip()
        j = i + 1
        while j < len(text) and text[j].strip() != "```":
            j += 1
        body = tuple(
            line[len(indent) :] if line.startswith(indent) else line for line in text[i + 1 : j]
        )
        rel = str(path.relative_to(ROOT))
        yield Block(rel, i + 1, info, body, _commands(body))
        i = j + 1


def shell_blocks() -> list[Block]:
    return [b for f in doc_files() for b in blocks(f) if b.language in SHELLS]


def unlabelled_commands() -> list[Block]:
    """Blocks with no info string whose first line is a command: they must say sh."""
    found = []
    for f in doc_files():
        for b in blocks(f):
            first = next((line.strip() for line in b.lines if line.strip()), "")
            if not b.info and first.startswith(COMMAND_WORDS):
                found.append(b)
    return found


def printed(expected: str, output: str) -> bool:
    """Whether ``output`` holds the documented line (a JSON line compared as JSON)."""
    try:
        want = json.loads(expected)
    except ValueError:
        return expected in output
    for line in output.splitlines():
        try:
            if json.loads(line) == want:
                return True
        except ValueError:
            continue
    try:
        return bool(json.loads(output) == want)
    except ValueError:
        return False
