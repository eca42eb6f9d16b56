"""The one SAM template builder: the envelope and the function resource every test app uses.

Test apps differ in where their code lives (a built directory, S3, inline) and in what
surrounds the function (alarms, hooks, APIs); what they share is built here once.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

TRANSFORM = "AWS::Serverless-2016-10-31"
# The release's alias comes in as this parameter, as `sam deploy --parameter-overrides` gives it.
ALIAS_REF = {"Ref": "AliasName"}


def sam_template(
    resources: Mapping[str, Any],
    *,
    alias_default: str | None = None,
    allowed_aliases: list[str] | None = None,
    **top: Any,
) -> dict[str, Any]:
    """A SAM template: format version, the transform, an `AliasName` parameter when
    `alias_default` is given, the resources, then any other top-level keys (Outputs,
    Globals, Description, Metadata) in the order given."""
    template: dict[str, Any] = {"AWSTemplateFormatVersion": "2010-09-09", "Transform": TRANSFORM}
    if "Description" in top:
        template["Description"] = top.pop("Description")
    if alias_default is not None:
        parameter: dict[str, Any] = {"Type": "String", "Default": alias_default}
        if allowed_aliases is not None:
            parameter["AllowedValues"] = allowed_aliases
        template["Parameters"] = {"AliasName": parameter}
    template["Resources"] = dict(resources)
    template.update(top)
    return template


def serverless_function(
    code: Mapping[str, Any],
    *,
    handler: str = "index.handler",
    runtime: str = "python3.11",
    alias: Any = ALIAS_REF,
    deployment: Mapping[str, Any] | None = None,
    **properties: Any,
) -> dict[str, Any]:
    """An `AWS::Serverless::Function`: `code` is `{"CodeUri": ...}` or `{"InlineCode": ...}`;
    `alias` its AutoPublishAlias (None: none), `deployment` its DeploymentPreference."""
    props: dict[str, Any] = {**code, "Handler": handler, "Runtime": runtime}
    if alias is not None:
        props["AutoPublishAlias"] = alias
    if deployment is not None:
        props["DeploymentPreference"] = dict(deployment)
    props.update(properties)
    return {"Type": "AWS::Serverless::Function", "Properties": props}
