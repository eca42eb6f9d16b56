"""What the release log says about a drift: the rollback that put each alias where it
runs, read newest first only as far back as the drift needs (never the whole log).

A deploy that finds drift writes what it found into its entry (``drift`` on each drifted
function: log.schema.DriftNote), so the next one that finds the same drift stops there:
after a rollback, every deploy until the function's code changes again reads one or two
entries, however many releases of other functions came since."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from lambda_release.log.records import Release
from lambda_release.log.schema import DriftNote


def explanations(releases: Sequence[Release]) -> dict[tuple[str, str], str]:
    """(logical id, version) -> the newest rollback entry that put the function there (as
    a rollback's entry says, or a later entry's drift note repeats)."""
    out: dict[tuple[str, str], str] = {}
    for r in releases:  # newest first: the first one seen wins
        for f in r.functions():
            note = f.get("drift")
            if note is not None and note.get("explained_by"):
                out.setdefault((str(f["logical_id"]), note["live"]), str(note["explained_by"]))
            if r.kind == "rollback" and f.get("moved") and f.get("after") is not None:
                out.setdefault((str(f["logical_id"]), str(f["after"])), r.id)
    return out


def rolled_back_versions(releases: Sequence[Release]) -> dict[tuple[str, str], str]:
    """(logical id, version) a rollback moved an alias away from -> that rollback's id."""
    out: dict[tuple[str, str], str] = {}
    for r in releases:
        for f in r.functions():
            note = f.get("drift")
            if note is not None and note.get("undone_by"):
                out.setdefault((str(f["logical_id"]), note["held"]), str(note["undone_by"]))
            if r.kind == "rollback" and f.get("moved") and f.get("before") is not None:
                out.setdefault((str(f["logical_id"]), str(f["before"])), r.id)
    return out


def drift_notes(
    releases: Sequence[Release], drifted: Mapping[str, tuple[str, str | None]]
) -> dict[str, DriftNote]:
    """What a deploy writes into its entry for each drifted function (see the module)."""
    why, undone = explanations(releases), rolled_back_versions(releases)
    return {
        lid: {
            "live": live,
            "held": held,
            "explained_by": why.get((lid, live)),
            "undone_by": undone.get((lid, held)),
        }
        for lid, (live, held) in drifted.items()
        if held is not None
    }


def drift_history(
    newest_first: Iterable[Release], drifted: Mapping[str, tuple[str, str | None]]
) -> list[Release]:
    """The releases, newest first, that can say why each drifted function runs another
    version than the stack's Version resource: read only as far back as that takes, so
    the cost follows what happened since the drift began, not the log's length.

    ``drifted``: logical id -> (live version, the version the stack's Version resource
    holds). A function is done once the walk has found both the rollback that put it on
    its live version and the one that moved it off the stack's (often the same one); or
    an entry whose drift note names the same two versions (an earlier deploy's finding);
    or the newest *release* that moved it: CloudFormation recorded what that release
    deployed, so no rollback older than it explains where the alias is now.
    """
    wanted = dict(drifted)
    read: list[Release] = []
    found_to: set[str] = set()
    found_from: set[str] = set()
    if not wanted:
        return read
    for rel in newest_first:
        read.append(rel)
        for f in rel.functions():
            lid = str(f["logical_id"])
            if lid not in wanted:
                continue
            live, held = wanted[lid]
            note = f.get("drift")
            if note is not None and (note["live"], note["held"]) == (live, held):
                del wanted[lid]  # an earlier deploy's finding, as far back as it read
                continue
            if not f.get("moved"):
                continue
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
            break  # before the next release is read (each costs its entry and settlement)
    return read
