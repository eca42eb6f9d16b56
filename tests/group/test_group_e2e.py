"""End to end: `lambda-release group` through the console script, the real SAM CLI and the
stand-in. A group of stacks from one app, in two waves (the first bakes when asked)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable

from tests.group.conftest import Group

# Bake minutes at 0.1 s each; alarms read every 0.1 s.
QUICK = ("--minute", "0.1", "--poll-interval", "0.1")


def member_history(g: Group, stack: str) -> list[dict[str, object]]:
    p = g.app.lr("history", "--stack", stack, "--alias", "PROD", "--output", "json")
    assert p.returncode == 0, p.stderr
    data = json.loads(p.stdout)
    return list(data["releases"] if isinstance(data, dict) else data)


def test_a_group_releases_wave_by_wave_and_its_history_agrees_with_each_member(
    group_app: Callable[..., Group],
) -> None:
    g = group_app()
    t0 = time.monotonic()
    code, data, err = g.json("deploy", str(g.file))
    took = time.monotonic() - t0
    assert code == 0, err
    assert data["outcome"] == "succeeded" and data["stopped_at_wave"] is None
    assert [(m["wave"], m["stack"], m["outcome"]) for m in data["members"]] == [
        (1 if i == 0 else 2, s, "succeeded") for i, (s, _r) in enumerate(g.stacks)
    ]
    assert g.versions() == dict.fromkeys((s for s, _ in g.stacks), "1")
    assert "wave 1/2 (w1)" in err and "wave 2/2 (w2)" in err, err
    print(f"group deploy of {len(g.stacks)} stacks: {took:.1f} s")
    # The group's history names each member's release; each member's history has it,
    # naming the group.
    code, hist, err = g.json("history", str(g.file))
    assert code == 0, err
    (latest,) = hist["releases"]
    assert latest["id"] == data["id"] and latest["outcome"] == "succeeded"
    for m in latest["members"]:
        (own,) = member_history(g, m["stack"])
        assert own["id"] == m["release"] and own["outcome"] == "succeeded"
        assert own["group"] == {"name": g.name, "id": data["id"], "wave": m["wave"]}
    code, status, err = g.json("status", str(g.file))
    assert code == 0, err
    assert status["id"] == data["id"] and status["outcome"] == "succeeded"
    assert all(m["in_effect"] for m in status["members"])
