"""The lock inside install_helper.sh is uv.lock's closure, by hash (issue 27 item 2)."""

from __future__ import annotations

from orbtools import lock

from tests.orb.conftest import ROOT
from tests.support.requires import require_path


def test_the_orb_lock_is_uv_locks_closure(processes: None) -> None:
    require_path(ROOT / ".uv" / "bin" / "uv", "uv export needs the project's uv (.uv/)")
    text = (ROOT / lock.SCRIPT).read_text(encoding="utf-8")
    block, sha = lock.current(text)
    assert block == lock.render(lock.lock_lines(ROOT), sha), (
        "stale: run `PYTHONPATH=scripts .venv/bin/python -m orbtools lock`"
    )


def test_every_locked_package_has_a_hash_and_the_check_extra_is_marked() -> None:
    block, _sha = lock.current((ROOT / lock.SCRIPT).read_text(encoding="utf-8"))
    rows = block.split("cat <<'LOCK'\n")[1].split("LOCK\n")[0].splitlines()
    assert rows and all("--hash=sha256:" in row for row in rows)
    names = {row.removeprefix("check ").split("==")[0]: row.startswith("check ") for row in rows}
    assert names["boto3"] is False and names["cfn-lint"] is True
