"""What a hostile or careless user hands `record --timeline-file` and `report`: refused as
bad input (exit 2) naming the file, before anything is settled; never a traceback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lambda_release.errors import UsageError
from lambda_release.observe.timeline import MAX_STEPS, timeline_from_file

STEP = {"at": "2026-11-26T22:17:40.000Z", "share": 0.1, "status": "InProgress"}
TIMELINE = {
    "observed_by": "watch",
    "started": STEP["at"],
    "ended": STEP["at"],
    "deployments": [{"deployment_id": "d-1", "logical_id": "A", "steps": [STEP]}],
    "alarms": [],
}


def write(tmp_path: Path, body: object | bytes) -> str:
    path = tmp_path / "watch.json"
    path.write_bytes(body if isinstance(body, bytes) else json.dumps(body).encode())
    return str(path)


@pytest.mark.parametrize(
    ("body", "words"),
    [
        (b"{not json", "is not JSON"),
        (b"\xff\xfe", "is not JSON"),
        ([1, 2], "holds no timeline"),
        ({"deployments": [], "timeline": None}, "watch saw no deployment"),  # watch: none
        ({"deployments": [{"steps": []}]}, "deployment_id is missing"),
        ({"deployments": [{"deployment_id": "d", "steps": [{"at": 1, "share": 0}]}]}, "at"),
        (
            {"deployments": [{"deployment_id": "d", "steps": [{"at": "t", "share": "1"}]}]},
            "share",
        ),
        (b" " * (1100 * 1024), "is over 1024 KiB"),
    ],
)
def test_a_bad_timeline_file_is_bad_input(tmp_path: Path, body: object, words: str) -> None:
    path = write(tmp_path, body)
    with pytest.raises(UsageError) as got:
        timeline_from_file(path)
    assert words in str(got.value) and path in str(got.value)


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="cannot read it"):
        timeline_from_file(str(tmp_path / "absent.json"))


def test_watch_output_and_a_bare_timeline_both_read(tmp_path: Path) -> None:
    watch_doc = {"deployments": [], "succeeded": True, "timeline": TIMELINE}
    assert timeline_from_file(write(tmp_path, watch_doc)) == TIMELINE
    assert timeline_from_file(write(tmp_path, TIMELINE)) == TIMELINE


def test_a_long_file_is_bounded_as_the_recorder_bounds_its_own(tmp_path: Path) -> None:
    long = dict(TIMELINE)
    long["deployments"] = [
        {"deployment_id": "d-1", "steps": [dict(STEP, share=i / 1000) for i in range(1000)]}
    ]
    long["alarms"] = [{"at": STEP["at"], "alarm": "a", "state": "ALARM", "reason": "x" * 5000}]
    got = timeline_from_file(write(tmp_path, long))
    assert len(got["deployments"][0]["steps"]) == MAX_STEPS and got["truncated"] is True
    assert len(got["alarms"][0]["reason"]) == 200
