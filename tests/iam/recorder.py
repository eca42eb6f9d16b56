"""One end-to-end release story through the console script, every AWS call recorded per role.

Each role's commands run with ``LAMBDA_RELEASE_TRACE_AWS`` pointing at that
role's own trace file, so a role's calls are exactly what it must be allowed.
The helper's subprocess credentials are dummies unique to this run: the
story's every output is searched for them afterwards.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lambda_release.aws import trace as awstrace
from lambda_release.iam.roles import ROLES
from lambda_release.sandbox.server import Sandbox
from tests.iam.operations import Call
from tests.support.processes import Cli
from tests.support.sam import sam_build, sam_env
from tests.support.samapp import set_code_version, write_sam_app
from tests.support.waiting import wait_until

BIN = Path(sys.executable).parent
ACCOUNT = "123456789012"  # moto's default account
ALIAS = "PROD"
DUMMY_KEY = "AKIAIAMTEST" + uuid.uuid4().hex[:9].upper()
DUMMY_SECRET = "iam-secret-" + uuid.uuid4().hex
DUMMY_TOKEN = "iam-session-token-" + uuid.uuid4().hex


def iam_policy(
    lr: Cli, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """`lambda-release iam-policy ARGS`, without the caller's LAMBDA_RELEASE_* and AWS_*, nor
    the machine's ~/.aws files (a region there would hide a missing --region)."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(("LAMBDA_RELEASE_", "AWS_"))}
    nowhere = {"AWS_CONFIG_FILE": os.devnull, "AWS_SHARED_CREDENTIALS_FILE": os.devnull}
    return lr("iam-policy", *args, env={**base, **nowhere, **(env or {})})


@dataclass
class Story:
    directory: Path
    stack: str
    bucket: str
    region: str
    env: dict[str, str]
    sandbox: Sandbox
    traces: dict[str, Path]
    outputs: list[str] = field(default_factory=list)
    ran: dict[str, list[list[str]]] = field(default_factory=dict)

    def lr(
        self, role: str, *args: str, ok: tuple[int, ...] = (0,)
    ) -> subprocess.CompletedProcess[str]:
        p = self.cli(role)(*args)
        self.outputs += [p.stdout, p.stderr]
        self.ran.setdefault(role, []).append(list(args))
        assert p.returncode in ok, (args, p.returncode, p.stderr[-2000:])
        return p

    def popen(self, role: str, *args: str) -> subprocess.Popen[str]:
        self.ran.setdefault(role, []).append(list(args))
        return self.cli(role).popen(*args)

    def cli(self, role: str | None = None) -> Cli:
        """The console script in the story's app, tracing into ``role``'s file if given."""
        trace = {awstrace.TRACE_ENV: str(self.traces[role])} if role else {}
        return Cli(env={**self.env, **trace}, cwd=self.directory)

    def canary_running(self, logical_id: str) -> bool:
        name = self.function_names()[logical_id]
        alias = self.sandbox.client("lambda").get_alias(FunctionName=name, Name=ALIAS)
        return bool((alias.get("RoutingConfig") or {}).get("AdditionalVersionWeights"))

    def calls(self, role: str) -> list[Call]:
        return [Call.from_trace(e) for e in awstrace.read_trace(str(self.traces[role]))]

    def deployment_group(self, deployment_id: str) -> tuple[str, str]:
        info = self.sandbox.client("codedeploy").get_deployment(deploymentId=deployment_id)
        d = info["deploymentInfo"]
        return str(d["applicationName"]), str(d["deploymentGroupName"])

    def function_names(self) -> dict[str, str]:
        cfn = self.sandbox.client("cloudformation")
        res = cfn.describe_stack_resources(StackName=self.stack)["StackResources"]
        return {
            r["LogicalResourceId"]: r["PhysicalResourceId"]
            for r in res
            if r["ResourceType"] == "AWS::Lambda::Function"
        }

    def function_owner(self, name: str) -> str | None:
        """The stack tag AWS puts on a function CloudFormation created for the story's stack
        (``aws:cloudformation:stack-name``); None for any other function."""
        return self.stack if name in self.function_names().values() else None

    def log_objects_text(self) -> str:
        s3 = self.sandbox.client("s3")
        out = []
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=self.bucket):
            for o in page.get("Contents", []):
                body = s3.get_object(Bucket=self.bucket, Key=o["Key"])["Body"].read()
                out.append(body.decode("utf-8", "replace"))
        return "\n".join(out)


def _callers_of_latest(sb: Sandbox, story: Story) -> None:
    """Give audit something to walk: an API, an HTTP API, a rule and metrics naming $LATEST."""
    arn = story.sandbox.client("lambda").get_function(
        FunctionName=story.function_names()["AFunction"]
    )["Configuration"]["FunctionArn"]
    uri = f"arn:aws:apigateway:{story.region}:lambda:path/2015-03-31/functions/{arn}/invocations"
    apigw = sb.client("apigateway")
    api = apigw.create_rest_api(name=f"{story.stack}-api")
    root = apigw.get_resources(restApiId=api["id"])["items"][0]["id"]
    apigw.put_method(
        restApiId=api["id"], resourceId=root, httpMethod="GET", authorizationType="NONE"
    )
    apigw.put_integration(
        restApiId=api["id"],
        resourceId=root,
        httpMethod="GET",
        type="AWS_PROXY",
        integrationHttpMethod="POST",
        uri=uri,
    )
    v2 = sb.client("apigatewayv2")
    http = v2.create_api(Name=f"{story.stack}-http", ProtocolType="HTTP")
    v2.create_integration(
        ApiId=http["ApiId"],
        IntegrationType="AWS_PROXY",
        IntegrationUri=arn,
        PayloadFormatVersion="2.0",
    )
    events = sb.client("events")
    events.put_rule(Name=f"{story.stack}-rule", ScheduleExpression="rate(1 hour)")
    events.put_targets(Rule=f"{story.stack}-rule", Targets=[{"Id": "a", "Arn": arn}])
    name = story.function_names()["AFunction"]
    sb.client("cloudwatch").put_metric_data(
        Namespace="AWS/Lambda",
        MetricData=[
            {
                "MetricName": "Invocations",
                "Value": 1.0,
                "Dimensions": [{"Name": "FunctionName", "Value": name}],
            }
        ],
    )


def run_story(sb: Sandbox, base_env: dict[str, str], work: Path) -> Iterator[Story]:
    """deploy role: three deploys, status, history, begin; readonly role: status --no-settle,
    history, audit (while the begun release is pending); deploy role: record; rollback role:
    a canary deploy stopped in flight by the rollback role; rollback role: rollback (of the
    last completed release), status, history; deploy role: a deploy realigning the drift;
    prune role: prune, deleting the versions nothing needs."""
    env = sam_env(base_env)
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    env.pop(awstrace.TRACE_ENV, None)
    directory = work / "app"
    directory.mkdir()
    write_sam_app(directory, functions=("A", "B"), code_version="1", deployment_type="AllAtOnce")
    sam_build(directory, env)
    bucket = f"iam-artifacts-{uuid.uuid4().hex[:8]}"
    sb.client("s3").create_bucket(Bucket=bucket)
    helper_env = {
        **env,
        "AWS_ACCESS_KEY_ID": DUMMY_KEY,
        "AWS_SECRET_ACCESS_KEY": DUMMY_SECRET,
        "AWS_SESSION_TOKEN": DUMMY_TOKEN,
    }
    traces = {role: work / f"{role}.jsonl" for role in ROLES}
    story = Story(
        directory, f"iam-{uuid.uuid4().hex[:8]}", bucket, env["AWS_REGION"], helper_env, sb, traces
    )
    target = ["--stack", story.stack, "--alias", ALIAS]
    deploy = ["deploy", *target, "--s3-bucket", bucket]

    story.lr("deploy", *deploy)
    for version, changed in (("2", ["A"]), ("3", ["A", "B"])):
        set_code_version(directory, version, changed)
        sam_build(directory, env)
        story.lr("deploy", *deploy)  # moves PROD and each PROD_STABLE
    story.lr("deploy", "status", "--stack", story.stack, "--log-bucket", bucket)
    story.lr("deploy", "history", *target, "--log-bucket", bucket)
    story.lr("deploy", "begin", *target, "--log-bucket", bucket)

    story.lr("readonly", "status", "--stack", story.stack, "--log-bucket", bucket, "--no-settle")
    story.lr("readonly", "history", *target, "--log-bucket", bucket)
    _callers_of_latest(sb, story)
    # Exit 1: paths to $LATEST found (the ones made above).
    found = story.lr("readonly", "audit", *target, "--output", "json", ok=(1,))
    assert "eventbridge" in found.stdout and "rest-api" in found.stdout, found.stdout

    story.lr("deploy", "record", *target, "--log-bucket", bucket)

    # A canary rolled back while it runs: the rollback role stops the deployment.
    write_sam_app(
        directory,
        functions=("A", "B"),
        code_version="5",
        deployment_type="Canary10Percent5Minutes",
    )
    sam_build(directory, env)
    minute = sb.minute
    # 10% for 5 real minutes: the rollback stops it, however long a loaded machine takes to
    # start the console script (15 s could pass before it saw the canary in flight).
    sb.minute = 60.0
    try:
        running = story.popen("deploy", *deploy)

        def deploying() -> None:
            assert running.poll() is None, running.communicate()

        wait_until(
            lambda: story.canary_running("AFunction"),
            "the canary to start",
            300,
            interval=0.1,
            check=deploying,
        )
        stopped = story.lr("rollback", "rollback", *target, "--log-bucket", bucket)
        assert "stopping CodeDeploy deployment" in stopped.stderr, stopped.stderr
    finally:
        sb.minute = minute
        out, err = running.communicate(timeout=600)
        story.outputs += [out, err]
    assert running.returncode == 1, err[-2000:]  # its release failed: it was stopped

    story.lr("rollback", "rollback", *target, "--log-bucket", bucket)
    story.lr("rollback", "status", "--stack", story.stack, "--log-bucket", bucket)
    story.lr("rollback", "history", *target, "--log-bucket", bucket)

    # New code after the rollback: the deploy role realigns the drift the rollback left.
    set_code_version(directory, "6", ["A", "B"])
    sam_build(directory, env)
    realigned = story.lr("deploy", *deploy)
    assert "realign" in realigned.stderr.lower(), realigned.stderr[-2000:]

    # Versions nothing needs any more (the undone release's among them) go, with the role
    # that alone may delete.
    pruned = story.lr(
        "prune",
        "prune",
        "--stack",
        story.stack,
        "--keep",
        "1",
        "--log-bucket",
        bucket,
        "--output",
        "json",
    )
    assert any(f["deleted"] for f in json.loads(pruned.stdout)["functions"]), pruned.stdout

    yield story


def role_scope_args(story: Story) -> list[str]:
    return [
        "--stack",
        story.stack,
        "--alias",
        ALIAS,
        "--bucket",
        story.bucket,
        "--account",
        ACCOUNT,
        "--region",
        story.region,
    ]


def as_json_lines(values: list[Any]) -> str:
    return "\n".join(str(v) for v in values)
