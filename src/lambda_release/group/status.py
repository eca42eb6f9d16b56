"""``group status`` and ``group history``: the group's log, each member read from its own.

A member's outcome is what its own log says now (``rolled back`` once its release is
undone), so the group's story never contradicts a member's ``history``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from lambda_release.errors import LambdaReleaseError, UsageError
from lambda_release.group import plan as P
from lambda_release.group.members import Hooks, find_release
from lambda_release.group.model import GroupFile, Target
from lambda_release.log.group_schema import GroupRelease
from lambda_release.log.group_store import GroupLog

READERS = 8  # members' logs read at once (S3 reads: no Lambda quota spent)


@dataclass
class GroupResult:
    exit_code: int
    data: dict[str, Any]


def planned_members(gf: GroupFile | None, rel: GroupRelease) -> list[P.Member]:
    """The members a group release planned, each with its target from the file when the
    file still names it (its artifacts bucket and samconfig tell where its log is)."""
    alias = rel["alias"]
    targets: dict[tuple[str, str], Target] = {}
    if gf is not None:
        targets = {(m.stack, m.region): m.target for m in P.members(gf, alias)}
    return [
        P.Member(
            pm["wave"],
            pm["stack"],
            pm["region"],
            alias,
            targets.get(
                (pm["stack"], pm["region"]), Target(region=pm["region"], stack=pm["stack"])
            ),
        )
        for pm in rel["members"]
    ]


def member_state(hooks: Hooks, gid: str, m: P.Member) -> dict[str, Any]:
    """One member as its own log tells it now."""
    try:
        _engine, log = hooks.locate(m)
        rel, newer = find_release(log, gid)
    except LambdaReleaseError as exc:
        return P.member_row(m, None, "unknown", problems=[str(exc)])
    if rel is None:
        return P.member_row(m, None, P.NOT_STARTED, released_since=newer)
    outcome = P.member_outcome(rel.outcome, rel.undone)
    # What the alias runs now is the group's release only while it is in effect and no
    # release of the stack came after it.
    return P.member_row(
        m,
        rel.id,
        outcome,
        release_outcome=rel.outcome,
        in_effect=rel.in_effect,
        released_since=newer,
    )


def group_status(
    hooks: Hooks, glog: GroupLog, group: str, gid: str, alias: str, members: Sequence[P.Member]
) -> GroupResult:
    end = glog.end(gid)
    outcome = P.group_outcome(end["outcome"] if end else None, glog.rolled_back(gid) is not None)
    rows = _each(lambda m: member_state(hooks, gid, m), members)
    # Why a member failed or was refused is in the group's record of it (a refused member
    # wrote nothing to its own log).
    said = {(r["stack"], r["region"]): r.get("problems") for r in glog.members(gid)}
    for row in rows:
        if said.get((row["stack"], row["region"])):
            row.setdefault("problems", said[row["stack"], row["region"]])
    stopped = end.get("stopped_at_wave") if end else None
    return GroupResult(0, P.summary(group, gid, alias, outcome, stopped, rows))


def latest(glog: GroupLog, group_id: str | None) -> GroupRelease:
    """The named group release, else the newest (none: bad input, saying so)."""
    gid = group_id or next(iter(glog.ids(1)), None)
    if gid is None:
        raise UsageError(
            f"the group's log {glog.uri} holds no group release: run `lambda-release group "
            "deploy` first (or give log: bucket in the group file if it lives elsewhere)"
        )
    rel = glog.release(gid)
    if rel is None:
        raise UsageError(
            f"group release {gid!r} is not in {glog.uri}: see `lambda-release group history`"
        )
    return rel


def status(gf: GroupFile, hooks: Hooks, glog: GroupLog, group_id: str | None) -> GroupResult:
    rel = latest(glog, group_id)
    return group_status(hooks, glog, gf.group, rel["id"], rel["alias"], planned_members(gf, rel))


def history(glog: GroupLog, limit: int) -> list[dict[str, Any]]:
    """The group's releases, newest first: each with how it ended and its members' ids."""
    out = []
    for gid in glog.ids(limit):
        rel, end = glog.release(gid), glog.end(gid)
        if rel is None:
            continue
        members = glog.members(gid)
        out.append(
            {
                "id": gid,
                "time": rel.get("time"),
                "alias": rel["alias"],
                "who": rel.get("who", ""),
                # The orb's group_rollback finds its pipeline's group release by these.
                "pipeline_id": str((rel.get("ci") or {}).get("pipeline_id", "") or ""),
                "pipeline_number": str((rel.get("ci") or {}).get("pipeline_number", "") or ""),
                "outcome": P.group_outcome(
                    end["outcome"] if end else None, glog.rolled_back(gid) is not None
                ),
                "stopped_at_wave": end.get("stopped_at_wave") if end else None,
                "members": [
                    {
                        "wave": m["wave"],
                        "stack": m["stack"],
                        "region": m["region"],
                        "release": m["release"],
                        "outcome": m["outcome"],
                    }
                    for m in members
                ],
            }
        )
    return out


def _each(fn: Callable[[P.Member], dict[str, Any]], members: Sequence[P.Member]) -> list[Any]:
    if len(members) <= 1:
        return [fn(m) for m in members]
    with ThreadPoolExecutor(max_workers=min(READERS, len(members))) as pool:
        return list(pool.map(fn, members))
