"""Lambda alias rules AWS enforces and moto does not.

- an alias's routing names at most one extra version: published (not `$LATEST`), existing,
  not the primary version, weight in [0, 1];
- `RevisionId` changes on every alias update, and an update carrying a stale one gets 412
  `PreconditionFailedException`;
- a version an alias references (primary or weighted) cannot be deleted
  (`ResourceConflictException`);
- an alias name matches `(?!^[0-9]+$)([a-zA-Z0-9-_]+)` and is 1 to 128 characters
  (`ValidationException`), so `$LATEST` and `7` are refused;
- version numbers are never reused: after versions are deleted the next one is still one more
  than the highest ever published (moto counts the versions left);
- `CreateAlias` of a name the function already has answers 409 `ResourceConflictException`
  (moto answers `ConflictException`, a code Lambda's API does not have);
- `PublishVersion` with a `CodeSha256` other than `$LATEST`'s publishes nothing and answers
  400 `InvalidParameterValueException` (moto ignores the parameter);
- `DeleteFunction` with `Qualifier=$LATEST` answers 400
  `InvalidParameterValueException`: `$LATEST` goes only with the whole function (moto dropped it
  and left a function that answered 500 to every later read).
"""

from __future__ import annotations

import copy
import json
import re
import uuid
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote

from moto.awslambda import models as lambda_models
from moto.awslambda import responses as lambda_responses
from moto.awslambda.exceptions import (
    InvalidParameterValueException,
    LambdaClientError,
    PreconditionFailedException,
    ValidationException,
)

ALIAS_NAME_PATTERN = "(?!^[0-9]+$)([a-zA-Z0-9-_]+)"
ALIAS_NAME_MAX = 128


class ResourceConflictException(LambdaClientError):
    code = 409

    def __init__(self, message: str) -> None:
        super().__init__("ResourceConflictException", message)


def _weights(routing: Any) -> dict[str, float]:
    if not routing:
        return {}
    raw = routing.get("AdditionalVersionWeights") or {}
    return {str(k): v for k, v in raw.items()}


def check_alias(storage: Any, function_name: str, version: str, routing: Any) -> None:
    """Raise as Lambda does if `version` plus `routing` is not a valid alias target."""
    weights = _weights(routing)
    if len(weights) > 1:
        raise InvalidParameterValueException(
            "Number of items in AdditionalVersionWeights cannot be greater than 1"
        )
    for extra, weight in weights.items():
        if not isinstance(weight, int | float) or isinstance(weight, bool):
            raise InvalidParameterValueException(f"Invalid weight for version {extra}: {weight}")
        if not 0.0 <= float(weight) <= 1.0:
            raise InvalidParameterValueException(
                f"1 validation error detected: Value '{weight}' at "
                "'routingConfig.additionalVersionWeights' failed to satisfy constraint: "
                "Map value must satisfy constraint: [Member must have value less than or equal "
                "to 1.0, Member must have value greater than or equal to 0.0]"
            )
        if extra == "$LATEST" or version == "$LATEST":
            raise InvalidParameterValueException(
                "$LATEST is not supported for an alias pointing to more than 1 version"
            )
        if extra == version:
            raise InvalidParameterValueException(
                f"Version {extra} is the alias's primary version and cannot also be weighted"
            )
        if storage._get_version(function_name, extra) is None:
            raise InvalidParameterValueException(
                f"Version {extra} of function {function_name} does not exist"
            )


def check_alias_name(name: str) -> None:
    """Raise as Lambda's CreateAlias does for a name outside its pattern or length."""
    if not re.fullmatch(ALIAS_NAME_PATTERN, name):
        raise ValidationException(
            name, "name", f"Member must satisfy regular expression pattern: {ALIAS_NAME_PATTERN}"
        )
    if len(name) > ALIAS_NAME_MAX:
        raise ValidationException(
            name, "name", f"Member must have length less than or equal to {ALIAS_NAME_MAX}"
        )


def references_to_version(storage: Any, function_name: str, version: str) -> list[str]:
    """Names of the aliases of a function that route to `version`."""
    fn = storage.get_function_by_name_or_arn_with_qualifier(function_name)
    arn = fn.function_arn.split(":$LATEST")[0]
    found = []
    for alias in storage._aliases.get(arn, {}).values():
        if str(alias.function_version) == version or version in _weights(alias.routing_config):
            found.append(alias.name)
    return found


_originals: dict[str, Callable[..., Any]] = {}


def _put_alias(
    self: Any,
    name: str,
    function_name: str,
    function_version: str,
    description: str,
    routing_config: Any,
) -> Any:
    check_alias_name(name)
    fn = self.get_function_by_name_or_arn_with_qualifier(function_name)
    if name in self._get_function_aliases(function_name):
        raise ResourceConflictException(
            f"Alias already exists: {fn.function_arn.split(':$LATEST')[0]}:{name}"
        )
    check_alias(self, fn.function_name, str(function_version), routing_config)
    return _originals["put_alias"](
        self, name, function_name, function_version, description, routing_config
    )


def _update_alias(
    self: Any,
    name: str,
    function_name: str,
    function_version: str | None,
    description: str | None,
    routing_config: Any,
) -> Any:
    alias = self.get_alias(name, function_name)
    fn = self.get_function_by_name_or_arn_with_qualifier(function_name)
    version = str(function_version if function_version is not None else alias.function_version)
    routing = routing_config if routing_config is not None else alias.routing_config
    check_alias(self, fn.function_name, version, routing)
    return _originals["update_alias"](
        self, name, function_name, function_version, description, routing_config
    )


def _alias_update(
    self: Any, description: str | None, function_version: str | None, routing_config: Any
) -> None:
    _originals["LambdaAlias.update"](self, description, function_version, routing_config)
    self.revision_id = str(uuid.uuid4())


def _del_function(self: Any, name_or_arn: str, qualifier: str | None = None) -> None:
    if qualifier is None and ":" in name_or_arn.rsplit(":function:", 1)[-1]:
        qualifier = name_or_arn.rsplit(":", 1)[-1]
    if qualifier == "$LATEST":
        raise InvalidParameterValueException(
            "$LATEST version cannot be deleted without deleting the function."
        )
    if qualifier:
        aliases = references_to_version(self, name_or_arn, str(qualifier))
        if aliases:
            raise ResourceConflictException(
                f"Unable to delete version {qualifier} because the following aliases "
                f"reference it: {aliases}"
            )
    _originals["del_function"](self, name_or_arn, qualifier)


def _publish_version(self: Any, name_or_arn: str, description: str = "") -> Any:
    """moto's PublishVersion, numbering from the highest version ever published."""
    function = self.get_function_by_name_or_arn_forbid_qualifier(name_or_arn)
    entry = self._functions.get(function.function_name)
    if entry is None or not entry["latest"]:
        return None
    versions = entry["versions"]
    if versions and not function.code_or_config_updated:
        return versions[-1]  # nothing changed since the last version: no new one
    function.code_or_config_updated = False
    # Kept in the function's own entry: deleting the function starts numbering afresh, as AWS.
    highest = max([int(v.version) for v in versions] + [entry.get("highest_version", 0)])
    entry["highest_version"] = highest + 1
    published = copy.copy(entry["latest"])
    published.set_version(highest + 1)
    if description:
        published.description = description
    versions.append(published)
    self._arns[published.function_arn] = published
    return published


def _update_alias_response(self: Any) -> Any:
    """UpdateAlias with RevisionId: moto ignores it; Lambda answers 412 to a stale one."""
    params = json.loads(self.body or "{}")
    expected = params.get("RevisionId")
    if expected:
        function_name = unquote(self.path.rsplit("/")[-3])
        alias_name = unquote(self.path.rsplit("/", 2)[-1])
        alias = self.backend.get_alias(name=alias_name, function_name=function_name)
        if alias.revision_id != expected:
            raise PreconditionFailedException(
                "The Revision Id provided does not match the latest Revision Id. "
                "Call the GetAlias API to retrieve the latest Revision Id"
            )
    return _originals["response.update_alias"](self)


def _publish_version_response(self: Any) -> Any:
    """PublishVersion with CodeSha256: publish only if it is $LATEST's, as Lambda does."""
    expected = json.loads(self.body or "{}").get("CodeSha256")
    if expected is not None:
        function_name = unquote(self.path.split("/")[-2])
        latest = self.backend.get_function(function_name, None)
        if expected != latest.code_sha_256:
            raise InvalidParameterValueException(
                f"CodeSHA256 ({expected}) is different from current CodeSHA256 in $LATEST "
                f"({latest.code_sha_256}). Please try again with the CodeSHA256 in $LATEST."
            )
    return _originals["response.publish_version"](self)


def install() -> None:
    """Patch moto's Lambda backend; idempotent."""
    if _originals:
        return
    storage = lambda_models.LambdaStorage
    _originals["put_alias"] = storage.put_alias
    _originals["update_alias"] = storage.update_alias
    _originals["del_function"] = storage.del_function
    _originals["publish_version"] = storage.publish_version
    _originals["LambdaAlias.update"] = lambda_models.LambdaAlias.update
    _originals["response.update_alias"] = lambda_responses.LambdaResponse.update_alias
    storage.put_alias = _put_alias  # type: ignore[method-assign]
    storage.update_alias = _update_alias  # type: ignore[method-assign]
    storage.del_function = _del_function  # type: ignore[method-assign]
    storage.publish_version = _publish_version  # type: ignore[method-assign]
    lambda_models.LambdaAlias.update = _alias_update  # type: ignore[method-assign]
    lambda_responses.LambdaResponse.update_alias = _update_alias_response  # type: ignore[method-assign]
    _originals["response.publish_version"] = lambda_responses.LambdaResponse.publish_version
    lambda_responses.LambdaResponse.publish_version = _publish_version_response  # type: ignore[method-assign]
