"""AWS::ApiGateway::RestApi as AWS makes one from an OpenAPI ``Body`` (SAM's ``Api`` events).

AWS requires ``Name`` only for an API not based on an OpenAPI definition, which then names
it (``info.title``), and builds the API's resources, methods and integrations from the
definition's ``paths``. SAM's implicit API (an ``Api`` event) is such an API: a Swagger 2.0
``Body`` and no ``Name``. moto's model requires ``Name`` (the whole stack answered 500) and
ignores ``Body``, so its ``AWS::ApiGateway::Deployment`` then failed ("The REST API doesn't
contain any methods"). The API itself stays moto's; this model names it and reads the paths
(an update's definition replaces them, as the ``Mode`` property's default does since 2021).
moto's deployment has no physical id (``Ref`` gives its id in AWS): the sandbox's adds it.
Sources: docs/sandbox.md, "What it emulates".
"""

from __future__ import annotations

import contextlib
from typing import Any

from moto.apigateway.models import Deployment, RestAPI, apigateway_backends
from moto.core.common_models import CloudFormationModel

from lambda_release.sandbox.model_base import SandboxModel

# OpenAPI's operations under a path, and API Gateway's extension for any method.
_VERBS = {"get", "put", "post", "delete", "options", "head", "patch"}
_ANY = "x-amazon-apigateway-any-method"
_INTEGRATION = "x-amazon-apigateway-integration"


class SandboxApiGatewayRestApi(SandboxModel, CloudFormationModel):
    """moto's REST API, named and built from its OpenAPI ``Body`` as AWS does."""

    TYPE = "AWS::ApiGateway::RestApi"

    @staticmethod
    def _properties(resource_name: str, cloudformation_json: dict[str, Any]) -> dict[str, Any]:
        props = dict(cloudformation_json.get("Properties") or {})
        body = props.get("Body")
        info = body.get("info") if isinstance(body, dict) else None
        title = info.get("title") if isinstance(info, dict) else None
        props["Name"] = str(props.get("Name") or title or resource_name)
        return props

    @classmethod
    def create_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> RestAPI:
        props = cls._properties(resource_name, cloudformation_json)
        api: RestAPI = RestAPI.create_from_cloudformation_json(
            resource_name, {**cloudformation_json, "Properties": props}, account_id, region_name
        )
        import_paths(apigateway_backends[account_id][region_name], api, props.get("Body"))
        return api

    @classmethod
    def update_from_cloudformation_json(
        cls,
        original_resource: RestAPI,
        new_resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
    ) -> RestAPI:
        props = cls._properties(new_resource_name, cloudformation_json)
        original_resource.name = props["Name"]
        original_resource.description = str(props.get("Description", ""))
        if props.get("Body") is not None:
            # The new definition replaces the paths (the Mode property's default since 2021).
            original_resource.resources = {}
            original_resource.default = original_resource.add_child("/")
            import_paths(
                apigateway_backends[account_id][region_name], original_resource, props["Body"]
            )
        return original_resource

    @classmethod
    def delete_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
    ) -> None:
        with contextlib.suppress(Exception):  # gone already: nothing to delete
            apigateway_backends[account_id][region_name].delete_rest_api(resource_name)


class SandboxApiGatewayDeployment(SandboxModel, CloudFormationModel):
    """moto's deployment of a REST API, with the physical id AWS gives it (its id)."""

    TYPE = "AWS::ApiGateway::Deployment"

    @classmethod
    def create_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> Deployment:
        made: Deployment = Deployment.create_from_cloudformation_json(
            resource_name, cloudformation_json, account_id, region_name
        )
        made.physical_resource_id = made.id  # type: ignore[attr-defined]
        return made

    @classmethod
    def update_from_cloudformation_json(
        cls,
        original_resource: Deployment,
        new_resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
    ) -> Deployment:
        # Every property of a deployment requires replacement: a new one, as AWS makes.
        return cls.create_from_cloudformation_json(
            new_resource_name, cloudformation_json, account_id, region_name
        )

    @classmethod
    def delete_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
    ) -> None:
        api = str((cloudformation_json.get("Properties") or {}).get("RestApiId", ""))
        with contextlib.suppress(Exception):  # its API is gone with its deployments
            apigateway_backends[account_id][region_name].delete_deployment(api, resource_name)


def import_paths(backend: Any, api: RestAPI, body: Any) -> None:
    """The resources, methods and integrations of an OpenAPI ``body``'s ``paths``."""
    paths = body.get("paths") if isinstance(body, dict) else None
    if not isinstance(paths, dict):
        return
    for path, operations in sorted(paths.items()):
        if not isinstance(operations, dict):
            continue
        resource = _resource(backend, api, str(path))
        for verb, operation in operations.items():
            if verb != _ANY and str(verb).lower() not in _VERBS:
                continue  # parameters, summary, x-... extensions
            method = "ANY" if verb == _ANY else str(verb).upper()
            backend.put_method(api.id, resource.id, method, authorization_type="NONE")
            integration = operation.get(_INTEGRATION) if isinstance(operation, dict) else None
            if isinstance(integration, dict):
                backend.put_integration(
                    api.id,
                    resource.id,
                    method,
                    str(integration.get("type", "aws_proxy")).upper(),
                    str(integration.get("uri", "")),
                    str(integration.get("httpMethod", "POST")),
                )


def _resource(backend: Any, api: RestAPI, path: str) -> Any:
    """The API's resource for ``path``, made with its ancestors when missing."""
    found = api.get_resource_for_path(path.rstrip("/") or "/")
    if found is not None:
        return found
    parent = api.get_resource_for_path("/")
    walked = ""
    for part in [p for p in path.split("/") if p]:
        walked += "/" + part
        found = api.get_resource_for_path(walked)
        if found is None:
            found = backend.create_resource(api.id, parent.id, part)
        parent = found
    return parent
