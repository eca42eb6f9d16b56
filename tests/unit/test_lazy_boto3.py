"""Start-up: commands that never call AWS never import boto3 (0.3 s of every start before),
and a command imports its own module only, not every command's (0.2 s more).

`target` runs in every orb job, `check` in most, `--help` and bad input should answer at once;
boto3 is imported when the first session is made (lambda_release.aws.client.Aws.session).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tests.support.processes import Spawn

PROBE = """\
import sys
from lambda_release.cli import main
try:
    code = main(sys.argv[1:])
except SystemExit as exc:
    code = exc.code
sys.stdout.flush()
loaded = ["boto3" in sys.modules, "botocore.config" in sys.modules]
mods = sorted(m for m in sys.modules if m.startswith("lambda_release.commands."))
print("commands", *mods, file=sys.stderr)
print("exit", code, "boto3", *loaded, file=sys.stderr)
"""

TEMPLATE = """\
Transform: AWS::Serverless-2016-10-31
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties: {Runtime: python3.12, Handler: app.handler, CodeUri: src/}
"""


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["target", "--stack-prefix", "app", "--branch", "main"], 0),
        (["check", "template.yaml"], 1),  # it has findings: the rules ran
        (["--help"], 0),
        (["--version"], 0),
        (["status", "--region", "not a region", "--stack", "s", "--alias", "PROD"], 2),
    ],
)
def test_a_command_that_calls_no_aws_imports_no_boto3(
    spawn: Spawn, tmp_path: Path, args: list[str], code: int
) -> None:
    (tmp_path / "template.yaml").write_text(TEMPLATE)
    done = spawn.python(PROBE, *args, cwd=tmp_path, timeout=120)
    assert done.stderr.splitlines()[-1] == f"exit {code} boto3 False False", done.stderr


def test_a_command_that_calls_aws_imports_it_when_it_makes_its_session() -> None:
    from lambda_release.aws.client import Aws  # noqa: PLC0415 - the import under test is lazy

    aws = Aws(region="us-east-1", endpoint_url="http://127.0.0.1:9")
    assert aws.session.region_name == "us-east-1"
    assert "boto3" in sys.modules


@pytest.mark.parametrize(
    ("args", "own"),
    [
        (["target", "--stack-prefix", "app", "--branch", "main"], ["target"]),
        (["history", "--help"], ["_release_options", "history"]),
        (["--help"], []),
    ],
)
def test_a_command_imports_only_its_own_modules(
    spawn: Spawn, tmp_path: Path, args: list[str], own: list[str]
) -> None:
    done = spawn.python(PROBE, *args, cwd=tmp_path, timeout=120)
    *_, commands, last = done.stderr.splitlines()
    assert last.startswith("exit 0 "), done.stderr
    assert commands.split()[1:] == [f"lambda_release.commands.{m}" for m in own]


def test_every_aws_in_a_process_shares_botocores_data_loader() -> None:
    from lambda_release.aws.client import Aws  # noqa: PLC0415 - the import under test is lazy

    one = Aws(region="us-east-1", endpoint_url="http://127.0.0.1:9")
    two = Aws(region="eu-west-1", endpoint_url="http://127.0.0.1:9")
    loader = one.session._session.get_component("data_loader")
    assert two.session._session.get_component("data_loader") is loader
    # Each session keeps its own settings: only the read-only data is shared.
    assert (one.client("lambda").meta.region_name, two.client("lambda").meta.region_name) == (
        "us-east-1",
        "eu-west-1",
    )


WHAT_LOADED = """\
import sys
from lambda_release.cli import main
try:
    code = main(sys.argv[1:])
except SystemExit as exc:
    code = exc.code
sys.stdout.flush()
print("exit", code, *sorted(m for m in ("botocore", "yaml") if m in sys.modules), file=sys.stderr)
"""


@pytest.mark.parametrize(
    ("args", "loaded"),
    [
        (["--help"], "exit 0"),
        (["--version"], "exit 0"),
        # botocore for the error types; neither PyYAML nor the release inputs' readers
        (
            ["status", "--region", "not a region", "--stack", "s", "--alias", "PROD"],
            "exit 2 botocore",
        ),
    ],
)
def test_start_up_imports_neither_botocore_nor_pyyaml_before_it_needs_them(
    spawn: Spawn, tmp_path: Path, args: list[str], loaded: str
) -> None:
    """Issue 30: --help and --version import neither; status reads no template."""
    done = spawn.python(WHAT_LOADED, *args, cwd=tmp_path, timeout=120)
    assert done.stderr.splitlines()[-1] == loaded, done.stderr
