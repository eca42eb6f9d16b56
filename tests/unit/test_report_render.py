"""The report of a release, rendered from log objects alone: Markdown read back, HTML
escaped and self-contained, the chart's readings in the SVG."""

from __future__ import annotations

from typing import Any

from lambda_release.log.records import Release
from lambda_release.log.schema import Entry, Settlement, Undo
from lambda_release.report.facts import approver_of, report_facts
from lambda_release.report.html import CSP, render_history_html, render_html
from lambda_release.report.markdown import md, render_markdown
from tests.support.report_pages import md_text, page_facts, parse_markdown

RID = "20261126T221700.123456Z-1a2b3c4d"
RB = "20261126T223000.000000Z-0000aaaa"
HOSTILE = "<script>alert(1)</script> | **bold** `x` ]( [l](https://evil.example/)"


def entry(**kw: Any) -> Entry:
    e: Entry = {
        "id": RID,
        "kind": "release",
        "time": "2026-11-26T22:17:00.523456Z",
        "stack": "shop-prod",
        "alias": "PROD",
        "environment": "prod",
        "functions": [
            {
                "logical_id": "Orders",
                "function_name": "shop-Orders",
                "before": "7",
                "stable_before": "6",
            },
            {
                "logical_id": "Users",
                "function_name": "shop-Users",
                "before": "3",
                "stable_before": "3",
            },
        ],
        "ci": {
            "source": "circleci",
            "commit": "0123456789abcdef",
            "branch": "main",
            "pipeline_number": "412",
            "job": "deploy",
            "job_url": "https://circleci.com/gh/org/repo/1234",
            "repository": "org/repo",
        },
        "who": "alice",
    }
    e.update(kw)  # type: ignore[typeddict-item]
    return e


def stopped_by_alarm(reason: str = "Threshold Crossed: 5 errors") -> Settlement:
    return {
        "outcome": "failed",
        "settled_at": "2026-11-26T22:19:12.000000Z",
        "settled_by": "deploy",
        "sam_exit_code": 1,
        "functions": [
            {"logical_id": "Orders", "before": "7", "after": "7", "moved": False},
            {"logical_id": "Users", "before": "3", "after": "3", "moved": False},
        ],
        "failures": ["OrdersDeploymentGroup: deployment d-1 stopped: alarm orders-errors"],
        "timeline": {
            "observed_by": "deploy",
            "started": "2026-11-26T22:17:40.000Z",
            "ended": "2026-11-26T22:18:40.000Z",
            "deployments": [
                {
                    "deployment_id": "d-1",
                    "logical_id": "Orders",
                    "status": "Stopped",
                    "current_version": "7",
                    "target_version": "8",
                    "rolled_back": True,
                    "message": "alarm orders-errors fired",
                    "steps": [
                        {"at": "2026-11-26T22:17:40.000Z", "share": 0.1, "status": "InProgress"},
                        {"at": "2026-11-26T22:18:40.000Z", "share": 0.0, "status": "Stopped"},
                    ],
                },
                {
                    "deployment_id": "d-2",
                    "logical_id": "Orders",
                    "status": "Succeeded",
                    "rollback_of": "d-1",
                    "steps": [
                        {"at": "2026-11-26T22:18:40.000Z", "share": 1.0, "status": "Succeeded"}
                    ],
                },
            ],
            "alarms": [
                {"at": "2026-11-26T22:17:40.000Z", "alarm": "orders-errors", "state": "OK"},
                {
                    "at": "2026-11-26T22:18:10.000Z",
                    "alarm": "orders-errors",
                    "state": "ALARM",
                    "reason": reason,
                },
            ],
        },
    }


def test_markdown_says_the_rows_the_outcome_and_why() -> None:
    facts = report_facts(Release(entry(), stopped_by_alarm()))
    page = parse_markdown(render_markdown(facts))
    assert page.outcome == "failed"
    assert page.functions["Orders"] == {
        "function": "Orders",
        "before": "7",
        "after": "7",
        "stable before": "6",
        "stable after": "6",
        "moved": "no",
    }
    assert page.functions["Users"]["after"] == "3"
    assert page.why[0] == (
        "alarm orders-errors went into ALARM at 2026-11-26T22:18:10.000Z: "
        "Threshold Crossed: 5 errors"
    )
    assert "sam deploy exited with 1" in page.why
    assert any("d-1" in line and "10%" in line for line in page.canary)
    assert page.undone == "**Undone**: no"
    assert "Release" in page.title and RID in page.title


def test_a_succeeded_release_undone_by_an_approved_rollback() -> None:
    settled: Settlement = {
        "outcome": "succeeded",
        "functions": [
            {"logical_id": "Orders", "before": "7", "after": "8", "moved": True},
            {"logical_id": "Users", "before": "3", "after": "3", "moved": False},
        ],
    }
    undo: Undo = {"by": RB, "time": "2026-11-26T22:30:00Z"}
    rollback = Release(
        entry(id=RB, kind="rollback", undoes=RID, reason="bad orders (approved by bob)"),
        {"outcome": "succeeded", "functions": []},
    )
    facts = report_facts(Release(entry(), settled, undo), undone_by=rollback)
    page = parse_markdown(render_markdown(facts))
    assert page.outcome == "succeeded" and page.why == []
    assert page.functions["Orders"]["stable after"] == "7"  # the rollback target it left
    assert page.functions["Users"]["stable after"] == "3"
    assert page.functions["Orders"]["moved"] == "yes"
    assert RB in page.undone and "bad orders (approved by bob)" in page.undone
    assert facts["undone"]["approver"] == "bob"
    rb_facts = report_facts(rollback, undoes=Release(entry(), settled))
    assert rb_facts["who"]["approver"] == "bob"
    assert f"Undoes** release {RID} (succeeded)" in render_markdown(rb_facts)


def test_an_old_settlement_without_a_timeline_still_reports() -> None:
    old: Settlement = {
        "schema": "lambda-release/settlement@1",
        "outcome": "failed",
        "functions": [],
        "reason": "alias-removed",
    }
    facts = report_facts(Release(entry(), old))
    assert facts["timeline"] is None
    md_page = render_markdown(facts)
    assert "**Canary**" not in md_page
    assert parse_markdown(md_page).why[0].startswith("alias-removed")
    assert "No canary was followed" in render_html(facts)
    pending = report_facts(Release(entry()))
    assert pending["outcome"] == "pending"
    render_html(pending)


def test_hostile_text_from_the_log_is_text_in_markdown() -> None:
    facts = report_facts(Release(entry(), stopped_by_alarm(HOSTILE + "\nsecond line")))
    text = render_markdown(facts)
    assert "<script>" not in text and "[l](https" not in text
    assert "second line" in text and "\\nsecond line" in text  # one line, escaped
    page = parse_markdown(text)
    assert page.why[0].endswith(": " + HOSTILE + "\\nsecond line")
    assert md_text(md(HOSTILE)) == HOSTILE


def test_the_html_page_is_escaped_self_contained_and_charts_the_readings() -> None:
    hostile_entry = entry()
    hostile_entry["functions"][0]["logical_id"] = "Orders<img src=x onerror=alert(1)>"
    settlement = stopped_by_alarm(HOSTILE)
    settlement["functions"][0]["logical_id"] = hostile_entry["functions"][0]["logical_id"]
    html = render_html(report_facts(Release(hostile_entry, settlement)))
    assert "<script" not in html and "<img" not in html
    assert f'content="{CSP}"' in html and 'name="viewport"' in html
    page = page_facts(html)
    assert page.scripts == 0 and page.urls == []  # nothing to fetch, no link out
    assert page.outcome == "failed"
    assert page.rows["Orders<img src=x onerror=alert(1)>"][:3] == [
        "Orders<img src=x onerror=alert(1)>",
        "7",
        "7",
    ]
    assert any(HOSTILE in w for w in page.why)
    # The chart: the rolled-back deployment's readings, not CodeDeploy's rollback.
    assert [(p["data-at"][11:19], p["data-share"]) for p in page.points] == [
        ("22:17:40", "0.1"),
        ("22:18:40", "0"),
    ]
    assert [(r["data-alarm"], r["data-state"]) for r in page.lanes] == [
        ("orders-errors", "OK"),
        ("orders-errors", "ALARM"),
    ]


def test_the_approver_is_read_from_the_reason_the_orb_wrote() -> None:
    assert approver_of("rollback from CircleCI (approved by alice)") == "alice"
    assert approver_of("no approver here") == ""
    assert approver_of("") == ""


def test_several_releases_on_one_page_link_each_report() -> None:
    first = report_facts(Release(entry(), stopped_by_alarm(HOSTILE)))
    second = report_facts(
        Release(
            entry(id=RB, kind="rollback", undoes=RID), {"outcome": "succeeded", "functions": []}
        )
    )
    html = render_history_html([second, first], "Releases of <shop> alias PROD")
    page = page_facts(html)
    assert page.sections == [f"r-{RB}", f"r-{RID}"]
    assert page.anchors == page.sections  # the index links every report, in order
    assert page.urls == [] and page.scripts == 0 and "<shop>" not in html


def test_the_job_link_is_an_autolink_only_when_it_is_a_plain_https_url() -> None:
    plain = render_markdown(report_facts(Release(entry(), stopped_by_alarm())))
    assert "job: <https://circleci.com/gh/org/repo/1234>" in plain
    odd = entry()
    odd["ci"]["job_url"] = "javascript:alert(1)//<b>"
    text = render_markdown(report_facts(Release(odd, stopped_by_alarm())))
    assert "job: javascript:alert(1)//&lt;b&gt;" in text and "<javascript" not in text
