"""Fixed templates deploy to the stand-in, and a code change to production goes by canary.

Each corpus template, after `check --fix`, is created as a production stack
(AliasName=PROD, through a change set as `sam deploy` does), then updated with new
code: every function's alias moves to the new version through a CodeDeploy canary
(Canary10Percent5Minutes, the fix's production type) watched by the fix's alarm.
The code goes inline (what `sam build` and `sam package` would upload is not the
fix's concern); `tests/fix/test_init_e2e.py` runs the real `sam build`/`sam deploy`.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import pytest

from lambda_release.fix.run import fix_text
from lambda_release.sandbox import Sandbox
from tests.fix.corpus_cases import CORPUS, SEED, as_plain, functions, with_code
from tests.support.aws_state import alias_state, function_name, wait_for_stack

CODE = "VERSION = {v!r}\n\ndef handler(event, context):\n    return VERSION\n"
CANARY = "CodeDeployDefault.LambdaCanary10Percent5Minutes"
# Shapes whose other resources the stand-in creates (moto's CloudFormation models).
# Shapes whose other resources the stand-in can create and update (moto's CloudFormation
# models): API Gateway, function URLs, Step Functions, cross-account event buses and
# log subscriptions fail there before any fix, on the unfixed template too.
DEPLOYED = [
    *(
        CORPUS / f"{name}.yaml"
        for name in (
            "dynamodb-lambda",
            "eventbridge-lambda",
            "kinesis-lambda",
            "lambda-dynamodb-ddbstream-lambda-sam-java",
            "lambda-inspector-scans",
            "lambda-s3",
            "lambda-sqs-lambda-sam-java",
            "lambda-version-alias",
            "s3-eventbridge-direct",
            "s3-lambda-resizing-node",
            "sns-lambda",
            "sqs-lambda",
        )
    ),
    SEED / "template-canary.yaml",
    SEED / "template-per-env.yaml",
]


def _body(path: Path, version: str) -> str:
    fixed = fix_text(path, path.read_text()).after
    return json.dumps(with_code(as_plain(fixed), CODE.format(v=version)))


def _parameters(body: str, stack: str) -> list[dict[str, str]]:
    """AliasName=PROD; a parameter the template leaves without a default gets a name."""
    given = [{"ParameterKey": "AliasName", "ParameterValue": "PROD"}]
    for name, spec in json.loads(body).get("Parameters", {}).items():
        if name != "AliasName" and "Default" not in spec:
            given.append({"ParameterKey": name, "ParameterValue": f"{stack}-{name.lower()}"})
    return given


def _deploy(cfn: Any, stack: str, body: str, kind: str) -> str:
    cfn.create_change_set(
        StackName=stack,
        ChangeSetName=f"c{uuid.uuid4().hex[:8]}",
        ChangeSetType=kind,
        TemplateBody=body,
        Parameters=_parameters(body, stack),
        Capabilities=["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM", "CAPABILITY_AUTO_EXPAND"],
    )
    sets = cfn.list_change_sets(StackName=stack)["Summaries"]
    cfn.execute_change_set(StackName=stack, ChangeSetName=sets[-1]["ChangeSetName"])
    return wait_for_stack(cfn, stack)


@pytest.mark.parametrize("path", [p for p in DEPLOYED if p.is_file()], ids=lambda p: p.name)
def test_fixed_template_deploys_and_releases_by_canary(sandbox: Sandbox, path: Path) -> None:
    cfn = sandbox.client("cloudformation")
    stack = f"fix-{uuid.uuid4().hex[:8]}-prod"
    try:
        _release_twice(sandbox, path, stack)
    finally:  # the seed's templates name their function: one stack owns it at a time
        cfn.delete_stack(StackName=stack)


def _release_twice(sandbox: Sandbox, path: Path, stack: str) -> None:
    cfn, lam, cd = (sandbox.client(s) for s in ("cloudformation", "lambda", "codedeploy"))
    assert _deploy(cfn, stack, _body(path, "1"), "CREATE") == "CREATE_COMPLETE"
    names = [n for n, _ in functions(as_plain(fix_text(path, path.read_text()).after))]
    for logical in names:
        assert alias_state(lam, function_name(cfn, stack, logical), "PROD") == ("1", {})

    assert _deploy(cfn, stack, _body(path, "2"), "UPDATE") == "UPDATE_COMPLETE"
    for logical in names:
        assert alias_state(lam, function_name(cfn, stack, logical), "PROD") == ("2", {})
    app = cfn.describe_stack_resource(
        StackName=stack, LogicalResourceId="ServerlessDeploymentApplication"
    )["StackResourceDetail"]["PhysicalResourceId"]
    for logical in names:
        group = cfn.describe_stack_resource(
            StackName=stack, LogicalResourceId=f"{logical}DeploymentGroup"
        )["StackResourceDetail"]["PhysicalResourceId"]
        ids = cd.list_deployments(applicationName=app, deploymentGroupName=group)["deployments"]
        infos = [cd.get_deployment(deploymentId=i)["deploymentInfo"] for i in ids]
        assert [(d["deploymentConfigName"], d["status"]) for d in infos] == [(CANARY, "Succeeded")]
        alarms = cd.get_deployment_group(applicationName=app, deploymentGroupName=group)[
            "deploymentGroupInfo"
        ]["alarmConfiguration"]
        assert alarms["enabled"] and len(alarms["alarms"]) == 1
