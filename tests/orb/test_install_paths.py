"""The install step's ways to a helper environment, each taken with stand-ins for the tools.

uv on PATH (the newer SAM images), uv bootstrapped by ``pip install --target`` (the pinned
image: no virtual environment to make first), the venv + pip bootstrap when pip cannot install
with --target, plain pip when no uv can be had, and a cache hit that installs nothing. The
stand-ins log every call, so each test says which way was taken and which was not. The real
tools take the bootstrap path in tests/orb/test_e2e_jobs.py; bench/orb_bench.py times them.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

from lambda_release import __version__
from tests.support.processes import OrbShell, lines

REQUIREMENT = f"lambda-release=={__version__}"

# A stand-in for uv: logs its arguments; `uv venv DIR` lays out a venv whose python logs too.
FAKE_UV = """#!/usr/bin/env bash
printf 'uv %s\\n' "$*" >> "$FAKE_LOG"
if [ "$1" = venv ]; then
  v="${*: -1}"; mkdir -p "$v/bin"
  cp "$FAKE_BIN/venv-python" "$v/bin/python"
  printf '#!/usr/bin/env bash\\necho lambda-release fake\\n' > "$v/bin/lambda-release"
  chmod +x "$v/bin/lambda-release"
fi
"""

# A venv's python: pip installs uv (unless FAKE_VENV_PIP_UV=fail) or the helper; `-c` (the
# installed version's lookup) answers as the helper would; logs the rest.
FAKE_VENV_PYTHON = """#!/usr/bin/env bash
if [ "$1" = -c ]; then echo "lambda-release fake"; exit 0; fi
printf 'venv-python %s\\n' "$*" >> "$FAKE_LOG"
bin="$(dirname "$0")"
if [ "$1 $2 $3" = "-m pip install" ]; then
  case "${*: -1}" in
    uv)
      if [ "${FAKE_VENV_PIP_UV:-ok}" = fail ]; then echo "ERROR: no uv for you" >&2; exit 1; fi
      cp "$FAKE_BIN/uv-template" "$bin/uv" ;;
    *)
      printf '#!/usr/bin/env bash\\necho lambda-release fake\\n' > "$bin/lambda-release"
      chmod +x "$bin/lambda-release" ;;
  esac
fi
"""

# The image's python3: `pip install --target` fails when FAKE_PIP_TARGET=fail (a pip that
# cannot install: no network, PIP_REQUIRE_VIRTUALENV, an externally managed Python ...).
FAKE_PYTHON3 = """#!/usr/bin/env bash
if [ "$1" = --version ]; then echo "Python 3.12.9"; exit 0; fi
printf 'python3 %s\\n' "$*" >> "$FAKE_LOG"
if [ "$1 $2 $3" = "-m pip install" ]; then
  if [ "${FAKE_PIP_TARGET:-ok}" = fail ]; then
    echo "ERROR: Could not install packages due to an OSError" >&2; exit 1
  fi
  target=""; prev=""
  for a in "$@"; do [ "$prev" = --target ] && target="$a"; prev="$a"; done
  mkdir -p "$target/bin"; cp "$FAKE_BIN/uv-template" "$target/bin/uv"
elif [ "$1 $2" = "-m venv" ]; then
  mkdir -p "$3/bin"; cp "$FAKE_BIN/venv-python" "$3/bin/python"
fi
"""


def executable(path: Path, text: str) -> None:
    path.write_text(text)
    path.chmod(path.stat().st_mode | stat.S_IEXEC)


def stand_ins(tmp_path: Path, *, uv_on_path: bool, **behaviour: str) -> dict[str, str]:
    """PATH with the fake python3 (and uv) first and no real uv; the fakes' log and switches."""
    fake_bin = tmp_path / "fakebin"
    fake_bin.mkdir()
    executable(fake_bin / "python3", FAKE_PYTHON3)
    executable(fake_bin / "venv-python", FAKE_VENV_PYTHON)
    executable(fake_bin / "uv-template", FAKE_UV)
    if uv_on_path:
        executable(fake_bin / "uv", FAKE_UV)
    rest = [p for p in os.environ["PATH"].split(os.pathsep) if not (Path(p) / "uv").exists()]
    return {
        "PATH": os.pathsep.join([str(fake_bin), *rest]),
        "FAKE_BIN": str(fake_bin),
        "FAKE_LOG": str(tmp_path / "calls.log"),
        "LR_STR_HELPER_HOME": str(tmp_path / "h"),
        **behaviour,
    }


def calls(tmp_path: Path) -> list[str]:
    log = tmp_path / "calls.log"
    return log.read_text().splitlines() if log.exists() else []


def installed_with_uv(home: Path) -> list[str]:
    """The calls of an install by uv (the stand-in logs as `uv` wherever it lives)."""
    fake_python3 = home.parent / "fakebin" / "python3"
    return [
        f"uv venv --quiet --python {fake_python3} {home}/venv",
        f"uv pip install --quiet --python {home}/venv/bin/python {REQUIREMENT}",
    ]


def test_uv_on_path_is_used_and_nothing_is_bootstrapped(orb_sh: OrbShell, tmp_path: Path) -> None:
    env = stand_ins(tmp_path, uv_on_path=True)
    out = lines(orb_sh.function("install_helper.sh", "main", env, tmp_path))
    assert out[-1] == "lambda-release fake"
    home = tmp_path / "h"
    assert calls(tmp_path) == installed_with_uv(home)
    assert not (home / "tools").exists()


def test_without_uv_pip_installs_it_with_target_into_the_cached_folder(
    orb_sh: OrbShell, tmp_path: Path
) -> None:
    env = stand_ins(tmp_path, uv_on_path=False)
    proc = orb_sh.function("install_helper.sh", "main", env, tmp_path)
    assert lines(proc)[-1] == "lambda-release fake"
    home = tmp_path / "h"
    assert calls(tmp_path) == [
        f"python3 -m pip install --quiet --disable-pip-version-check --target {home}/tools uv",
        *installed_with_uv(home),
    ]
    assert (home / "tools" / "bin" / "uv").is_file()
    assert "lambda-release/install:" not in proc.stderr  # no fallback was taken


def test_a_pip_that_cannot_install_falls_back_to_a_venv_and_says_why(
    orb_sh: OrbShell, tmp_path: Path
) -> None:
    env = stand_ins(tmp_path, uv_on_path=False, FAKE_PIP_TARGET="fail")
    proc = orb_sh.function("install_helper.sh", "main", env, tmp_path)
    assert lines(proc)[-1] == "lambda-release fake"
    home = tmp_path / "h"
    assert calls(tmp_path) == [
        f"python3 -m pip install --quiet --disable-pip-version-check --target {home}/tools uv",
        f"python3 -m venv {home}/tools",
        "venv-python -m pip install --quiet --disable-pip-version-check uv",
        *installed_with_uv(home),
    ]
    assert (
        f"lambda-release/install: pip could not install uv into {home}/tools; "
        "trying a virtual environment"
    ) in proc.stderr.splitlines()
    assert "using pip (slower)" not in proc.stderr


def test_without_any_uv_plain_pip_installs_the_helper_and_says_why(
    orb_sh: OrbShell, tmp_path: Path
) -> None:
    env = stand_ins(tmp_path, uv_on_path=False, FAKE_PIP_TARGET="fail", FAKE_VENV_PIP_UV="fail")
    proc = orb_sh.function("install_helper.sh", "main", env, tmp_path)
    assert lines(proc)[-1] == "lambda-release fake"
    home = tmp_path / "h"
    assert calls(tmp_path) == [
        f"python3 -m pip install --quiet --disable-pip-version-check --target {home}/tools uv",
        f"python3 -m venv {home}/tools",
        "venv-python -m pip install --quiet --disable-pip-version-check uv",
        f"python3 -m venv {home}/venv",
        f"venv-python -m pip install --quiet --disable-pip-version-check {REQUIREMENT}",
    ]
    why = [line for line in proc.stderr.splitlines() if line.startswith("lambda-release/")]
    assert why == [
        f"lambda-release/install: pip could not install uv into {home}/tools; "
        "trying a virtual environment",
        "lambda-release/install: uv could not be installed (see above); using pip (slower)",
    ]


def test_a_uv_left_in_the_helper_folder_is_reused(orb_sh: OrbShell, tmp_path: Path) -> None:
    env = stand_ins(tmp_path, uv_on_path=False)
    home = tmp_path / "h"
    (home / "tools" / "bin").mkdir(parents=True)
    executable(home / "tools" / "bin" / "uv", FAKE_UV)
    assert (
        lines(orb_sh.function("install_helper.sh", "main", env, tmp_path))[-1]
        == "lambda-release fake"
    )
    assert calls(tmp_path) == installed_with_uv(home)


def test_a_cache_hit_installs_nothing_and_a_changed_key_reinstalls(
    orb_sh: OrbShell, tmp_path: Path
) -> None:
    env = stand_ins(tmp_path, uv_on_path=True)
    home = tmp_path / "h"
    first = lines(orb_sh.function("install_helper.sh", "main", env, tmp_path))
    assert first[0] == f"Installing {REQUIREMENT} into {home}/venv"
    (tmp_path / "calls.log").unlink()

    again = lines(orb_sh.function("install_helper.sh", "main", env, tmp_path))
    assert again == [
        f"Using {REQUIREMENT} from {home}/venv (restored from the cache)",
        "lambda-release fake",
    ]
    assert calls(tmp_path) == []

    # The template check's extra changes the requirement, hence the key: installed anew.
    with_check = {**env, "LR_BOOL_WITH_CHECK": "1"}
    changed = lines(orb_sh.function("install_helper.sh", "main", with_check, tmp_path))
    assert changed[0] == f"Installing lambda-release[check]=={__version__} into {home}/venv"
    assert [c.split()[:3] for c in calls(tmp_path)][:2] == [
        ["uv", "venv", "--quiet"],
        ["uv", "pip", "install"],
    ]


def test_what_the_orb_caches_is_a_hit_without_the_bootstrapped_uv(
    orb_sh: OrbShell, tmp_path: Path, packed_orb: dict[str, Any]
) -> None:
    # A cold job without uv fetches it into ~/.lambda-release/tools; the cache keeps only
    # the environment and its key (the paths of the orb's save_cache, copied as CircleCI
    # would), and the next job, in a fresh home, installs nothing from them.
    paths = packed_orb["commands"]["save_helper"]["steps"][0]["save_cache"]["paths"]
    env = {k: v for k, v in stand_ins(tmp_path, uv_on_path=False).items() if "HOME" not in k}
    cold, warm = tmp_path / "cold", tmp_path / "warm"
    assert lines(orb_sh.function("install_helper.sh", "main", {**env, "HOME": str(cold)}, tmp_path))
    assert (cold / ".lambda-release" / "tools" / "bin" / "uv").is_file()
    for path in paths:
        rel = Path(path.removeprefix("~/"))
        (warm / rel).parent.mkdir(parents=True, exist_ok=True)
        orb_sh.spawn.run(["cp", "-a", cold / rel, warm / rel], check=True)
    assert not (warm / ".lambda-release" / "tools").exists()
    (tmp_path / "calls.log").unlink()
    out = lines(orb_sh.function("install_helper.sh", "main", {**env, "HOME": str(warm)}, tmp_path))
    home = warm / ".lambda-release"
    assert out == [
        f"Using {REQUIREMENT} from {home}/venv (restored from the cache)",
        "lambda-release fake",
    ]
    assert calls(tmp_path) == []
