"""Secrets as values: a secret parameter's value renders as ``*****`` everywhere.

A secret is the value of a template parameter declared ``NoEcho: true`` (in the template
or in a nested application's template it is passed to), or of one the user marks secret
(``--secret-parameter NAME``). From the moment the overrides are merged it is carried as
a :class:`Secret`: its ``str``, ``repr``, format and JSON rendering are ``*****``, and only
:meth:`Secret.reveal` gives the plaintext, which only the ``sam`` subprocess receives
(:func:`revealed`). Nothing the product writes is post-processed: the log's objects, the
lease, the record file and every line printed are built from data that holds no plaintext,
so a secret of any length and any characters can neither leak nor corrupt them.

What ``sam`` itself prints is the one exception: it knows the plaintext, so its output is
masked on the way through (:class:`OutputMask`), in every form the value can take there.
A secret shorter than :data:`MIN_LENGTH` cannot be masked in ``sam``'s output without
damaging it (``1`` is in every number), so it is refused before anything changes.
"""

from __future__ import annotations

import html
import json
import shlex
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from lambda_release.errors import LambdaReleaseError, UsageError
from lambda_release.template.cfn import parse_template

MASK = "*****"
MIN_LENGTH = 4


class Secret:
    """A value that shows as ``shown`` (``*****``) in every rendering.

    ``hides``: the plaintexts ``sam``'s output must not show (the value itself when this is
    a whole argument such as ``DbPassword="..."``).
    """

    __slots__ = ("_hides", "_plain", "shown")

    def __init__(self, plain: str, shown: str = MASK, hides: Iterable[str] = ()) -> None:
        self._plain = plain
        self.shown = shown
        self._hides = tuple(hides) or (plain,)

    def reveal(self) -> str:
        """The plaintext: for the ``sam`` subprocess's arguments, and nothing else."""
        return self._plain

    @property
    def hides(self) -> tuple[str, ...]:
        return self._hides

    def __str__(self) -> str:
        return self.shown

    def __repr__(self) -> str:
        return repr(self.shown)

    def __format__(self, spec: str) -> str:
        return format(self.shown, spec)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._plain == self._plain

    def __hash__(self) -> int:
        return hash(self._plain)

    def __reduce__(self) -> Any:
        raise TypeError("a Secret is never pickled")


# A value as a command, a parameter or an argument holds it.
Value = str | Secret


def reveal(value: Value) -> str:
    return value.reveal() if isinstance(value, Secret) else value


def revealed(argv: Sequence[Value]) -> list[str]:
    """The arguments as the subprocess must receive them (plaintext)."""
    return [reveal(a) for a in argv]


def shown(argv: Sequence[Value]) -> list[str]:
    """The arguments as they may be printed and recorded (every secret masked)."""
    return [str(a) for a in argv]


def hidden_in(argv: Sequence[Value]) -> list[str]:
    """Every plaintext the arguments carry, for :class:`OutputMask`."""
    return [h for a in argv if isinstance(a, Secret) for h in a.hides]


def noecho_parameters(template: Mapping[str, Any], template_dir: Path | None = None) -> set[str]:
    """The template's parameters declared ``NoEcho: true``, and those it passes to a nested
    application's (or stack's) ``NoEcho`` parameter by ``!Ref`` (read from ``template_dir``
    when the nested template is a local file)."""
    names = _declared_noecho(template)
    if template_dir is not None:
        names |= _passed_to_nested_noecho(template, template_dir)
    return names


def _declared_noecho(template: Mapping[str, Any]) -> set[str]:
    params = template.get("Parameters")
    if not isinstance(params, Mapping):
        return set()
    return {
        str(name)
        for name, spec in params.items()
        if isinstance(spec, Mapping) and str(spec.get("NoEcho", "")).lower() == "true"
    }


# Where each kind of nested stack names its template.
NESTED_TYPES = {
    "AWS::Serverless::Application": "Location",
    "AWS::CloudFormation::Stack": "TemplateURL",
}


def _passed_to_nested_noecho(template: Mapping[str, Any], template_dir: Path) -> set[str]:
    found: set[str] = set()
    resources = template.get("Resources")
    for res in resources.values() if isinstance(resources, Mapping) else ():
        if not isinstance(res, Mapping) or res.get("Type") not in NESTED_TYPES:
            continue
        props = res.get("Properties")
        if not isinstance(props, Mapping):
            continue
        location = props.get(NESTED_TYPES[res["Type"]])
        passed = props.get("Parameters")
        if not isinstance(location, str) or "://" in location or not isinstance(passed, Mapping):
            continue
        try:
            child = parse_template((template_dir / location).read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, ValueError, LambdaReleaseError):
            # An unreadable nested template: sam reports it itself.
            continue
        for name in _declared_noecho(child) & {str(k) for k in passed}:
            value = passed[name]
            if isinstance(value, Mapping) and isinstance(value.get("Ref"), str):
                found.add(value["Ref"])
    return found


def carry(overrides: Mapping[str, str], names: Iterable[str]) -> dict[str, Value]:
    """The overrides with each secret parameter's value carried as a :class:`Secret`.

    A secret shorter than :data:`MIN_LENGTH` (empty excepted: nothing to hide) is refused,
    naming the parameter, never the value.
    """
    wanted = set(names)
    out: dict[str, Value] = {}
    for key, value in overrides.items():
        if key not in wanted or isinstance(value, Secret):
            out[key] = value
            continue
        if 0 < len(value) < MIN_LENGTH:
            raise UsageError(
                f"secret parameter {key}'s value is {len(value)} character(s) long: a secret "
                f"under {MIN_LENGTH} characters cannot be kept out of sam's output without "
                "damaging it; use a longer value (or, if it is not secret, do not mark it so)"
            )
        out[key] = Secret(value) if value else value
    return out


def forms(value: str) -> set[str]:
    """Every way ``value`` can appear in ``sam``'s output: raw, JSON-escaped (ASCII or
    not), Python's repr of the text and of its UTF-8 bytes (botocore's dump of a response
    it could not parse), XML-escaped, shell-quoted, unicode-escaped, and as SAM's
    ``Key="..."``."""
    out = {
        value,
        repr(value.encode("utf-8"))[2:-1],
        html.escape(value, quote=False),
        html.escape(value, quote=True),
        json.dumps(value)[1:-1],
        json.dumps(value, ensure_ascii=False)[1:-1],
        repr(value)[1:-1],
        shlex.quote(value),
        value.encode("unicode_escape").decode("ascii"),
        value.replace('"', '\\"'),
        value.replace("'", "'\"'\"'"),
    }
    return {f for f in out if f}


class OutputMask:
    """Masks secrets in text the product did not make (``sam``'s output), longest first."""

    def __init__(self, values: Iterable[str]) -> None:
        every = {f for v in values if v for f in forms(v)}
        self.values = tuple(sorted(every, key=len, reverse=True))

    def __bool__(self) -> bool:
        return bool(self.values)

    def text(self, text: str) -> str:
        for value in self.values:
            text = text.replace(value, MASK)
        return text

    def pieces(self, text: str, least: int = MIN_LENGTH) -> str:
        """``text`` masked, and each word (between spaces) that holds a piece of a secret
        at least ``least`` long, whole or at its start or end, masked too: sam's tables
        wrap a long cell across lines, so a secret quoted in one (a resource's failure
        reason) arrives in pieces no line's mask can see. Over-masks rather than leaks:
        for what is kept (a failed member's why), not for the stream."""
        words = self.text(text).split(" ")
        return " ".join(MASK if self._holds_piece(w, least) else w for w in words)

    def _holds_piece(self, word: str, least: int) -> bool:
        return any(self._piece_in(w, least) for w in {word, word.removesuffix("...")})

    def _piece_in(self, word: str, least: int) -> bool:
        if len(word) < least:
            return False
        for value in self.values:
            if len(value) < least:
                continue
            if word in value:
                return True
            for k in range(min(len(word), len(value)), least - 1, -1):
                if word.endswith(value[:k]) or word.startswith(value[-k:]):
                    return True
        return False
