"""Deploy windows (pure): ``Mon-Fri 09:00-16:00 Europe/Berlin``, when deploys may begin.

A window is days (``Mon-Fri``, ``Mon,Wed,Fri``, ``Sat``, or ``*`` for every day), a time
range ``HH:MM-HH:MM`` (start included, end excluded; an end before the start runs past
midnight, counted on the start's day; ``24:00`` ends at midnight) and an IANA time zone
(``UTC``, ``Europe/Berlin``: daylight saving as the zone keeps it). A deploy may begin
when ``now`` is inside any window given.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from lambda_release.errors import UsageError

DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_SHAPE = re.compile(r"^\s*(\S+)\s+(\d{1,2}):(\d{2})-(\d{1,2}):(\d{2})\s+(\S+)\s*$")
EXAMPLE = "Mon-Fri 09:00-16:00 Europe/Berlin"


@dataclass(frozen=True)
class Window:
    text: str
    days: frozenset[int]  # 0 Monday .. 6 Sunday
    start: int  # minutes after midnight
    end: int  # minutes after midnight (may be <= start: past midnight)
    zone: ZoneInfo

    def contains(self, now: datetime) -> bool:
        local = now.astimezone(self.zone)
        minute = local.hour * 60 + local.minute
        if self.start < self.end:
            return local.weekday() in self.days and self.start <= minute < self.end
        # past midnight: the evening of a listed day, or the small hours after one
        yesterday = (local.weekday() - 1) % 7
        return (local.weekday() in self.days and minute >= self.start) or (
            yesterday in self.days and minute < self.end
        )


def _bad(text: str, why: str) -> UsageError:
    return UsageError(
        f"--deploy-window {text!r}: {why}; give DAYS HH:MM-HH:MM ZONE, e.g. {EXAMPLE!r}"
    )


def _day(name: str, text: str) -> int:
    for i, day in enumerate(DAYS):
        if name.lower() == day.lower():
            return i
    raise _bad(text, f"{name!r} is not a day (Mon, Tue, Wed, Thu, Fri, Sat, Sun)")


def _days(spec: str, text: str) -> frozenset[int]:
    if spec == "*":
        return frozenset(range(7))
    out: set[int] = set()
    for part in spec.split(","):
        first, sep, last = part.partition("-")
        a = _day(first, text)
        b = _day(last, text) if sep else a
        out.update((a + i) % 7 for i in range((b - a) % 7 + 1))
    return frozenset(out)


def _minutes(hours: str, minutes: str, text: str, *, end: bool) -> int:
    h, m = int(hours), int(minutes)
    if m > 59 or h > 24 or (h == 24 and (m or not end)):
        raise _bad(text, f"{hours}:{minutes} is not a time of day")
    return h * 60 + m


def parse_window(text: str) -> Window:
    found = _SHAPE.match(text)
    if found is None:
        raise _bad(text, "not of the form DAYS HH:MM-HH:MM ZONE")
    days, h1, m1, h2, m2, zone_name = found.groups()
    start = _minutes(h1, m1, text, end=False)
    end = _minutes(h2, m2, text, end=True)
    if start == end:
        raise _bad(text, "the window is empty (it starts when it ends)")
    try:
        zone = ZoneInfo(zone_name)
    except (ZoneInfoNotFoundError, ValueError):
        raise _bad(text, f"{zone_name!r} is not a time zone (an IANA name such as UTC)") from None
    return Window(text.strip(), _days(days, text), start, end % (24 * 60), zone)


def next_opening(windows: list[Window], now: datetime) -> datetime | None:
    """When the next window opens (searched a minute at a time over a week: windows are
    whole minutes), None when none ever does."""
    t = now.replace(second=0, microsecond=0) + timedelta(minutes=1)
    for _ in range(7 * 24 * 60):
        if any(w.contains(t) for w in windows):
            return t
        t += timedelta(minutes=1)
    return None


def outside_message(windows: list[Window], now: datetime) -> str | None:
    """Why a deploy may not begin now (None: inside a window, or no window given)."""
    if not windows or any(w.contains(now) for w in windows):
        return None
    opening = next_opening(windows, now)
    zone = windows[0].zone
    when = (
        ""
        if opening is None
        else (f"; the next opens {opening.astimezone(zone):%a %Y-%m-%d %H:%M} {zone.key}")
    )
    given = "; ".join(w.text for w in windows)
    return (
        f"outside the deploy windows ({given}): now is {now.astimezone(zone):%a %H:%M} "
        f"{zone.key}{when}. Deploy then, or give --ignore-window REASON (recorded in the log)"
    )
