"""CircleCI's parameters: declarations, binding arguments to them, and ``<< >>`` expansion.

Errors here are the ones CircleCI reports when it compiles a config (an
unknown argument, a missing required parameter, a wrong type, a value outside
an enum, a reference to an undeclared parameter), so the local runner and the
validator fail where CircleCI would.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

TYPES = ("string", "boolean", "integer", "enum", "executor", "steps", "env_var_name")
ENV_VAR_NAME = re.compile(r"^[a-zA-Z][a-zA-Z0-9_]*$")
# An expression not preceded by a backslash; \<< is CircleCI's escape for a literal <<
# (so in a packed here-string, \<<<, the last two < are not an expression either).
EXPRESSION = re.compile(r"(?<!\\)(?<!\\<)<<\s*([^<>]*?)\s*>>")
EXPRESSION_EXACT = re.compile(r"^<<\s*([^<>]*?)\s*>>$")


class CompileError(Exception):
    """What CircleCI would refuse at compile time; the message says where."""


def check_declarations(decls: Any, where: str) -> list[str]:
    """Problems in a ``parameters:`` block (types, enum lists, defaults of the right type)."""
    problems: list[str] = []
    if decls is None:
        return problems
    if not isinstance(decls, dict):
        return [f"{where}: parameters must be a map"]
    for name, decl in decls.items():
        here = f"{where}: parameter {name!r}"
        if not isinstance(decl, dict):
            problems.append(f"{here} must be a map with a type")
            continue
        ptype = decl.get("type")
        if ptype not in TYPES:
            problems.append(f"{here} has type {ptype!r}; use one of {', '.join(TYPES)}")
            continue
        if ptype == "enum":
            values = decl.get("enum")
            if not isinstance(values, list) or not values:
                problems.append(f"{here} is an enum without an enum list")
                continue
        elif "enum" in decl:
            problems.append(f"{here} has an enum list but type {ptype}")
        if "default" in decl:
            error = type_error(decl, decl["default"])
            if error:
                problems.append(f"{here} default: {error}")
    return problems


def type_error(decl: Mapping[str, Any], value: Any) -> str | None:
    """Why ``value`` does not fit ``decl`` (None when it does)."""
    ptype = decl.get("type")
    if ptype in ("string",):
        ok = isinstance(value, str)
    elif ptype == "boolean":
        ok = isinstance(value, bool)
    elif ptype == "integer":
        ok = isinstance(value, int) and not isinstance(value, bool)
    elif ptype == "enum":
        if value not in (decl.get("enum") or []):
            return f"{value!r} is not one of {decl.get('enum')}"
        ok = True
    elif ptype == "env_var_name":
        if not isinstance(value, str) or not ENV_VAR_NAME.match(value):
            return f"{value!r} is not an environment variable name"
        ok = True
    elif ptype == "steps":
        ok = isinstance(value, list)
    elif ptype == "executor":
        ok = isinstance(value, str) or (isinstance(value, dict) and "name" in value)
    else:
        return f"unknown parameter type {ptype!r}"
    return None if ok else f"expected {ptype}, got {type(value).__name__} {value!r}"


def bind(
    decls: Mapping[str, Any] | None,
    args: Mapping[str, Any],
    where: str,
    ignore: frozenset[str] = frozenset(),
) -> dict[str, Any]:
    """The parameter values for one invocation: arguments checked, defaults filled in."""
    decls = decls or {}
    unknown = sorted(set(args) - set(decls) - ignore)
    if unknown:
        raise CompileError(f"{where}: unexpected argument(s) {', '.join(unknown)}")
    values: dict[str, Any] = {}
    for name, decl in decls.items():
        if name in args:
            value = args[name]
        elif "default" in decl:
            value = decl["default"]
        else:
            raise CompileError(f"{where}: missing required argument {name!r}")
        error = type_error(decl, value)
        if error:
            raise CompileError(f"{where}: argument {name!r}: {error}")
        values[name] = value
    return values


def expand(value: Any, params: Mapping[str, Any], pipeline: Mapping[str, Any], where: str) -> Any:
    """``value`` with every ``<< parameters.x >>`` / ``<< pipeline.y >>`` replaced.

    A string that is exactly one expression takes the parameter's own value
    (a list of steps, a boolean); inside a longer string it is written as text.
    Escaped ``\\<<`` is left alone (see ``unescape``).
    """
    if isinstance(value, dict):
        return {
            expand(k, params, pipeline, where): expand(v, params, pipeline, where)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [expand(v, params, pipeline, where) for v in value]
    if not isinstance(value, str) or "<<" not in value:
        return value
    exact = EXPRESSION_EXACT.match(value.strip())
    if exact and value.strip() == value:
        return _lookup(exact.group(1), params, pipeline, where)
    return EXPRESSION.sub(lambda m: _text(_lookup(m.group(1), params, pipeline, where)), value)


def unescape(text: str) -> str:
    """CircleCI turns ``\\<<`` into ``<<`` once parameters are expanded."""
    return text.replace("\\<<", "<<")


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | dict):
        raise CompileError("a steps or map value cannot be interpolated into text")
    return str(value)


def _lookup(expr: str, params: Mapping[str, Any], pipeline: Mapping[str, Any], where: str) -> Any:
    if expr.startswith("parameters."):
        name = expr.removeprefix("parameters.")
        if name not in params:
            raise CompileError(f"{where}: << {expr} >> refers to an undeclared parameter")
        return params[name]
    if expr.startswith("pipeline."):
        name = expr.removeprefix("pipeline.")
        if name not in pipeline:
            raise CompileError(f"{where}: unknown pipeline value << {expr} >>")
        return pipeline[name]
    if expr.startswith("matrix."):
        name = expr.removeprefix("matrix.")
        if f"matrix.{name}" in params:
            return params[f"matrix.{name}"]
        raise CompileError(f"{where}: << {expr} >> outside a matrix that defines it")
    raise CompileError(f"{where}: cannot expand << {expr} >>")


def truthy(value: Any) -> bool:
    """CircleCI's truthiness for ``when``/``unless``: false, null, 0, '' and [] are false."""
    return value not in (False, None, 0, "", [], {})
