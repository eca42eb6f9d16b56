"""Print each installed distribution whose version differs from uv.lock's.

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


def locked_versions(lock: Path) -> dict[str, str]:
    data = tomllib.loads(lock.read_text(encoding="utf-8"))
    return {canonical(p["name"]): str(p["version"]) for p in data["package"] if "version" in p}


def differences(locked: dict[str, str]) -> list[str]:
    lines = []
    for dist in metadata.distributions():
        name = canonical(dist.metadata["Name"])
        want = locked.get(name)
        if want is not None and want != dist.version:
            lines.append(f"  {name} {dist.version} (uv.lock: {want})")
    return sorted(set(lines))


def main(argv: list[str]) -> int:
    lock = Path(argv[1] if len(argv) > 1 else "uv.lock")
    lines = differences(locked_versions(lock))
    if lines:
        print(f"newer than {lock} ({len(lines)}):")
        print("\n".join(lines))
    else:
        print(f"every installed distribution is the version {lock} holds")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
