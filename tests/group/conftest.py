"""A group of stacks from one built SAM app: its group file, its stacks' aliases."""

from __future__ import annotations

import json
import os
import signal
import subprocess
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from lambda_release.log.location import LogLocation
from lambda_release.log.store import ReleaseLog
from lambda_release.sandbox.server import Sandbox
from tests.engine.conftest import App, make_app
from tests.support.cliapp import unique

__all__ = ["Group", "group_app", "make_app"]

REGION = "us-east-1"


@dataclass
class Group:
    """An app directory (one template), three stacks in two waves, the group file."""

    app: App
    name: str
    stacks: list[tuple[str, str]]  # (stack, region), in wave order
    waves: list[list[int]]  # indexes into stacks
    buckets: dict[str, str]  # region -> artifacts bucket there (Lambda reads code in-region)

    @property
    def file(self) -> Path:
        return self.app.directory / "lambda-release.group.yml"

    def write(self, *, bake: str = "0", on_failure: str = "rollback", concurrency: int = 2) -> None:
        waves = []
        for n, wave in enumerate(self.waves):
            waves.append(
                {
                    "name": f"w{n + 1}",
                    "bake": bake if n == 0 else "0",
                    "concurrency": concurrency,
                    "targets": [
                        {
                            "stack": self.stacks[i][0],
                            "region": self.stacks[i][1],
                            "s3_bucket": self.buckets[self.stacks[i][1]],
                        }
                        for i in wave
                    ],
                }
            )
        body = {
            "version": 1,
            "group": self.name,
            "alias": "PROD",
            "on_failure": on_failure,
            "waves": waves,
        }
        self.file.write_text(yaml.safe_dump(body, sort_keys=False))

    def lr(self, *args: str) -> subprocess.CompletedProcess[str]:
        return self.app.lr("group", *args)

    def json(self, *args: str) -> tuple[int, dict[str, Any], str]:
        p = self.lr(*args, "--output", "json")
        return p.returncode, (json.loads(p.stdout) if p.stdout.strip() else {}), p.stderr

    def popen(self, *args: str) -> subprocess.Popen[str]:
        # A session of its own: killing it kills sam too, as a cancelled CI job's container.
        return self.app.popen("group", *args, start_new_session=True)

    def kill(self, proc: subprocess.Popen[str]) -> None:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate(timeout=30)

    def log(self, stack: str, region: str = REGION) -> ReleaseLog:
        s3 = client(self.app.sandbox, "s3", region)
        return ReleaseLog(s3, LogLocation(self.buckets[region]), stack, "PROD")

    def versions(self) -> dict[str, str | None]:
        """Each stack's PROD alias of AFunction (the app's one function)."""
        out: dict[str, str | None] = {}
        for stack, region in self.stacks:
            out[stack] = prod_version(self.app.sandbox, stack, region)
        return out


def client(sandbox: Sandbox, service: str, region: str) -> Any:
    """A client of the stand-in in ``region`` (it keeps regions apart, as AWS does)."""
    return sandbox.client(service, region)


def prod_version(sandbox: Sandbox, stack: str, region: str) -> str | None:
    """The PROD alias of the stack's AFunction (None: no stack or no alias)."""
    cfn, lam = client(sandbox, "cloudformation", region), client(sandbox, "lambda", region)
    try:
        r = cfn.describe_stack_resource(StackName=stack, LogicalResourceId="AFunction")
    except cfn.exceptions.ClientError:
        return None
    name = r["StackResourceDetail"]["PhysicalResourceId"]
    try:
        return str(lam.get_alias(FunctionName=name, Name="PROD")["FunctionVersion"])
    except lam.exceptions.ResourceNotFoundException:
        return None


@pytest.fixture
def group_app(make_app: Callable[..., App]) -> Callable[..., Group]:
    def make(regions: Sequence[str] = (REGION,)) -> Group:
        app = make_app(functions=("A",))
        stacks = [(unique(f"g{i}"), regions[i % len(regions)]) for i in range(3 * len(regions))]
        n = len(regions)
        # Wave 1: the first stack of each region; wave 2: the rest.
        waves = [list(range(n)), list(range(n, len(stacks)))]
        buckets = {REGION: app.bucket}
        for region in regions:
            if region not in buckets:
                buckets[region] = unique("artifacts")
                client(app.sandbox, "s3", region).create_bucket(
                    Bucket=buckets[region],
                    CreateBucketConfiguration={"LocationConstraint": region},
                )
        group = Group(app, unique("grp"), stacks, waves, buckets)
        group.write()
        return group

    return make
