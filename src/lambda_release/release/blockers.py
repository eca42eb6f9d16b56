"""Blockers: a deploy refused before anything changes, while an alarm it is told to watch
is in ALARM or outside the deploy windows (Amazon's pipelines, Builders' Library,
"Automating safe, hands-off deployments"). The stack's own deployment alarms block it in
the pre-flight already; these are the ones the user adds (``--block-on-alarm``) and the
clock (``--deploy-window``, unless ``--ignore-window REASON``, recorded in the entry)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from lambda_release.aws.codedeploy import alarms_by_name
from lambda_release.errors import OperationError, UsageError
from lambda_release.release.windows import Window, outside_message, parse_window


@dataclass(frozen=True)
class Blockers:
    """What may block a deploy, as the user gave it."""

    windows: tuple[Window, ...] = ()
    block_on_alarm: tuple[str, ...] = ()
    ignore_window: str = ""  # the reason to deploy outside the windows

    @classmethod
    def parse(
        cls, windows: Sequence[str], alarms: Sequence[str], ignore_window: str | None
    ) -> Blockers:
        if ignore_window is not None and not ignore_window.strip():
            raise UsageError("--ignore-window needs a reason: it is recorded in the log")
        return cls(
            tuple(parse_window(w) for w in windows),
            tuple(dict.fromkeys(alarms)),
            (ignore_window or "").strip(),
        )


@dataclass(frozen=True)
class Found:
    """The blockers in force now: each a line naming the reason and the way out."""

    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # a window ignored, with its reason


def alarm_states(cw: Any, names: Sequence[str]) -> dict[str, str]:
    """Each alarm's state (MISSING: no such alarm), 100 names a call."""
    found = alarms_by_name(cw, names)
    return {
        n: str(found[n].get("StateValue", "")) if n in found else "MISSING"
        for n in sorted(set(names))
    }


def blockers_now(
    blockers: Blockers, cw: Any, clock: Callable[[], datetime] = lambda: datetime.now(UTC)
) -> Found:
    """The blockers in force: the windows (pure) and the alarms (one DescribeAlarms).
    An alarm named that does not exist is bad input (exit 2): it would never block."""
    found = Found()
    outside = outside_message(list(blockers.windows), clock())
    if outside and blockers.ignore_window:
        found.notes.append(
            f"deploying outside the deploy windows: {blockers.ignore_window} (recorded)"
        )
    elif outside:
        found.problems.append(outside)
    if blockers.block_on_alarm:
        states = alarm_states(cw, blockers.block_on_alarm)
        missing = [n for n, s in states.items() if s == "MISSING"]
        if missing:
            raise UsageError(
                f"--block-on-alarm {', '.join(missing)}: no such CloudWatch alarm in this "
                "account and region; check the name (case-sensitive) and --region"
            )
        firing = [n for n, s in states.items() if s == "ALARM"]
        if firing:
            found.problems.append(
                f"alarm {', '.join(firing)} in ALARM (--block-on-alarm): deploys wait until "
                "it is OK again; see what it watches, then deploy"
            )
    return found


def check_blockers(blockers: Blockers | None, cw: Callable[[], Any]) -> str:
    """Refuse a deploy while a blocker is in force (exit 1, one line naming each reason and
    the way out); the ignored window's reason (to record) otherwise."""
    if blockers is None or (not blockers.windows and not blockers.block_on_alarm):
        return ""
    found = blockers_now(blockers, cw())
    if found.problems:
        raise OperationError("deploy blocked: " + "; ".join(found.problems))
    return blockers.ignore_window if found.notes else ""
