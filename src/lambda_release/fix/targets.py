"""Invocation targets that name a function unqualified, pointed at its alias instead.

The same places rule E9010 looks at (``invocation_paths.PATHS``): ``!GetAtt Fn.Arn`` and
``!Ref Fn`` become ``!Ref Fn.Alias`` (SAM resolves it to the alias's ARN, which every
one of these properties accepts); ``${Fn.Arn}`` and ``${Fn}`` inside a ``!Sub``
become ``${Fn.Alias}``. A function written out by name or ARN, a plain
``AWS::Lambda::Function`` (no SAM alias to name) and a function URL (its alias is
``Qualifier``, which must exist first) are listed, not rewritten.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, MutableMapping
from dataclasses import dataclass
from typing import Any

from lambda_release.check.invocation_paths import ALL, path_for
from lambda_release.fix.intrinsics import Writer, read

# (what changed, for the report; the function now called by its alias, or None when
# nothing was rewritten; what could not be fixed, or None)
Event = tuple[str, str | None, str | None]

_SUB_VAR = re.compile(r"\$\{([^}!][^}]*)\}")


@dataclass
class _Walk:
    prop: str
    sam: set[str]
    others: set[str]
    write: Writer
    parameter: str = "AliasName"  # the alias parameter a name-built ARN is qualified with

    def node(self, container: Any, key: Any) -> Iterator[Event]:
        value = container[key]
        found = read(value)
        if found is None:
            if isinstance(value, Mapping):
                for k in list(value):
                    yield from self.node(value, k)
            elif isinstance(value, list):
                for i in range(len(value)):
                    yield from self.node(value, i)
            return
        name, arg = found
        if name in ("Ref", "Fn::GetAtt"):
            yield from self._direct(container, key, name, arg)
        elif name == "Fn::Sub":
            yield from self._sub(container, key, arg)
        elif name == "Fn::Join":
            yield from self._join(arg)
        elif isinstance(arg, list | Mapping):
            for k in range(len(arg)) if isinstance(arg, list) else list(arg):
                yield from self.node(arg, k)

    def _direct(self, container: Any, key: Any, name: str, arg: Any) -> Iterator[Event]:
        target = arg if name == "Ref" else _getatt_target(arg)
        if not isinstance(target, str):
            return
        how = f"!Ref {target}" if name == "Ref" else f"!GetAtt {target}.Arn"
        if target in self.sam:
            container[key] = self.write.ref_like(container[key], f"{target}.Alias")
            yield f"{self.prop}: {how} -> !Ref {target}.Alias", target, None
        elif target in self.others:
            yield "", None, f"{self.prop}: {how} invokes $LATEST; give {target} an alias"

    def _sub(self, container: Any, key: Any, arg: Any) -> Iterator[Event]:
        """``${Fn.Arn}`` becomes a variable of the map bound to ``!Ref Fn.Alias`` (cfn-lint's
        E1019 refuses ``${Fn.Alias}`` in the text); ``${Fn}``, the function's name inside a
        hand-built ARN, gets the qualifier ``:${AliasName}`` after it."""
        text = arg[0] if isinstance(arg, list) and arg else arg
        if not isinstance(text, str):
            return
        variables = arg[1] if isinstance(arg, list) and len(arg) > 1 else None
        bound = set(variables) if isinstance(variables, Mapping) else set()
        new, hits, binds = self._sub_text(text, bound)
        if hits:
            self._rewrite_sub(container, key, arg, text, new, binds)
            for old, target, how in hits:
                yield f"{self.prop}: {old} -> {how} in !Sub", target, None
        for m in _SUB_VAR.finditer(new):
            var = m.group(1).strip().removesuffix(".Arn")
            if var in self.others and not new[m.end() :].startswith(":"):
                yield "", None, f"{self.prop}: ${{{m.group(1)}}} invokes $LATEST"
        if isinstance(arg, list) and len(arg) > 1:
            yield from self.node(arg, 1)

    def _rewrite_sub(
        self, container: Any, key: Any, arg: Any, text: str, new: str, binds: dict[str, str]
    ) -> None:
        value: Any = type(text)(new) if type(text) is not str else new
        if isinstance(arg, list):
            arg[0] = value
            variables = arg[1] if len(arg) > 1 else None
            if binds and isinstance(variables, dict):
                for var, target in binds.items():
                    variables[var] = self.write.ref(target)
                return
            if binds:
                arg[1:] = [self.write.mapping(*((v, self.write.ref(t)) for v, t in binds.items()))]
            return
        if not binds:
            old: Any = container[key]
            if hasattr(old, "value"):  # a tagged scalar: keep its quoting
                old.value = new
            else:
                old["Fn::Sub"] = new
            return
        variables = self.write.mapping(*((v, self.write.ref(t)) for v, t in binds.items()))
        old = container[key]
        if isinstance(old, MutableMapping) and not hasattr(old, "value") and "Fn::Sub" in old:
            old["Fn::Sub"] = self.write.block_list(value, variables)
        else:
            container[key] = self.write.sub_map(value, variables)

    def _sub_text(
        self, text: str, bound: set[str]
    ) -> tuple[str, list[tuple[str, str, str]], dict[str, str]]:
        hits: list[tuple[str, str, str]] = []
        binds: dict[str, str] = {}

        def swap(m: re.Match[str]) -> str:
            var = m.group(1).strip()
            target = var.removesuffix(".Arn")
            if target not in self.sam or text[m.end() :].startswith(":") or var in bound:
                return m.group(0)
            if var == target:  # the name: qualify it where it stands
                written = f"${{{target}}}:${{{self.parameter}}}"
                hits.append((m.group(0), target, written))
                return written
            name = f"{target}Alias"
            while (name in bound or f"${{{name}}}" in text) and name not in binds:
                name += "Arn"
            binds[name] = f"{target}.Alias"
            hits.append((m.group(0), target, f"${{{name}}} bound to !Ref {target}.Alias"))
            return f"${{{name}}}"

        return _SUB_VAR.sub(swap, text), hits, binds

    def _join(self, arg: Any) -> Iterator[Event]:
        if not (isinstance(arg, list) and len(arg) == 2 and isinstance(arg[1], list)):
            return
        delimiter, pieces = arg
        for i in range(len(pieces)):
            nxt = pieces[i + 1] if i + 1 < len(pieces) else None
            if nxt is not None and delimiter == ":":
                continue  # the next piece is the qualifier
            if isinstance(nxt, str) and nxt.startswith(":"):
                continue
            yield from self.node(pieces, i)


def _getatt_target(arg: Any) -> str | None:
    if isinstance(arg, list) and len(arg) == 2 and arg[1] == "Arn":
        return str(arg[0])
    if isinstance(arg, str) and arg.endswith(".Arn"):
        return arg.removesuffix(".Arn")
    return None


def retarget(
    name: str,
    node: Mapping[str, Any],
    sam: set[str],
    others: set[str],
    write: Writer,
    parameter: str = "AliasName",
) -> Iterator[Event]:
    """Rewrite ``name``'s unqualified invocation targets; one event per reference."""
    rtype = node.get("Type")
    props = node.get("Properties")
    if not isinstance(props, Mapping) or not isinstance(rtype, str):
        return
    if rtype == "AWS::Lambda::Url":
        if props.get("Qualifier") in (None, "") and "TargetFunctionArn" in props:
            probe = _Walk("TargetFunctionArn", set(), sam | others, write)
            for _, _, left in probe.node(props, "TargetFunctionArn"):
                yield "", None, f"{left}; use the function's FunctionUrlConfig instead"
        return
    spec = path_for(rtype)
    if spec is None:
        return
    if spec.needs_version:  # Lambda@Edge takes a version ARN, never an alias
        probe = _Walk(spec.kind, set(), sam | others, write)
        for prop in spec.properties if spec.properties != ALL else list(props):
            for _, _, left in probe.node(props, prop) if prop in props else ():
                yield "", None, f"{left}; Lambda@Edge needs a version ARN"
        return
    for prop in spec.properties if spec.properties != ALL else list(props):
        if prop in props:
            yield from _Walk(prop, sam, others, write, parameter).node(props, prop)
