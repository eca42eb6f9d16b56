"""Probes of the rows of docs/sandbox.md's fidelity table: each asserts, over HTTP, what AWS
does (the source of each is cited in that table)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from lambda_release.sandbox import Sandbox
from lambda_release.sandbox.faultproxy import CONFLICT, Fault, FaultProxy
from tests.sandbox.inline_app import create_stack, inline_template, output
from tests.support.alarms import put_alarm
from tests.support.aws_state import wait_for_stack
from tests.support.functions import python_function
from tests.support.zips import app_zip


def test_get_template_processed_stage_is_the_transformed_template(
    clients: dict[str, Any], unique: Callable[[str], str]
) -> None:
    cfn = clients["cloudformation"]
    stack = unique("processed")
    assert create_stack(cfn, stack, "1") == "CREATE_COMPLETE"
    original = cfn.get_template(StackName=stack)
    assert original["StagesAvailable"] == ["Original", "Processed"]
    assert "AWS::Serverless::Function" in original["TemplateBody"]
    processed = cfn.get_template(StackName=stack, TemplateStage="Processed")
    body = processed["TemplateBody"]
    template = body if isinstance(body, dict) else json.loads(body)
    assert "Transform" not in template
    types = {r["Type"] for r in template["Resources"].values()}
    assert "AWS::Serverless::Function" not in types
    assert {"AWS::Lambda::Function", "AWS::Lambda::Alias", "AWS::Lambda::Version"} <= types
    alias = template["Resources"]["FnAliaslive"]
    assert "CodeDeployLambdaAliasUpdate" in alias["UpdatePolicy"]


def test_get_template_of_a_change_set_and_a_bad_stage(
    clients: dict[str, Any], unique: Callable[[str], str]
) -> None:
    cfn = clients["cloudformation"]
    stack = unique("csproc")
    cfn.create_change_set(
        StackName=stack,
        ChangeSetName="create",
        ChangeSetType="CREATE",
        TemplateBody=inline_template("1"),
        Capabilities=["CAPABILITY_IAM"],
    )
    got = cfn.get_template(StackName=stack, ChangeSetName="create", TemplateStage="Processed")
    body = got["TemplateBody"]
    template = body if isinstance(body, dict) else json.loads(body)
    assert "FnAliaslive" in template["Resources"]
    with pytest.raises(ClientError) as exc:
        cfn.get_template(StackName=stack, ChangeSetName="create", TemplateStage="Final")
    assert exc.value.response["Error"]["Code"] == "ValidationError"


def test_a_new_alarm_starts_insufficient_data_and_an_update_keeps_its_state(
    clients: dict[str, Any], unique: Callable[[str], str]
) -> None:
    cw = clients["cloudwatch"]
    name = unique("alarm")

    def put(threshold: float) -> None:
        put_alarm(cw, name, threshold)

    def state() -> str:
        return str(cw.describe_alarms(AlarmNames=[name])["MetricAlarms"][0]["StateValue"])

    put(1)
    assert state() == "INSUFFICIENT_DATA"
    cw.set_alarm_state(AlarmName=name, StateValue="ALARM", StateReason="probe")
    put(2)
    assert state() == "ALARM"


def test_a_stack_alarm_starts_insufficient_data(
    clients: dict[str, Any], unique: Callable[[str], str]
) -> None:
    cfn, cw = clients["cloudformation"], clients["cloudwatch"]
    stack = unique("cwstack")
    create_stack(cfn, stack, "1")
    name = cfn.describe_stack_resource(StackName=stack, LogicalResourceId="FnErrors")[
        "StackResourceDetail"
    ]["PhysicalResourceId"]
    assert cw.describe_alarms(AlarmNames=[name])["MetricAlarms"][0]["StateValue"] == (
        "INSUFFICIENT_DATA"
    )
    assert output(cfn, stack, "FnName")


@pytest.mark.parametrize("name", ["7", "$LATEST", "a" * 129, "has space", "dot.ted"])
def test_alias_names_outside_lambdas_rules_are_refused(
    clients: dict[str, Any], function_with_versions: Callable[[int], str], name: str
) -> None:
    lam = clients["lambda"]
    fn = function_with_versions(1)
    with pytest.raises(ClientError) as exc:
        lam.create_alias(FunctionName=fn, Name=name, FunctionVersion="1")
    assert exc.value.response["Error"]["Code"] == "ValidationException"
    assert exc.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


@pytest.mark.parametrize("name", ["PROD", "7a", "a-b_c", "a" * 128])
def test_alias_names_within_lambdas_rules_are_accepted(
    clients: dict[str, Any], function_with_versions: Callable[[int], str], name: str
) -> None:
    lam = clients["lambda"]
    fn = function_with_versions(1)
    lam.create_alias(FunctionName=fn, Name=name, FunctionVersion="1")
    assert lam.get_alias(FunctionName=fn, Name=name)["FunctionVersion"] == "1"


def test_version_numbers_are_never_reused_after_deletes(
    clients: dict[str, Any], function_with_versions: Callable[[int], str]
) -> None:
    lam = clients["lambda"]
    fn = function_with_versions(3)
    lam.delete_function(FunctionName=fn, Qualifier="3")
    lam.delete_function(FunctionName=fn, Qualifier="2")
    lam.update_function_code(FunctionName=fn, ZipFile=app_zip("V = 4\n"))
    assert lam.publish_version(FunctionName=fn)["Version"] == "4"
    listed = [v["Version"] for v in lam.list_versions_by_function(FunctionName=fn)["Versions"]]
    assert listed == ["$LATEST", "1", "4"]
    # Publishing with nothing changed returns the latest version, not a new one.
    assert lam.publish_version(FunctionName=fn)["Version"] == "4"


def test_fault_proxy_answers_409_conditional_request_conflict_for_s3_writes(
    sandbox: Sandbox, unique: Callable[[str], str]
) -> None:
    bucket = unique("cond")
    sandbox.client("s3").create_bucket(Bucket=bucket)
    with FaultProxy(sandbox.endpoint_url) as proxy:
        s3 = boto3.client(
            "s3",
            endpoint_url=proxy.url,
            region_name=sandbox.region,
            aws_access_key_id="sandbox",
            aws_secret_access_key="sandbox",
            config=Config(retries={"mode": "standard", "max_attempts": 1}),
        )
        proxy.inject(Fault("PutObject", CONFLICT, service="s3"))
        with pytest.raises(ClientError) as exc:
            s3.put_object(Bucket=bucket, Key="k.json", Body=b"{}", IfNoneMatch="*")
        assert exc.value.response["Error"]["Code"] == "ConditionalRequestConflict"
        assert exc.value.response["ResponseMetadata"]["HTTPStatusCode"] == 409
        # Nothing was applied: the key is still free and a retry writes it.
        assert "Contents" not in s3.list_objects_v2(Bucket=bucket)
        s3.put_object(Bucket=bucket, Key="k.json", Body=b"{}", IfNoneMatch="*")
        assert [c.operation for c in proxy.calls] == ["PutObject", "ListObjectsV2", "PutObject"]
        assert [c.status for c in proxy.calls] == [409, 200, 200]


def _python_function(sandbox: Sandbox, name: str, source: str, env: dict[str, str]) -> None:
    lam, iam = sandbox.client("lambda"), sandbox.client("iam")
    python_function(lam, iam, name, source, Environment={"Variables": env})


def test_invoke_runs_the_python_handler_which_can_call_back_into_the_sandbox(
    sandbox: Sandbox, unique: Callable[[str], str]
) -> None:
    lam = sandbox.client("lambda")
    name = unique("runs")
    source = (
        "import os, boto3\n"
        "def handler(event, context):\n"
        "    names = boto3.client('lambda').list_functions()['Functions']\n"
        "    return {'got': event['x'] * 2, 'color': os.environ['COLOR'],\n"
        "            'me': context.function_name in [f['FunctionName'] for f in names]}\n"
    )
    _python_function(sandbox, name, source, {"COLOR": "blue"})
    answer = lam.invoke(FunctionName=name, Payload=json.dumps({"x": 21}).encode())
    assert "FunctionError" not in answer
    assert json.loads(answer["Payload"].read()) == {"got": 42, "color": "blue", "me": True}


def test_invoke_reports_a_handler_error_as_lambda_does(
    sandbox: Sandbox, unique: Callable[[str], str]
) -> None:
    lam = sandbox.client("lambda")
    name = unique("raises")
    _python_function(sandbox, name, "def handler(event, context):\n    raise KeyError('k')\n", {})
    answer = lam.invoke(FunctionName=name, Payload=b"{}")
    assert answer["FunctionError"] == "Unhandled"
    assert json.loads(answer["Payload"].read())["errorType"] == "KeyError"


def test_an_inline_template_body_over_51200_bytes_is_refused(
    clients: dict[str, Any], unique: Callable[[str], str]
) -> None:
    cfn = clients["cloudformation"]
    body = json.dumps(
        {
            "Resources": {"Topic": {"Type": "AWS::SNS::Topic"}},
            "Metadata": {"Padding": "x" * 51_200},
        }
    )
    with pytest.raises(ClientError) as exc:
        cfn.create_stack(StackName=unique("big"), TemplateBody=body)
    assert exc.value.response["Error"]["Code"] == "ValidationError"
    assert "51200" in exc.value.response["Error"]["Message"]


def test_describe_stacks_gives_last_updated_time_once_the_stack_was_updated(
    clients: dict[str, Any], unique: Callable[[str], str]
) -> None:
    # AWS: LastUpdatedTime "will only be returned if the stack has been updated at least once"
    # (DescribeStacks, Stack data type).
    cfn = clients["cloudformation"]
    stack = unique("lastupdated")
    assert create_stack(cfn, stack, "1") == "CREATE_COMPLETE"
    created = cfn.describe_stacks(StackName=stack)["Stacks"][0]
    assert "LastUpdatedTime" not in created
    cfn.update_stack(
        StackName=stack, TemplateBody=inline_template("2"), Capabilities=["CAPABILITY_IAM"]
    )
    updated = cfn.describe_stacks(StackName=stack)["Stacks"][0]
    assert updated["LastUpdatedTime"] >= created["CreationTime"]


def test_a_number_parameter_is_a_string_where_it_is_referenced(
    clients: dict[str, Any], unique: Callable[[str], str]
) -> None:
    # AWS: a Number parameter is validated as a number, but "when you use the parameter
    # elsewhere in your template (for example, by using the Ref intrinsic function), the
    # parameter value becomes a string" (CloudFormation Parameters, Type).
    cfn = clients["cloudformation"]
    stack = unique("numberparam")
    template = {
        "Parameters": {
            "Threshold": {"Type": "Number", "Default": 5},
            "Sizes": {"Type": "List<Number>", "Default": "1,2"},
        },
        "Resources": {
            "Fn": {
                "Type": "AWS::Lambda::Function",
                "Properties": {
                    "Runtime": "python3.12",
                    "Handler": "index.handler",
                    "Role": {"Fn::GetAtt": ["Role", "Arn"]},
                    "Code": {"ZipFile": "def handler(e, c):\n    return e\n"},
                    "Environment": {
                        "Variables": {
                            "THRESHOLD": {"Ref": "Threshold"},
                            "FIRST": {"Fn::Select": [0, {"Ref": "Sizes"}]},
                        }
                    },
                },
            },
            "Role": {
                "Type": "AWS::IAM::Role",
                "Properties": {
                    "AssumeRolePolicyDocument": {
                        "Version": "2012-10-17",
                        "Statement": [
                            {
                                "Effect": "Allow",
                                "Principal": {"Service": "lambda.amazonaws.com"},
                                "Action": "sts:AssumeRole",
                            }
                        ],
                    }
                },
            },
        },
        "Outputs": {"Threshold": {"Value": {"Ref": "Threshold"}}},
    }
    cfn.create_stack(
        StackName=stack,
        TemplateBody=json.dumps(template),
        Capabilities=["CAPABILITY_IAM"],
        Parameters=[{"ParameterKey": "Threshold", "ParameterValue": "1.50"}],
    )
    assert wait_for_stack(cfn, stack) == "CREATE_COMPLETE"
    name = cfn.describe_stack_resource(StackName=stack, LogicalResourceId="Fn")[
        "StackResourceDetail"
    ]["PhysicalResourceId"]
    variables = clients["lambda"].get_function_configuration(FunctionName=name)["Environment"][
        "Variables"
    ]
    assert variables == {"THRESHOLD": "1.50", "FIRST": "1"}
    assert output(cfn, stack, "Threshold") == "1.50"


def test_head_bucket_answers_the_buckets_region_from_any_region(
    sandbox: Sandbox, unique: Callable[[str], str]
) -> None:
    """AWS answers a bucket's region in HeadBucket (`x-amz-bucket-region`, `BucketRegion`);
    asked through another region's endpoint it answers 301 with that header, and botocore
    follows it to the bucket's region: a client of any region gets the bucket's."""
    bucket = unique("far")
    sandbox.client("s3", "eu-west-1").create_bucket(
        Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"}
    )
    for region in ("us-east-1", "eu-west-1", "ap-southeast-2"):
        got = sandbox.client("s3", region).head_bucket(Bucket=bucket)
        assert got["BucketRegion"] == "eu-west-1", region
        assert got["ResponseMetadata"]["HTTPHeaders"]["x-amz-bucket-region"] == "eu-west-1"
    with pytest.raises(ClientError) as missing:
        sandbox.client("s3", "us-east-1").head_bucket(Bucket=unique("nowhere"))
    assert missing.value.response["Error"]["Code"] == "404"
