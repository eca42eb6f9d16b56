"""One module per command; each wires options to the library and nothing more.

A command module defines NAME, SUMMARY, DESCRIPTION, EXAMPLES, OUTPUTS (annotated
``tuple[str, ...]``: the ``--output`` formats it accepts, the first its default), ``register``
(adds its options to an argparse parser; defaults are None so that the
environment and the SAM config file can fill them) and ``run(ctx) -> exit code``.
To add a command, write its module and list it here.
"""

from __future__ import annotations

import argparse
from typing import Protocol

from lambda_release.commands import (
    audit,
    begin,
    build,
    check,
    demo,
    deploy,
    history,
    iam_policy,
    init,
    prune,
    record,
    rollback,
    sandbox,
    status,
    target,
    watch,
)
from lambda_release.context import Context


class Command(Protocol):
    NAME: str
    SUMMARY: str
    DESCRIPTION: str
    EXAMPLES: str
    OUTPUTS: tuple[str, ...]

    def register(self, parser: argparse.ArgumentParser, /) -> None: ...

    def run(self, ctx: Context, /) -> int: ...


COMMANDS: list[Command] = [
    init,
    target,
    check,
    audit,
    build,
    deploy,
    begin,
    record,
    status,
    history,
    rollback,
    watch,
    prune,
    sandbox,
    demo,
    iam_policy,
]
