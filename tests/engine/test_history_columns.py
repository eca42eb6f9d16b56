"""`lambda-release history` through the console script (issue 32): a time column, the why of
a failure in its own column (report/facts.py's why, shared), notes in their own column, and
`more: --before ID` on stderr after --limit when older entries remain."""

from __future__ import annotations

import json
import subprocess

import pytest

from lambda_release.log.index import INDEX_PAGE
from lambda_release.sandbox.server import Sandbox
from tests.support.processes import Cli
from tests.support.written_log import CI, WrittenLog

HOOK = "AFunction: hook PreTraffic failed: smoke test returned 500"


@pytest.fixture
def written(sandbox: Sandbox) -> WrittenLog:
    """Oldest first: a success, a failed release (its hook), one undone by a rollback."""
    w = WrittenLog(sandbox)
    w.release("succeeded")
    w.release("failed", settlement={"failures": [HOOK], "sam_exit_code": 1})
    undone = w.release("succeeded", before="2", after="3")
    w.undo(undone, w.release("succeeded", kind="rollback", undoes=undone, reason="orders broke"))
    return w


def history(
    lr: Cli, env: dict[str, str], w: WrittenLog, *args: str
) -> subprocess.CompletedProcess[str]:
    p = lr("history", *w.args(), *args, env=env)
    assert p.returncode == 0, p.stderr
    return p


def test_the_table_has_time_why_and_notes_columns(
    lr: Cli, sandbox_env: dict[str, str], written: WrittenLog
) -> None:
    p = history(lr, sandbox_env, written)
    head, *rows = p.stdout.splitlines()
    assert head.split() == [
        "id", "time", "kind", "outcome", "why", "moved", "commit", "who", "notes",
    ]  # fmt: skip
    rollback_id, undone_id, failed_id, first_id = written.ids[::-1]
    by_id = {r.split()[0]: r for r in rows}
    assert list(by_id) == [rollback_id, undone_id, failed_id, first_id]  # newest first
    failed = by_id[failed_id]
    # the time (UTC, to the second), the outcome alone, then its why
    assert failed.split()[1:6] == ["2026-11-26", "22:18:00Z", "release", "failed", "AFunction:"]
    assert HOOK in failed and failed.rstrip().endswith("-")  # no notes
    undone = by_id[undone_id]
    assert undone.split()[4] == "succeeded"  # not "succeeded (undone)"
    assert undone.rstrip().endswith(f"undone by {rollback_id}")
    assert "rollback requested: orders broke" in by_id[rollback_id]
    assert "more:" not in p.stderr  # no --limit: nothing left out


def test_json_carries_every_why(lr: Cli, sandbox_env: dict[str, str], written: WrittenLog) -> None:
    listed = json.loads(history(lr, sandbox_env, written, "--output", "json").stdout)
    failed = listed[2]
    assert failed["outcome"] == "failed"
    assert failed["why"] == [HOOK, "sam deploy exited with 1"]
    assert listed[1]["undone"] is True and listed[1]["undone_by"] == listed[0]["id"]


@pytest.mark.parametrize("fmt", ["table", "text", "json"])
def test_a_limit_that_leaves_entries_out_says_how_to_page_on(
    lr: Cli, sandbox_env: dict[str, str], written: WrittenLog, fmt: str
) -> None:
    ids = written.ids[::-1]
    p = history(lr, sandbox_env, written, "--limit", "2", "--output", fmt)
    assert p.stderr.splitlines()[-1] == f"more: --before {ids[1]}"
    if fmt == "json":  # stdout stays the list a script reads
        assert [r["id"] for r in json.loads(p.stdout)] == ids[:2]
    nxt = history(lr, sandbox_env, written, "--limit", "2", "--before", ids[1], "--output", fmt)
    assert "more:" not in nxt.stderr  # the last page: nothing older
    got = (
        [r["id"] for r in json.loads(nxt.stdout)]
        if fmt == "json"
        else [line.split()[0] for line in nxt.stdout.splitlines() if line.startswith("2026")]
    )
    assert got == ids[2:]


def test_a_limit_that_shows_everything_says_nothing_more(
    lr: Cli, sandbox_env: dict[str, str], written: WrittenLog
) -> None:
    p = history(lr, sandbox_env, written, "--limit", "4")
    assert "more:" not in p.stderr and len(p.stdout.splitlines()) == 1 + 4


def test_the_pipeline_filter_pages_on_its_own_entries(
    lr: Cli, sandbox_env: dict[str, str], sandbox: Sandbox
) -> None:
    w = WrittenLog(sandbox)
    mine = [w.release("succeeded", ci={**CI, "pipeline_id": "p-1"}) for _ in range(3)]
    w.release("succeeded", ci={**CI, "pipeline_id": "p-2"})
    p = history(lr, sandbox_env, w, "--pipeline-id", "p-1", "--limit", "2", "--output", "json")
    assert [r["id"] for r in json.loads(p.stdout)] == mine[::-1][:2]
    assert p.stderr.splitlines()[-1] == f"more: --before {mine[1]}"
    p = history(lr, sandbox_env, w, "--pipeline-id", "p-1", "--limit", "3")
    assert "more:" not in p.stderr


@pytest.mark.parametrize(("count", "more"), [(INDEX_PAGE, False), (INDEX_PAGE + 1, True)])
def test_a_page_that_ends_a_window_of_the_index_knows_what_is_older(
    lr: Cli, sandbox_env: dict[str, str], sandbox: Sandbox, count: int, more: bool
) -> None:
    """The limit at the index's page size: whether more remain is in the next window."""
    w = WrittenLog(sandbox)
    w.fill(count)
    p = history(lr, sandbox_env, w, "--limit", str(INDEX_PAGE), "--output", "text")
    assert len(p.stdout.splitlines()) == INDEX_PAGE
    assert ("more: --before" in p.stderr) is more
