"""What the canary's timeline costs the release log, and what a report costs to render.

1. a typical canary: 3 functions, ``Canary10Percent5Minutes`` read every 5 s for 6
   minutes, one alarm each (no change): the settlement's ``timeline`` in bytes;
2. the worst the bounds allow: 40 deployments changing at every read for 2,000 reads,
   40 alarms flipping at every read with 1,000-character reasons: its bytes, and the time
   one ``observe`` (one poll) takes;
3. the report of that worst case: Markdown and HTML sizes and the time to render both.

Prints figures; asserts nothing.

    .venv/bin/python bench/report_bench.py
"""

from __future__ import annotations

import json
import time

from lambda_release.log.records import Release
from lambda_release.log.schema import Entry, Settlement
from lambda_release.observe.progress import DeploymentView
from lambda_release.observe.timeline import AlarmReading, CanaryTimeline
from lambda_release.report.facts import report_facts
from lambda_release.report.html import render_html
from lambda_release.report.markdown import render_markdown

T0 = 1.8e9
REASON = "Threshold Crossed: 1 datapoint [0.0] was not greater than the threshold (0.0)."


def view(k: int, share: float, status: str = "InProgress", message: str = "") -> DeploymentView:
    return DeploymentView(
        f"F{k}Function", f"stack-F{k}", f"d-{k:02d}-ABCDEFGHIJ", status,
        config="LambdaCanary10Percent5Minutes", current_version="7", target_version="8",
        share=share, message=message,
    )  # fmt: skip


def typical() -> int:
    t = CanaryTimeline()
    alarms = {f"stack-F{k}-errors": AlarmReading("OK", REASON, T0 - 60) for k in range(3)}
    for i in range(72):
        status = "Succeeded" if i == 71 else "InProgress"
        t.observe([view(k, 0.1 if i < 60 else 1.0, status) for k in range(3)], T0 + 5 * i, alarms)
    return len(json.dumps(t.record()))


def worst() -> tuple[CanaryTimeline, float]:
    t = CanaryTimeline()
    took: list[float] = []
    for i in range(2000):
        views = [view(k, (i % 100) / 100, message="m" * 400) for k in range(40)]
        state = "ALARM" if i % 2 else "OK"
        alarms = {f"alarm-{k}": AlarmReading(state, "r" * 1000, T0 + i) for k in range(40)}
        start = time.perf_counter()
        t.observe(views, T0 + i, alarms)
        took.append(time.perf_counter() - start)
    return t, sorted(took)[len(took) // 2]


def main() -> None:
    print(f"typical canary (3 functions, 6 min): timeline {typical():,} bytes in the settlement")
    t, poll = worst()
    record = t.record()
    assert record is not None
    print(
        f"worst case (40 deployments x 2,000 reads, 40 alarms flipping): timeline "
        f"{len(json.dumps(record)):,} bytes; one observe() {poll * 1e6:.0f} us (median)"
    )
    entry: Entry = {
        "id": "20261126T221700.123456Z-1a2b3c4d",
        "functions": [{"logical_id": f"F{k}Function", "before": "7"} for k in range(40)],
    }
    settled: Settlement = {
        "outcome": "failed",
        "functions": [{"logical_id": f"F{k}Function", "after": "7"} for k in range(40)],
        "timeline": record,
    }
    start = time.perf_counter()
    facts = report_facts(Release(entry, settled))
    html, md = render_html(facts), render_markdown(facts)
    took = time.perf_counter() - start
    print(
        f"its report: HTML {len(html):,} bytes, Markdown {len(md):,} bytes, "
        f"both rendered in {took * 1000:.1f} ms"
    )


if __name__ == "__main__":
    main()
