"""A release of an app behind an API, the shape most SAM apps have, rehearsed on the stand-in,
and `audit` reading the API the stand-in built.

The function carries an ``Api`` event (SAM's implicit REST API, its deployment and stage,
and a permission on the alias) and a function URL. The stand-in answered 500 to such a
stack; now `lambda-release deploy` creates it and ships a second version, and the alias,
the log and the stack agree (docs/sandbox.md, "What it emulates").
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import yaml

from lambda_release.sandbox.server import Sandbox
from tests.engine.conftest import App
from tests.support.cliapp import BIN, unique
from tests.support.sam import sam_build, sam_env
from tests.support.samapp import write_sam_app


def api_app(sandbox: Sandbox, sandbox_env: dict[str, str], directory: Path) -> App:
    template = write_sam_app(directory, functions=("A",), deployment_type="AllAtOnce")
    body = yaml.safe_load(template.read_text())
    props = body["Resources"]["AFunction"]["Properties"]
    props["Events"] = {
        "Read": {"Type": "Api", "Properties": {"Path": "/orders/{id}", "Method": "get"}}
    }
    props["FunctionUrlConfig"] = {"AuthType": "NONE"}
    body.setdefault("Outputs", {})["Api"] = {
        "Value": {
            "Fn::Sub": "https://${ServerlessRestApi}.execute-api.${AWS::Region}.amazonaws.com/"
        }
    }
    template.write_text(yaml.safe_dump(body, sort_keys=False))
    env = sam_env(sandbox_env)
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    env.pop("LAMBDA_RELEASE_TRACE_AWS", None)
    sam_build(directory, env)
    bucket = unique("artifacts")
    sandbox.client("s3").create_bucket(Bucket=bucket)
    return App(directory, bucket, unique("stack"), env, sandbox)


def rest_api_id(app: App) -> str:
    cfn = app.sandbox.client("cloudformation")
    found = cfn.describe_stack_resource(StackName=app.stack, LogicalResourceId="ServerlessRestApi")
    return str(found["StackResourceDetail"]["PhysicalResourceId"])


def test_an_app_behind_an_api_is_released_twice(
    sandbox: Sandbox, sandbox_env: dict[str, str], tmp_path: Path
) -> None:
    app = api_app(sandbox, sandbox_env, tmp_path / "app")
    code, first, err = app.deploy_json()
    assert code == 0, err
    assert first["outcome"] == "succeeded"
    app.change_code("2", ("A",))
    code, second, err = app.deploy_json()
    assert code == 0, err
    assert second["outcome"] == "succeeded"
    (row,) = second["functions"]
    live = app.alias("AFunction", "PROD")
    assert live is not None and live["FunctionVersion"] == row["after"] != row["before"]
    cfn = sandbox.client("cloudformation")
    types = {
        r["LogicalResourceId"]: r["ResourceType"]
        for r in cfn.describe_stack_resources(StackName=app.stack)["StackResources"]
    }
    assert types["ServerlessRestApi"] == "AWS::ApiGateway::RestApi"
    assert "AWS::Lambda::Url" in types.values()
    resources = sandbox.client("apigateway").get_resources(restApiId=rest_api_id(app))["items"]
    assert "/orders/{id}" in {r["path"] for r in resources}


def test_audit_reads_the_api_integration_and_finds_the_alias(
    sandbox: Sandbox, sandbox_env: dict[str, str], tmp_path: Path
) -> None:
    # SAM integrates the API with the alias (…:function:NAME:PROD/invocations), so `audit`,
    # reading the REST API's integrations from the stand-in, finds no path to $LATEST.
    app = api_app(sandbox, sandbox_env, tmp_path / "app")
    code, _, err = app.deploy_json()
    assert code == 0, err
    audit = app.lr("audit", "--stack", app.stack, "--alias", "PROD", "--output", "json")
    report = json.loads(audit.stdout)
    assert audit.returncode == 0, audit.stdout + audit.stderr
    assert report["paths_to_latest"] == []
    assert "rest-api" not in json.dumps(report["not_checked"])
    # Someone points the API at the bare function by hand: audit names that path.
    apigw = sandbox.client("apigateway")
    api_id = rest_api_id(app)
    order = next(
        r for r in apigw.get_resources(restApiId=api_id)["items"] if r["path"] == "/orders/{id}"
    )
    uri = apigw.get_integration(restApiId=api_id, resourceId=order["id"], httpMethod="GET")["uri"]
    bare = uri.replace(":PROD/invocations", "/invocations")
    apigw.put_integration(
        restApiId=api_id,
        resourceId=order["id"],
        httpMethod="GET",
        type="AWS_PROXY",
        integrationHttpMethod="POST",
        uri=bare,
    )
    again = app.lr("audit", "--stack", app.stack, "--alias", "PROD", "--output", "json")
    assert again.returncode == 1, again.stdout + again.stderr
    kinds = [p["kind"] for p in json.loads(again.stdout)["paths_to_latest"]]
    assert kinds == ["rest-api"]
