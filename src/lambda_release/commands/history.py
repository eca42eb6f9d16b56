"""``lambda-release history``: the release log of a stack and alias, newest first."""

from __future__ import annotations

import argparse
from typing import Any

from lambda_release import bounds, output
from lambda_release.commands import _release_options as opts
from lambda_release.context import Context
from lambda_release.errors import UsageError
from lambda_release.log.ids import is_release_id
from lambda_release.observe.status import orphan_warning
from lambda_release.text import visible

NAME = "history"
OUTPUTS: tuple[str, ...] = output.FORMATS
DESCRIPTION = """\
Lists the releases (and rollbacks) of a stack and alias, newest first: id,
time, outcome, what moved, commit and who. A release undone by a rollback is
marked. The log itself is plain JSON objects in S3 (docs/release-log.md).

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


HEADERS = ("id", "kind", "outcome", "moved", "commit", "who")


def row(r: dict[str, Any]) -> tuple[str, ...]:
    """One release as a row of the table (and of --output text)."""
    ci = r.get("ci", {})
    return (
        r["id"],
        r.get("kind", "release") + (" (automatic)" if r.get("automatic") else ""),
        r["outcome"]
        # an automatic rollback's reason is told in full under the table
        + (f" ({r['reason']})" if r.get("reason") and not r.get("automatic") else "")
        + (" (undone)" if r.get("undone") else ""),
        moves(r),
        (ci.get("commit") or "")[:12] or "-",
        r.get("who") or "-",
    )


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
        releases = [r.as_json() for r in log.releases(limit, before)]
    else:
        # Filtered before the limit: "the newest N of this pipeline".
        releases = [r.as_json() for r in log.releases(None, before)]
        releases = [r for r in releases if (r.get("ci") or {}).get("pipeline_id") == pipeline]
        releases = releases[:limit] if limit is not None else releases
    for key in log.orphans():
        output.info(f"lambda-release history: {orphan_warning(log.uri(key))}")
    if out == "json":
        output.print_json(releases)
        return 0
    rows = [row(r) for r in releases]
    if out == "text":
        output.print_text(rows)
        return 0
    if not releases:
        print(f"no releases recorded for {engine.stack} alias {engine.alias} in {log.location.uri}")
        return 0
    print(output.format_table(HEADERS, rows))
    for r in releases:
        for line in notes(r):
            print(visible(line))  # the log's words (and CloudWatch's): escaped, one line
    return 0


def notes(r: dict[str, Any]) -> list[str]:
    """What a row of the table cannot say: why a rollback was automatic, why rolled-back
    code was released again, why a release went out of its deploy windows."""
    out = []
    auto = r.get("automatic")
    if isinstance(auto, dict):
        out.append(
            f"{r['id']}: automatic rollback ({auto.get('by')}): alarm {auto.get('alarm')} in "
            f"{auto.get('state')} since {auto.get('time') or '?'}: {auto.get('reason') or '-'}"
        )
    if r.get("allow_rolled_back_code"):
        out.append(f"{r['id']}: released rolled-back code again: {r['allow_rolled_back_code']}")
    if r.get("ignore_window"):
        out.append(f"{r['id']}: released outside its deploy windows: {r['ignore_window']}")
    return out
