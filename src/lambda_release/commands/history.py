"""``lambda-release history``: the release log of a stack and alias, newest first."""

from __future__ import annotations

import argparse
from typing import Any

from lambda_release import bounds, output
from lambda_release.commands import _release_options as opts
from lambda_release.context import Context
from lambda_release.errors import UsageError
from lambda_release.log.ids import is_release_id
from lambda_release.log.records import Release
from lambda_release.observe.status import orphan_warning
from lambda_release.report.facts import why

NAME = "history"
OUTPUTS: tuple[str, ...] = output.FORMATS
DESCRIPTION = """\
Lists the releases (and rollbacks) of a stack and alias, newest first: id,
time, kind, outcome, why (the first reason the log holds for how it ended: the
alarm, the failed hook, the sam error; the whole list is `why` in JSON), what
moved, commit, who, and notes (undone by which rollback, an automatic
rollback's alarm, rolled-back code released again, a release outside its
deploy windows). With --limit N, when older entries remain, stderr says
`more: --before ID`: the next page. The log itself is plain JSON objects in
S3 (docs/release-log.md).

Exit codes: 0 shown; 1 the log could not be read; 2 bad input.
"""
EXAMPLES = """\
examples:
  lambda-release history --stack my-lambda-prod --alias PROD --limit 10
  lambda-release history --limit 10 --before 20261126T221700.123456Z-1a2b3c4d   # next page
  lambda-release history --output json | jq '.[0].functions'
  lambda-release history --pipeline-id "$CIRCLE_PIPELINE_ID" --output json   # one pipeline's
"""


def register(p: argparse.ArgumentParser) -> None:
    opts.add_target(p)
    p.add_argument("--s3-bucket", help="the artifacts bucket (the log's default location)")
    bounds.add_option(p, bounds.LIMIT, "at most N entries", "all")
    p.add_argument(
        "--pipeline-id",
        metavar="ID",
        help="only the entries a CircleCI pipeline made (its CIRCLE_PIPELINE_ID)",
    )
    p.add_argument(
        "--before",
        metavar="ID",
        help="only entries older than release id ID (the next page: the last id shown)",
    )


def moves(entry: dict[str, object]) -> str:
    funcs = entry.get("functions") or []
    parts = []
    for f in funcs:  # type: ignore[attr-defined]
        if f.get("moved"):
            before, after = f.get("before") or "new", f.get("after") or "gone"
            replaced = " (replaced)" if f.get("replaced") else ""  # after is the new function's
            parts.append(f"{f['logical_id']} {before}->{after}{replaced}")
    return ", ".join(parts) or "-"


HEADERS = ("id", "time", "kind", "outcome", "why", "moved", "commit", "who", "notes")
# The table shows the first reason cut to this; --output json and text carry it whole.
WHY_WIDTH = 80


def row(r: dict[str, Any], *, whole: bool = False) -> tuple[str, ...]:
    """One release as a row of the table (``whole``: --output text, nothing cut)."""
    ci = r.get("ci", {})
    first = (r.get("why") or [""])[0]
    if not whole and len(first) > WHY_WIDTH:
        first = first[: WHY_WIDTH - 1] + "…"
    return (
        r["id"],
        shown_time(r.get("time")),
        r.get("kind", "release") + (" (automatic)" if r.get("automatic") else ""),
        r["outcome"],
        first or "-",
        moves(r),
        (ci.get("commit") or "")[:12] or "-",
        r.get("who") or "-",
        "; ".join(notes(r)) or "-",
    )


def shown_time(value: object) -> str:
    """The entry's time (UTC) to the second: ``2026-11-26 22:17:00Z``."""
    text = str(value or "")
    if len(text) >= 19 and text[10] == "T":
        return f"{text[:10]} {text[11:19]}Z"
    return text or "-"


def listed(r: Release) -> dict[str, Any]:
    """A release as history shows it: its record, and every why the log holds."""
    return {**r.as_json(), "why": why(r)}


def run(ctx: Context) -> int:
    out = ctx.output
    found = bounds.LIMIT.read(ctx.settings)
    limit = None if found is None else int(found)
    # raw, not get: an empty --pipeline-id= must be refused, never read as "every pipeline".
    raw = ctx.settings.raw("pipeline_id")
    pipeline = None if raw is None else str(raw).strip()
    if pipeline == "":
        raise UsageError("--pipeline-id is empty: give the pipeline's id (CIRCLE_PIPELINE_ID)")
    engine = opts.engine(ctx)
    ctx.aws.check_credentials()
    log = opts.release_log(ctx, engine)
    before = ctx.settings.get("before")
    if before is not None and not is_release_id(before):
        raise UsageError(
            f"--before {before!r} is not a release id: give an id from `lambda-release "
            "history`, e.g. 20261126T221700.123456Z-1a2b3c4d"
        )
    if pipeline is None:
        page, more = log.page(limit, before)
        releases = [listed(r) for r in page]
    else:
        # Filtered before the limit: "the newest N of this pipeline".
        mine = [
            r
            for r in log.releases(None, before)
            if (r.entry.get("ci") or {}).get("pipeline_id") == pipeline
        ]
        more = limit is not None and len(mine) > limit
        releases = [listed(r) for r in (mine[:limit] if limit is not None else mine)]
    for key in log.orphans():
        output.info(f"lambda-release history: {orphan_warning(log.uri(key))}")
    show(out, releases, f"{engine.stack} alias {engine.alias} in {log.location.uri}")
    if more and releases:
        # stderr, in every format: stdout stays the list a script reads.
        output.info(f"more: --before {releases[-1]['id']}")
    return 0


def show(out: str, releases: list[dict[str, Any]], where: str) -> None:
    if out == "json":
        output.print_json(releases)
    elif out == "text":
        output.print_text([row(r, whole=True) for r in releases])
    elif not releases:
        print(f"no releases recorded for {where}")
    else:
        print(output.format_table(HEADERS, [row(r) for r in releases]))


def notes(r: dict[str, Any]) -> list[str]:
    """What the outcome does not say: which rollback undid it, why a rollback was
    automatic, why rolled-back code was released again, why a release went out of its
    deploy windows (each cell escaped by the table: the log's words, and CloudWatch's)."""
    out = []
    if r.get("undone"):
        out.append(f"undone by {r.get('undone_by') or '?'}")
    auto = r.get("automatic")
    if isinstance(auto, dict):
        out.append(
            f"automatic rollback ({auto.get('by')}): alarm {auto.get('alarm')} in "
            f"{auto.get('state')} since {auto.get('time') or '?'}: {auto.get('reason') or '-'}"
        )
    if r.get("allow_rolled_back_code"):
        out.append(f"released rolled-back code again: {r['allow_rolled_back_code']}")
    if r.get("ignore_window"):
        out.append(f"released outside its deploy windows: {r['ignore_window']}")
    return out
