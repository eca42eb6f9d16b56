"""End to end through the console script: concurrency, begin/record, dry runs, bad input."""

from __future__ import annotations

import itertools
import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from lambda_release.log import lock
from lambda_release.log.location import LogLocation
from lambda_release.log.store import ReleaseLog
from lambda_release.sandbox.server import Sandbox
from tests.engine.conftest import App
from tests.support.processes import Cli
from tests.support.sam import sam_build, sam_deploy


def log_of(app: App) -> ReleaseLog:
    return ReleaseLog(app.sandbox.client("s3"), LogLocation(app.bucket), app.stack, "PROD")


@pytest.mark.parametrize("lock_timeout", ["0", "300"])
def test_two_deploys_at_once(make_app: Callable[..., App], lock_timeout: str) -> None:
    """Both land in the log, one after the other, or one is refused clearly: never lost."""
    app = make_app(functions=("A",))
    code, _, err = app.deploy_json()
    assert code == 0, err
    procs = [app.popen(*app.deploy_args("--lock-timeout", lock_timeout)) for _ in range(2)]
    results = [(p.wait(timeout=600), *p.communicate()) for p in procs]
    ok = [r for r in results if r[0] == 0]
    refused = [r for r in results if r[0] != 0]
    for _, _, err in refused:
        assert "is locked by release" in err and "--lock-timeout" in err
    if lock_timeout != "0":
        assert len(ok) == 2, [r[2][-500:] for r in results]
    assert ok, [r[2][-500:] for r in results]
    log = log_of(app)
    releases = log.releases()
    assert len(releases) == 1 + len(ok)  # nothing lost, nothing extra
    assert log.pending_ids() == []
    assert len({r.id for r in releases}) == len(releases)
    # One after the other: each began after the previous one was settled.
    ordered = list(reversed(releases))
    for before, after in itertools.pairwise(ordered):
        assert before.settlement is not None
        assert after.entry["time"] >= before.settlement["settled_at"]
    held = lock.read_lease(log)
    assert held is not None and lock.is_free(held[0])


def test_begin_then_own_sam_deploy_then_record(
    make_app: Callable[..., App], sandbox_env: dict[str, str]
) -> None:
    app = make_app(functions=("A", "B"))
    common = ["--stack", app.stack, "--alias", "PROD", "--log-bucket", f"s3://{app.bucket}/logs"]
    b = app.lr("begin", *common, "--output", "json")
    assert b.returncode == 0, b.stderr
    entry = json.loads(b.stdout)
    assert entry["functions"] == []  # first deploy: no stack yet
    # A second begin is refused while the first holds the lease.
    again = app.lr("begin", *common)
    assert again.returncode == 1 and entry["id"] in again.stderr
    tag = f"lambda-release:log=s3://{app.bucket}/logs"
    done = sam_deploy(
        app.directory, app.stack, "PROD", app.env, bucket=app.bucket, extra=["--tags", tag]
    )
    assert done.returncode == 0, done.stderr
    # A dry run names the pending release and settles nothing.
    dry = app.lr("record", "--stack", app.stack, "--alias", "PROD", "--dry-run", "--output", "json")
    assert dry.returncode == 0, dry.stderr
    assert json.loads(dry.stdout) == {"dry_run": True, "pending": [entry["id"]]}
    # record runs elsewhere (another job): it finds the log from the stack's tag.
    r = app.lr("record", "--stack", app.stack, "--alias", "PROD", "--output", "json")
    assert r.returncode == 0, r.stderr
    (settled,) = json.loads(r.stdout)["settled"]
    assert settled["id"] == entry["id"] and settled["outcome"] == "succeeded"
    assert {f["logical_id"]: f["after"] for f in settled["functions"]} == {
        "AFunction": "1",
        "BFunction": "1",
    }
    assert settled["functions"][0]["created"] is True
    # Nothing pending now, the lease given back; record again says so.
    r2 = app.lr("record", "--stack", app.stack, "--alias", "PROD")
    assert r2.returncode == 0 and "nothing pending" in r2.stdout
    log = ReleaseLog(app.sandbox.client("s3"), LogLocation(app.bucket, "logs"), app.stack, "PROD")
    held = lock.read_lease(log)
    assert held is not None and lock.is_free(held[0])


def test_dry_run_changes_nothing(make_app: Callable[..., App]) -> None:
    app = make_app(functions=("A",))
    code, _, err = app.deploy_json()
    assert code == 0, err
    before = [r.id for r in log_of(app).releases()]
    p = app.lr(*app.deploy_args("--dry-run", "--parameter-override", "Note=a b, c=d"))
    assert p.returncode == 0, p.stderr
    assert "would run:" in p.stdout and "--parameter-overrides" in p.stdout
    assert "'Note=\"a b, c=d\"'" in p.stdout  # shell-quoted, one element
    assert "AFunction: PROD -> 1" in p.stdout
    assert [r.id for r in log_of(app).releases()] == before


def test_parameter_override_reaches_the_stack(
    make_app: Callable[..., App], sandbox: Sandbox
) -> None:
    app = make_app(functions=("A",))
    (app.directory / "samconfig.toml").write_text(
        'version = 0.1\n[default.deploy.parameters]\nparameter_overrides = "AliasName=STAGING"\n'
    )
    code, _, err = app.deploy_json()
    assert code == 0, err  # the file's AliasName is replaced by the release's alias
    params = sandbox.client("cloudformation").describe_stacks(StackName=app.stack)["Stacks"][0][
        "Parameters"
    ]
    assert {p["ParameterKey"]: p["ParameterValue"] for p in params}["AliasName"] == "PROD"
    bad = app.lr(*app.deploy_args("--parameter-override", "AliasName=STAGING"))
    assert bad.returncode == 2 and "contradicts" in bad.stderr


def test_wrong_alias_names_the_aliases_the_stack_has(make_app: Callable[..., App]) -> None:
    app = make_app(functions=("A",))
    code, _, err = app.deploy_json()
    assert code == 0, err
    p = app.lr("deploy", "--stack", app.stack, "--alias", "STAGING", "--s3-bucket", app.bucket)
    assert p.returncode == 2
    assert "carries alias 'STAGING'" in p.stderr and "PROD" in p.stderr


def test_bad_input_and_missing_tools(make_app: Callable[..., App], tmp_path: Path) -> None:
    app = make_app(functions=("A",))
    no_sam = app.lr(*app.deploy_args("--sam-path", str(tmp_path / "nowhere" / "sam")))
    assert no_sam.returncode == 1 and "SAM CLI was not found" in no_sam.stderr
    malformed = app.lr(*app.deploy_args("--parameter-overrides", 'A=1 "broken'))
    assert malformed.returncode == 2 and "malformed" in malformed.stderr
    bad_alias = app.lr("deploy", "--stack", app.stack, "--alias", "BAD ALIAS")
    assert bad_alias.returncode == 2 and "not a valid Lambda alias" in bad_alias.stderr
    env = {k: v for k, v in app.env.items() if not k.startswith("AWS_") or k == "AWS_REGION"}
    env["AWS_SHARED_CREDENTIALS_FILE"] = str(tmp_path / "none")
    env["AWS_CONFIG_FILE"] = str(tmp_path / "none")
    no_creds = app.lr(*app.deploy_args(), env=env)
    assert no_creds.returncode == 1 and "no AWS credentials" in no_creds.stderr
    for command in ("status", "history", "record"):
        other = app.lr(command, "--stack", app.stack, "--alias", "PROD", env=env)
        assert other.returncode == 1 and "no AWS credentials" in other.stderr, other.stderr
    no_template = app.lr(*app.deploy_args("--template-file", "missing.yaml"))
    assert no_template.returncode == 2 and "missing.yaml" in no_template.stderr
    no_stack = app.lr("status", "--stack", "does-not-exist-x")
    assert no_stack.returncode == 2 and "does not exist" in no_stack.stderr
    no_log = app.lr("history", "--stack", "does-not-exist-x", "--alias", "PROD")
    assert no_log.returncode == 2 and "--log-bucket" in no_log.stderr


def test_config_change_without_new_version_warns(make_app: Callable[..., App]) -> None:
    """Timeout is outside SAM's version hash: $LATEST changes, the alias does not."""
    app = make_app(functions=("A",))
    code, _, err = app.deploy_json()
    assert code == 0, err
    template = app.directory / "template.yaml"
    doc = yaml.safe_load(template.read_text())
    doc["Resources"]["AFunction"]["Properties"]["Timeout"] = 42
    template.write_text(yaml.safe_dump(doc, sort_keys=False))
    sam_build(app.directory, app.env)
    code, data, err = app.deploy_json()
    assert code == 0, err
    assert data["outcome"] == "no-change"
    assert any("$LATEST" in w and "AFunction" in w for w in data["warnings"])
    assert "warning: AFunction" in err


def test_build_prints_the_command_and_refuses_a_missing_template(
    make_app: Callable[..., App],
) -> None:
    app = make_app(functions=("A",))
    p = app.lr("build", "--sam-arg=--debug")
    assert p.returncode == 0, p.stderr
    assert "running: " in p.stderr and "--cached --parallel --debug" in p.stderr
    missing = app.lr("build", "--template-file", "nope.yaml")
    assert missing.returncode == 2 and "nope.yaml" in missing.stderr


def test_help_has_an_example(lr: Cli) -> None:
    for command in ("build", "deploy", "begin", "record", "status", "history"):
        p = lr(command, "--help", env=os.environ)
        assert p.returncode == 0, p.stderr
        out = p.stdout
        assert "example" in out and f"lambda-release {command}" in out


def test_environment_selects_the_samconfig_section(make_app: Callable[..., App]) -> None:
    """The overrides of the environment's samconfig section are merged, not replaced."""
    app = make_app(functions=("A",))
    (app.directory / "samconfig.toml").write_text(
        "version = 0.1\n"
        '[default.deploy.parameters]\nparameter_overrides = "From=default"\n'
        '[prod.deploy.parameters]\nparameter_overrides = "From=prod Keep=\\"a b\\""\n'
    )
    env = dict(app.env, LAMBDA_RELEASE_ENVIRONMENT="prod")
    p = app.lr(*app.deploy_args("--dry-run", "--parameter-override", "Extra=1"), env=env)
    assert p.returncode == 0, p.stderr
    assert "--config-env prod" in p.stdout
    assert "'From=\"prod\"' 'Keep=\"a b\"' 'Extra=\"1\"' 'AliasName=\"PROD\"'" in p.stdout
