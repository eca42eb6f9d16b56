"""``lambda-release report``: one release as a page people read (Markdown, HTML, JSON)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from lambda_release import output
from lambda_release.commands import _release_options as opts
from lambda_release.context import Context
from lambda_release.errors import OperationError
from lambda_release.report.html import render_html
from lambda_release.report.markdown import render_markdown
from lambda_release.report.read import release_report

NAME = "report"
OUTPUTS: tuple[str, ...] = ("markdown", "html", "json")
DESCRIPTION = """\
One release (the newest of the stack and alias, or --release ID: a release's
or a rollback's id) as a report: who, what and where (commit, branch,
pipeline, job, approver), each function's before, after and stable versions,
the outcome and its why (the alarm and its reason, the failed hook, the sam
error, the lease lost), the canary's timeline as deploy or watch saw it, and
whether and by what it was undone.

--output markdown (default) is short, for chat and pull requests; html is one
self-contained page (no network, no script, readable on a phone, the timeline
drawn as inline SVG); json is the same facts for machines. The report is read
from the release log only: it changes nothing.

Exit codes: 0 written; 1 the log could not be read or holds no release; 2 bad
input (an id that is not one, a release not in the log).
"""
EXAMPLES = """\
examples:
  lambda-release report --stack my-lambda-prod --alias PROD
  lambda-release report --release 20261126T221700.123456Z-1a2b3c4d --output html \\
      --output-file report.html
  lambda-release report --output json | jq '.why'
"""


def register(p: argparse.ArgumentParser) -> None:
    opts.add_target(p)
    p.add_argument("--s3-bucket", help="the artifacts bucket (the log's default location)")
    p.add_argument(
        "--release",
        metavar="ID",
        help="the release or rollback to report (default: the newest entry of the log)",
    )
    p.add_argument(
        "--output-file",
        metavar="PATH",
        help="write the report to PATH (default: stdout); its folder is created",
    )


def run(ctx: Context) -> int:
    engine = opts.engine(ctx)
    ctx.aws.check_credentials()
    log = opts.release_log(ctx, engine)
    facts = release_report(log, ctx.settings.get("release"))
    if ctx.output == "json":
        text = json.dumps(facts, indent=2, sort_keys=True, default=str) + "\n"
    elif ctx.output == "html":
        text = render_html(facts)
    else:
        text = render_markdown(facts)
    path = ctx.settings.get("output_file")
    if not path:
        print(text, end="")
        return 0
    target = Path(path)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise OperationError(f"cannot write the report to {path}: {exc}") from exc
    output.info(f"report of {facts['kind']} {facts['id']} ({facts['outcome']}) written to {path}")
    return 0
