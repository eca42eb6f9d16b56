"""Printing results: JSON for machines, aligned tables for people."""

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


def info(message: str) -> None:
    """Progress and notes go to stderr, so stdout stays clean for JSON and exports."""
    print(message, file=sys.stderr, flush=True)
