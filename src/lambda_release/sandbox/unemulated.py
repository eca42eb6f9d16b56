"""Resource types neither moto nor the sandbox emulates: recorded, not created.

moto skips such a resource (a warning) and leaves a hole: DescribeStackResources then
answers an entry without LogicalResourceId or ResourceType (both always present in AWS),
a ``!GetAtt`` of it in Outputs answered 500 (moto looked the attribute up on no model),
and so did a stack update that removed one. SAM writes several (``AWS::ApiGateway::Stage``
for an ``Api`` event, ``AWS::ApiGatewayV2::Api`` for ``HttpApi``, ``AWS::Lambda::Url``
for ``FunctionUrlConfig``). Here each is kept with its type and properties under a
generated physical id, as a stack lists it in AWS; nothing is created behind it.
"""

from __future__ import annotations

from typing import Any

from moto.cloudformation import parsing as cfn_parsing
from moto.core.common_models import CloudFormationModel

from lambda_release.sandbox.model_base import SandboxModel


class SandboxUnemulatedResource(SandboxModel, CloudFormationModel):
    """A resource listed in its stack with nothing behind it; any ``Fn::GetAtt`` answers a
    placeholder naming the resource and the attribute."""

    # Never written in a template: found through resource_class_for, not by its type.
    TYPE = "Sandbox::Unemulated::Resource"
    PHYSICAL_ID = "physical_id"

    def __init__(self, physical_id: str, properties: dict[str, Any]) -> None:
        self.physical_id = physical_id
        self.properties = properties

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return True

    def get_cfn_attribute(self, attribute_name: str) -> str:
        return f"{self.physical_id}.{attribute_name}"

    @classmethod
    def create_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> SandboxUnemulatedResource:
        return cls(resource_name, dict(cloudformation_json.get("Properties") or {}))

    @classmethod
    def update_from_cloudformation_json(
        cls,
        original_resource: SandboxUnemulatedResource,
        new_resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
    ) -> SandboxUnemulatedResource:
        original_resource.properties = dict(cloudformation_json.get("Properties") or {})
        return original_resource

    @classmethod
    def delete_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
    ) -> None:
        return  # nothing was created


_moto_class_for = cfn_parsing.resource_class_from_type


def resource_class_for(resource_type: str) -> type[CloudFormationModel]:
    """moto's model for the type, else the placeholder (moto's wait conditions stay its)."""
    found = _moto_class_for(resource_type)
    if found is None and resource_type not in cfn_parsing.NULL_MODELS:
        return SandboxUnemulatedResource
    return found


def install() -> None:
    """Make moto's CloudFormation take the placeholder for types it has no model of."""
    cfn_parsing.resource_class_from_type = resource_class_for
