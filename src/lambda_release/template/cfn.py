"""Reading a CloudFormation/SAM template: JSON, or YAML with CloudFormation's short tags.

One loader for every template the helper reads (a stack's processed template, a
``sam build`` output); ``!Ref X`` reads as ``{"Ref": "X"}`` and ``!GetAtt A.B`` as
``{"Fn::GetAtt": ["A", "B"]}``, their long forms.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from lambda_release.errors import OperationError


class CfnLoader(yaml.SafeLoader):
    """YAML with CloudFormation's short tags (!Ref, !GetAtt, ...) as their long forms."""


def _cfn_tag(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> Any:
    name = "Ref" if suffix == "Ref" else f"Fn::{suffix}"
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
        if suffix == "GetAtt" and isinstance(value, str):
            value = value.split(".", 1)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)  # type: ignore[arg-type]
    return {name: value}


CfnLoader.add_multi_constructor("!", _cfn_tag)


def parse_template(text: str, what: str = "the template") -> dict[str, Any]:
    """A template's text (JSON or YAML) as a mapping."""
    try:
        data = json.loads(text)
    except ValueError:
        try:
            data = yaml.load(text, Loader=CfnLoader)  # noqa: S506 - our loader only adds CFN tags
        except yaml.YAMLError as exc:
            raise OperationError(f"{what} is neither JSON nor YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise OperationError(f"{what} is not a mapping")
    return data


def read_template(path: Path) -> dict[str, Any]:
    """The template at ``path`` (OperationError when it cannot be read or parsed)."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise OperationError(f"cannot read the template {path}: {exc}") from exc
    return parse_template(text, f"template {path}")
