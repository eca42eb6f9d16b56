"""Text that cannot forge output: refused at input, escaped on display.

A reason, a name or any other text a user gives can reach the release log and, from
there, every terminal that runs ``history``, ``status`` or ``rollback``. A control
character in it (a line break, the ESC that starts a terminal escape sequence, a
bidirectional override) could print rows that are not in the log or rewrite what is on
the screen. So options refuse such characters (bad input), and text read back from a log
that an older version or a person wrote is shown with each one escaped, visibly.
"""

from __future__ import annotations

import unicodedata

from lambda_release.errors import UsageError

# Unicode's bidirectional embeddings, overrides, isolates and marks: they reorder what a
# terminal shows without being control characters (category Cf, like harmless joiners).
_BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
# Line and paragraph separators: some terminals and viewers break the line there.
_BREAKING = frozenset({"Cc", "Zl", "Zp"})
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def is_unsafe(char: str) -> bool:
    """Whether ``char`` can move the cursor, break the line or reorder what is shown."""
    return unicodedata.category(char) in _BREAKING or char in _BIDI


def escaped(char: str) -> str:
    """``char`` as a visible escape: ``\\n``, ``\\x1b``, ``\\u202e``."""
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(value: object) -> str:
    """``value`` as text safe to print: every unsafe character escaped, the rest as is."""
    text = str(value)
    if not any(is_unsafe(c) for c in text):
        return text
    return "".join(escaped(c) if is_unsafe(c) else c for c in text)


def check_text(value: str, what: str) -> str:
    """``value`` unchanged, or bad input naming ``what`` and the first unsafe character."""
    for position, char in enumerate(value, start=1):
        if is_unsafe(char):
            # Never the value itself: it may be a secret (a parameter override).
            raise UsageError(
                f"{what} contains a control character "
                f"({escaped(char)} at position {position}): give it as one line of plain "
                "text, without line breaks, tabs or escape sequences"
            )
    return value
