"""What runs where: per function every alias and its weights, the stable version,
the last release, deployments in flight and drift. JSON schema: docs/release-log.md."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import botocore.exceptions

from lambda_release.aws import codedeploy, stuck_rollback
from lambda_release.aws.stack import LiveFunction, StackInfo, read_live, with_live
from lambda_release.errors import LambdaReleaseError, OperationError, UsageError
from lambda_release.log import lock
from lambda_release.log.ids import now
from lambda_release.log.location import LogLocation
from lambda_release.log.records import Release
from lambda_release.log.store import ReleaseLog
from lambda_release.names import validate_alias
from lambda_release.observe.baking import bake_state, bake_text
from lambda_release.output import format_table
from lambda_release.release.drift_log import drift_history, explanations
from lambda_release.release.preflight import (
    Drift,
    alarm_message,
    alias_drift,
    in_flight_message,
    in_progress_message,
)
from lambda_release.release.stack_alias import StackAlias
from lambda_release.text import visible

STATUS_SCHEMA = "lambda-release/status@1"


def release_summary(rel: Release | None) -> dict[str, Any] | None:
    if rel is None:
        return None
    ci = rel.entry.get("ci", {})
    return {
        "id": rel.id,
        "kind": rel.kind,
        "time": rel.entry.get("time"),
        "outcome": rel.outcome,
        "undone": rel.undone,
        "commit": ci.get("commit", ""),
        "branch": ci.get("branch", ""),
        "who": rel.entry.get("who", ""),
        "job_url": ci.get("job_url", ""),
    }


def alias_status(
    engine: StackAlias,
    info: StackInfo,
    location: LogLocation | None,
    in_flight: Sequence[codedeploy.ActiveDeployment] = (),
) -> dict[str, Any]:
    """The status of one alias of the stack: read only, it never settles or writes."""
    log = LogStory.read(engine, location)
    live = engine.live(info)
    bare = [info.function_names[lid] for lid in info.other_functions]
    if bare:  # functions that lack the alias: shown too, with the aliases they do carry
        live = live + read_live(
            engine.client("lambda"), bare, engine.alias, engine.stable_name, engine.limiter
        )
    drift = alias_drift(info, live)
    why = log.explanations({d.function: (d.live, d.recorded) for d in drift}) if drift else {}
    split = {
        f.logical_id for f, lf in with_live(info, live) if lf and lf.alias and lf.alias.weights
    }
    drifts = [drift_json(d, why.get((d.function, d.live)), d.function in split) for d in drift]
    return {
        "alias": engine.alias,
        "stable_alias": engine.stable_name,
        "functions": function_rows(info, live, {d.function for d in drift}),
        "without_alias": list(info.other_functions),
        "last_release": release_summary(log.last),
        "in_effect": release_summary(log.in_effect),
        "bake": log.bake,
        "pending": log.pending,
        "deployments_in_flight": [d.as_json() for d in in_flight],
        "drift": drifts,
        "blockers": log.blockers + [d["message"] for d in drifts if not d["realigned_by_deploy"]],
        "before_next_deploy": [pending_note(rid) for rid in log.pending]
        + [d["message"] for d in drifts if d["realigned_by_deploy"]],
        "notes": log.notes,
        "log_error": log.error,
    }


def drift_json(d: Drift, explained_by: str | None, split: bool) -> dict[str, Any]:
    """One drift, and what the next deploy does about it (release/drift.py decides the
    same: a drift a lambda-release rollback explains, on an alias not split, is realigned;
    any other refuses). ``split``: the alias routes to two versions."""
    realigned = explained_by is not None and not split
    message = (
        f"drift on {d.function}: CloudFormation records version {d.recorded}, the alias runs "
        f"{d.live} (put there by rollback {explained_by}): the next deploy realigns this "
        "(CloudFormation is updated to the live version first; no traffic moves)"
        if realigned
        else d.message
    )
    return {
        "function": d.function,
        "recorded": d.recorded,
        "live": d.live,
        "explained_by": explained_by,
        "realigned_by_deploy": realigned,
        "message": message,
    }


def stack_blockers(engine: StackAlias, info: StackInfo) -> tuple[list[str], list[Any]]:
    """What refuses the next deploy whatever the alias (the pre-flight's own words), and
    the deployments in flight: (blockers, deployments)."""
    cd = engine.client("codedeploy")
    blockers: list[str] = []
    if info.in_progress:
        blockers.append(in_progress_message(info))
    in_flight = codedeploy.active_deployments(cd, info)
    if in_flight:
        blockers.append(in_flight_message([(d.deployment_id, d.group) for d in in_flight]))
    firing = codedeploy.stack_alarms_in_alarm(cd, engine.client("cloudwatch"), info)
    if firing:
        blockers.append(alarm_message(firing))
    return blockers, in_flight


def orphan_warning(uri: str) -> str:
    """The warning for a settlement or undo marker whose entry is missing."""
    return (
        f"warning: {uri} has no entry in the log (it was deleted or moved): its release "
        "is not shown; restore the entry, or move the object out of the log's prefix"
    )


@dataclass
class LogStory:
    """What the log says about an alias: its last release, the one in effect, the pending,
    and a lease someone holds (the next deploy would wait for it)."""

    last: Release | None = None
    in_effect: Release | None = None
    pending: list[str] = field(default_factory=list)
    blockers: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    error: str | None = None
    log: ReleaseLog | None = None
    bake: dict[str, Any] | None = None  # the last release's bake (observe.baking)

    @classmethod
    def read(cls, engine: StackAlias, location: LogLocation | None) -> LogStory:
        story = cls()
        if location is None:
            story.notes.append(
                "no release log found (no lambda-release:log tag; give --log-bucket)"
            )
            return story
        log = story.log = engine.log(location)
        try:
            story.pending = log.pending_ids()
            story.notes += [orphan_warning(log.uri(key)) for key in log.orphans()]
            for rel in log.newest_first():
                if story.last is None and rel.kind == "release":
                    story.last = rel
                if rel.in_effect:
                    story.in_effect = rel
                    break
            story.blockers = lock_blockers(log)
            if story.last is not None:
                rid = story.last.id
                story.bake = bake_state(log.bake_starts(rid), log.read_bake_end(rid), now())
        except LambdaReleaseError as exc:
            story.error = str(exc)
            story.notes.append(f"release log unreadable: {exc}")
        return story

    def explanations(
        self, drifted: Mapping[str, tuple[str, str | None]]
    ) -> dict[tuple[str, str], str]:
        """(function, version) -> the rollback that put it there (read only for drift, as
        far back as ``drifted`` needs: release.drift.drift_history)."""
        if self.log is None or self.error is not None:
            return {}
        try:
            return explanations(drift_history(self.log.newest_first(), drifted))
        except LambdaReleaseError:
            return {}


def lock_blockers(log: ReleaseLog) -> list[str]:
    """The lease, if someone holds it: the next deploy waits for it (up to --lock-timeout)."""
    held = lock.read_lease(log)
    if held and not lock.is_free(held[0]):
        return [lock.locked_message(log, held[0])]
    return []


def pending_note(rid: str) -> str:
    return (
        f"release {rid} is pending (begun, never settled): the next deploy settles it from "
        "the aliases before it begins, or refuses while the stack is still updating; "
        "`lambda-release record` settles it now"
    )


def logged_aliases(engine: StackAlias, location: LogLocation | None) -> list[str]:
    """The aliases this stack has a release log for (one listing): after a template took
    an alias off every function, the stack no longer shows it, the log still does."""
    if location is None:
        return []
    # location.base(stack, alias) is "<prefix>/<root>/<stack>/<alias>/": list one level up.
    prefix = location.base(engine.stack, "-").removesuffix("-/")
    try:
        resp = engine.client("s3").list_objects_v2(
            Bucket=location.bucket, Prefix=prefix, Delimiter="/"
        )
    except botocore.exceptions.ClientError as exc:
        raise OperationError(f"cannot list the release log at {location.uri}: {exc}") from exc
    found = [str(p["Prefix"])[len(prefix) :].rstrip("/") for p in resp.get("CommonPrefixes", [])]
    return sorted(name for name in found if _is_alias(name))


def _is_alias(name: str) -> bool:
    """A folder of the log named as an alias can be (anything else there is not one)."""
    try:
        validate_alias(name)
    except UsageError:
        return False
    return True


def function_rows(
    info: StackInfo, live: Sequence[LiveFunction], drifted: set[str]
) -> list[dict[str, Any]]:
    """Per function of the stack (those without the alias too: ``has_alias`` false): its
    alias, weights, stable version, recorded version, drift."""
    functions = []
    by_name = {lf.name: lf for lf in live}
    refs = [(f.logical_id, f.name, f.recorded_version) for f, _ in with_live(info, live)]
    refs += [(lid, info.function_names[lid], None) for lid in info.other_functions]
    carrying = {f.logical_id for f in info.functions}
    for logical_id, name, recorded in sorted(refs):
        lf = by_name.get(name)
        a = lf.alias if lf else None
        s = lf.stable if lf else None
        functions.append(
            {
                "logical_id": logical_id,
                "function_name": name,
                "function_arn": lf.function_arn if lf else "",
                "has_alias": logical_id in carrying,
                "version": a.version if a else None,
                "weights": a.weights if a else {},
                "stable": s.version if s else None,
                "recorded_version": recorded,
                "drift": logical_id in drifted,
                "aliases": {
                    name: {"version": st.version, "weights": st.weights}
                    for name, st in (lf.aliases.items() if lf else [])
                },
            }
        )
    return functions


def stack_status(
    make_engine: Callable[[str], StackAlias],
    aliases: list[str] | None,
    location_for: Callable[[StackAlias], LogLocation | None],
) -> dict[str, Any]:
    """Status of the stack for ``aliases`` (None: every alias its functions carry, and every
    alias it has a release log for)."""
    first = make_engine(aliases[0] if aliases else "STATUS")
    info = first.info()
    if info is None:
        raise UsageError(
            f"stack {first.stack} does not exist (in this account and region): check --stack "
            "and --region"
        )
    names = aliases or sorted({*info.aliases_seen, *logged_aliases(first, location_for(first))})
    stack: dict[str, Any] = {"name": info.name, "status": info.status}
    if info.status == stuck_rollback.STUCK:
        stack["way_out"] = stuck_rollback.stuck_message(first.client("cloudformation"), info.name)
    if info.never_executed:
        stack["note"] = never_executed_note(info.name)
    blockers, in_flight = stack_blockers(first, info)
    if "way_out" in stack:
        blockers.insert(0, stack["way_out"])
    result: dict[str, Any] = {
        "schema": STATUS_SCHEMA,
        "stack": stack,
        "log": None,
        "blockers": blockers,
        "aliases": [],
    }
    for name in names:
        engine = make_engine(name)
        alias_info = engine.info()
        if alias_info is None:
            continue
        location = location_for(engine)
        engine.require_alias_functions(alias_info, engine.log(location) if location else None)
        result["log"] = location.uri if location else None
        result["aliases"].append(alias_status(engine, alias_info, location, in_flight))
    return result


def never_executed_note(stack: str) -> str:
    return (
        f"stack {stack} was created by a change set that was never executed: it holds no "
        "resource and never leaves REVIEW_IN_PROGRESS by itself. The next deploy creates it "
        "(sam deploy treats it as absent), or `aws cloudformation delete-stack --stack-name "
        f"{stack}` removes it"
    )


def status_text(data: dict[str, Any]) -> str:
    lines = [f"stack {data['stack']['name']}: {data['stack']['status']}"]
    if data["stack"].get("note"):
        lines.append(data["stack"]["note"])
    if data.get("log"):
        lines.append(f"release log: {data['log']}")
    if not data["aliases"]:
        lines.append("no function carries an alias yet")
    for blocker in data.get("blockers", []):
        lines.append(f"the next deploy would be refused: {blocker}")
    for a in data["aliases"]:
        lines.append("")
        lines.extend(_alias_text(a))
    return "\n".join(lines)


def _function_rows(a: dict[str, Any]) -> list[tuple[str, ...]]:
    rows: list[tuple[str, ...]] = []
    for f in a["functions"]:
        weights = ", ".join(f"{v}: {w:.0%}" for v, w in f["weights"].items())
        rows.append(
            (
                f["logical_id"],
                (f["version"] or "-") if f.get("has_alias", True) else f"no {a['alias']}",
                weights or "-",
                f["stable"] or "-",
                f"drift (CloudFormation: {f['recorded_version']})" if f["drift"] else "",
            )
        )
    return rows


def status_rows(data: dict[str, Any]) -> list[tuple[str, ...]]:
    """``--output text``: per alias and function, the columns of the table, the alias first."""
    return [(a["alias"], *row) for a in data["aliases"] for row in _function_rows(a)]


def _alias_text(a: dict[str, Any]) -> list[str]:
    rows = _function_rows(a)
    lines = [f"alias {a['alias']} (stable pointer {a['stable_alias']}):"]
    lines.append(format_table(("function", "version", "canary", "stable", "drift"), rows))
    if a.get("without_alias"):
        lines.append(
            f"{', '.join(a['without_alias'])} lack{'s' if len(a['without_alias']) == 1 else ''} "
            f"alias {a['alias']}: a deploy of a template that publishes it (AutoPublishAlias) "
            "restores it, or `lambda-release rollback --function NAME --to-version V` adds it "
            "back at a version"
        )
    last = a["last_release"]
    if last:
        commit = (last["commit"] or "")[:12] or "-"
        # Escaped: the time, commit and who are the log's words, whoever wrote it.
        lines.append(
            visible(
                f"last release {last['id']} at {last['time']}: {last['outcome']}"
                f"{' (undone)' if last['undone'] else ''}, commit {commit}, "
                f"by {last['who'] or '-'}"
            )
        )
    else:
        lines.append("no release recorded")
    baked = bake_text(last["id"], a.get("bake")) if last else None
    if baked:
        lines.append(visible(baked))
    lines.extend(a.get("before_next_deploy", []))
    for d in a["deployments_in_flight"]:
        line = f"deployment in flight: {d['deployment_id']} ({d['deployment_group']})"
        if d.get("rollback_of"):
            line += f", CodeDeploy's rollback of {d['rollback_of']}"
        lines.append(line)
    if not a["drift"]:
        lines.append("no drift")
    lines.extend(f"the next deploy would be refused: {visible(b)}" for b in a.get("blockers", []))
    lines.extend(f"note: {visible(n)}" for n in a["notes"])
    return lines
