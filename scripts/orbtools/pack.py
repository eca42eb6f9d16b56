"""``circleci orb pack`` semantics: an orb folder becomes one orb YAML.

- Every ``.yml``/``.yaml`` file becomes a key named after the file (without
  the extension) under its folder's key: ``jobs/deploy.yml`` -> ``jobs.deploy``.
- A file whose name starts with ``@`` is merged into its folder's map
  (``@orb.yml`` holds ``version``, ``description``, ``display``, ``orbs``).
- A string that is exactly ``<<include(path)>>`` (path relative to the orb
  folder) becomes that file's text with every ``<<`` escaped as ``\\<<``, so a
  script can never be parameter-expanded. An include with text around it, two
  in one value, or a path leaving the folder is an error.
- Other files and dot-folders are ignored. Output is deterministic: entries
  are ordered by name (``@``-files first), whatever the file system says.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from orbtools import yamlio

YAML_SUFFIXES = (".yml", ".yaml")
# CircleCI: a path of word characters, '/' and '.' only.
INCLUDE = re.compile(r"<<\s*include\(([\w/.]+)\)\s*>>")
INCLUDE_EXACT = re.compile(r"^\s*<<\s*include\(([\w/.]+)\)\s*>>\s*$")
INCLUDE_ANY = re.compile(r"<<\s*include\(")


class PackError(Exception):
    """The orb folder cannot be packed; the message names the file and the fix."""


def pack(orb_dir: Path) -> dict[str, Any]:
    """The packed orb as a mapping."""
    if not orb_dir.is_dir():
        raise PackError(f"{orb_dir} is not a folder")
    packed = _pack_dir(orb_dir, orb_dir)
    return packed


def pack_text(orb_dir: Path) -> str:
    return yamlio.dump(pack(orb_dir))


def _pack_dir(folder: Path, root: Path) -> dict[str, Any]:
    result: dict[str, Any] = {}
    entries = sorted(folder.iterdir(), key=lambda p: (not p.name.startswith("@"), p.name))
    for entry in entries:
        if entry.name.startswith("."):
            continue
        if entry.is_dir():
            sub = _pack_dir(entry, root)
            if sub:
                _put(result, entry.name, sub, entry)
            continue
        if entry.suffix not in YAML_SUFFIXES:
            continue
        data = _load(entry, root)
        if entry.name.startswith("@"):
            if data is None:
                continue
            if not isinstance(data, dict):
                raise PackError(f"{entry}: an @-file must hold a map to merge into its folder")
            for key, value in data.items():
                _put(result, str(key), value, entry)
        else:
            _put(result, entry.stem, data, entry)
    return result


def _put(target: dict[str, Any], key: str, value: Any, source: Path) -> None:
    if key in target:
        raise PackError(f"{source}: key {key!r} is defined twice in its folder")
    target[key] = value


def _load(path: Path, root: Path) -> Any:
    try:
        data = yamlio.load(path.read_text(encoding="utf-8"))
    except Exception as exc:  # yaml errors carry the position; keep them
        raise PackError(f"{path}: not valid YAML: {exc}") from exc
    return _resolve_includes(data, path, root)


def _resolve_includes(value: Any, source: Path, root: Path) -> Any:
    if isinstance(value, dict):
        return {k: _resolve_includes(v, source, root) for k, v in value.items()}
    if isinstance(value, list):
        return [_resolve_includes(v, source, root) for v in value]
    if isinstance(value, str) and INCLUDE_ANY.search(value):
        return _include(value, source, root)
    return value


def _include(value: str, source: Path, root: Path) -> str:
    matches = INCLUDE.findall(value)
    if len(matches) > 1:
        raise PackError(f"{source}: one <<include(...)>> per value; found {len(matches)}")
    exact = INCLUDE_EXACT.match(value)
    if exact is None:
        raise PackError(
            f"{source}: <<include(...)>> must be the whole value, with nothing around it, "
            f"and its path may hold only word characters, '/' and '.': {value.strip()!r}"
        )
    rel = exact.group(1)
    target = (root / rel).resolve()
    if ".." in Path(rel).parts or not target.is_relative_to(root.resolve()):
        raise PackError(f"{source}: include path {rel!r} leaves the orb folder")
    if not target.is_file():
        raise PackError(f"{source}: included file {rel!r} does not exist under {root}")
    return target.read_text(encoding="utf-8").replace("<<", "\\<<")
