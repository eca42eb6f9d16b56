"""Finding references to a function that carry no qualifier (and so run ``$LATEST``).

A reference is qualified when it names a version or an alias: ``!Ref Fn.Alias``,
``!Ref FnAliasPROD``, ``!Ref Fn.Version``, ``${Fn.Arn}:PROD`` in a ``!Sub``, or a
``!Join`` whose next piece starts with ``:``. It is unqualified when it is
``!GetAtt Fn.Arn``, ``!Ref Fn``, ``${Fn.Arn}`` / ``${Fn}`` with nothing after it,
or the function's fixed name or ARN written out.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from lambda_release.check.source import Location, SourceTemplate, location


@dataclass(frozen=True)
class UnqualifiedRef:
    function: str  # logical id
    how: str  # how it was written, for the message
    where: Location | None


def _getatt_target(value: Any) -> str | None:
    if isinstance(value, list) and len(value) == 2 and value[1] == "Arn":
        return str(value[0])
    if isinstance(value, str) and value.endswith(".Arn"):
        return value[: -len(".Arn")]
    return None


_SUB_VAR = re.compile(r"\$\{([^}!][^}]*)\}")


def _sub_refs(text: str, functions: Mapping[str, str | None]) -> Iterator[str]:
    for m in _SUB_VAR.finditer(text):
        var = m.group(1).strip()
        name = var[: -len(".Arn")] if var.endswith(".Arn") else var
        if name in functions and not text[m.end() :].startswith(":"):
            yield f"${{{var}}}"


def _literal_match(text: str, functions: Mapping[str, str | None], bare: bool) -> str | None:
    """The function a literal names: its ARN with no qualifier, or (where a name is
    expected, ``bare``) its fixed name alone."""
    for logical, fixed in functions.items():
        if fixed and (text.endswith(f":function:{fixed}") or (bare and text == fixed)):
            return logical
    return None


def find_unqualified(
    value: Any, src: SourceTemplate, *, literal_names: bool = True
) -> Iterator[UnqualifiedRef]:
    """Every unqualified reference to one of the template's functions inside ``value``.

    ``literal_names``: a bare fixed function name counts (where the property expects
    a function name, as ``FunctionName`` does); a written-out ARN always counts.
    """
    functions = fixed_names(src)
    yield from _walk(value, functions, literal_names, None)


def fixed_names(src: SourceTemplate) -> dict[str, str | None]:
    """Logical id -> fixed ``FunctionName`` (None when CloudFormation names it)."""
    result: dict[str, str | None] = {}
    for name, fn in src.functions.items():
        fixed = fn.properties.get("FunctionName")
        result[name] = str(fixed) if isinstance(fixed, str) else None
    return result


def _walk(
    value: Any, functions: Mapping[str, str | None], literal: bool, parent: Any
) -> Iterator[UnqualifiedRef]:
    if isinstance(value, Mapping):
        if len(value) == 1:
            (key,) = value.keys()
            handler = _INTRINSICS.get(str(key))
            if handler is not None:
                yield from handler(value, value[key], functions, literal)
                return
        for v in value.values():
            yield from _walk(v, functions, literal, value)
    elif isinstance(value, list):
        for v in value:
            yield from _walk(v, functions, literal, value)
    elif isinstance(value, str):
        fn = _literal_match(value, functions, literal)
        if fn is not None:
            yield UnqualifiedRef(fn, f"'{value}'", location(value))


Handler = Callable[[Any, Any, Mapping[str, str | None], bool], Iterator[UnqualifiedRef]]


def _ref(
    node: Any, inner: Any, functions: Mapping[str, str | None], literal: bool
) -> Iterator[UnqualifiedRef]:
    if isinstance(inner, str) and inner in functions:
        yield UnqualifiedRef(inner, f"!Ref {inner}", location(inner) or location(node))


def _getatt(
    node: Any, inner: Any, functions: Mapping[str, str | None], literal: bool
) -> Iterator[UnqualifiedRef]:
    target = _getatt_target(inner)
    if target in functions:
        yield UnqualifiedRef(
            str(target), f"!GetAtt {target}.Arn", location(inner) or location(node)
        )


def _sub(
    node: Any, inner: Any, functions: Mapping[str, str | None], literal: bool
) -> Iterator[UnqualifiedRef]:
    text = inner[0] if isinstance(inner, list) and inner else inner
    if isinstance(text, str):
        written = _literal_match(text, functions, bare=False)
        if written is not None:
            yield UnqualifiedRef(written, f"!Sub '{text}'", location(text) or location(node))
        for how in _sub_refs(text, functions):
            name = how[2:-1].removesuffix(".Arn")
            yield UnqualifiedRef(name, f"!Sub '{how}'", location(text) or location(node))
    if isinstance(inner, list) and len(inner) > 1:
        yield from _walk(inner[1], functions, literal, node)


def _join(
    node: Any, inner: Any, functions: Mapping[str, str | None], literal: bool
) -> Iterator[UnqualifiedRef]:
    if not (isinstance(inner, list) and len(inner) == 2 and isinstance(inner[1], list)):
        return
    delimiter, pieces = inner
    for i, piece in enumerate(pieces):
        nxt = pieces[i + 1] if i + 1 < len(pieces) else None
        if nxt is not None and delimiter == ":":
            continue  # the next piece is the qualifier
        if isinstance(nxt, str) and nxt.startswith(":"):
            continue  # a qualifier follows
        yield from _walk(piece, functions, literal, node)


_INTRINSICS: dict[str, Handler] = {
    "Ref": _ref,
    "Fn::GetAtt": _getatt,
    "Fn::Sub": _sub,
    "Fn::Join": _join,
}
