"""Proving a fixed template before it is written: nothing that worked stops working.

The fixed text is checked the way a user's pipeline will check it, each time against
the original, so that only what the fix made worse counts:

1. the SAM translator accepts it under every value of the alias parameter (when it
   accepted the original);
2. every ``Ref``, ``GetAtt`` and ``${...}`` of the translated template that resolved
   before still resolves (a renamed alias's hand-written ``FnAliaslive`` would not);
3. cfn-lint (as ``sam validate --lint`` runs it) reports no error it did not report on
   the original;
4. ``check`` finds no problem it did not find on the original.

``prove`` returns the first reason the fixed text fails, or None.
"""

from __future__ import annotations

import contextlib
import copy
import functools
import io
import json
import logging
import re
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

PSEUDO = re.compile(r"^AWS::")
_VAR = re.compile(r"\$\{([^}!][^}]*)\}")
CODE_KEYS = ("CodeUri", "ContentUri", "DefinitionUri")
REGION, ACCOUNT = "us-east-1", "123456789012"
REVEALED = frozenset({"E9002", "E9008", "E9010", "E9005", "W9006", "W9007"})


def as_data(text: str) -> Any:
    """The template as plain data, short tags expanded (cfn-lint's decoder)."""
    from cfnlint.decode import decode_str  # noqa: PLC0415 - optional dependency

    data, errors = decode_str(text)
    if errors or not isinstance(data, Mapping):
        return None
    return json.loads(json.dumps(data, default=str))


def packaged(template: Mapping[str, Any]) -> dict[str, Any]:
    """What ``sam package`` hands CloudFormation: local code paths become S3 locations."""
    out: dict[str, Any] = copy.deepcopy(dict(template))
    places: list[Any] = [
        r.get("Properties") for r in (out.get("Resources") or {}).values() if isinstance(r, Mapping)
    ]
    g = out.get("Globals")
    if isinstance(g, Mapping):
        places.extend(v for v in g.values() if isinstance(v, Mapping))
    for props in places:
        if not isinstance(props, dict):
            continue
        for key in CODE_KEYS:
            if isinstance(props.get(key), str) and not props[key].startswith("s3://"):
                props[key] = f"s3://lambda-release-proof/{key}"
    return out


def _quiet_translate(template: Mapping[str, Any], alias: tuple[str, str] | None) -> Any:
    from lambda_release.sandbox.sam_transform import translate  # noqa: PLC0415

    params = {alias[0]: alias[1]} if alias else {}
    # the translator logs (and prints) its metrics; none of it is the user's business
    logging.getLogger("samtranslator").setLevel(logging.CRITICAL)
    with contextlib.redirect_stdout(io.StringIO()):
        return translate(packaged(template), params, REGION, ACCOUNT)


def translated(template: Mapping[str, Any], alias: tuple[str, str] | None) -> Any | str:
    """The translated template, or the translator's one-line refusal (a str)."""
    try:
        return _quiet_translate(template, alias)
    except Exception as exc:  # the translator raises many kinds: each is a refusal
        return " ".join(str(exc).split())[:300] or type(exc).__name__


def dangling(template: Mapping[str, Any]) -> set[str]:
    """References in a (translated) template that name nothing in it."""
    known = set(template.get("Resources") or {}) | set(template.get("Parameters") or {})
    return {t for t in _targets(template) if t.split(".")[0] not in known and not PSEUDO.match(t)}


def _targets(node: Any, local: frozenset[str] = frozenset()) -> Iterator[str]:
    if isinstance(node, Mapping):
        if len(node) == 1:
            ((key, arg),) = node.items()
            if key == "Ref" and isinstance(arg, str):
                yield arg
                return
            if key == "Fn::GetAtt":
                first = arg[0] if isinstance(arg, list) and arg else arg
                if isinstance(first, str):
                    yield first.split(".")[0]
                return
            if key == "Fn::Sub":
                text = arg[0] if isinstance(arg, list) and arg else arg
                names = arg[1] if isinstance(arg, list) and len(arg) > 1 else {}
                names = names if isinstance(names, Mapping) else {}
                if isinstance(text, str):
                    yield from (
                        m.group(1).strip()
                        for m in _VAR.finditer(text)
                        if m.group(1).strip() not in names
                    )
                yield from _targets(names)
                return
        for v in node.values():
            yield from _targets(v)
    elif isinstance(node, list):
        for v in node:
            yield from _targets(v)


@functools.lru_cache(maxsize=32)
def _lint_errors(text: str) -> frozenset[tuple[str, str]]:
    """cfn-lint's errors on ``text``: (rule, where), line numbers left out (cached: each
    group of edits is proven against the same original)."""
    from cfnlint.api import lint  # noqa: PLC0415 - optional dependency
    from cfnlint.config import ManualArgs  # noqa: PLC0415

    logging.getLogger("cfnlint").setLevel(logging.CRITICAL)
    with contextlib.redirect_stdout(io.StringIO()):
        matches = lint(text, config=ManualArgs(regions=[REGION]))
    return frozenset(
        (m.rule.id, "/".join(str(p) for p in (getattr(m, "path", None) or [])) or m.message)
        for m in matches
        if m.rule.id.startswith("E")
    )


def _findings(text: str, name: str, run: Callable[[Path], Any]) -> set[tuple[str, str]]:
    with tempfile.TemporaryDirectory(prefix="lambda-release-proof-") as tmp:
        copy_ = Path(tmp) / name
        copy_.write_text(text, encoding="utf-8")
        found = run(copy_)
    return {(f.rule, f.resource or "") for f in found if f.severity != "info"}


def prove(
    before: str,
    after: str,
    *,
    name: str,
    parameter: str,
    aliases: Sequence[str],
    check: Callable[[Path], Any] | None = None,
    lint: bool = True,
) -> str | None:
    """None when ``after`` works wherever ``before`` did; else the first reason it does not."""
    old, new = as_data(before), as_data(after)
    if new is None:
        return "the result is not a readable template"
    if old is None:
        return None
    reason = _translates(old, new, parameter, aliases)
    if reason is None and lint:
        added = _lint_errors(after)
        if added:
            added -= _lint_errors(before)
        if added:
            rules = ", ".join(sorted({rule for rule, _ in added}))
            where = sorted(added)[0][1]
            reason = f"cfn-lint reports {rules} (at {where}), which it did not before"
    if reason is None and check is not None:
        new_found = _findings(after, name, check) - _findings(before, name, check)
        # What these rules report was in the original all along, unreported while a
        # function had no alias or no alias parameter (E9001 folds its paths and names):
        # the fix shows it, it does not make it.
        new_found = {(r, res) for r, res in new_found if r not in REVEALED}
        if new_found:
            rule, res = sorted(new_found)[0]
            reason = f"check finds {rule} on {res or 'the template'}, which it did not before"
    return reason


def _translates(old: Any, new: Any, parameter: str, aliases: Sequence[str]) -> str | None:
    if "Transform" in new and "Transform" not in old:  # the fix added it: judge both by SAM
        old = {**old, "Transform": new["Transform"]}
    base = translated(old, None)
    if isinstance(base, str):
        return None  # the translator refused the original: nothing to compare against
    broken_before = dangling(base)
    for alias in aliases:
        result = translated(new, (parameter, alias))
        if isinstance(result, str):
            return f"the SAM translator rejects it with {parameter}={alias}: {result}"
        lost = dangling(result) - broken_before
        if lost:
            return (
                f"with {parameter}={alias}, {', '.join(sorted(lost))} no longer resolves "
                "(a reference written by hand)"
            )
    return None
