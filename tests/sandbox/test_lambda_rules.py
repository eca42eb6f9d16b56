"""The alias rules AWS enforces and moto alone does not: each one refused by the sandbox."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from lambda_release.sandbox import Sandbox


@pytest.fixture
def unchecked_lambda(sandbox: Sandbox) -> Any:
    """A Lambda client that sends what it is given: botocore checks a weight's minimum itself."""
    return boto3.client(
        "lambda",
        endpoint_url=sandbox.endpoint_url,
        region_name=sandbox.region,
        aws_access_key_id="sandbox",
        aws_secret_access_key="sandbox",
        config=Config(parameter_validation=False),
    )


def _error(exc: pytest.ExceptionInfo[ClientError]) -> tuple[int, str]:
    response: Any = exc.value.response
    return response["ResponseMetadata"]["HTTPStatusCode"], response["Error"]["Code"]


def test_routing_names_at_most_one_extra_version(
    clients: dict[str, Any], function_with_versions: Callable[[int], str]
) -> None:
    lam = clients["lambda"]
    fn = function_with_versions(3)
    with pytest.raises(ClientError) as exc:
        lam.create_alias(
            FunctionName=fn,
            Name="PROD",
            FunctionVersion="1",
            RoutingConfig={"AdditionalVersionWeights": {"2": 0.1, "3": 0.1}},
        )
    assert _error(exc)[1] == "InvalidParameterValueException"
    lam.create_alias(FunctionName=fn, Name="PROD", FunctionVersion="1")
    with pytest.raises(ClientError):
        lam.update_alias(
            FunctionName=fn,
            Name="PROD",
            RoutingConfig={"AdditionalVersionWeights": {"2": 0.1, "3": 0.1}},
        )
    assert lam.get_alias(FunctionName=fn, Name="PROD").get("RoutingConfig") is None


@pytest.mark.parametrize(
    ("primary", "weights"),
    [
        ("1", {"$LATEST": 0.1}),  # $LATEST cannot be weighted
        ("$LATEST", {"2": 0.1}),  # nor be the primary of a split alias
        ("1", {"1": 0.1}),  # the extra version is not the primary
        ("1", {"7": 0.1}),  # and exists
        ("1", {"2": 1.5}),  # weight in [0, 1]
        ("1", {"2": -0.1}),
    ],
)
def test_invalid_routing_is_refused(
    unchecked_lambda: Any,
    function_with_versions: Callable[[int], str],
    primary: str,
    weights: dict[str, float],
) -> None:
    lam = unchecked_lambda
    fn = function_with_versions(2)
    lam.create_alias(FunctionName=fn, Name="PROD", FunctionVersion="1")
    with pytest.raises(ClientError) as exc:
        lam.update_alias(
            FunctionName=fn,
            Name="PROD",
            FunctionVersion=primary,
            RoutingConfig={"AdditionalVersionWeights": weights},
        )
    assert _error(exc) == (400, "InvalidParameterValueException")
    with pytest.raises(ClientError):
        lam.create_alias(
            FunctionName=fn,
            Name="OTHER",
            FunctionVersion=primary,
            RoutingConfig={"AdditionalVersionWeights": weights},
        )


def test_valid_routing_bounds_are_accepted(
    clients: dict[str, Any], function_with_versions: Callable[[int], str]
) -> None:
    lam = clients["lambda"]
    fn = function_with_versions(2)
    lam.create_alias(FunctionName=fn, Name="PROD", FunctionVersion="1")
    for weight in (0.0, 0.1, 1.0):
        got = lam.update_alias(
            FunctionName=fn, Name="PROD", RoutingConfig={"AdditionalVersionWeights": {"2": weight}}
        )
        assert got["RoutingConfig"]["AdditionalVersionWeights"] == {"2": weight}
    got = lam.update_alias(
        FunctionName=fn,
        Name="PROD",
        FunctionVersion="2",
        RoutingConfig={"AdditionalVersionWeights": {}},
    )
    assert got["FunctionVersion"] == "2"
    assert not (got.get("RoutingConfig") or {}).get("AdditionalVersionWeights")


def test_revision_id_changes_and_a_stale_one_gets_412(
    clients: dict[str, Any], function_with_versions: Callable[[int], str]
) -> None:
    lam = clients["lambda"]
    fn = function_with_versions(2)
    first = lam.create_alias(FunctionName=fn, Name="PROD", FunctionVersion="1")["RevisionId"]
    second = lam.update_alias(FunctionName=fn, Name="PROD", Description="x")["RevisionId"]
    assert second != first
    third = lam.update_alias(FunctionName=fn, Name="PROD", FunctionVersion="2", RevisionId=second)[
        "RevisionId"
    ]
    assert third not in (first, second)
    with pytest.raises(ClientError) as exc:
        lam.update_alias(FunctionName=fn, Name="PROD", FunctionVersion="1", RevisionId=second)
    assert _error(exc) == (412, "PreconditionFailedException")
    assert lam.get_alias(FunctionName=fn, Name="PROD")["FunctionVersion"] == "2"


def test_a_version_an_alias_references_cannot_be_deleted(
    clients: dict[str, Any], function_with_versions: Callable[[int], str]
) -> None:
    lam = clients["lambda"]
    fn = function_with_versions(3)
    lam.create_alias(
        FunctionName=fn,
        Name="PROD",
        FunctionVersion="1",
        RoutingConfig={"AdditionalVersionWeights": {"2": 0.5}},
    )
    for version in ("1", "2"):  # primary and weighted
        with pytest.raises(ClientError) as exc:
            lam.delete_function(FunctionName=fn, Qualifier=version)
        assert _error(exc) == (409, "ResourceConflictException")
    lam.delete_function(FunctionName=fn, Qualifier="3")  # unreferenced: allowed
    versions = [v["Version"] for v in lam.list_versions_by_function(FunctionName=fn)["Versions"]]
    assert "3" not in versions
    assert {"1", "2"} <= set(versions)
