"""Issue 12 item 1: a planted secret never reaches output, the record file or the log.

The template declares ``DbPassword`` with ``NoEcho: true`` and an ordinary ``ApiToken``
that the user marks secret with ``--secret-parameter`` (and one through the environment).
Each gets a unique value; every line printed, the record file and every S3 object in the
bucket are searched for them, as tests/conftest.py's credential guard does.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
import yaml

from tests.engine.conftest import App, make_app  # noqa: F401 - the fixture
from tests.support.leaks import secrets_in
from tests.support.sam import sam_build


def log_objects(app: App) -> dict[str, bytes]:
    """Every object in the app's bucket (the release log, the lease), with its body."""
    s3 = app.sandbox.client("s3")
    found: dict[str, bytes] = {}
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=app.bucket):
        for obj in page.get("Contents", []):
            found[obj["Key"]] = s3.get_object(Bucket=app.bucket, Key=obj["Key"])["Body"].read()
    return found


def with_parameters(app: App, **params: dict[str, Any]) -> None:
    """Add template parameters and rebuild, so sam deploy's template has them too."""
    path = app.directory / "template.yaml"
    template = yaml.safe_load(path.read_text())
    template.setdefault("Parameters", {}).update(params)
    path.write_text(yaml.safe_dump(template, sort_keys=False))
    sam_build(app.directory, app.env)


def test_secret_values_are_masked_everywhere(make_app: Callable[..., App]) -> None:  # noqa: F811
    app = make_app(functions=("A",))
    with_parameters(
        app,
        DbPassword={"Type": "String", "NoEcho": True, "Default": "x"},
        ApiToken={"Type": "String", "Default": "x"},
        OtherToken={"Type": "String", "Default": "x"},
    )
    password, token, other = (f"s3cr3t-{uuid.uuid4().hex}" for _ in range(3))
    env = dict(app.env, LAMBDA_RELEASE_SECRET_PARAMETER="OtherToken")
    args = [
        *("deploy", "--stack", app.stack, "--alias", "PROD", "--s3-bucket", app.bucket),
        *("--parameter-override", f"DbPassword={password}"),
        *("--parameter-override", f"ApiToken={token}"),
        *("--parameter-override", f"OtherToken={other}"),
        *("--secret-parameter", "ApiToken"),
    ]
    dry = app.lr(*args, "--dry-run", env=env)
    real = app.lr(*args, env=env)
    as_json = app.lr(*args, "--output", "json", env=env)
    assert real.returncode == 0, real.stderr
    assert as_json.returncode == 0, as_json.stderr
    # The command sam ran carried the values (the stack has them): only the output masks them.
    for name in ("DbPassword", "ApiToken", "OtherToken"):
        assert f'{name}="*****"' in real.stderr and f'{name}="*****"' in dry.stdout
    record = (app.directory / ".lambda-release" / "release.json").read_bytes()
    outputs = [p.stdout for p in (dry, real, as_json)] + [p.stderr for p in (dry, real, as_json)]
    objects = log_objects(app)
    assert any(b"sam_command" in body for body in objects.values())
    leaks = secrets_in((password, token, other), *outputs, record, *objects.values())
    assert not leaks, "a secret value reached output, the record file or the log"
    cfn = app.sandbox.client("cloudformation")
    params = cfn.describe_stacks(StackName=app.stack)["Stacks"][0]["Parameters"]
    assert {p["ParameterKey"]: p["ParameterValue"] for p in params}["ApiToken"] == token


def test_build_masks_a_secret_passed_through_as_sam_does_deploy(
    make_app: Callable[..., App],  # noqa: F811
) -> None:
    """`build --sam-arg=--parameter-overrides --sam-arg=Db=...` used to print the value in
    `running: sam build`: build now finds secrets as deploy does."""
    app = make_app(functions=("A",))
    with_parameters(app, DbPassword={"Type": "String", "NoEcho": True, "Default": "x"})
    secret = f"s3cr3t-{uuid.uuid4().hex}"
    p = app.lr(
        "build", "--sam-arg=--parameter-overrides", f"--sam-arg=DbPassword={secret} Stage=dev"
    )
    assert p.returncode == 0, p.stderr
    assert "DbPassword=*****" in p.stderr and "Stage=dev" in p.stderr
    assert not secrets_in([secret], p.stdout, p.stderr)


@pytest.mark.parametrize(
    "where", ["--parameter-overrides", "samconfig parameter_overrides", "--parameter-override"]
)
def test_a_malformed_override_is_refused_without_echoing_it(
    make_app: Callable[..., App],  # noqa: F811
    where: str,
) -> None:
    app = make_app(functions=("A",))
    secret = f"s3cr3t-{uuid.uuid4().hex}"
    broken = f'DbPassword="{secret}'  # an unclosed quote
    args = app.deploy_args()
    if where == "samconfig parameter_overrides":
        (app.directory / "samconfig.toml").write_text(
            'version = 0.1\n[default.deploy.parameters]\nparameter_overrides = "'
            + broken.replace('"', '\\"')
            + '"\n'
        )
    elif where == "--parameter-override":
        args += ["--parameter-override", f"Db Password {secret}"]  # no '='
    else:
        args += ["--parameter-overrides", broken]
    for extra in ((), ("--dry-run",)):
        p = app.lr(*args, *extra)
        assert p.returncode == 2, p.stderr
        assert len(p.stderr.strip().splitlines()) == 1, p.stderr
        assert not secrets_in([secret], p.stdout, p.stderr), p.stderr
    assert log_objects(app) == {}
