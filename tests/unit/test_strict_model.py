"""Strict mode's judgement of answers, from botocore's model: no stand-in, made-up answers.

Each case is an answer AWS would never send (a member the model lacks, a wrong type, a value
outside an enum, a required member missing, an undocumented error) and must be named.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from lambda_release.sandbox import strict
from lambda_release.sandbox.model_routes import Call, identify, service_model

CREDENTIAL = "AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/{}/aws4_request, Signature=x"


def call(service: str, operation: str, protocol: str | None = None) -> Call:
    model = service_model(service)
    assert model is not None
    return Call(model, model.operation_model(operation), protocol or model.protocol)


def request(
    service: str, method: str, path: str, query: str = "", **headers: str
) -> dict[str, Any]:
    environ = {"REQUEST_METHOD": method, "PATH_INFO": path, "QUERY_STRING": query}
    return {"environ": environ, "headers": {"Authorization": CREDENTIAL.format(service), **headers}}


def routed(service: str, method: str, path: str, query: str = "", **headers: str) -> str:
    req = request(service, method, path, query, **headers)
    found = identify(req["environ"], req["headers"], None)
    return found.name if found else ""


def problems(c: Call, body: bytes, status: int = 200, headers: Any = None) -> list[str]:
    return strict.check_answer(c, status, headers or {}, body)[0]


ALIAS = {
    "AliasArn": "arn:aws:lambda:us-east-1:123456789012:function:f:PROD",
    "Name": "PROD",
    "FunctionVersion": "1",
    "Description": "",
    "RevisionId": "r",
}


def test_an_answer_in_the_models_shape_passes() -> None:
    assert problems(call("lambda", "GetAlias"), json.dumps(ALIAS).encode()) == []


def test_a_success_with_another_status_than_the_models_is_named() -> None:
    """moto answered GetAlias 201; the model (and AWS) 200."""
    found = problems(call("lambda", "GetAlias"), json.dumps(ALIAS).encode(), status=201)
    assert found == ["GetAlias: HTTP 201 for a success, the model's is 200"]
    assert problems(call("lambda", "CreateAlias"), json.dumps(ALIAS).encode(), status=201) == []


def test_a_member_the_model_lacks_is_named() -> None:
    found = problems(call("lambda", "GetAlias"), json.dumps({**ALIAS, "Routing": {}}).encode())
    assert found == ["GetAlias.Routing: not a member of AliasConfiguration in the model"]


def test_a_wrong_type_deep_in_the_answer_is_named() -> None:
    body = {**ALIAS, "RoutingConfig": {"AdditionalVersionWeights": {"2": "0.1"}}}
    found = problems(call("lambda", "GetAlias"), json.dumps(body).encode())
    assert found == [
        "GetAlias.RoutingConfig.AdditionalVersionWeights['2']: a number in the model, got '0.1'"
    ]


def test_a_value_outside_an_enum_is_named() -> None:
    body = {"deploymentInfo": {"deploymentId": "d-1", "status": "Rolling"}}
    found = problems(call("codedeploy", "GetDeployment"), json.dumps(body).encode())
    assert len(found) == 1
    assert found[0].startswith("GetDeployment.deploymentInfo.status: 'Rolling' is not one of")


def stacks_xml(stack: str) -> bytes:
    return (
        '<DescribeStacksResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/">'
        f"<DescribeStacksResult><Stacks><member>{stack}</member></Stacks></DescribeStacksResult>"
        "<ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></DescribeStacksResponse>"
    ).encode()


GOOD_STACK = (
    "<StackName>s</StackName><CreationTime>2026-01-01T00:00:00Z</CreationTime>"
    "<StackStatus>CREATE_COMPLETE</StackStatus>"
)


def test_query_xml_in_the_models_shape_passes() -> None:
    assert problems(call("cloudformation", "DescribeStacks"), stacks_xml(GOOD_STACK)) == []


def test_query_xml_a_required_member_missing_an_enum_and_an_extra_element() -> None:
    stack = (
        "<StackName>s</StackName><StackStatus>CREATED</StackStatus><Color>red</Color>"
        "<Tags><member><Key>k</Key><Value>v</Value></member></Tags>"
    )
    found = problems(call("cloudformation", "DescribeStacks"), stacks_xml(stack))
    assert "DescribeStacks.Stacks[0].Color: not a member of Stack in the model" in found
    assert any(
        p.startswith("DescribeStacks.Stacks[0].StackStatus: 'CREATED' is not one of") for p in found
    )
    assert "DescribeStacks.Stacks[0].CreationTime: required by the model, missing" in found
    assert len(found) == 3


def test_query_xml_a_wrong_scalar_type() -> None:
    stack = GOOD_STACK + "<DisableRollback>no</DisableRollback>"
    found = problems(call("cloudformation", "DescribeStacks"), stacks_xml(stack))
    assert found == ["DescribeStacks.Stacks[0].DisableRollback: a boolean in the model, got 'no'"]


def lambda_error(code: str, status: int) -> tuple[list[str], str]:
    body = json.dumps({"Type": "User", "message": "m"}).encode()
    headers = {"x-amzn-errortype": code}
    return strict.check_error(call("lambda", "GetAlias"), status, headers, body)


def test_a_documented_error_with_its_status_passes() -> None:
    assert lambda_error("ResourceNotFoundException", 404) == ([], "ResourceNotFoundException")


def test_a_documented_error_with_another_status_is_named() -> None:
    found, _ = lambda_error("ResourceNotFoundException", 400)
    assert found == ["error ResourceNotFoundException has HTTP status 404 in the model, not 400"]


def test_an_error_the_operation_does_not_document_is_named() -> None:
    found, code = lambda_error("ConflictException", 409)
    assert code == "ConflictException"
    assert found[0].startswith("error ConflictException is not documented for GetAlias")


def test_the_common_errors_are_allowed_everywhere_with_their_status() -> None:
    assert lambda_error("ThrottlingException", 400)[0] == []
    assert lambda_error("ValidationException", 400)[0] == []
    assert lambda_error("InternalFailure", 503)[0] == [
        "error InternalFailure has HTTP status 500 in the model, not 503"
    ]


def test_a_query_error_is_read_from_its_xml() -> None:
    body = (
        b"<ErrorResponse><Error><Type>Sender</Type><Code>ValidationError</Code>"
        b"<Message>Stack with id s does not exist</Message></Error></ErrorResponse>"
    )
    c = call("cloudformation", "DescribeStacks")
    assert strict.check_error(c, 400, {}, body) == ([], "ValidationError")
    assert strict.check_error(c, 404, {}, body)[0] == [
        "error ValidationError has HTTP status 400 in the model, not 404"
    ]


@pytest.mark.parametrize(
    ("service", "method", "path", "query", "headers", "expected"),
    [
        ("lambda", "GET", "/2015-03-31/functions/f/aliases/PROD", "", {}, "lambda GetAlias"),
        (
            "lambda",
            "GET",
            "/2015-03-31/functions/f/aliases",
            "MaxItems=2",
            {},
            "lambda ListAliases",
        ),
        ("lambda", "POST", "/2015-03-31/functions/f/versions", "", {}, "lambda PublishVersion"),
        (
            "lambda",
            "GET",
            "/2015-03-31/functions/arn%3Aaws%3Alambda%3Ax",
            "",
            {},
            "lambda GetFunction",
        ),
        ("s3", "GET", "/bucket", "list-type=2&prefix=a", {}, "s3 ListObjectsV2"),
        ("s3", "PUT", "/bucket/a/b.json", "", {}, "s3 PutObject"),
        ("s3", "PUT", "/bucket/a/b.json", "", {"x-amz-copy-source": "/b/k"}, "s3 CopyObject"),
        ("s3", "HEAD", "/bucket/key", "", {}, "s3 HeadObject"),
        ("s3", "GET", "/", "", {}, "s3 ListBuckets"),
        ("apigateway", "GET", "/restapis/abc/resources", "", {}, "apigateway GetResources"),
        ("apigateway", "GET", "/v2/apis", "", {}, "apigatewayv2 GetApis"),
        (
            "codedeploy",
            "POST",
            "/",
            "",
            {"X-Amz-Target": "CodeDeploy_20141006.GetDeployment"},
            "codedeploy GetDeployment",
        ),
        (
            "monitoring",
            "POST",
            "/service/GraniteServiceVersion20100801/operation/DescribeAlarms",
            "",
            {"smithy-protocol": "rpc-v2-cbor"},
            "cloudwatch DescribeAlarms",
        ),
        (
            "cloudformation",
            "POST",
            "/",
            "Action=DescribeStacks",
            {},
            "cloudformation DescribeStacks",
        ),
    ],
)
def test_a_request_is_routed_to_its_operation(
    service: str, method: str, path: str, query: str, headers: dict[str, str], expected: str
) -> None:
    assert routed(service, method, path, query, **headers) == expected


def test_an_unsigned_request_is_not_checked() -> None:
    environ = {"REQUEST_METHOD": "POST", "PATH_INFO": "/moto-api/reset", "QUERY_STRING": ""}
    assert identify(environ, {}, None) is None
