"""``group rollback``: undo every member release of a group release still in effect,
newest wave first, each through ``rollback``'s own path (``--release ID``).

Idempotent and resumable: each member's release is found in its own log (its entry names
the group release), one already undone is skipped, and the group's ``rolled-back`` mark is
written last, once every member is undone. A kill anywhere is finished by running it again.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor

from lambda_release.group import plan as P
from lambda_release.group.members import Hooks, Undone, undo_member
from lambda_release.group.model import GroupFile
from lambda_release.group.status import GroupResult, group_status, latest, planned_members
from lambda_release.log.group_store import GroupLog
from lambda_release.log.ids import iso, now

AT_ONCE = 4  # members of one wave undone at once (each paced by its own region's budget)


def undo_group(
    hooks: Hooks,
    glog: GroupLog,
    group: str,
    gid: str,
    alias: str,
    members: Sequence[P.Member],
    dry_run: bool,
    progress: Callable[[str], None],
    reason: str,
) -> GroupResult:
    """Undo each member, newest wave first; the group's mark written when none failed."""
    why = f"group {group} release {gid} rolled back" + (f": {reason}" if reason else "")
    failed: list[Undone] = []
    for wave in P.undo_order(members):
        progress(f"rolling back wave {wave[0].wave}: {len(wave)} target(s)")

        def one(m: P.Member) -> Undone:
            return undo_member(hooks, m, gid, why, dry_run, progress)

        with ThreadPoolExecutor(max_workers=max(1, min(AT_ONCE, len(wave)))) as pool:
            done = list(pool.map(one, wave))
        failed += [u for u in done if u.outcome in ("failed", P.NOT_UNDONE)]
    if failed:
        names = ", ".join(u.member.name for u in failed if u.outcome == "failed")
        kept = ", ".join(u.member.name for u in failed if u.outcome == P.NOT_UNDONE)
        if names:
            progress(f"not every member was rolled back ({names}): run `group rollback` again")
        if kept:
            progress(f"still in effect, nothing earlier to go back to: {kept}")
    elif not dry_run:
        glog.write_rollback({"id": gid, "time": iso(now()), "by": "group rollback", "reason": why})
    result = group_status(hooks, glog, group, gid, alias, members)
    if dry_run:
        result.data["outcome"] = "dry run"
    return GroupResult(1 if failed else 0, result.data)


def group_rollback(
    gf: GroupFile,
    hooks: Hooks,
    glog: GroupLog,
    group_id: str | None,
    dry_run: bool,
    progress: Callable[[str], None],
    reason: str = "",
) -> GroupResult:
    """Undo the latest (or named) group release: every member still in effect; ``reason``
    (the orb's: who approved) is recorded in each member's rollback and the group's."""
    rel = latest(glog, group_id)
    members = planned_members(gf, rel)
    if glog.rolled_back(rel["id"]) is not None:
        progress(f"group release {rel['id']} is already rolled back: checking each member")
    return undo_group(
        hooks, glog, gf.group, rel["id"], rel["alias"], members, dry_run, progress, reason
    )
