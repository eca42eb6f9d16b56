"""A small SAM application written on the fly, for tests that run the real `sam build`/`deploy`.

Each function gets `AutoPublishAlias: !Ref AliasName` and a CodeDeploy `DeploymentPreference`
with one CloudWatch alarm, as the product expects; the handler embeds `code_version`, so changing
it changes the code hash (and hence publishes a new version on the next deploy).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml

from tests.support import templates
from tests.support.templates import ALIAS_REF, serverless_function

HANDLER_TEMPLATE = '''"""Sample handler for function {name}."""

CODE_VERSION = "{code_version}"


def handler(event, context):
    return {{"function": "{name}", "code_version": CODE_VERSION}}
'''


def alarm_logical_id(function: str) -> str:
    return f"{function}ErrorsAlarm"


def function_logical_id(function: str) -> str:
    return f"{function}Function"


def _function_resource(
    function: str, deployment_type: str, alarms: bool, alias_param: bool
) -> dict[str, Any]:
    preference: dict[str, Any] = {"Type": deployment_type}
    if alarms:
        preference["Alarms"] = [{"Ref": alarm_logical_id(function)}]
    return serverless_function(
        {"CodeUri": f"src/{function.lower()}/"},
        handler="app.handler",
        alias=ALIAS_REF if alias_param else "PROD",
        deployment=preference,
    )


def _alarm_resource(function: str) -> dict[str, Any]:
    return {
        "Type": "AWS::CloudWatch::Alarm",
        "Properties": {
            "AlarmDescription": f"errors of {function} during a canary",
            "Namespace": "AWS/Lambda",
            "MetricName": "Errors",
            "Dimensions": [
                {"Name": "FunctionName", "Value": {"Ref": function_logical_id(function)}}
            ],
            "Statistic": "Sum",
            "Period": 60,
            "EvaluationPeriods": 1,
            "Threshold": 1,
            "ComparisonOperator": "GreaterThanOrEqualToThreshold",
            "TreatMissingData": "notBreaching",
        },
    }


def sam_template(
    functions: Sequence[str] = ("A", "B"),
    deployment_type: str = "Canary10Percent5Minutes",
    alarms: bool = True,
    alias_param: bool = True,
    extra_resources: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The template as a dict (what write_sam_app writes as template.yaml)."""
    resources: dict[str, Any] = {}
    outputs: dict[str, Any] = {}
    for function in functions:
        resources[function_logical_id(function)] = _function_resource(
            function, deployment_type, alarms, alias_param
        )
        if alarms:
            resources[alarm_logical_id(function)] = _alarm_resource(function)
        outputs[f"{function_logical_id(function)}Name"] = {
            "Value": {"Ref": function_logical_id(function)}
        }
    resources.update(extra_resources or {})
    return templates.sam_template(
        resources,
        alias_default="STAGING" if alias_param else None,
        allowed_aliases=["STAGING", "PROD"],
        Description="lambda-release test application",
        Outputs=outputs,
    )


def write_function_code(directory: Path, function: str, code_version: str) -> Path:
    """(Re)write one function's handler; only that function's code hash changes."""
    src = Path(directory) / "src" / function.lower()
    src.mkdir(parents=True, exist_ok=True)
    handler = src / "app.py"
    handler.write_text(HANDLER_TEMPLATE.format(name=function, code_version=code_version))
    return handler


def write_sam_app(
    directory: Path,
    functions: Sequence[str] = ("A", "B"),
    code_version: str = "1",
    deployment_type: str = "Canary10Percent5Minutes",
    alarms: bool = True,
    alias_param: bool = True,
    extra_resources: Mapping[str, Any] | None = None,
) -> Path:
    """Write template.yaml and one handler per function under `directory`; returns the template."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    for function in functions:
        write_function_code(directory, function, code_version)
    template = directory / "template.yaml"
    template.write_text(
        yaml.safe_dump(
            sam_template(functions, deployment_type, alarms, alias_param, extra_resources),
            sort_keys=False,
        )
    )
    return template


def set_code_version(directory: Path, code_version: str, functions: Sequence[str]) -> None:
    """Change the code of only the named functions."""
    for function in functions:
        write_function_code(directory, function, code_version)
