"""The install step's ways to a helper environment (issue 27 item 2), with a stand-in uv.

Every source form of `helper_source` (the pinned version, a wheel URL with its sha256, a git
URL at a commit, a local wheel, a folder holding one, a source folder) and each refusal;
the lock's lines for a job with and without the template check; uv from the image, or the
pinned uv left in the helper's folder by an earlier job; Python 3.11+ from the image or
asked of uv; a cache hit that installs nothing. The stand-in uv logs its calls, so each
test says what was run. The real uv and indexes: tests/hostile/test_orb_install_hashes.py
(a tampered wheel or dependency is refused) and the orb's e2e tests.
"""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path
from typing import Any

import pytest

from lambda_release import __version__
from tests.support.processes import OrbShell, lines

SHOW = 'lr_parse_source && printf "%s|%s|%s\\n" "$LR_KIND" "$LR_SPEC" "$LR_SHA"'
SHA = "ab" * 32
COMMIT = "0123456789abcdef0123456789abcdef01234567"

# A stand-in for uv: logs its arguments; `uv venv ... DIR` lays out a venv with a helper.
FAKE_UV = """#!/usr/bin/env bash
printf 'uv %s\\n' "$*" >> "$FAKE_LOG"
if [ "$1" = venv ]; then
  v="${*: -1}"; mkdir -p "$v/bin"
  printf '#!/usr/bin/env bash\\necho lambda-release fake\\n' > "$v/bin/python"
  cp "$v/bin/python" "$v/bin/lambda-release"; chmod +x "$v/bin/python" "$v/bin/lambda-release"
fi
"""


def executable(path: Path, text: str) -> None:
    path.write_text(text)
    path.chmod(path.stat().st_mode | stat.S_IEXEC)


def without_uv() -> list[str]:
    return [p for p in os.environ["PATH"].split(os.pathsep) if not (Path(p) / "uv").exists()]


def stand_ins(tmp_path: Path, *, uv_on_path: bool = True, **env: str) -> dict[str, str]:
    fake_bin = tmp_path / "fakebin"
    fake_bin.mkdir(exist_ok=True)
    if uv_on_path:
        executable(fake_bin / "uv", FAKE_UV)
    return {
        "PATH": os.pathsep.join([str(fake_bin), *without_uv()]),
        "FAKE_LOG": str(tmp_path / "calls.log"),
        "LR_STR_HELPER_HOME": str(tmp_path / "h"),
        **env,
    }


def calls(tmp_path: Path) -> list[str]:
    log = tmp_path / "calls.log"
    return log.read_text().splitlines() if log.exists() else []


def parsed(orb_sh: OrbShell, tmp_path: Path, source: str) -> Any:
    return orb_sh.function("install_helper.sh", SHOW, {"LR_STR_HELPER_SOURCE": source}, tmp_path)


def test_every_source_form_is_understood(orb_sh: OrbShell, tmp_path: Path) -> None:
    wheel = tmp_path / "dist" / f"lambda_release-{__version__}-py3-none-any.whl"
    wheel.parent.mkdir()
    wheel.write_bytes(b"a wheel")
    digest = hashlib.sha256(b"a wheel").hexdigest()
    source_dir = tmp_path / "src"
    source_dir.mkdir()
    (source_dir / "pyproject.toml").write_text("[project]\nname = 'lambda-release'\n")
    url = "https://example.com/r/lambda_release-1.0.0-py3-none-any.whl"
    assert lines(parsed(orb_sh, tmp_path, f"{url}#sha256={SHA}")) == [f"url|{url}|{SHA}"]
    git = f"git+https://github.com/lambda-release/lambda-release@{COMMIT}"
    assert lines(parsed(orb_sh, tmp_path, git)) == [f"git|{git}|"]
    assert lines(parsed(orb_sh, tmp_path, str(wheel))) == [f"wheel|{wheel}|{digest}"]
    assert lines(parsed(orb_sh, tmp_path, "./dist")) == [f"wheel|{wheel}|{digest}"]
    assert lines(parsed(orb_sh, tmp_path, "./src")) == [f"folder|{source_dir}|"]


@pytest.mark.parametrize(
    ("source", "says"),
    [
        ("", "carries no hash of a published helper"),
        (__version__, "carries no hash of a published helper"),
        ("9.9.9", "lock pins helper"),
        ("https://example.com/lambda_release-1.0.0-py3-none-any.whl", "with its hash"),
        ("https://example.com/x.whl#sha256=abc", "64 hex digits"),
        ("git+https://github.com/lambda-release/lambda-release@main", "40-digit commit"),
        ("lambda-release[check]", "is none of"),
        ("./nowhere", "does not exist"),
        ("./empty", "does not hold exactly one wheel"),
        ("./x\n--index-url=https://evil.example", "line break"),
    ],
)
def test_each_refused_source_says_how_to_fix_it(
    orb_sh: OrbShell, tmp_path: Path, source: str, says: str
) -> None:
    (tmp_path / "empty").mkdir()
    proc = parsed(orb_sh, tmp_path, source)
    assert proc.returncode == 2, proc.stdout
    assert says in proc.stderr
    assert "helper_source" in proc.stderr or "published helper" in proc.stderr


def test_the_lock_gives_the_check_extra_only_to_jobs_that_check(
    orb_sh: OrbShell, tmp_path: Path
) -> None:
    wheel = tmp_path / "w.whl"
    wheel.write_bytes(b"w")
    sha = hashlib.sha256(b"w").hexdigest()
    env = {"LR_STR_HELPER_SOURCE": str(wheel)}
    plain = lines(
        orb_sh.function("install_helper.sh", "lr_parse_source && lr_requirements", env, tmp_path)
    )
    checked = lines(
        orb_sh.function(
            "install_helper.sh",
            "lr_parse_source && lr_requirements",
            {**env, "LR_BOOL_WITH_CHECK": "1"},
            tmp_path,
        )
    )
    names = lambda rows: {r.split("==")[0].split(" @")[0] for r in rows}  # noqa: E731
    assert {"boto3", "botocore", "pyyaml"} <= names(plain)
    assert "cfn-lint" not in names(plain) and "cfn-lint" in names(checked)
    assert plain[-1] == f"lambda-release @ file://{wheel} --hash=sha256:{sha}"
    assert checked[-1] == f"lambda-release[check] @ file://{wheel} --hash=sha256:{sha}"
    # Every line of the lock carries a hash: --require-hashes accepts nothing else.
    assert all("--hash=sha256:" in row for row in checked)


def test_uv_from_the_image_installs_everything_by_hash(orb_sh: OrbShell, tmp_path: Path) -> None:
    wheel = tmp_path / "w.whl"
    wheel.write_bytes(b"w")
    env = stand_ins(tmp_path, LR_STR_HELPER_SOURCE=str(wheel))
    out = lines(orb_sh.function("install_helper.sh", "main", env, tmp_path))
    assert out[-1] == "lambda-release fake"
    home = tmp_path / "h"
    logged = calls(tmp_path)
    assert logged[0].startswith("uv venv --quiet --python ")
    assert logged[1] == (
        f"uv pip install --quiet --require-hashes --python {home}/venv/bin/python "
        f"-r {home}/requirements.txt"
    )
    assert logged[2] == f"uv pip check --quiet --python {home}/venv/bin/python"
    assert not (home / "tools").exists()  # nothing downloaded


def test_git_and_source_folders_get_the_locked_dependencies_then_the_helper_alone(
    orb_sh: OrbShell, tmp_path: Path
) -> None:
    git = f"git+https://github.com/lambda-release/lambda-release@{COMMIT}"
    env = stand_ins(tmp_path, LR_STR_HELPER_SOURCE=git)
    lines(orb_sh.function("install_helper.sh", "main", env, tmp_path))
    logged = calls(tmp_path)
    assert "--require-hashes" in logged[1]
    assert logged[2].endswith(
        f"--no-deps --python {tmp_path}/h/venv/bin/python lambda-release @ {git}"
    )
    reqs = (tmp_path / "h" / "requirements.txt").read_text()
    assert "lambda-release" not in reqs  # only the dependencies, each by hash


def test_python_below_3_11_asks_uv_for_one(orb_sh: OrbShell, tmp_path: Path) -> None:
    # A python3 that answers the version question as 3.9 would (exit 1), then as 3.12 would
    # (on PATH first: the host's tools, whatever the image profile).
    orb_sh = OrbShell(orb_sh.spawn)
    for answer, expected in (("1", [">=3.11"]), ("0", [f"{tmp_path}/fakebin/python3"])):
        env = stand_ins(tmp_path)
        executable(tmp_path / "fakebin" / "python3", f"#!/bin/sh\nexit {answer}\n")
        assert lines(orb_sh.function("install_helper.sh", "lr_python", env, tmp_path)) == expected


def test_a_pinned_uv_left_in_the_helper_folder_is_reused(orb_sh: OrbShell, tmp_path: Path) -> None:
    env = stand_ins(tmp_path, uv_on_path=False)
    home = tmp_path / "h"
    (home / "tools").mkdir(parents=True)
    executable(home / "tools" / "uv", FAKE_UV)
    (home / "tools" / "uv.sha256").write_text("0.13.9\n")
    out = lines(orb_sh.function("install_helper.sh", f'lr_uv "{home}"', env, tmp_path))
    assert out == [f"{home}/tools/uv"]


def test_a_cache_hit_installs_nothing_and_a_changed_key_reinstalls(
    orb_sh: OrbShell, tmp_path: Path
) -> None:
    wheel = tmp_path / "w.whl"
    wheel.write_bytes(b"w")
    env = stand_ins(tmp_path, LR_STR_HELPER_SOURCE=str(wheel))
    home = tmp_path / "h"
    first = lines(orb_sh.function("install_helper.sh", "main", env, tmp_path))
    assert first[0] == f"Installing the helper (wheel) into {home}/venv, every package by hash"
    (tmp_path / "calls.log").unlink()
    again = lines(orb_sh.function("install_helper.sh", "main", env, tmp_path))
    assert again == [
        f"Using the helper in {home}/venv (restored from the cache)",
        "lambda-release fake",
    ]
    assert calls(tmp_path) == []
    # The template check's extra changes the key: installed anew.
    changed = lines(
        orb_sh.function("install_helper.sh", "main", {**env, "LR_BOOL_WITH_CHECK": "1"}, tmp_path)
    )
    assert changed[0].startswith("Installing the helper")
    # So does a changed wheel (its sha256 is in the key).
    wheel.write_bytes(b"w2")
    assert lines(orb_sh.function("install_helper.sh", "main", env, tmp_path))[0].startswith(
        "Installing"
    )


def test_what_the_orb_caches_is_a_hit_in_a_fresh_home(
    orb_sh: OrbShell, tmp_path: Path, packed_orb: dict[str, Any]
) -> None:
    paths = packed_orb["commands"]["save_helper"]["steps"][0]["save_cache"]["paths"]
    wheel = tmp_path / "w.whl"
    wheel.write_bytes(b"w")
    env = {
        k: v
        for k, v in stand_ins(tmp_path, LR_STR_HELPER_SOURCE=str(wheel)).items()
        if "HOME" not in k
    }
    cold, warm = tmp_path / "cold", tmp_path / "warm"
    assert lines(orb_sh.function("install_helper.sh", "main", {**env, "HOME": str(cold)}, tmp_path))
    for path in paths:
        rel = Path(path.removeprefix("~/"))
        if (cold / rel).exists():
            (warm / rel).parent.mkdir(parents=True, exist_ok=True)
            orb_sh.spawn.run(["cp", "-a", cold / rel, warm / rel], check=True)
    (tmp_path / "calls.log").unlink()
    out = lines(orb_sh.function("install_helper.sh", "main", {**env, "HOME": str(warm)}, tmp_path))
    assert out[0] == f"Using the helper in {warm}/.lambda-release/venv (restored from the cache)"
    assert calls(tmp_path) == []
