"""Which files one ``check`` run covers: files, directories and glob patterns, as cfn-lint.

A file is checked as given. A directory is searched recursively for
``*.yaml``, ``*.yml``, ``*.json`` and ``*.template`` files that mention
``Resources`` (every template has that section; ``package.json`` does not),
skipping hidden directories, ``node_modules`` and SAM's ``.aws-sam`` build
output. A pattern (``templates/**/*.yaml``, quoted so that the shell leaves it
alone) is expanded with ``**`` matching any depth. Each file is checked once,
in the order given.
"""

from __future__ import annotations

import glob
import os
from collections.abc import Iterable, Iterator
from pathlib import Path

from lambda_release.errors import UsageError

TEMPLATE_SUFFIXES = (".yaml", ".yml", ".json", ".template")
SKIPPED_DIRECTORIES = ("node_modules",)
_GLOB_CHARS = set("*?[")


def expand(arguments: Iterable[str]) -> list[Path]:
    """The template files named by ``arguments``, without repeats.

    A missing file is kept (the engine reports it, exit 2); a pattern that matches
    nothing is bad input.
    """
    seen: set[str] = set()
    out: list[Path] = []
    for arg in arguments:
        for path in _one(arg):
            key = os.path.normpath(str(path))
            if key not in seen:
                seen.add(key)
                out.append(path)
    return out


def _one(arg: str) -> Iterator[Path]:
    path = Path(arg)
    if path.is_dir():
        yield from _templates_under(path)
    elif _GLOB_CHARS & set(arg) and not path.exists():
        matches = sorted(glob.glob(arg, recursive=True))
        if not matches:
            raise UsageError(
                f"pattern {arg!r} matches no file: check the pattern (quote it, and use ** "
                "for any depth)"
            )
        for match in matches:
            found = Path(match)
            if found.is_dir():
                yield from _templates_under(found)
            elif found.suffix in TEMPLATE_SUFFIXES:
                yield found
    else:
        yield path


def _templates_under(directory: Path) -> Iterator[Path]:
    for root, dirs, files in os.walk(directory):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in SKIPPED_DIRECTORIES)
        for name in sorted(files):
            if name.endswith(TEMPLATE_SUFFIXES) and _mentions_resources(Path(root, name)):
                yield Path(root, name)


def _mentions_resources(path: Path) -> bool:
    try:
        with path.open("rb") as fh:
            return b"Resources" in fh.read()
    except OSError:
        return True  # unreadable: let the engine say why
