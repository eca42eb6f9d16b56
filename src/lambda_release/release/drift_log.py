"""What the release log says about a drift: the rollback that put each alias where it
runs, read newest first only as far back as the drift needs (never the whole log)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from lambda_release.log.records import Release


def explanations(releases: Sequence[Release]) -> dict[tuple[str, str], str]:
    """(logical id, version) -> the newest rollback entry that put the function there."""
    out: dict[tuple[str, str], str] = {}
    for r in releases:  # newest first: the first one seen wins
        if r.kind != "rollback":
            continue
        for f in r.functions():
            if f.get("moved") and f.get("after") is not None:
                out.setdefault((str(f["logical_id"]), str(f["after"])), r.id)
    return out


def drift_history(
    newest_first: Iterable[Release], drifted: Mapping[str, tuple[str, str | None]]
) -> list[Release]:
    """The releases, newest first, that can say why each drifted function runs another
    version than the stack's Version resource: read only as far back as that takes, so
    the cost follows what happened since the drift began, not the log's length.

    ``drifted``: logical id -> (live version, the version the stack's Version resource
    holds). A function is done once the walk has found both the rollback that put it on
    its live version and the one that moved it off the stack's (often the same one), or
    has reached the newest *release* that moved it: CloudFormation recorded what that
    release deployed, so no rollback older than it explains where the alias is now.
    """
    wanted = {lid: (live, held) for lid, (live, held) in drifted.items()}
    read: list[Release] = []
    if not wanted:
        return read
    found_to: set[str] = set()
    found_from: set[str] = set()
    for rel in newest_first:
        read.append(rel)
        for f in rel.functions():
            lid = str(f["logical_id"])
            if lid not in wanted or not f.get("moved"):
                continue
            live, held = wanted[lid]
            if rel.kind == "release":
                del wanted[lid]  # what the stack holds came with this release
                continue
            if str(f.get("after")) == live:
                found_to.add(lid)
            if held is None or str(f.get("before")) == held:
                found_from.add(lid)
            if lid in found_to and lid in found_from:
                del wanted[lid]
        if not wanted:
            break
    return read
