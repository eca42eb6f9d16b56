"""Finding references to a function that reach ``$LATEST``.

A reference is qualified when it names a version or an alias: ``!Ref Fn.Alias``,
``!Ref FnAliasPROD``, ``!Ref Fn.Version``, ``${Fn.Arn}:PROD`` or
``${Fn.Arn}:${AliasName}`` in a ``!Sub``, ``!Join [':', [!GetAtt Fn.Arn, PROD]]``,
or a ``!Join`` whose next piece is ``:PROD``. It is unqualified when it is
``!GetAtt Fn.Arn``, ``!Ref Fn``, ``${Fn.Arn}`` / ``${Fn}`` with nothing (or no
alias or version name) after it, a ``!Sub`` variable bound to one of those, or the
function's fixed name or ARN written out. A qualifier of ``$LATEST`` is named
explicitly: that is reported for any function, inside the template or not.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, replace
from typing import Any

from lambda_release.check.render import quoted
from lambda_release.check.source import Location, SourceTemplate, location

LATEST = "$LATEST"
# A qualifier after a function ARN: an alias or version name, or a ${Variable}.
_QUALIFIER = re.compile(r":(\$\{[^}]+\}|\$LATEST\b|[A-Za-z0-9_-]+)")
# An ARN written with an explicit $LATEST: arn:...:function:NAME:$LATEST.
_LATEST_ARN = re.compile(r"function:([A-Za-z0-9_${}.:-]+?):\$LATEST\b")
_SUB_VAR = re.compile(r"\$\{([^}!][^}]*)\}")
# Keys under which a bare function name (not an ARN) names a function.
NAME_KEYS = frozenset({"FunctionName"})


@dataclass(frozen=True)
class UnqualifiedRef:
    function: str  # the function's logical id, or its name as written
    how: str  # how it was written, in template syntax, for the message
    where: Location | None
    explicit_latest: bool = False  # ':$LATEST' written out (wrong for any function)


def qualifier_after(rest: str) -> str | None:
    """The qualifier at the start of ``rest`` (``:PROD`` -> ``PROD``), else None."""
    m = _QUALIFIER.match(rest)
    return m.group(1) if m else None


def _getatt_target(value: Any) -> str | None:
    if isinstance(value, list) and len(value) == 2 and value[1] == "Arn":
        return str(value[0])
    if isinstance(value, str) and value.endswith(".Arn"):
        return value[: -len(".Arn")]
    return None


@dataclass(frozen=True)
class _Walk:
    functions: Mapping[str, str | None]  # logical id -> fixed FunctionName


def find_unqualified(
    value: Any, src: SourceTemplate, *, literal_names: bool = True
) -> Iterator[UnqualifiedRef]:
    """Every reference inside ``value`` that reaches ``$LATEST``.

    ``literal_names``: a bare fixed function name counts at the top (where the
    property expects a function name, as ``FunctionName`` does); below, under a
    ``FunctionName`` key. A written-out ARN always counts.
    """
    yield from _walk(value, _Walk(fixed_names(src)), literal_names)


def fixed_names(src: SourceTemplate) -> dict[str, str | None]:
    """Logical id -> fixed ``FunctionName`` (None when CloudFormation names it)."""
    cached: dict[str, str | None] | None = src.memo.get("fixed_names")
    if cached is not None:
        return cached
    result: dict[str, str | None] = {}
    for name, fn in src.functions.items():
        fixed = fn.properties.get("FunctionName")
        if isinstance(fixed, Mapping) and isinstance(fixed.get("Fn::Sub"), str):
            # a name computed by !Sub ('${AWS::StackName}-resolver'): an ARN built the same
            # way names the same function
            fixed = fixed["Fn::Sub"] if "${" in fixed["Fn::Sub"] else None
        result[name] = str(fixed) if isinstance(fixed, str) else None
    src.memo["fixed_names"] = result
    return result


def _walk(value: Any, ctx: _Walk, literal: bool) -> Iterator[UnqualifiedRef]:
    if isinstance(value, Mapping):
        if len(value) == 1:
            (key,) = value.keys()
            handler = _INTRINSICS.get(str(key))
            if handler is not None:
                yield from handler(value, value[key], ctx, literal)
                return
        for k, v in value.items():
            yield from _walk(v, ctx, str(k) in NAME_KEYS)
    elif isinstance(value, list):
        for v in value:
            yield from _walk(v, ctx, literal)
    elif isinstance(value, str):
        yield from _literal(value, ctx, literal, quoted(value), location(value))


def _literal(
    text: str, ctx: _Walk, bare: bool, how: str, where: Location | None
) -> Iterator[UnqualifiedRef]:
    """A string written out: an explicit ``$LATEST`` ARN, or a fixed name or ARN unqualified."""
    latest = _LATEST_ARN.search(text)
    if latest is not None:
        yield UnqualifiedRef(_logical(latest.group(1), ctx), how, where, explicit_latest=True)
        return
    for logical, fixed in ctx.functions.items():
        if fixed and ((bare and text == fixed) or _arn_of(fixed).search(text)):
            yield UnqualifiedRef(logical, how, where)
            return


def _arn_of(name: str) -> re.Pattern[str]:
    """``:function:NAME`` with no qualifier after it (the end, or a ``/`` path)."""
    return re.compile(rf":function:{re.escape(name)}(?![A-Za-z0-9_$:{{.-])")


def _logical(name: str, ctx: _Walk) -> str:
    """The logical id of a function written as ``name`` (its fixed name or ``${Fn}``)."""
    for logical, fixed in ctx.functions.items():
        if name in (fixed, f"${{{logical}}}", f"${{{logical}.Arn}}"):
            return logical
    return name


Handler = Callable[[Any, Any, _Walk, bool], Iterator[UnqualifiedRef]]


def _ref(node: Any, inner: Any, ctx: _Walk, literal: bool) -> Iterator[UnqualifiedRef]:
    if isinstance(inner, str) and inner in ctx.functions:
        yield UnqualifiedRef(inner, f"!Ref {inner}", location(inner) or location(node))


def _getatt(node: Any, inner: Any, ctx: _Walk, literal: bool) -> Iterator[UnqualifiedRef]:
    target = _getatt_target(inner)
    if target in ctx.functions:
        yield UnqualifiedRef(
            str(target), f"!GetAtt {target}.Arn", location(inner) or location(node)
        )


def _sub(node: Any, inner: Any, ctx: _Walk, literal: bool) -> Iterator[UnqualifiedRef]:
    text = inner[0] if isinstance(inner, list) and inner else inner
    variables = inner[1] if isinstance(inner, list) and len(inner) > 1 else None
    variables = variables if isinstance(variables, Mapping) else {}
    if not isinstance(text, str):
        return
    seen: set[tuple[str, bool]] = set()
    for ref in _sub_refs(text, variables, ctx, location(text) or location(node)):
        if (ref.function, ref.explicit_latest) not in seen:  # one per function and kind
            seen.add((ref.function, ref.explicit_latest))
            yield ref


def _sub_refs(
    text: str, variables: Mapping[Any, Any], ctx: _Walk, where: Location | None
) -> Iterator[UnqualifiedRef]:
    yield from _literal(text, ctx, False, f"!Sub {quoted(text)}", where)
    for m in _SUB_VAR.finditer(text):
        var = m.group(1).strip()
        qualifier = qualifier_after(text[m.end() :])
        if qualifier is not None and qualifier != LATEST:
            continue  # ${X}:PROD, ${X}:${AliasName}
        if var in variables:
            # A variable of the map: whatever it is bound to, with this text's qualifier.
            for ref in _walk(variables[var], ctx, False):
                how = f"!Sub [{quoted(text)}, {{{var}: {ref.how}}}]"
                yield UnqualifiedRef(ref.function, how, ref.where, qualifier == LATEST)
            continue
        name = var.removesuffix(".Arn")
        if name in ctx.functions:
            written = "${" + var + "}" + (":" + LATEST if qualifier == LATEST else "")
            yield UnqualifiedRef(name, f"!Sub {quoted(written)}", where, qualifier == LATEST)


def _join(node: Any, inner: Any, ctx: _Walk, literal: bool) -> Iterator[UnqualifiedRef]:
    """A ``!Join`` read as the ``!Sub`` it spells (any delimiter): ``!Ref Fn`` is
    ``${Fn}``, ``!GetAtt Fn.Arn`` is ``${Fn.Arn}``, any other piece a variable bound to
    it; so ``[!GetAtt Fn.Arn, ':', !Ref AliasName]`` is qualified and ``':$LATEST'``
    explicit, wherever the delimiter puts the colon."""
    if not (isinstance(inner, list) and len(inner) == 2 and isinstance(inner[1], list)):
        return
    delimiter, pieces = inner
    if not isinstance(delimiter, str):
        for piece in pieces:
            yield from _walk(piece, ctx, literal)
        return
    parts: list[str] = []
    variables: dict[str, Any] = {}
    for i, piece in enumerate(pieces):
        target = _piece_target(piece)
        if isinstance(piece, str):
            parts.append(piece)
        elif target is not None:
            parts.append("${" + target + "}")
        else:
            variables[f"Join.{i}"] = piece
            parts.append("${Join." + str(i) + "}")
    text = delimiter.join(parts)
    how = f"!Join [{quoted(delimiter)}, [...]]"
    seen: set[tuple[str, bool]] = set()
    for ref in _sub_refs(text, variables, ctx, location(node)):
        if (ref.function, ref.explicit_latest) not in seen:
            seen.add((ref.function, ref.explicit_latest))
            named = f"!Join [{quoted(delimiter)}, [..., {quoted(LATEST)}]]"
            yield replace(ref, how=named if ref.explicit_latest else f"{how} of {ref.function}")


def _piece_target(piece: Any) -> str | None:
    """``Fn`` for ``!Ref Fn``, ``Fn.Arn`` for ``!GetAtt Fn.Arn``, else None."""
    if not (isinstance(piece, Mapping) and len(piece) == 1):
        return None
    if isinstance(piece.get("Ref"), str):
        return str(piece["Ref"])
    target = _getatt_target(piece.get("Fn::GetAtt"))
    return f"{target}.Arn" if target is not None else None


_INTRINSICS: dict[str, Handler] = {
    "Ref": _ref,
    "Fn::GetAtt": _getatt,
    "Fn::Sub": _sub,
    "Fn::Join": _join,
}
