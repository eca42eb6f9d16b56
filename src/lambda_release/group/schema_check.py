"""A group file checked against ``schema.json`` with ``jsonschema`` (``check --group``).

``jsonschema`` comes with cfn-lint (the ``check`` extra); without it, exit 2 says so.
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from lambda_release.errors import UsageError

SCHEMA = "schema.json"


def schema() -> dict[str, Any]:
    """The schema shipped as package data."""
    text = resources.files("lambda_release.group").joinpath(SCHEMA).read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def schema_problems(data: Any) -> list[str]:
    """Every place ``data`` breaks the schema, as ``path: message``, in the file's order."""
    try:
        import jsonschema  # type: ignore[import-untyped]  # noqa: PLC0415 - the check extra
    except ImportError as exc:
        raise UsageError(
            "check --group needs the jsonschema package: install lambda-release[check] "
            "(pip install 'lambda-release[check]')"
        ) from exc
    validator = jsonschema.Draft202012Validator(schema())
    errors = sorted(validator.iter_errors(data), key=lambda e: [str(p) for p in e.absolute_path])
    return [f"{_path(e.absolute_path) or '(the file)'}: {_message(e)}" for e in errors]


SECRET_PLACES = ("parameter_overrides",)


def _path(parts: Any) -> str:
    out = ""
    for p in parts:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out


def _message(error: Any) -> str:
    if any(p in SECRET_PLACES for p in error.absolute_path):
        # jsonschema's message quotes the value, and a parameter may be NoEcho.
        return (
            f"fails the schema's {error.validator} check (the value is not shown: it may be secret)"
        )
    text = str(error.message)
    return text if len(text) <= 200 else text[:197] + "..."


def read_yaml(path: Path) -> Any:
    """The file's data (a missing or non-YAML file is bad input, naming it)."""
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise UsageError(
            f"group file {str(path)!r} does not exist: give the path of a group file "
            "(by convention lambda-release.group.yml); docs/waves.md shows one"
        ) from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"group file {str(path)!r} cannot be read: {exc}") from exc
    except yaml.YAMLError as exc:
        raise UsageError(f"group file {str(path)!r} is not YAML: {exc}") from exc
