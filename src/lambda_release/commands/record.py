"""``lambda-release record``: settle the pending release after your own sam deploy."""

from __future__ import annotations

import argparse

from lambda_release import bounds, output
from lambda_release.commands import _release_options as opts
from lambda_release.commands._record_file import record_json, summary, text_rows, write_record_file
from lambda_release.context import Context
from lambda_release.log.records import NO_CHANGE, SUCCEEDED
from lambda_release.observe.timeline import timeline_from_file
from lambda_release.release.inputs import check_record_file
from lambda_release.release.recover import settle_pending

NAME = "record"
OUTPUTS: tuple[str, ...] = output.FORMATS
DEFAULT_RECORD = ".lambda-release/release.json"
DESCRIPTION = """\
Settles every pending release of the stack and alias (the one `begin` wrote,
or one a killed deploy job left) from what the aliases show: succeeded,
failed, partial or no-change; points each function's <ALIAS>_STABLE at its
stable version; gives back the lock; writes the JSON record file.

A release whose deploy is still running (its lease is being renewed, or the
stack is mid-update) is left alone and reported.

Exit codes: 0 settled as succeeded or no-change (or nothing was pending);
1 a release failed or was partial, or one is still in flight; 2 bad input.
"""
EXAMPLES = """\
examples:
  lambda-release record --stack my-lambda-prod --alias PROD --sam-exit-code "$?"
  lambda-release record --dry-run --output json     # what is pending, nothing settled
  lambda-release watch --output json > watch.json; lambda-release record --timeline-file watch.json
"""


def register(p: argparse.ArgumentParser) -> None:
    opts.add_target(p)
    p.add_argument("--s3-bucket", help="the artifacts bucket (the log's default location)")
    bounds.add_option(
        p,
        bounds.SAM_EXIT_CODE,
        "sam deploy's exit code, if known: a failure with nothing moved is then 'failed'",
    )
    p.add_argument("--record-file", help=f"JSON record (default {DEFAULT_RECORD})")
    p.add_argument(
        "--timeline-file",
        metavar="PATH",
        help="the canary as `watch --output json` saw it (that output, saved): kept in the "
        "release's settlement for `lambda-release report`",
    )
    p.add_argument(
        "--dry-run",
        action="store_true",
        default=None,
        help="list the pending releases that would be settled; change nothing",
    )


def run(ctx: Context) -> int:
    out = ctx.output
    s = ctx.settings
    engine = opts.engine(ctx)
    code = bounds.SAM_EXIT_CODE.read(s)
    record_path = check_record_file(s.get("record_file", DEFAULT_RECORD) or DEFAULT_RECORD)
    timeline_file = s.get("timeline_file")
    timeline = timeline_from_file(timeline_file) if timeline_file else None
    ctx.aws.check_credentials()
    log = opts.release_log(ctx, engine)
    if s.get_bool("dry_run"):
        pending = log.pending_ids()
        if out == "json":
            output.print_json({"dry_run": True, "pending": pending})
        elif out == "text":
            output.print_text([("PENDING", rid) for rid in pending])
        else:
            of = f"{engine.stack} alias {engine.alias}"
            print(f"dry run: {len(pending)} pending release(s) of {of}")
            for rid in pending:
                print(f"  would settle {rid}")
        return 0
    sam_exit = None if code is None else int(code)
    settled, in_flight = settle_pending(
        engine,
        log,
        settled_by="record",
        include_begun=True,
        sam_exit_code=sam_exit,
        progress=output.info,
        timeline=timeline,
    )
    records = [record_json(release, stable, log) for release, stable in settled]
    if records:
        # The record file describes the latest release settled here.
        write_record_file(str(record_path), records[-1])
    if out == "json":
        output.print_json({"settled": records, "in_flight": in_flight})
    elif out == "text":
        lines = [row for data in records for row in text_rows(data)]
        output.print_text(lines + [("IN_FLIGHT", rid) for rid in in_flight])
    else:
        for data in records:
            print(summary(data))
        for rid in in_flight:
            print(f"release {rid} is still in flight: run record again when it has finished")
        if not records and not in_flight:
            print(f"nothing pending for {engine.stack} alias {engine.alias}")
    ok = all(r["outcome"] in (SUCCEEDED, NO_CHANGE) for r in records)
    return 0 if ok and not in_flight else 1
