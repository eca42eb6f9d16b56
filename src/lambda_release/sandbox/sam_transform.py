"""Expanding `Transform: AWS::Serverless-2016-10-31` with the real SAM translator, offline."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

SAM_TRANSFORM = "AWS::Serverless-2016-10-31"

# Managed policies SAM templates name most often; the translator asks for ARNs by name and
# there is no IAM to ask here. Unknown names fall back to the AWS-managed path.
_MANAGED_POLICIES = (
    "AWSLambdaBasicExecutionRole",
    "AWSLambdaVPCAccessExecutionRole",
    "AWSXrayWriteOnlyAccess",
    "AWSLambdaRole",
    "AWSCodeDeployRoleForLambda",
    "AWSLambdaExecute",
    "AmazonDynamoDBReadOnlyAccess",
    "AmazonS3ReadOnlyAccess",
    "CloudWatchLambdaInsightsExecutionRolePolicy",
)


class _PolicyMap(dict[str, str]):
    def __missing__(self, name: str) -> str:
        return f"arn:aws:iam::aws:policy/{name}"


def _managed_policy_map() -> dict[str, str]:
    known = {name: f"arn:aws:iam::aws:policy/service-role/{name}" for name in _MANAGED_POLICIES}
    return _PolicyMap(known)


def has_sam_transform(template: Mapping[str, Any]) -> bool:
    transform = template.get("Transform")
    if isinstance(transform, list):
        return SAM_TRANSFORM in transform
    return transform == SAM_TRANSFORM


def parameter_values(
    template: Mapping[str, Any], given: Mapping[str, Any], region: str, account_id: str
) -> dict[str, Any]:
    """Template defaults overlaid with the given parameters, plus AWS pseudo parameters."""
    values: dict[str, Any] = {}
    for name, spec in (template.get("Parameters") or {}).items():
        if isinstance(spec, dict) and "Default" in spec:
            values[name] = spec["Default"]
    values.update(given)
    values.update(
        {
            "AWS::Region": region,
            "AWS::AccountId": account_id,
            "AWS::Partition": "aws",
            "AWS::URLSuffix": "amazonaws.com",
            "AWS::NoValue": None,
        }
    )
    return values


def translate(
    template: Mapping[str, Any], parameters: Mapping[str, Any], region: str, account_id: str
) -> dict[str, Any]:
    """The CloudFormation template SAM would deploy; templates without the transform pass as is."""
    if not has_sam_transform(template):
        return dict(template)
    # Imported on first use: the translator takes over half a second to import, and a sandbox
    # should start fast.
    import boto3  # noqa: PLC0415
    from samtranslator.parser.parser import Parser  # noqa: PLC0415
    from samtranslator.translator.translator import Translator  # noqa: PLC0415

    policies = _managed_policy_map()
    # The session only names the region: the translator never calls AWS with it.
    session = boto3.session.Session(region_name=region)
    translator = Translator(managed_policy_map=policies, sam_parser=Parser(), boto_session=session)
    result: dict[str, Any] = translator.translate(
        sam_template=copy.deepcopy(dict(template)),
        parameter_values=parameter_values(template, parameters, region, account_id),
        get_managed_policy_map=lambda: policies,
    )
    return result
