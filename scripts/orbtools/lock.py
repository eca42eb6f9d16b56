"""The helper's lock shipped inside the orb: its whole dependency closure pinned by hash.

`orbtools lock` writes it into orb/scripts/install_helper.sh (between `# begin lock` and
`# end lock`), from `uv export` of uv.lock (the closure with its markers) with the hashes
narrowed to the wheels a SAM build image can install (Linux x86_64 and aarch64, CPython
3.11 and later, or pure Python): one line per package, the template check's extra marked
`check `, so the script needs no parser. `tests/orb/test_install_lock.py` fails when the
script's lock and uv.lock differ. The helper's own wheel hash is written by
`orbtools lock --helper-wheel dist/lambda_release-X.Y.Z-py3-none-any.whl` at release time
(the wheel that is published); until then the default install is refused, saying how to
install from a release artifact instead.
"""

from __future__ import annotations

import hashlib
import re
import subprocess
import tomllib
from pathlib import Path

SCRIPT = Path("orb/scripts/install_helper.sh")
BEGIN, END = "# begin lock (orbtools lock writes it)\n", "# end lock\n"
WHEEL_TAGS = re.compile(
    r"-(py3|py2\.py3|cp3(1[1-9]|[2-9]\d))-(none|abi3|cp3\d+)-"
    r"(any|(manylinux|musllinux)[\w.]*(x86_64|aarch64)[\w.]*)\.whl$"
)


def exported(root: Path, extra: bool) -> dict[str, str]:
    """`uv export` lines (name==version ; marker) by name, without hashes."""
    uv = root / ".uv" / "bin" / "uv"  # the Makefile's pinned uv, else PATH's
    argv = [
        str(uv) if uv.exists() else "uv",
        "export",
        "--frozen",
        "--no-dev",
        "--no-emit-project",
        "--no-hashes",
        "-q",
    ]
    if extra:
        argv += ["--extra", "check"]
    text = subprocess.run(argv, cwd=root, capture_output=True, text=True, check=True).stdout
    found: dict[str, str] = {}
    for line in text.splitlines():
        if line and not line.startswith(("#", " ")):
            found.setdefault(line.strip(), line.split("==")[0].strip())
    return found


def wheel_hashes(root: Path) -> dict[tuple[str, str], list[str]]:
    """(name, version) -> sha256 of each wheel that a SAM image's CPython 3.11+ can use."""
    data = tomllib.loads((root / "uv.lock").read_text(encoding="utf-8"))
    found: dict[tuple[str, str], list[str]] = {}
    for package in data["package"]:
        hashes = [
            w["hash"].removeprefix("sha256:")
            for w in package.get("wheels", [])
            if WHEEL_TAGS.search(w["url"])
        ]
        found[(package["name"], str(package.get("version")))] = hashes
    return found


def lock_lines(root: Path) -> list[str]:
    base, full = exported(root, extra=False), exported(root, extra=True)
    hashes = wheel_hashes(root)
    lines = []
    for requirement in sorted(full, key=str.lower):
        name = full[requirement]
        version = requirement.split("==")[1].split(";")[0].strip()
        wheel = hashes.get((name, version)) or []
        if not wheel:
            raise SystemExit(f"lock: {name} {version} has no wheel for Linux CPython 3.11+")
        prefix = "" if requirement in base else "check "
        tail = " ".join(f"--hash=sha256:{h}" for h in wheel)
        lines.append(f"{prefix}{requirement} {tail}")
    return lines


def render(lines: list[str], helper_sha256: str) -> str:
    body = "".join(f"{line}\n" for line in lines)
    return (
        f"{BEGIN}"
        f'LR_HELPER_SHA256="{helper_sha256}"\n'
        "lr_lock() {\n"
        "  # One package a line: `check ` marks the template check's extra.\n"
        "  cat <<'LOCK'\n"
        f"{body}"
        "LOCK\n"
        "}\n"
        f"{END}"
    )


def current(text: str) -> tuple[str, str]:
    """The lock block of the script's text, and the helper's sha256 in it."""
    start, end = text.index(BEGIN), text.index(END) + len(END)
    block = text[start:end]
    match = re.search(r'LR_HELPER_SHA256="([0-9a-f]*)"', block)
    return block, match.group(1) if match else ""


def write(root: Path, helper_wheel: Path | None = None) -> str:
    path = root / SCRIPT
    text = path.read_text(encoding="utf-8")
    block, sha = current(text)
    if helper_wheel is not None:
        sha = hashlib.sha256(helper_wheel.read_bytes()).hexdigest()
    new = render(lock_lines(root), sha)
    path.write_text(text.replace(block, new), encoding="utf-8")
    return new
