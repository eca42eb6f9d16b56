"""Issue 24 item 2: every entry point refuses the same inputs, in the same words.

``deploy``, ``deploy --dry-run``, ``begin``, ``begin --dry-run`` (the console script) and
the Python API's ``deploy()`` are driven with the same hostile inputs: a template that
would take the alias off a function that carries it, a secret too short to mask, and (for
the commands that write one) a record file that cannot be written. Each refuses with the
same exit code and the same one line, and the log and the aliases are as before.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from lambda_release.errors import LambdaReleaseError
from lambda_release.log.location import LogLocation
from lambda_release.release.deploy import DeployPlan, deploy
from lambda_release.release.inputs import gather
from lambda_release.sandbox import Sandbox
from lambda_release.template import sam
from lambda_release.template.secrets import Secret
from tests.hostile.test_dry_run import error_line, state
from tests.rollback.cli import kit_lr
from tests.rollback.stackkit import ALIAS, Kit, template
from tests.support.processes import BIN

# The real deploy needs the SAM CLI found (it refuses later than that here).
WITH_SAM = {"PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}


@pytest.fixture(scope="module")
def kit(sandbox: Sandbox) -> Iterator[Kit]:
    with pytest.MonkeyPatch.context() as env:
        k = Kit.in_env(sandbox, env, "path")
        k.release({"A": "1", "B": "1"})
        yield k


def app_dir(kit: Kit, tmp_path: Path, *, drop_alias_from: str = "", noecho: bool = False) -> Path:
    body: dict[str, Any] = yaml.safe_load(template(kit.code, kit.bucket))
    if drop_alias_from:
        del body["Resources"][f"{drop_alias_from}Function"]["Properties"]["AutoPublishAlias"]
    if noecho:
        body["Parameters"]["DbPassword"] = {"Type": "String", "NoEcho": True, "Default": "xxxxx"}
    (tmp_path / "template.yaml").write_text(yaml.safe_dump(body, sort_keys=False))
    return tmp_path


def cli_refusals(kit: Kit, where: Path, *extra: str) -> dict[str, tuple[int, str]]:
    """Exit code and error line of the four command-line entry points."""
    out: dict[str, tuple[int, str]] = {}
    for name, args in {
        "deploy": ("deploy", "--template-file", "template.yaml", *extra),
        "deploy --dry-run": ("deploy", "--template-file", "template.yaml", "--dry-run", *extra),
        "begin": ("begin", "--template-file", "template.yaml", *extra),
        "begin --dry-run": ("begin", "--template-file", "template.yaml", "--dry-run", *extra),
    }.items():
        p: subprocess.CompletedProcess[str] = kit_lr(
            kit, args[0], *args[1:], cwd=where, extra_env=WITH_SAM
        )
        out[name] = (p.returncode, error_line(p).split(": error: ", 1)[1])
    return out


def api_refusal(kit: Kit, where: Path, overrides: dict[str, str], **inputs: Any) -> tuple[int, str]:
    """The Python API's deploy(), given the inputs as the CLI gathers them."""
    gathered = gather(template_file=str(where / "template.yaml"), overrides=overrides, **inputs)
    plan = DeployPlan(
        environment="test",
        sam_command=sam.deploy_command(
            "sam",
            stack=kit.stack,
            overrides=gathered.overrides,
            tags={},
            capabilities=[],
            s3_bucket=kit.bucket,
            resolve_s3=False,
        ),
        sam_env={},
        log_location=LogLocation(kit.bucket),
        inputs=gathered,
    )
    for dry_run in (False, True):
        plan.dry_run = dry_run
        with pytest.raises(LambdaReleaseError) as raised:
            deploy(kit.engine(), plan, run_sam=lambda *_a, **_k: 0, progress=lambda _l: None)
    return raised.value.exit_code, str(raised.value)


def test_a_template_that_drops_the_alias_is_refused_by_every_entry_point(
    kit: Kit, tmp_path: Path
) -> None:
    before = state(kit)
    where = app_dir(kit, tmp_path, drop_alias_from="A")
    refusals = cli_refusals(kit, where)
    api = api_refusal(kit, where, {"AliasName": ALIAS})
    assert set(refusals.values()) == {api}, (refusals, api)
    assert api[0] == 1 and "AFunction" in api[1] and "--allow-alias-removal" in api[1]
    assert state(kit) == before


def test_a_short_secret_is_refused_by_every_entry_point_before_anything(
    kit: Kit, tmp_path: Path
) -> None:
    before = state(kit)
    where = app_dir(kit, tmp_path, noecho=True)
    refusals = cli_refusals(kit, where, "--parameter-override", "DbPassword=ab")
    with pytest.raises(LambdaReleaseError) as raised:
        gather(template_file=str(where / "template.yaml"), overrides={"DbPassword": "ab"})
    assert set(refusals.values()) == {(2, str(raised.value))}, refusals
    assert "DbPassword" in str(raised.value) and "'ab'" not in str(raised.value)
    assert state(kit) == before


def test_an_unwritable_record_file_is_refused_by_the_dry_run_as_by_the_real_run(
    kit: Kit, tmp_path: Path
) -> None:
    if not Path("/proc/self").is_dir():
        pytest.fail("this test needs /proc (Linux)")
    before = state(kit)
    where = app_dir(kit, tmp_path)
    codes = set()
    for extra in ((), ("--dry-run",)):
        p = kit_lr(
            kit,
            "deploy",
            "--template-file",
            "template.yaml",
            "--record-file",
            "/proc/x/y",
            *extra,
            cwd=where,
            extra_env=WITH_SAM,
        )
        codes.add((p.returncode, error_line(p).split(": error: ", 1)[1]))
    api = api_refusal(kit, where, {"AliasName": ALIAS}, record_file="/proc/x/y")
    assert codes == {api} and api[0] == 2 and "/proc/x/y" in api[1], (codes, api)
    assert state(kit) == before


def test_the_api_refuses_a_secret_carried_as_plain_text(kit: Kit, tmp_path: Path) -> None:
    before = state(kit)
    where = app_dir(kit, tmp_path, noecho=True)
    gathered = gather(
        template_file=str(where / "template.yaml"), overrides={"DbPassword": "hunter22"}
    )
    assert isinstance(gathered.overrides["DbPassword"], Secret)
    plan = DeployPlan(
        environment="test",
        sam_command=["sam", "deploy", "--parameter-overrides", 'DbPassword="hunter22"'],
        sam_env={},
        log_location=LogLocation(kit.bucket),
        inputs=gathered,
    )
    with pytest.raises(LambdaReleaseError) as raised:
        deploy(kit.engine(), plan, run_sam=lambda *_a, **_k: 0, progress=lambda _l: None)
    assert raised.value.exit_code == 2 and "hunter22" not in str(raised.value)
    assert state(kit) == before
