"""``lambda-release report``: one release as a page people read (Markdown, HTML, JSON)."""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path
from typing import Any

from lambda_release import bounds, output
from lambda_release.commands import _release_options as opts
from lambda_release.context import Context
from lambda_release.errors import OperationError, UsageError
from lambda_release.release.stack_alias import StackAlias
from lambda_release.report import github
from lambda_release.report.html import render_history_html, render_html
from lambda_release.report.markdown import render_markdown
from lambda_release.report.read import newest_reports, release_report

NAME = "report"
OUTPUTS: tuple[str, ...] = ("markdown", "html", "json")
DESCRIPTION = """\
One release (the newest of the stack and alias, or --release ID: a release's
or a rollback's id) as a report: who, what and where (commit, branch,
pipeline, job, approver), each function's before, after and stable versions,
the outcome and its why (the alarm and its reason, the failed hook, the sam
error, the lease lost), the canary's timeline as deploy or watch saw it, and
whether and by what it was undone. --limit N puts the N newest entries on
one page instead (HTML: an index whose rows link each report's anchor).

--output markdown (default) is short, for chat and pull requests; html is one
self-contained page (no network, no script, readable on a phone, the timeline
drawn as inline SVG); json is the same facts for machines. The report is read
from the release log only: it changes nothing.

--post github-comment puts the Markdown on a pull request (--pull-request N, else
CircleCI's CIRCLE_PULL_REQUEST) as a comment; --post github-deployment makes a
GitHub deployment of the release's commit with the outcome and its first why as
its status. Both use the token in GITHUB_TOKEN (never printed) and GitHub's REST
API at --github-api-url (GitHub Enterprise: https://HOST/api/v3); --dry-run
prints the requests and sends nothing.

Exit codes: 0 written (or posted); 1 the log could not be read or holds no
release, GitHub failed or could not be reached; 2 bad input (an id that is not
one, a release not in the log, no GITHUB_TOKEN, GitHub refusing the token, the
repository or the pull request).
"""
EXAMPLES = """\
examples:
  lambda-release report --stack my-lambda-prod --alias PROD
  lambda-release report --release 20261126T221700.123456Z-1a2b3c4d --output html \\
      --output-file report.html
  lambda-release report --output json | jq '.why'
  lambda-release report --limit 20 --output html --output-file releases.html   # an index, linked
  lambda-release report --post github-comment --pull-request 42   # GITHUB_TOKEN from a context
  lambda-release report --post github-deployment --github-repository my-org/my-lambda
"""


def register(p: argparse.ArgumentParser) -> None:
    opts.add_target(p)
    p.add_argument("--s3-bucket", help="the artifacts bucket (the log's default location)")
    p.add_argument(
        "--release",
        metavar="ID",
        help="the release or rollback to report (default: the newest entry of the log)",
    )
    bounds.add_option(
        p,
        bounds.LIMIT,
        "the N newest entries on one page (HTML: an index linking each report), "
        "instead of one release",
        "one",
    )
    p.add_argument(
        "--output-file",
        metavar="PATH",
        help="write the report to PATH (default: stdout); its folder is created",
    )
    add_post(p)


def add_post(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--post",
        choices=github.POSTS,
        help="post the report to GitHub: a pull request's comment, or a deployment's status",
    )
    p.add_argument(
        "--github-repository",
        metavar="OWNER/NAME",
        help="the repository to post to (default: the one the release's CircleCI job built)",
    )
    p.add_argument(
        "--pull-request",
        metavar="N",
        help="the pull request to comment on (default: CIRCLE_PULL_REQUEST's number)",
    )
    p.add_argument(
        "--github-ref",
        metavar="REF",
        help="the deployment's commit or branch (default: the release's commit)",
    )
    p.add_argument(
        "--github-api-url",
        metavar="URL",
        help=f"GitHub's REST API (default: {github.DEFAULT_API}; Enterprise: https://HOST/api/v3)",
    )
    p.add_argument(
        "--dry-run",
        action="store_true",
        default=None,
        help="with --post: print the requests, send nothing",
    )


def run(ctx: Context) -> int:
    engine = opts.engine(ctx)
    post = ctx.settings.get("post")
    if post is not None:  # bad input before AWS is asked (the repository may come from the log)
        github.api_url_of(ctx.settings.get("github_api_url"))
        github.token_of(os.environ)
    ctx.aws.check_credentials()
    release_id = ctx.settings.get("release")
    # A limit from the environment (set for `history`, say) yields to --release and --post.
    by_flag = ctx.settings.source("limit") == "flag"
    found = (
        bounds.LIMIT.read(ctx.settings)
        if by_flag or (release_id is None and post is None)
        else None
    )
    if found is not None and release_id is not None:
        raise UsageError("give --release ID (one release) or --limit N (the newest N), not both")
    if post is not None:
        if found is not None:
            raise UsageError("--post posts one release: give --release ID or nothing, not --limit")
        return posted(ctx, post, release_report(opts.release_log(ctx, engine), release_id))
    log = opts.release_log(ctx, engine)
    if found is not None:
        text, what = several(ctx.output, newest_reports(log, int(found)), engine)
    else:
        facts = release_report(log, release_id)
        text = render(ctx.output, facts)
        what = f"{facts['kind']} {facts['id']} ({facts['outcome']})"
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
    output.info(f"report of {what} written to {path}")
    return 0


def render(fmt: str, facts: dict[str, Any]) -> str:
    if fmt == "json":
        return json.dumps(facts, indent=2, sort_keys=True, default=str) + "\n"
    return render_html(facts) if fmt == "html" else render_markdown(facts)


def several(fmt: str, reports: list[dict[str, Any]], engine: StackAlias) -> tuple[str, str]:
    """The page of several reports, and what it holds (for the line on stderr)."""
    title = f"Releases of {engine.stack} alias {engine.alias}"
    if fmt == "json":
        text = json.dumps(reports, indent=2, sort_keys=True, default=str) + "\n"
    elif fmt == "html":
        text = render_history_html(reports, title)
    else:
        text = "\n---\n\n".join(render_markdown(f) for f in reports)
    return text, f"the {len(reports)} newest entries"


def posted(ctx: Context, post: str, facts: dict[str, Any]) -> int:
    """The report of ``facts`` posted to GitHub (``--post``), or its requests printed."""
    s = ctx.settings
    if post not in github.POSTS:
        raise UsageError(f"--post {post!r} is not one of {', '.join(github.POSTS)}")
    ci = facts["who"]
    repository = s.get("github_repository") or ci.get("repository") or _circleci_repository()
    gh = github.api_of(s.get("github_api_url"), repository, os.environ)
    what = f"{facts['kind']} {facts['id']} ({facts['outcome']})"
    if post == "github-comment":
        number = github.pull_request_of(s.get("pull_request"), os.environ)
        path = f"/repos/{gh.repository}/issues/{number}/comments"
        requests = [{"path": path, "body": {"body": github.comment_body(render_markdown(facts))}}]
    else:
        ref = s.get("github_ref") or ci.get("commit") or ""
        if not ref:
            raise UsageError(
                f"{what} recorded no commit: give --github-ref COMMIT for its deployment"
            )
        requests = [
            {
                "path": f"/repos/{gh.repository}/deployments",
                "body": github.deployment_request(facts, ref),
            },
            {
                "path": f"/repos/{gh.repository}/deployments/{{id}}/statuses",
                "body": github.status_request(facts),
            },
        ]
    if s.get_bool("dry_run"):
        output.print_json([{"method": "POST", **r} for r in requests])
        output.info(f"dry run: nothing posted for {what}")
        return 0
    if post == "github-comment":
        url = github.post_comment(gh, number, render_markdown(facts))
    else:
        url = github.post_deployment(gh, facts, ref)
    output.info(f"report of {what} posted: {url or '-'}")
    if ctx.output == "json":
        output.print_json({"posted": post, "release": facts["id"], "url": url})
    else:
        print(url)
    return 0


def _circleci_repository() -> str:
    """CircleCI's project as OWNER/NAME (the job that posts, when the release recorded none)."""
    parts = (os.environ.get("CIRCLE_PROJECT_USERNAME"), os.environ.get("CIRCLE_PROJECT_REPONAME"))
    return "/".join(p for p in parts if p) if all(parts) else ""
