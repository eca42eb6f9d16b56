"""scripts/newer_than_lock.py: the installed versions that uv.lock does not hold."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))

import newer_than_lock  # noqa: E402

LOCK = """
version = 1
[[package]]
name = "moto"
version = "5.2.6"

[[package]]
name = "networkx"
version = "3.6.1"

[[package]]
name = "networkx"
version = "3.7"

[[package]]
name = "lambda-release"
source = { editable = "." }
"""


def test_a_version_the_lock_does_not_hold_is_named_with_the_locked_ones(tmp_path: Path) -> None:
    lock = tmp_path / "uv.lock"
    lock.write_text(LOCK)
    locked = newer_than_lock.locked_versions(lock)
    dists = [("moto", "5.3.0"), ("NetworkX", "3.6.1"), ("Not_Locked", "1.0")]
    assert newer_than_lock.differences(locked, dists) == ["  moto 5.3.0 (uv.lock: 5.2.6)"]


def test_either_version_of_a_package_locked_per_python_is_as_locked(tmp_path: Path) -> None:
    lock = tmp_path / "uv.lock"
    lock.write_text(LOCK)
    locked = newer_than_lock.locked_versions(lock)
    assert locked["networkx"] == {"3.6.1", "3.7"}
    assert newer_than_lock.differences(locked, [("networkx", "3.7"), ("moto", "5.2.6")]) == []


def test_the_repositorys_own_lock_names_the_stand_ins_moto() -> None:
    locked = newer_than_lock.locked_versions(ROOT / "uv.lock")
    assert all(v.startswith("5.2.") for v in locked["moto"])
