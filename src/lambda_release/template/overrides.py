"""Parameter overrides in the SAM CLI's own grammar.

Parsed from ``--parameter-overrides``, ``--parameter`` and samconfig, merged
(the samconfig environment's, then the user's, then ``AliasName``) because SAM replaces
the file's overrides rather than merging them, and handed back to SAM one ``Key="value"``
element each, quoted the way SAM's parser unquotes; a secret parameter stays a
:class:`Secret` throughout.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from lambda_release.errors import UsageError
from lambda_release.template.secrets import MASK, Secret, Value, carry, reveal

ALIAS_PARAMETER = "AliasName"

# The SAM CLI's grammar (samcli/cli/types.py, CfnParameterOverridesType):
# a key of letters, digits and quotes; a value quoted with " or ', or a run of
# characters up to the next unescaped space.
_KEY = r"""([A-Za-z0-9"']+)"""
# One character per step, never a run inside a repeat: SAM's own `[^"\\]+` inside `*`
# backtracks exponentially on an unclosed quote (a 40-character value hung for minutes).
_VALUE = r"""("(?:\\.|[^"\\])*"|'(?:\\.|[^'\\])*'|(?:\\.|[^ "\\])+)"""
_LONG = re.compile(rf"(?:ParameterKey={_KEY},ParameterValue={_VALUE})")
_SHORT = re.compile(rf"(?:(?: ){_KEY}={_VALUE})")
_KEY_RULE = re.compile(r"[A-Za-z0-9]+")
# Characters XML 1.0 cannot hold at all, escaped or not: CloudFormation's Query API answers
# in XML, so a parameter value holding one is unreadable in every answer that echoes it.
_NOT_IN_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        value = value[1:-1]
    return value.replace("\\ ", " ").replace('\\"', '"').replace("\\'", "'")


def parse_overrides(text: str, *, source: str = "--parameter-overrides") -> dict[str, str]:
    """SAM's ``Key=Value Key2="a b"`` (or ``ParameterKey=..,ParameterValue=..``) syntax."""
    text = text.strip()
    if not text:
        return {}
    normalized = " " + text
    for pattern in (_LONG, _SHORT):
        pairs = pattern.findall(normalized)
        if not pairs:
            continue
        leftover = pattern.sub("", normalized).strip()
        if leftover:
            # Never the text itself: it may hold a secret (the template is not read yet).
            raise UsageError(
                f"{source} is malformed: {len(leftover)} character(s) are not Key=Value "
                f"{_after(normalized, leftover)}(the values are not shown: they may be "
                "secret); write Key=Value pairs separated by spaces, quoting values that "
                'contain spaces (Key="a b"), or repeat --parameter KEY=VALUE'
            )
        return {unquote(k): unquote(v) for k, v in pairs}
    raise UsageError(
        f"{source} is malformed (its text is not shown: it may hold a secret): write "
        "Key=Value pairs separated by spaces, e.g. 'Stage=prod Greeting=\"hello world\"', "
        "or repeat --parameter KEY=VALUE"
    )


def _after(text: str, leftover: str) -> str:
    """Which key the unreadable part follows, when it follows one: a name, never a value."""
    keys = [m.group(1) for m in _SHORT.finditer(text)] + [m.group(1) for m in _LONG.finditer(text)]
    at = text.find(leftover[:1]) if leftover else -1
    before = [k for k in keys if 0 <= text.find(k) < at]
    return f"after parameter {unquote(before[-1])!r} " if before else ""


def parse_override_item(item: str) -> tuple[str, str]:
    """One ``KEY=VALUE`` from a repeatable flag: the value is taken literally."""
    key, sep, value = item.partition("=")
    if not sep or not _KEY_RULE.fullmatch(key):
        shown_key = f" {key!r}" if sep and key and len(key) <= 128 else ""
        raise UsageError(
            f"--parameter{shown_key} is not KEY=VALUE with a key of letters and "
            "digits (the value is not shown: it may be secret)"
        )
    return key, value


def config_overrides(value: Any) -> dict[str, str]:
    """samconfig's ``parameter_overrides``: a string in SAM's syntax, a list, or a table."""
    if value is None or value == "":
        return {}
    if isinstance(value, dict):
        return {str(k): "" if v is None else str(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        out: dict[str, str] = {}
        for item in value:
            out.update(config_overrides(item))
        return out
    return parse_overrides(str(value), source="samconfig parameter_overrides")


def merge_overrides(
    from_config: Mapping[str, str],
    from_string: Mapping[str, str],
    from_items: Sequence[tuple[str, str]],
    alias: str,
) -> dict[str, str]:
    """File < ``--parameter-overrides`` < ``--parameter``; then ``AliasName``."""
    merged = dict(from_config)
    merged.update(from_string)
    merged.update(dict(from_items))
    user = {**from_string, **dict(from_items)}
    given = user.get(ALIAS_PARAMETER)
    if given is not None and given != alias:
        raise UsageError(
            f"parameter override {ALIAS_PARAMETER}={given!r} contradicts the release's alias "
            f"{alias!r}: the helper sets {ALIAS_PARAMETER} itself; drop the override or "
            f"release to --alias {given}"
        )
    merged[ALIAS_PARAMETER] = alias
    return merged


def format_override(key: str, secret_or_plain: Value) -> Value:
    """``Key="value"`` that SAM's parser reads back as exactly ``value``; a secret value
    gives a :class:`Secret` argument shown as ``Key="*****"``. Errors name the value as
    ``repr(secret_or_plain)``, which is ``*****`` for a secret."""
    value = reveal(secret_or_plain)
    if not _KEY_RULE.fullmatch(key):
        raise UsageError(f"parameter name {key!r} must contain only letters and digits")
    # SAM unescapes \" \' and "\ " inside values and cannot express a literal
    # backslash before them, nor a trailing one: refuse rather than corrupt.
    if re.search(r"\\[\"' ]", value) or value.endswith("\\"):
        raise UsageError(
            f"parameter {key}'s value {secret_or_plain!r} has a backslash before a quote or "
            "space (or at the end), which the SAM CLI cannot pass through intact: change the value"
        )
    if bad := _NOT_IN_XML.search(value):
        raise UsageError(
            f"parameter {key}'s value {secret_or_plain!r} holds the control character "
            f"U+{ord(bad.group()):04X}, which CloudFormation's API cannot carry (its answers "
            "are XML 1.0): remove it"
        )
    formatted = f'{key}="' + value.replace('"', '\\"') + '"'
    # SAM searches the whole argument for "ParameterKey=..,ParameterValue=.." first:
    # read it back with SAM's grammar and refuse what would come out different.
    if _LONG.search(" " + formatted) or parse_overrides(formatted) != {key: value}:
        raise UsageError(
            f"parameter {key}'s value {secret_or_plain!r} would be read differently by the SAM CLI "
            "(it contains SAM's own ParameterKey=..,ParameterValue=.. syntax): change the value"
        )
    if isinstance(secret_or_plain, Secret):
        return Secret(formatted, shown=f'{key}="{secret_or_plain}"', hides=(value,))
    return formatted


def override_args(overrides: Mapping[str, Value]) -> list[Value]:
    return [format_override(k, v) for k, v in overrides.items()]


def override_values(argv: Sequence[Value]) -> Iterator[tuple[int, str, str]]:
    """Each plain argument of ``argv`` that gives ``--parameter-overrides`` its value, as
    (its index, the overrides' text, what precedes that text in the argument): both
    ``--parameter-overrides A=1 B=2`` and ``--parameter-overrides=A=1``. An argument already
    carried as a :class:`Secret` is passed over."""
    in_overrides = False
    for i, arg in enumerate(argv):
        if isinstance(arg, Secret):
            continue
        if arg.startswith("-"):
            option, sep, text = arg.partition("=")
            in_overrides = option == "--parameter-overrides" and not sep
            if option == "--parameter-overrides" and sep:
                yield i, text, f"{option}="
        elif in_overrides:
            yield i, arg, ""


def carry_pass_through(extra: Sequence[str], names: Iterable[str]) -> list[Value]:
    """``extra`` with each ``--parameter-overrides`` value that holds a secret parameter
    carried as a :class:`Secret` (shown with that value ``*****``): ``build`` masks as
    ``deploy`` does."""
    wanted = set(names)
    out: list[Value] = list(extra)
    for i, text, prefix in override_values(extra):
        out[i] = _carried_arg(extra[i], text, wanted, prefix)
    return out


def _carried_arg(arg: str, text: str, names: set[str], prefix: str = "") -> Value:
    if not names:
        return arg
    try:
        pairs = parse_overrides(text)
    except UsageError:
        # Unreadable: it may still hold a secret, so none of it is shown.
        return Secret(arg, shown=f"{prefix}{MASK}") if text else arg
    secret = {k: v for k, v in pairs.items() if k in names and v}
    if not secret:
        return arg
    carry(secret, secret)  # a secret too short to mask is refused, naming it
    shown_text = " ".join(
        f"{k}={MASK if k in secret else shlex.quote(v)}" for k, v in pairs.items()
    )
    return Secret(arg, shown=prefix + shown_text, hides=tuple(secret.values()))
