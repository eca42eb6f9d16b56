"""``lambda-release audit`` end to end: the console script against the sandbox."""

from __future__ import annotations

import json
import uuid
from typing import Any

from tests.audit.conftest import Clients
from tests.support.processes import Cli

TEMPLATE = {
    "AWSTemplateFormatVersion": "2010-09-09",
    "Resources": {
        "Role": {
            "Type": "AWS::IAM::Role",
            "Properties": {"AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": []}},
        },
        "Fn": {
            "Type": "AWS::Lambda::Function",
            "Properties": {
                "Runtime": "python3.11",
                "Handler": "index.handler",
                "Role": {"Fn::GetAtt": ["Role", "Arn"]},
                "Code": {"ZipFile": "def handler(event, context):\n    return 1\n"},
            },
        },
    },
}


def _stack(clients: Clients) -> tuple[str, str]:
    """A stack with one function; returns (stack name, function name)."""
    stack = f"audit-cli-{uuid.uuid4().hex[:8]}"
    cfn = clients("cloudformation")
    cfn.create_stack(StackName=stack, TemplateBody=json.dumps(TEMPLATE))
    res: Any = cfn.describe_stack_resource(StackName=stack, LogicalResourceId="Fn")
    return stack, str(res["StackResourceDetail"]["PhysicalResourceId"])


def test_unqualified_permission_exits_1_and_is_listed(clients: Clients, audit_lr: Cli) -> None:
    stack, name = _stack(clients)
    lam = clients("lambda")
    version = lam.publish_version(FunctionName=name)["Version"]
    lam.create_alias(FunctionName=name, Name="PROD", FunctionVersion=version)

    clean = audit_lr("audit", "--stack", stack, "--alias", "PROD")
    assert clean.returncode == 0, clean.stderr
    assert f"stack {stack}: 1 function(s)" in clean.stdout
    assert "no path to $LATEST found" in clean.stdout

    lam.add_permission(
        FunctionName=name,
        StatementId="from-sns",
        Action="lambda:InvokeFunction",
        Principal="sns.amazonaws.com",
    )
    text = audit_lr("audit", "--stack", stack, "--alias", "PROD")
    assert text.returncode == 1, text.stderr
    assert "1 path(s) to $LATEST" in text.stdout
    row = next(line for line in text.stdout.splitlines() if line.startswith(name))
    assert row.split()[1:3] == ["policy", "from-sns"]

    env = {**(audit_lr.env or {}), "LAMBDA_RELEASE_STACK": stack}
    out = audit_lr("audit", "--output", "json", "--since", "2h", env=env)
    assert out.returncode == 1
    doc = json.loads(out.stdout)
    assert [(p["kind"], p["source"]) for p in doc["paths_to_latest"]] == [("policy", "from-sns")]
    assert doc["functions"] == {name: doc["functions"][name]} and name in doc["functions"][name]


def test_bad_input_exits_2(audit_lr: Cli) -> None:
    missing = audit_lr("audit", "--stack", "no-such-stack")
    assert missing.returncode == 2 and "no-such-stack" in missing.stderr
    nostack = audit_lr("audit")
    assert nostack.returncode == 2 and "--stack" in nostack.stderr
    since = audit_lr("audit", "--stack", "x", "--since", "yesterday")
    assert since.returncode == 2 and "yesterday" in since.stderr
