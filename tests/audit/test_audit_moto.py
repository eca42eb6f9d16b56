"""audit against the sandbox, over HTTP: every kind of path, and only unqualified ones."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from lambda_release.aws.client import Aws
from lambda_release.observe.audit import audit_stack, parse_function_ref, reaches_latest
from lambda_release.sandbox import Sandbox
from tests.audit.conftest import REGION, Clients, create_function


@pytest.fixture
def aws(sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch) -> Aws:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.setenv(name, sandbox.env[name])
    return Aws(region=REGION, endpoint_url=sandbox.endpoint_url)


def _name(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def _wire_every_caller(clients: Clients, name: str, arn: str, qualified: str) -> None:
    """One caller of each kind at ``arn``; the same again at ``qualified`` (the alias)."""
    lam = clients("lambda")
    sqs = clients("sqs")
    queue = sqs.create_queue(QueueName=_name("q"))["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    sns = clients("sns")
    topic = sns.create_topic(Name=_name("t"))["TopicArn"]
    s3 = clients("s3")
    bucket = _name("bucket")
    s3.create_bucket(Bucket=bucket)
    events = clients("events")
    rule = _name("rule")
    events.put_rule(Name=rule, ScheduleExpression="rate(5 minutes)")
    apigw = clients("apigateway")
    api = apigw.create_rest_api(name=_name("rest"))["id"]
    root = apigw.get_resources(restApiId=api)["items"][0]["id"]
    http = clients("apigatewayv2").create_api(Name=_name("http"), ProtocolType="HTTP")["ApiId"]
    lambda_configs = []
    for i, target in enumerate((arn, qualified)):
        qualifier = {} if target == arn else {"Qualifier": "PROD"}
        lam.create_event_source_mapping(EventSourceArn=queue_arn, FunctionName=target)
        lam.add_permission(
            FunctionName=name,
            StatementId=f"sns-{i}",
            Action="lambda:InvokeFunction",
            Principal="sns.amazonaws.com",
            SourceArn=topic,
            **qualifier,
        )
        sns.subscribe(TopicArn=topic, Protocol="lambda", Endpoint=target)
        lambda_configs.append({"LambdaFunctionArn": target, "Events": ["s3:ObjectCreated:*"]})
        events.put_targets(Rule=rule, Targets=[{"Id": f"t{i}", "Arn": target}])
        method = ("GET", "POST")[i]
        apigw.put_method(
            restApiId=api, resourceId=root, httpMethod=method, authorizationType="NONE"
        )
        apigw.put_integration(
            restApiId=api,
            resourceId=root,
            httpMethod=method,
            type="AWS_PROXY",
            integrationHttpMethod="POST",
            uri=f"arn:aws:apigateway:{REGION}:lambda:path/2015-03-31/functions/{target}/invocations",
        )
        clients("apigatewayv2").create_integration(
            ApiId=http,
            IntegrationType="AWS_PROXY",
            IntegrationUri=target,
            PayloadFormatVersion="2.0",
        )
    s3.put_bucket_notification_configuration(
        Bucket=bucket, NotificationConfiguration={"LambdaFunctionConfigurations": lambda_configs}
    )
    # moto keeps one URL per function whatever the Qualifier: only the unqualified one here.
    lam.create_function_url_config(FunctionName=name, AuthType="AWS_IAM")


def _invocations(clients: Clients, name: str, dims: dict[str, str], value: float) -> None:
    clients("cloudwatch").put_metric_data(
        Namespace="AWS/Lambda",
        MetricData=[
            {
                "MetricName": "Invocations",
                "Dimensions": [{"Name": "FunctionName", "Value": name}]
                + [{"Name": k, "Value": v} for k, v in dims.items()],
                "Value": value,
                "Timestamp": datetime.now(UTC) - timedelta(minutes=5),
            }
        ],
    )


def test_every_unqualified_path_is_reported_once_and_no_alias_path(
    clients: Clients, aws: Aws
) -> None:
    name = _name("audit-all")
    arn = create_function(clients, name)
    _wire_every_caller(clients, name, arn, f"{arn}:PROD")
    clients("lambda").create_alias(FunctionName=name, Name="STAGING", FunctionVersion="$LATEST")
    _invocations(clients, name, {"Resource": name, "ExecutedVersion": "$LATEST"}, 3)
    _invocations(clients, name, {"Resource": f"{name}:PROD", "ExecutedVersion": "1"}, 5)

    report = audit_stack(aws, "no-stack", alias="PROD", functions={name: arn})

    assert report.not_checked == []
    kinds = sorted(p.kind for p in report.paths)
    assert kinds == sorted(
        [
            "event-source-mapping",
            "function-url",
            "policy",
            "rest-api",
            "http-api",
            "eventbridge",
            "sns",
            "s3",
            "alias",
            "invocations",
        ]
    )
    assert all(p.function == name for p in report.paths)
    for p in report.paths:
        if p.kind not in ("alias", "invocations"):
            assert reaches_latest(p.target, name), p
    assert next(p for p in report.paths if p.kind == "policy").source == "sns-0"
    assert next(p for p in report.paths if p.kind == "alias").source == "STAGING"
    assert next(p for p in report.paths if p.kind == "invocations").detail.startswith("3 since")
    assert next(p for p in report.paths if p.kind == "rest-api").source.split()[1] == "GET"
    assert report.without_alias == []
    assert not report.clean


def test_a_function_reached_only_through_its_alias_is_clean(clients: Clients, aws: Aws) -> None:
    name = _name("audit-clean")
    arn = create_function(clients, name)
    lam = clients("lambda")
    sqs = clients("sqs")
    queue = sqs.create_queue(QueueName=_name("q"))["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    lam.create_event_source_mapping(EventSourceArn=queue_arn, FunctionName=f"{name}:PROD")
    lam.add_permission(
        FunctionName=name,
        StatementId="alias-only",
        Action="lambda:InvokeFunction",
        Principal="events.amazonaws.com",
        Qualifier="PROD",
    )
    _invocations(clients, name, {"Resource": f"{name}:PROD", "ExecutedVersion": "1"}, 7)

    report = audit_stack(aws, "no-stack", alias="PROD", functions={name: arn})

    assert report.paths == []
    assert report.clean
    assert "no path to $LATEST found" in report.as_text()


def test_old_invocations_outside_the_window_are_not_reported(clients: Clients, aws: Aws) -> None:
    name = _name("audit-window")
    arn = create_function(clients, name)
    _invocations(clients, name, {"Resource": name, "ExecutedVersion": "$LATEST"}, 2)
    later = datetime.now(UTC) + timedelta(hours=3)
    report = audit_stack(aws, "s", functions={name: arn}, since=timedelta(hours=1), now=later)
    assert report.paths == []
    now = audit_stack(aws, "s", functions={name: arn}, since=timedelta(hours=1))
    assert [p.kind for p in now.paths] == ["invocations"]


def test_unqualified_invocations_derived_from_the_total_minus_qualified_resources(
    clients: Clients, aws: Aws
) -> None:
    # AWS publishes Resource only for qualified calls, and the FunctionName-only
    # aggregate over all calls (here it would be 10). moto sums every datapoint whose
    # dimensions include the ones asked for, so the aggregate is written as the
    # unqualified calls alone (3): both read 10 for the function and 7 for PROD.
    name = _name("audit-derived")
    arn = create_function(clients, name)
    _invocations(clients, name, {}, 3)
    _invocations(clients, name, {"Resource": f"{name}:PROD"}, 7)
    report = audit_stack(aws, "s", alias="PROD", functions={name: arn})
    (path,) = report.paths
    assert (path.kind, path.source) == ("invocations", "total minus aliases")
    assert path.detail.startswith("3 since")

    only_alias = _name("audit-derived-clean")
    arn2 = create_function(clients, only_alias)
    _invocations(clients, only_alias, {"Resource": f"{only_alias}:PROD"}, 4)
    assert audit_stack(aws, "s", functions={only_alias: arn2}).paths == []


def test_missing_alias_is_listed(clients: Clients, aws: Aws) -> None:
    name = _name("audit-noalias")
    arn = create_function(clients, name)
    report = audit_stack(aws, "s", alias="LIVE", functions={name: arn})
    assert report.without_alias == [name]
    assert json.loads(report.as_json())["without_alias"] == [name]


@pytest.mark.parametrize(
    ("ref", "expected"),
    [
        ("arn:aws:lambda:us-east-1:1:function:f", ("f", None)),
        ("arn:aws:lambda:us-east-1:1:function:f:PROD", ("f", "PROD")),
        ("arn:aws:lambda:us-east-1:1:function:f:$LATEST", ("f", "$LATEST")),
        ("1:function:f", ("f", None)),
        ("f:7", ("f", "7")),
        ("f", ("f", None)),
    ],
)
def test_parse_function_ref(ref: str, expected: tuple[str, str | None]) -> None:
    assert parse_function_ref(ref) == expected
