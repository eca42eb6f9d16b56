"""CloudFormation resource models moto lacks: Lambda versions and aliases, CodeDeploy, alarms.

moto finds resource models through `CloudFormationModel.__subclasses__()` (direct subclasses
only), so these classes subclass it directly; defining them registers them, which is why this
module is imported only by `extensions.install()` when a Sandbox starts. Later definitions win
over moto's own for the same type (its AWS::Lambda::Version has no `Version` attribute).
"""

from __future__ import annotations

import contextlib
import json
from typing import Any, ClassVar, cast

from moto.awslambda.exceptions import UnknownFunctionException
from moto.awslambda.utils import get_backend
from moto.cloudwatch.models import cloudwatch_backends
from moto.codedeploy.models import codedeploy_backends
from moto.core.common_models import CloudFormationModel

from lambda_release.sandbox import deployment_configs
from lambda_release.sandbox.model_base import SandboxModel
from lambda_release.sandbox.rest_api import SandboxApiGatewayDeployment, SandboxApiGatewayRestApi


def _lambda(account_id: str, region: str) -> Any:
    return get_backend(account_id, region)


def routing_from_cfn(routing: dict[str, Any] | None) -> dict[str, Any]:
    """CloudFormation's list form of RoutingConfig -> the Lambda API's map form."""
    weights: dict[str, float] = {}
    for item in (routing or {}).get("AdditionalVersionWeights") or []:
        weights[str(item["FunctionVersion"])] = float(item["FunctionWeight"])
    return {"AdditionalVersionWeights": weights}


class SandboxLambdaVersion(SandboxModel, CloudFormationModel):
    TYPE = "AWS::Lambda::Version"
    PHYSICAL_ID = "arn"
    ATTRIBUTES: ClassVar[dict[str, str]] = {"Version": "version", "FunctionArn": "arn"}

    def __init__(self, function_name: str, version: str, arn: str) -> None:
        self.function_name = function_name
        self.version = version
        self.arn = arn

    @classmethod
    def create_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> SandboxLambdaVersion:
        props = cloudformation_json["Properties"]
        published = _lambda(account_id, region_name).publish_version(
            props["FunctionName"], props.get("Description", "")
        )
        return cls(published.function_name, str(published.version), published.function_arn)

    def delete(self, account_id: str, region: str) -> None:
        with contextlib.suppress(UnknownFunctionException):
            _lambda(account_id, region).delete_function(self.function_name, self.version)


class SandboxLambdaAlias(SandboxModel, CloudFormationModel):
    TYPE = "AWS::Lambda::Alias"
    PHYSICAL_ID = "arn"
    ATTRIBUTES: ClassVar[dict[str, str]] = {"AliasArn": "arn"}

    def __init__(
        self,
        function_name: str,
        name: str,
        function_version: str,
        arn: str,
        routing: dict[str, Any],
    ) -> None:
        self.function_name = function_name
        self.name = name
        # What CloudFormation recorded; CodeDeploy compares it with the live alias.
        self.function_version = function_version
        self.routing = routing
        self.arn = arn

    @classmethod
    def create_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> SandboxLambdaAlias:
        props = cloudformation_json["Properties"]
        routing = routing_from_cfn(props.get("RoutingConfig"))
        function = _lambda(account_id, region_name).get_function(props["FunctionName"])
        alias = _lambda(account_id, region_name).create_alias(
            name=props["Name"],
            function_name=function.function_name,
            function_version=str(props["FunctionVersion"]),
            description=props.get("Description", ""),
            routing_config=routing if routing["AdditionalVersionWeights"] else None,
        )
        return cls(
            function.function_name, props["Name"], str(props["FunctionVersion"]), alias.arn, routing
        )

    @classmethod
    def update_from_cloudformation_json(
        cls,
        original_resource: SandboxLambdaAlias,
        new_resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
    ) -> SandboxLambdaAlias:
        props = cloudformation_json["Properties"]
        backend = _lambda(account_id, region_name)
        function = backend.get_function(props["FunctionName"])
        if (function.function_name, props["Name"]) != (
            original_resource.function_name,
            original_resource.name,
        ):
            original_resource.delete(account_id, region_name)
            return cls.create_from_cloudformation_json(
                new_resource_name, cloudformation_json, account_id, region_name
            )
        routing = routing_from_cfn(props.get("RoutingConfig"))
        backend.update_alias(
            name=props["Name"],
            function_name=function.function_name,
            function_version=str(props["FunctionVersion"]),
            description=props.get("Description", ""),
            routing_config=routing,
        )
        original_resource.function_version = str(props["FunctionVersion"])
        original_resource.routing = routing
        return original_resource

    def delete(self, account_id: str, region: str) -> None:
        # Gone already if the function was deleted first: nothing left to do.
        with contextlib.suppress(UnknownFunctionException):
            _lambda(account_id, region).delete_alias(self.name, self.function_name)


class SandboxCodeDeployApplication(SandboxModel, CloudFormationModel):
    TYPE = "AWS::CodeDeploy::Application"
    NAME_TYPE = "ApplicationName"

    def __init__(self, name: str) -> None:
        self.name = name

    @classmethod
    def create_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> SandboxCodeDeployApplication:
        props = cloudformation_json["Properties"]
        codedeploy_backends[account_id][region_name].create_application(
            resource_name, props.get("ComputePlatform", "Lambda"), props.get("Tags") or []
        )
        return cls(resource_name)

    def delete(self, account_id: str, region: str) -> None:
        backend = codedeploy_backends[account_id][region]
        backend.applications.pop(self.name, None)
        backend.deployment_groups.pop(self.name, None)


def _alarm_configuration(props: dict[str, Any]) -> dict[str, Any]:
    config = props.get("AlarmConfiguration") or {}
    return {
        "enabled": bool(config.get("Enabled", bool(config.get("Alarms")))),
        "alarms": [{"name": a["Name"]} for a in config.get("Alarms") or []],
        "ignorePollAlarmFailure": bool(config.get("IgnorePollAlarmFailure", False)),
    }


def _lower_first(value: Any) -> Any:
    """CloudFormation's PascalCase keys -> the CodeDeploy API's camelCase keys."""
    if isinstance(value, dict):
        return {k[:1].lower() + k[1:]: _lower_first(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_lower_first(v) for v in value]
    return value


class SandboxCodeDeployDeploymentGroup(SandboxModel, CloudFormationModel):
    TYPE = "AWS::CodeDeploy::DeploymentGroup"
    NAME_TYPE = "DeploymentGroupName"

    def __init__(self, application_name: str, name: str) -> None:
        self.application_name = application_name
        self.name = name

    @classmethod
    def create_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> SandboxCodeDeployDeploymentGroup:
        props = cloudformation_json["Properties"]
        if props.get("DeploymentConfigName"):  # DeploymentConfigDoesNotExistException if not
            deployment_configs.lookup(account_id, region_name, props["DeploymentConfigName"])
        codedeploy_backends[account_id][region_name].create_deployment_group(
            application_name=props["ApplicationName"],
            deployment_group_name=resource_name,
            deployment_config_name=props.get("DeploymentConfigName"),
            ec2_tag_filters=None,
            on_premises_instance_tag_filters=None,
            auto_scaling_groups=None,
            service_role_arn=props.get("ServiceRoleArn", ""),
            trigger_configurations=_lower_first(props.get("TriggerConfigurations")),
            # moto's API path stores the request's dict too; codedeploy.py reads both forms
            alarm_configuration=cast(Any, _alarm_configuration(props)),
            auto_rollback_configuration=_lower_first(props.get("AutoRollbackConfiguration")),
            deployment_style=_lower_first(props.get("DeploymentStyle")),
            tags=props.get("Tags"),
        )
        return cls(props["ApplicationName"], resource_name)

    @classmethod
    def update_from_cloudformation_json(
        cls,
        original_resource: SandboxCodeDeployDeploymentGroup,
        new_resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
    ) -> SandboxCodeDeployDeploymentGroup:
        props = cloudformation_json["Properties"]
        groups = codedeploy_backends[account_id][region_name].deployment_groups
        group = groups[original_resource.application_name][original_resource.name]
        group.deployment_config_name = props.get("DeploymentConfigName")
        group.alarm_configuration = cast(Any, _alarm_configuration(props))
        group.auto_rollback_configuration = _lower_first(props.get("AutoRollbackConfiguration"))
        group.service_role_arn = props.get("ServiceRoleArn", "")
        return original_resource

    def delete(self, account_id: str, region: str) -> None:
        groups = codedeploy_backends[account_id][region].deployment_groups
        groups.get(self.application_name, {}).pop(self.name, None)


class SandboxCodeDeployDeploymentConfig(SandboxModel, CloudFormationModel):
    """A custom deployment configuration; every property change replaces it, as on AWS."""

    TYPE = "AWS::CodeDeploy::DeploymentConfig"
    NAME_TYPE = "DeploymentConfigName"

    def __init__(self, name: str) -> None:
        self.name = name

    @classmethod
    def create_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> SandboxCodeDeployDeploymentConfig:
        props = cloudformation_json["Properties"]
        deployment_configs.create(
            account_id,
            region_name,
            resource_name,
            props.get("ComputePlatform", "Server"),
            _lower_first(props.get("TrafficRoutingConfig")),
        )
        return cls(resource_name)

    @classmethod
    def update_from_cloudformation_json(
        cls,
        original_resource: SandboxCodeDeployDeploymentConfig,
        new_resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
    ) -> SandboxCodeDeployDeploymentConfig:
        original_resource.delete(account_id, region_name)
        return cls.create_from_cloudformation_json(
            new_resource_name, cloudformation_json, account_id, region_name
        )

    def delete(self, account_id: str, region: str) -> None:
        deployment_configs.delete(account_id, region, self.name)


class SandboxCloudWatchAlarm(SandboxModel, CloudFormationModel):
    TYPE = "AWS::CloudWatch::Alarm"
    NAME_TYPE = "AlarmName"
    ATTRIBUTES: ClassVar[dict[str, str]] = {"Arn": "arn"}

    def __init__(self, name: str, arn: str) -> None:
        self.name = name
        self.arn = arn

    @classmethod
    def create_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> SandboxCloudWatchAlarm:
        props = cloudformation_json["Properties"]
        # A new alarm starts INSUFFICIENT_DATA, an updated one keeps its state (alarms.py).
        alarm = cloudwatch_backends[account_id][region_name].put_metric_alarm(
            name=resource_name,
            namespace=props.get("Namespace", ""),
            metric_name=props.get("MetricName", ""),
            comparison_operator=props.get("ComparisonOperator", ""),
            evaluation_periods=int(props.get("EvaluationPeriods", 1)),
            period=int(props.get("Period", 60)),
            threshold=float(props.get("Threshold", 0)),
            statistic=props.get("Statistic", ""),
            description=props.get("AlarmDescription", ""),
            dimensions=[
                {"Name": d["Name"], "Value": d["Value"]} for d in props.get("Dimensions") or []
            ],
            alarm_actions=props.get("AlarmActions") or [],
            ok_actions=props.get("OKActions") or [],
            insufficient_data_actions=props.get("InsufficientDataActions") or [],
            treat_missing_data=props.get("TreatMissingData"),
            datapoints_to_alarm=props.get("DatapointsToAlarm"),
            unit=props.get("Unit"),
        )
        return cls(resource_name, alarm.alarm_arn)

    @classmethod
    def update_from_cloudformation_json(
        cls,
        original_resource: SandboxCloudWatchAlarm,
        new_resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
    ) -> SandboxCloudWatchAlarm:
        name = cloudformation_json["Properties"].get("AlarmName") or original_resource.name
        return cls.create_from_cloudformation_json(
            name, cloudformation_json, account_id, region_name
        )

    def delete(self, account_id: str, region: str) -> None:
        cloudwatch_backends[account_id][region].delete_alarms([self.name])


class SandboxS3BucketPolicy(SandboxModel, CloudFormationModel):
    """Accepted and recorded, not applied.

    SAM's managed bucket (`--resolve-s3`) carries a policy denying requests without TLS;
    the sandbox speaks plain HTTP on 127.0.0.1, so applying it would refuse every upload.
    """

    TYPE = "AWS::S3::BucketPolicy"
    PHYSICAL_ID = "bucket"

    def __init__(self, bucket: str, document: Any) -> None:
        self.bucket = bucket
        self.document = document

    @classmethod
    def create_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> SandboxS3BucketPolicy:
        props = cloudformation_json["Properties"]
        return cls(props["Bucket"], props.get("PolicyDocument"))

    @classmethod
    def update_from_cloudformation_json(
        cls,
        original_resource: SandboxS3BucketPolicy,
        new_resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
    ) -> SandboxS3BucketPolicy:
        return cls.create_from_cloudformation_json(
            new_resource_name, cloudformation_json, account_id, region_name
        )

    def delete(self, account_id: str, region: str) -> None:
        self.document = None


class SandboxLambdaPermission(SandboxModel, CloudFormationModel):
    """A resource-policy statement, attached where AWS attaches it.

    moto's own model drops the qualifier when ``FunctionName`` is an alias or version
    ARN (how ``!Ref MyFunctionAliasPROD`` arrives), which would make a permission on
    the alias look like one on ``$LATEST``.
    """

    TYPE = "AWS::Lambda::Permission"
    PHYSICAL_ID = "sid"

    def __init__(self, function: str, qualifier: str | None, sid: str) -> None:
        self.function = function
        self.qualifier = qualifier
        self.sid = sid

    @staticmethod
    def split_function(name: str) -> tuple[str, str | None]:
        """``arn:...:function:f:PROD`` -> (``arn:...:function:f``, ``PROD``); names as they are."""
        parts = name.split(":")
        if name.startswith("arn:") and len(parts) == 8:
            return ":".join(parts[:7]), parts[7]
        if not name.startswith("arn:") and len(parts) == 2:
            return parts[0], parts[1]
        return name, None

    @classmethod
    def create_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> SandboxLambdaPermission:
        props = dict(cloudformation_json["Properties"])
        function, qualifier = cls.split_function(str(props["FunctionName"]))
        sid = str(props.get("StatementId") or f"{resource_name}-{id(props):x}")
        statement = {k: v for k, v in props.items() if k != "FunctionName"} | {
            "StatementId": sid,
            "FunctionName": function,
        }
        backend = _lambda(account_id, region_name)
        backend.add_permission(function, qualifier, json.dumps(statement))
        return cls(function, qualifier, sid)

    def delete(self, account_id: str, region: str) -> None:
        with contextlib.suppress(Exception):
            _lambda(account_id, region).remove_permission(self.function, self.sid)


MODELS: tuple[type[CloudFormationModel], ...] = (
    SandboxLambdaVersion,
    SandboxLambdaAlias,
    SandboxCodeDeployApplication,
    SandboxCodeDeployDeploymentGroup,
    SandboxCodeDeployDeploymentConfig,
    SandboxCloudWatchAlarm,
    SandboxS3BucketPolicy,
    SandboxLambdaPermission,
    SandboxApiGatewayRestApi,
    SandboxApiGatewayDeployment,
)
