"""Print each installed distribution whose version is not one that uv.lock holds.

`make test-latest` runs it in .venv-latest, so its log says which new releases the suite
was tried against (a new moto, a new mypy) before saying whether they pass.
"""

from __future__ import annotations

import sys
import tomllib
from importlib import metadata
from pathlib import Path


def canonical(name: str) -> str:
    return name.lower().replace("_", "-").replace(".", "-")


def locked_versions(lock: Path) -> dict[str, set[str]]:
    """Name -> versions: a universal lock may hold several (one per Python version range)."""
    data = tomllib.loads(lock.read_text(encoding="utf-8"))
    out: dict[str, set[str]] = {}
    for p in data["package"]:
        if "version" in p:
            out.setdefault(canonical(p["name"]), set()).add(str(p["version"]))
    return out


def installed() -> list[tuple[str, str]]:
    return [(dist.metadata["Name"], dist.version) for dist in metadata.distributions()]


def differences(locked: dict[str, set[str]], dists: list[tuple[str, str]]) -> list[str]:
    """A line for each distribution the lock names at other versions; others are ignored."""
    lines = []
    for raw_name, version in dists:
        want = locked.get(canonical(raw_name))
        if want is not None and version not in want:
            lines.append(f"  {canonical(raw_name)} {version} (uv.lock: {', '.join(sorted(want))})")
    return sorted(set(lines))


def main(argv: list[str]) -> int:
    lock = Path(argv[1] if len(argv) > 1 else "uv.lock")
    lines = differences(locked_versions(lock), installed())
    if lines:
        print(f"not as {lock} holds ({len(lines)}):")
        print("\n".join(lines))
    else:
        print(f"every installed distribution is the version {lock} holds")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
