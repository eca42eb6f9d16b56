"""PreTraffic smoke test: before CodeDeploy moves any traffic, invoke the version about to
receive it and check its answer; report Succeeded only if it answers as a service should.

CodeDeploy calls this hook with the deployment's id and this run's execution id. The
deployment's AppSpec names the function and the new version. A hook must always report,
or the deployment waits for it until it times out.
"""

import json
from typing import Any

import boto3

codedeploy = boto3.client("codedeploy")
lambda_client = boto3.client("lambda")


def new_version(deployment_id: str) -> tuple[str, str]:
    """(function name, version) the deployment shifts traffic to."""
    info = codedeploy.get_deployment(deploymentId=deployment_id)["deploymentInfo"]
    spec = json.loads(info["revision"]["appSpecContent"]["content"])
    props = next(iter(spec["Resources"][0].values()))["Properties"]
    return str(props["Name"]), str(props["TargetVersion"])


def answers_well(function: str, version: str) -> bool:
    answer = lambda_client.invoke(FunctionName=function, Qualifier=version, Payload=b"{}")
    if "FunctionError" in answer:
        return False
    body = json.loads(answer["Payload"].read())
    return body.get("statusCode") == 200 and bool(json.loads(body["body"]).get("service"))


def handler(event: dict[str, Any], context: object) -> str:
    status = "Failed"
    try:
        function, version = new_version(event["DeploymentId"])
        if answers_well(function, version):
            status = "Succeeded"
        print(f"smoke test of {function}:{version}: {status}")
    finally:
        codedeploy.put_lifecycle_event_hook_execution_status(
            deploymentId=event["DeploymentId"],
            lifecycleEventHookExecutionId=event["LifecycleEventHookExecutionId"],
            status=status,
        )
    return status
