"""How a release ended, decided from what was read: no AWS call in this module.

A release is settled from what the aliases show after ``sam deploy``, not from
its exit code: a function moved when its alias now names another version (or
the function was replaced). The reads live in :mod:`lambda_release.release.settle`
(:func:`~lambda_release.release.settle.read_settlement`); this module is the rule, and
is unit-tested like :mod:`lambda_release.rollback.plan`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from lambda_release.log.records import FAILED, NO_CHANGE, PARTIAL, SUCCEEDED
from lambda_release.log.schema import Outcome, SettledFunction, Settlement

# The reason of a release that removed its own alias from a function.
ALIAS_REMOVED = "alias-removed"
# The reason of an old pending release settled after newer ones (outcome unknown).
SUPERSEDED = "superseded"

# Entries written before 1.0 recorded no stack time of AWS's: their start (the runner's clock)
# is compared with CloudFormation's LastUpdatedTime (AWS's), and the two may differ. AWS
# accepts a signed request from a clock up to 15 minutes off (Common Errors, RequestExpired),
# so this slack cannot cover what AWS tolerates; it covers an NTP-synchronised runner.
CLOCK_SLACK = timedelta(seconds=5)


@dataclass(frozen=True)
class AliasNow:
    """One function's alias as it stands after the deploy."""

    version: str
    code_sha256: str
    function_arn: str


@dataclass(frozen=True)
class StackNow:
    """The stack after the deploy (``status`` "NONE": it is gone)."""

    status: str
    failed: bool = False
    last_updated: datetime | None = None
    functions: Mapping[str, str] | None = None  # logical id -> function name
    # logical ids of the stack's functions that do not carry the alias (any more)
    without_alias: frozenset[str] = frozenset()


@dataclass(frozen=True)
class SettlementReads:
    """Everything settling reads: the stack, each function's alias by name, and the
    functions CloudFormation updated since the release began (read only when needed)."""

    stack: StackNow
    aliases: Mapping[str, AliasNow | None]
    updated_since: frozenset[str] = frozenset()


def outcome_of(any_moved: bool, *, failed: bool) -> str:
    """From what the aliases show: moved or not, and whether the deploy failed."""
    if any_moved:
        return PARTIAL if failed else SUCCEEDED
    return FAILED if failed else NO_CHANGE


def started_at(entry: Mapping[str, Any]) -> datetime | None:
    return parse_time(entry.get("time"))


def parse_time(text: Any) -> datetime | None:
    try:
        return datetime.strptime(str(text or ""), "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)
    except ValueError:
        return None


def aws_started_at(entry: Mapping[str, Any]) -> datetime | None:
    """When the release began in AWS's clock (CloudFormation's Date on the pre-flight's
    read); else its start by the runner's clock."""
    return parse_time(entry.get("stack_read_at")) or started_at(entry)


def deploy_failed(entry: Mapping[str, Any], stack: StackNow, sam_exit_code: int | None) -> bool:
    """sam's exit code when known; else whether the stack failed since the release began.

    "Since" compares CloudFormation's LastUpdatedTime now with the one the release recorded
    as it began (both AWS's clock): the stack failed in this release when it is failed and
    was updated (or created) since. A runner's clock may be minutes off AWS's."""
    if sam_exit_code is not None:
        return sam_exit_code != 0
    if not stack.failed:
        return False
    if "stack_last_updated" in entry:
        before = parse_time(entry["stack_last_updated"])
        return before is None or (stack.last_updated is not None and stack.last_updated > before)
    started = started_at(entry)
    return (
        started is None
        or stack.last_updated is None
        or (stack.last_updated >= started - CLOCK_SLACK)
    )


def function_rows(
    entry: Mapping[str, Any],
    functions_now: Mapping[str, str],
    aliases: Mapping[str, AliasNow | None],
) -> list[SettledFunction]:
    """Per function (those of the entry and those of the stack now): before, after, moved."""
    before = {f["logical_id"]: f for f in entry.get("functions", [])}
    rows: list[SettledFunction] = []
    for lid in sorted(set(before) | set(functions_now)):
        b = before.get(lid, {})
        name = functions_now.get(lid)
        a = aliases.get(name) if name else None
        version_before = b.get("before")
        version_after = a.version if a else None
        arn_before = b.get("function_arn") or ""
        arn_after = a.function_arn if a else arn_before
        replaced = bool(arn_before and a and arn_after and arn_before != arn_after)
        row: SettledFunction = {
            "logical_id": lid,
            "function_name": name or b.get("function_name", ""),
            "function_arn": arn_after,
            "before": version_before,
            "after": version_after,
            "code_sha256": a.code_sha256 if a else None,
            "moved": version_after is not None and (version_after != version_before or replaced),
        }
        if version_before is None and version_after is not None:
            row["created"] = True
        if replaced:
            row["replaced"] = True
        if name is None:
            row["removed"] = True
        rows.append(row)
    return rows


def unmoved_present(rows: Sequence[Mapping[str, Any]]) -> list[str]:
    """Functions still in the stack whose alias did not move."""
    return [r["logical_id"] for r in rows if not r["moved"] and not r.get("removed")]


def alias_removed(rows: Sequence[Mapping[str, Any]], without_alias: frozenset[str]) -> list[str]:
    """Functions still in the stack that carried the alias before and carry it no more
    (the template dropped AutoPublishAlias, or AliasName changed)."""
    return [
        r["logical_id"]
        for r in rows
        if r.get("before") is not None
        and r.get("after") is None
        and (not r.get("removed") or r["logical_id"] in without_alias)
    ]


def superseded_settlement(
    entry: Mapping[str, Any], newer: Sequence[str], *, settled_by: str, settled_at: str
) -> Settlement:
    """An old pending release settled after newer releases: the aliases now show their
    changes too, so it is credited with nothing (``unknown``), with the evidence."""
    rows: list[SettledFunction] = [
        {
            "logical_id": f["logical_id"],
            "function_name": f.get("function_name", ""),
            "function_arn": f.get("function_arn", ""),
            "before": f.get("before"),
            "after": None,
            "moved": False,
        }
        for f in entry.get("functions", [])
    ]
    return {
        "outcome": Outcome.UNKNOWN,
        "reason": SUPERSEDED,
        "superseded_by": list(newer),
        "settled_at": settled_at,
        "settled_by": settled_by,
        "sam_exit_code": None,
        "functions": rows,
        "warnings": [
            f"settled after {len(newer)} newer release(s) ({', '.join(newer[:3])}"
            + (", ..." if len(newer) > 3 else "")
            + "): what this release moved cannot be told apart from what they moved"
        ],
    }


def needs_update_events(
    entry: Mapping[str, Any], reads: SettlementReads, sam_exit_code: int | None
) -> bool:
    """Whether the stack's events are worth reading: a deploy that did not fail left some
    function unmoved, and CloudFormation may have changed its configuration silently."""
    if started_at(entry) is None or reads.stack.functions is None:
        return False
    if deploy_failed(entry, reads.stack, sam_exit_code):
        return False
    rows = function_rows(entry, reads.stack.functions, reads.aliases)
    return bool(unmoved_present(rows))


def settlement_for(
    entry: Mapping[str, Any],
    reads: SettlementReads,
    *,
    alias: str,
    sam_exit_code: int | None,
    settled_by: str,
    settled_at: str,
) -> Settlement:
    """The settlement body: outcome, after-versions and warnings."""
    rows = function_rows(entry, reads.stack.functions or {}, reads.aliases)
    failed = deploy_failed(entry, reads.stack, sam_exit_code)
    warnings = [
        f"{lid}: the function's configuration changed on $LATEST but no new version "
        f"was published, so {alias} still runs the old configuration (SAM "
        "hashes only Code, Environment, MemorySize and SnapStart): set "
        "AutoPublishAliasAllProperties: true, or change one of those"
        for lid in ([] if failed else unmoved_present(rows))
        if lid in reads.updated_since
    ]
    body: Settlement = {
        "outcome": outcome_of(any(r["moved"] for r in rows), failed=failed),
        "settled_at": settled_at,
        "settled_by": settled_by,
        "sam_exit_code": sam_exit_code,
        "functions": rows,
        "warnings": warnings,
    }
    if reads.stack.status:  # not read again after a sam deploy that succeeded
        body["stack_status"] = reads.stack.status
    lost = alias_removed(rows, reads.stack.without_alias)
    for row in rows:
        if row["logical_id"] in lost:
            row.pop("removed", None)  # still in the stack: only its alias is gone
    if lost:
        # Whatever else moved, the release broke the alias: never a success.
        body["outcome"], body["reason"] = FAILED, ALIAS_REMOVED
        warnings.insert(
            0,
            f"alias {alias} was removed from {', '.join(lost)}: the template no longer "
            f"publishes it (AutoPublishAlias dropped, or AliasName not {alias}); restore "
            "it and deploy again, or point the alias back with `lambda-release rollback "
            "--function NAME --to-version V`",
        )
    return body
