"""Issue 12: random interleavings of deploy, rollback, kill and record against the sandbox;
after each step, the log's story equals the aliases' story.

The log's story: replaying the settled entries (releases and rollbacks) oldest first, each
function runs the ``after`` of the last row that moved it. A killed deploy leaves its
release pending (its aliases moved, the log not told yet); the next command settles it,
so the story is compared whenever nothing is pending. Fixed seeds keep it repeatable
(and bounded: a few dozen steps in all).
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable

import pytest

from lambda_release.log import lock
from lambda_release.release.begin import begin
from lambda_release.sandbox import Sandbox
from tests.rollback.cli import kit_lr
from tests.rollback.stackkit import Kit

SEEDS = (12, 1207, 31337)
STEPS = 7
FUNCTIONS = ("A", "B")


def log_story(kit: Kit) -> dict[str, str | None]:
    """Each function's version as the log tells it."""
    story: dict[str, str | None] = {}
    for release in kit.entries():
        assert release.settlement is not None, f"{release.id} is still pending"
        assert release.outcome != "unknown", f"{release.id} was never credited"
        for row in release.settlement["functions"]:
            if row.get("moved"):
                story[row["logical_id"].removesuffix("Function")] = row.get("after")
    return story


class Run:
    """One seed's run: a kit and a code version counter (fresh code every change)."""

    def __init__(self, kit: Kit, rng: random.Random) -> None:
        self.kit, self.rng, self.counter = kit, rng, 1

    def changes(self) -> dict[str, str]:
        picked = self.rng.sample(FUNCTIONS, self.rng.randint(1, len(FUNCTIONS)))
        self.counter += 1
        return {fn: str(self.counter) for fn in picked}

    def deploy(self) -> None:
        self.kit.release(self.changes())

    def rollback(self) -> None:
        p = kit_lr(self.kit, "rollback")
        assert p.returncode == 0, p.stderr

    def kill(self) -> None:
        """A deploy whose job died after CloudFormation moved the aliases."""
        entry, _lease, problems = begin(
            self.kit.engine(),
            self.kit.log(),
            environment="t",
            mode="deploy",
            lock_ttl=1,
            lock_timeout=5,
        )
        assert not problems, problems
        assert self.kit.update_outside_the_log(self.changes()) == "UPDATE_COMPLETE"
        time.sleep(1.2)  # its lease lapses: the job is gone
        assert entry is not None and entry["id"] in self.kit.log().pending_ids()

    def record(self) -> None:
        p = kit_lr(self.kit, "record")
        assert p.returncode in (0, 1), p.stderr
        assert "Traceback" not in p.stderr


@pytest.mark.parametrize("seed", SEEDS)
def test_the_log_tells_the_aliases_story_after_every_step(
    sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch, seed: int
) -> None:
    for name, value in sandbox.env.items():
        monkeypatch.setenv(name, value)
    rng = random.Random(seed)  # noqa: S311 - a repeatable schedule, not a secret
    kit = Kit.create(sandbox, f"prop{seed}")
    kit.release({fn: "1" for fn in FUNCTIONS})
    run = Run(kit, rng)
    actions: dict[str, Callable[[], None]] = {
        "deploy": run.deploy,
        "rollback": run.rollback,
        "kill": run.kill,
        "record": run.record,
    }
    done: list[str] = []
    for _ in range(STEPS):
        name = rng.choice(sorted(actions))
        actions[name]()
        done.append(name)
        if kit.log().pending_ids():
            continue  # a killed deploy: the next command settles it
        assert log_story(kit) == kit.versions(), f"seed {seed} after {done}"
        held = lock.read_lease(kit.log())
        assert held is None or lock.is_free(held[0]), f"seed {seed}: a lock left held"
    run.record()
    assert log_story(kit) == kit.versions(), f"seed {seed} after {done} + record"
