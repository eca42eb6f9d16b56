"""Deploy windows (issue 31 item 3): parsed strictly, matched in their own time zone."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from lambda_release.errors import UsageError
from lambda_release.release.windows import next_opening, outside_message, parse_window

# 2026-12-07 is a Monday. Berlin is UTC+1 in December, UTC+2 in July.
MON_0830_UTC = datetime(2026, 12, 7, 8, 30, tzinfo=UTC)


def test_a_window_is_matched_in_its_own_time_zone() -> None:
    w = parse_window("Mon-Fri 09:00-16:00 Europe/Berlin")
    assert w.contains(MON_0830_UTC)  # 09:30 in Berlin
    assert not w.contains(datetime(2026, 12, 7, 7, 59, tzinfo=UTC))  # 08:59 in Berlin
    assert not w.contains(datetime(2026, 12, 7, 15, 0, tzinfo=UTC))  # 16:00: end excluded
    assert not w.contains(datetime(2026, 12, 12, 10, 0, tzinfo=UTC))  # a Saturday
    assert w.contains(datetime(2026, 7, 6, 13, 30, tzinfo=UTC))  # summer time: 15:30


def test_days_as_lists_ranges_across_the_week_and_every_day() -> None:
    assert parse_window("Mon,Wed 10:00-11:00 UTC").days == frozenset({0, 2})
    assert parse_window("Fri-Mon 10:00-11:00 UTC").days == frozenset({4, 5, 6, 0})
    assert parse_window("* 00:00-24:00 UTC").contains(MON_0830_UTC)


def test_a_window_past_midnight_counts_on_its_first_day() -> None:
    w = parse_window("Fri 22:00-02:00 UTC")
    assert w.contains(datetime(2026, 12, 11, 23, 0, tzinfo=UTC))  # Friday night
    assert w.contains(datetime(2026, 12, 12, 1, 0, tzinfo=UTC))  # Saturday small hours
    assert not w.contains(datetime(2026, 12, 13, 1, 0, tzinfo=UTC))  # Sunday small hours


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("weekdays 09:00-16:00 UTC", "'weekdays' is not a day"),
        ("Mon-Fri 9-16 UTC", "not of the form"),
        ("Mon-Fri 09:00-16:00 Mars/Olympus", "'Mars/Olympus' is not a time zone"),
        ("Mon-Fri 09:00-09:00 UTC", "the window is empty"),
        ("Mon-Fri 25:00-26:00 UTC", "25:00 is not a time of day"),
        ("Mon-Fri 09:61-10:00 UTC", "09:61 is not a time of day"),
        ("Mon-Fri 09:00-16:00", "not of the form"),
        ("", "not of the form"),
    ],
)
def test_a_bad_window_is_bad_input_naming_it_and_the_form(text: str, why: str) -> None:
    with pytest.raises(UsageError) as err:
        parse_window(text)
    assert why in str(err.value) and "Mon-Fri 09:00-16:00 Europe/Berlin" in str(err.value)


def test_outside_every_window_says_when_the_next_opens_and_the_way_out() -> None:
    windows = [parse_window("Tue 09:00-10:00 UTC"), parse_window("Wed 09:00-10:00 UTC")]
    said = outside_message(windows, MON_0830_UTC)
    assert said is not None
    assert "now is Mon 08:30 UTC" in said and "the next opens Tue 2026-12-08 09:00 UTC" in said
    assert "--ignore-window REASON" in said
    assert outside_message(windows, datetime(2026, 12, 8, 9, 15, tzinfo=UTC)) is None
    assert outside_message([], MON_0830_UTC) is None
    assert next_opening(windows, MON_0830_UTC) == datetime(2026, 12, 8, 9, 0, tzinfo=UTC)
