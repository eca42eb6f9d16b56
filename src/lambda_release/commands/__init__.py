"""One module per command; each wires options to the library and nothing more.

A command module defines NAME, DESCRIPTION, EXAMPLES, OUTPUTS (annotated ``tuple[str, ...]``:
the ``--output`` formats it accepts, the first its default), ``register`` (adds its options
to an argparse parser; defaults are None so that the environment and the SAM config file
can fill them) and ``run(ctx) -> exit code``. To add a command, write its module and give
it a row in ``TABLE``.

The table holds each command's one-line summary, so that ``lambda-release --help`` and the
run of one command import no other command's module (and what only it needs): every
command in a CI job pays the start-up.
"""

from __future__ import annotations

import argparse
import importlib
from typing import TYPE_CHECKING, Protocol, cast

if TYPE_CHECKING:
    from lambda_release.context import Context


class Command(Protocol):
    NAME: str
    DESCRIPTION: str
    EXAMPLES: str
    OUTPUTS: tuple[str, ...]

    def register(self, parser: argparse.ArgumentParser, /) -> None: ...

    def run(self, ctx: Context, /) -> int: ...


# name -> (module in this package, one-line summary for --help), in --help's order.
TABLE: dict[str, tuple[str, str]] = {
    "init": ("init", "make a SAM app release safely: fix the template, write the CircleCI config"),
    "target": ("target", "work out the release target (environment, alias, stack) from the branch"),
    "check": (
        "check",
        "check a SAM template for every path to $LATEST and unsafe release settings",
    ),
    "audit": (
        "audit",
        "find every live path to $LATEST of a stack's functions, and recent use of it",
    ),
    "build": (
        "build",
        "run sam build (cached and parallel by default), printing the exact command",
    ),
    "deploy": (
        "deploy",
        "sam deploy one release to an alias, with pre-flight, lock, log and stable versions",
    ),
    "begin": (
        "begin",
        "record a release as pending before running sam deploy yourself (then: record)",
    ),
    "record": (
        "record",
        "settle the pending release from what the aliases show, update stable versions",
    ),
    "status": ("status", "per function: aliases and weights, stable version, last release, drift"),
    "history": ("history", "the release log of a stack and alias, newest first"),
    "report": (
        "report",
        "one release as a page: who, versions, outcome and why, the canary's timeline",
    ),
    "rollback": (
        "rollback",
        "undo the most recent release in effect (or stop it if still in flight)",
    ),
    "group": (
        "group",
        "release waves: many stacks and regions in waves, with bakes, undone as one",
    ),
    "bake": (
        "bake",
        "watch the latest release's alarms for a while; roll it back by itself if one fires",
    ),
    "watch": (
        "watch",
        "follow the canary of every function of a stack: traffic, time left, alarms, outcome",
    ),
    "prune": (
        "prune",
        "delete old published versions of every function of a stack, keeping the N newest",
    ),
    "sandbox": (
        "sandbox",
        "run a local AWS stand-in (Lambda, CloudFormation with SAM, CodeDeploy) on 127.0.0.1",
    ),
    "demo": ("demo", "rehearse the whole release story against a local sandbox (no AWS account)"),
    "iam-policy": (
        "iam_policy",
        "the minimal IAM policy of a role (deploy, rollback, readonly, prune), or its OIDC trust",
    ),
}


def load(name: str) -> Command:
    """The module of command `name` (a key of TABLE), imported now."""
    module, _summary = TABLE[name]
    return cast(Command, importlib.import_module(f"{__name__}.{module}"))


def summary(name: str) -> str:
    return TABLE[name][1]


def __getattr__(attr: str) -> list[Command]:
    # `COMMANDS`, every command imported: for tests and tools that walk them all.
    if attr == "COMMANDS":
        return [load(name) for name in TABLE]
    raise AttributeError(f"module {__name__!r} has no attribute {attr!r}")
