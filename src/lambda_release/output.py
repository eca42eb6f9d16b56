"""Printing results as the AWS CLI's --output means them.

``table``: aligned columns with headers, for people (the default of most commands);
``text``: one tab-separated line per row, no headers, for ``cut`` and ``while read``;
``json``: one JSON document.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from typing import Any, TextIO

from lambda_release.text import visible


def print_json(value: Any, stream: TextIO | None = None) -> None:
    """One JSON document on stdout, keys in a stable order."""
    out = stream or sys.stdout
    json.dump(value, out, indent=2, sort_keys=False, default=str)
    out.write("\n")


def format_table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A plain-text table with columns padded to their widest cell.

    Cells are escaped (``visible``): one may come from a log an older version or a person
    wrote, and a line break or terminal escape in it must not print rows of its own."""
    cells = [[str(h) for h in headers]] + [
        ["" if c is None else visible(c) for c in r] for r in rows
    ]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    lines = [
        "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in cells
    ]
    return "\n".join(lines)


# The formats every command with results takes, its default first.
FORMATS: tuple[str, ...] = ("table", "text", "json")


def format_text(rows: Sequence[Sequence[object]]) -> str:
    """Tab-separated lines, one per row. Each cell is escaped (``visible``), so a tab or a
    line break inside one can never make a column or a row of its own; None is empty."""
    return "\n".join("\t".join("" if c is None else visible(c) for c in row) for row in rows)


def format_rows(fmt: str, headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """``rows`` as ``fmt`` shows them: tab-separated for ``text``, else an aligned table."""
    return format_text(rows) if fmt == "text" else format_table(headers, rows)


def print_text(rows: Sequence[Sequence[object]]) -> None:
    """``--output text``: the rows, tab-separated; nothing at all for no rows."""
    if rows:
        print(format_text(rows))


def info(message: str) -> None:
    """Progress and notes go to stderr, so stdout stays clean for JSON and exports."""
    print(message, file=sys.stderr, flush=True)
