"""What runs where: per function every alias and its weights, the stable version,
the last release, deployments in flight and drift. JSON schema: docs/release-log.md."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from lambda_release.aws import codedeploy, stuck_rollback
from lambda_release.aws.stack import LiveFunction, StackInfo, with_live
from lambda_release.errors import LambdaReleaseError, UsageError
from lambda_release.log.location import LogLocation
from lambda_release.log.records import Release
from lambda_release.output import format_table
from lambda_release.release.preflight import alias_drift
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
) -> dict[str, Any]:
    """The status of one alias of the stack: read only, it never settles or writes."""
    log = LogStory.read(engine, location)
    live = engine.live(info)
    drifts = {d.function: d for d in alias_drift(info, live)}
    return {
        "alias": engine.alias,
        "stable_alias": engine.stable_name,
        "functions": function_rows(info, live, set(drifts)),
        "last_release": release_summary(log.last),
        "in_effect": release_summary(log.in_effect),
        "pending": log.pending,
        "deployments_in_flight": [
            d.as_json() for d in codedeploy.active_deployments(engine.client("codedeploy"), info)
        ],
        "drift": [
            {"function": d.function, "recorded": d.recorded, "live": d.live}
            for d in drifts.values()
        ],
        "notes": log.notes,
        "log_error": log.error,
    }


def orphan_warning(uri: str) -> str:
    """The warning for a settlement or undo marker whose entry is missing."""
    return (
        f"warning: {uri} has no entry in the log (it was deleted or moved): its release "
        "is not shown; restore the entry, or move the object out of the log's prefix"
    )


@dataclass
class LogStory:
    """What the log says about an alias: its last release, the one in effect, the pending."""

    last: Release | None = None
    in_effect: Release | None = None
    pending: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    error: str | None = None

    @classmethod
    def read(cls, engine: StackAlias, location: LogLocation | None) -> LogStory:
        story = cls()
        if location is None:
            story.notes.append(
                "no release log found (no lambda-release:log tag; give --log-bucket)"
            )
            return story
        log = engine.log(location)
        try:
            story.pending = log.pending_ids()
            story.notes += [orphan_warning(log.uri(key)) for key in log.orphans()]
            for rel in log.newest_first():
                if story.last is None and rel.kind == "release":
                    story.last = rel
                if rel.in_effect:
                    story.in_effect = rel
                    break
        except LambdaReleaseError as exc:
            story.error = str(exc)
            story.notes.append(f"release log unreadable: {exc}")
        return story


def function_rows(
    info: StackInfo, live: Sequence[LiveFunction], drifted: set[str]
) -> list[dict[str, Any]]:
    """Per function: its alias, weights, stable version, recorded version, drift."""
    functions = []
    for f, lf in with_live(info, live):
        a = lf.alias if lf else None
        s = lf.stable if lf else None
        functions.append(
            {
                "logical_id": f.logical_id,
                "function_name": f.name,
                "function_arn": lf.function_arn if lf else "",
                "version": a.version if a else None,
                "weights": a.weights if a else {},
                "stable": s.version if s else None,
                "recorded_version": f.recorded_version,
                "drift": f.logical_id in drifted,
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
    """Status of the stack for ``aliases`` (None: every alias its functions carry)."""
    first = make_engine(aliases[0] if aliases else "STATUS")
    info = first.info()
    if info is None:
        raise UsageError(
            f"stack {first.stack} does not exist (in this account and region): check --stack "
            "and --region"
        )
    names = aliases or info.aliases_seen
    stack: dict[str, Any] = {"name": info.name, "status": info.status}
    if info.status == stuck_rollback.STUCK:
        stack["way_out"] = stuck_rollback.stuck_message(first.client("cloudformation"), info.name)
    result: dict[str, Any] = {
        "schema": STATUS_SCHEMA,
        "stack": stack,
        "log": None,
        "aliases": [],
    }
    for name in names:
        engine = make_engine(name)
        alias_info = engine.info()
        if alias_info is None:
            continue
        engine.require_alias_functions(alias_info)
        location = location_for(engine)
        result["log"] = location.uri if location else None
        result["aliases"].append(alias_status(engine, alias_info, location))
    return result


def status_text(data: dict[str, Any]) -> str:
    lines = [f"stack {data['stack']['name']}: {data['stack']['status']}"]
    if data["stack"].get("way_out"):
        lines.append(data["stack"]["way_out"])
    if data.get("log"):
        lines.append(f"release log: {data['log']}")
    if not data["aliases"]:
        lines.append("no function carries an alias yet")
    for a in data["aliases"]:
        lines.append("")
        rows = []
        for f in a["functions"]:
            weights = ", ".join(f"{v}: {w:.0%}" for v, w in f["weights"].items())
            rows.append(
                (
                    f["logical_id"],
                    f["version"] or "-",
                    weights or "-",
                    f["stable"] or "-",
                    f"drift (CloudFormation: {f['recorded_version']})" if f["drift"] else "",
                )
            )
        lines.append(f"alias {a['alias']} (stable pointer {a['stable_alias']}):")
        lines.append(format_table(("function", "version", "canary", "stable", "drift"), rows))
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
        for rid in a["pending"]:
            lines.append(f"release {rid} is still in flight (pending)")
        for d in a["deployments_in_flight"]:
            line = f"deployment in flight: {d['deployment_id']} ({d['deployment_group']})"
            if d.get("rollback_of"):
                line += f", CodeDeploy's rollback of {d['rollback_of']}"
            lines.append(line)
        if not a["drift"]:
            lines.append("no drift")
        lines.extend(f"note: {visible(n)}" for n in a["notes"])
    return "\n".join(lines)
