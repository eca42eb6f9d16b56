"""The orb's scripts run on bash 4.2, the bash of every Amazon Linux 2 SAM build image.

No bash 4.2 can be installed here (Debian's oldest reachable is 5.1; see docs/orb.md), so
besides running every script test under the oldest bash and python3 we can install
(tests/orb/conftest.py's image profiles), this test refuses each construct that bash 4.2
lacks or treats differently, in every script. Each rule is shown to catch an example,
so a rule that matched nothing could not pass unnoticed.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.orb.conftest import ORB_DIR

SCRIPTS = sorted((ORB_DIR / "scripts").glob("*.sh"))

# (what, since, pattern, an example it must catch). Patterns apply to code lines
# (comments dropped); inline Python in '...' holds none of these shapes.
RULES: list[tuple[str, str, str, str]] = [
    (
        "shopt -s inherit_errexit unguarded",
        "4.4",
        r"shopt -s inherit_errexit(?!\s+2>/dev/null \|\| true)",
        "shopt -s inherit_errexit",
    ),
    (
        "nameref (local/declare/typeset -n)",
        "4.3",
        r"\b(local|declare|typeset)\s+(-\w*n\w*)\b",
        'local -n into="$1"',
    ),
    ("${x@Q} and other @ transformations", "4.4", r"\$\{[^}]*@[QEPAaKkUuL]\}", 'echo "${x@Q}"'),
    ("mapfile/readarray -d", "4.4", r"\b(mapfile|readarray)\b[^;|&]*\s-d\b", "mapfile -d '' -t a"),
    ("negative array subscript", "4.3", r"\$\{\w+\[-\d+\]\}", 'echo "${a[-1]}"'),
    ("wait -n", "4.3", r"\bwait\s+-n\b", "wait -n"),
    ("local - (saving set options)", "4.4", r"\blocal\s+-(\s|$)", "local -"),
    (
        "EPOCHSECONDS / EPOCHREALTIME / SRANDOM / BASH_ARGV0",
        "5.0",
        r"\$\{?(EPOCHSECONDS|EPOCHREALTIME|SRANDOM|BASH_ARGV0)\b",
        "echo $EPOCHSECONDS",
    ),
    (
        "a shopt that 4.2 lacks",
        "4.3+",
        r"shopt -s (localvar_inherit|localvar_unset|assoc_expand_once|progcomp_alias"
        r"|patsub_replacement|noexpand_translation|varredir_close|globskipdots)",
        "shopt -s assoc_expand_once",
    ),
    # bash 5.2's patsub_replacement (on by default) makes & in a replacement the match:
    # the same line means different things on 4.2 and 5.2.
    ("& in a ${x//p/r} replacement", "5.2", r"\$\{\w+//?[^/}]*/[^}]*&", 'echo "${x//a/&&}"'),
    # 4.2 (before 4.4) calls an empty array unbound under set -u: expand one that may be
    # empty as ${a[@]+"${a[@]}"}. LR_ARGS always starts with the helper's subcommand.
    (
        '"${a[@]}" of an array that may be empty',
        "4.4",
        r'(?<!\+)"\$\{(?!LR_ARGS\[)\w+\[@\]\}"',
        'for w in "${words[@]}"; do :; done',
    ),
]


def code_lines(text: str) -> list[tuple[int, str]]:
    return [
        (number, line)
        for number, line in enumerate(text.splitlines(), 1)
        if not line.lstrip().startswith("#")
    ]


def test_every_rule_catches_its_example() -> None:
    for what, _since, pattern, example in RULES:
        assert re.search(pattern, example), what


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.name)
def test_no_construct_that_bash_4_2_lacks(script: Path) -> None:
    found = [
        f"{script.name}:{number}: {what} (bash {since}): {line.strip()}"
        for number, line in code_lines(script.read_text(encoding="utf-8"))
        for what, since, pattern, _example in RULES
        if re.search(pattern, line)
    ]
    assert not found, "\n".join(found)


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.name)
def test_strict_mode_set_by_each_script_and_inherit_errexit_only_where_it_exists(
    script: Path,
) -> None:
    text = script.read_text(encoding="utf-8")
    assert "\nset -euo pipefail\n" in text
    assert "\nshopt -s inherit_errexit 2>/dev/null || true\n" in text
