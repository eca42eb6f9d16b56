"""Secrets never reach output, the record file or the log: their values become ``*****``.

A secret is the value of a template parameter declared ``NoEcho: true``, or of one the
user marks secret (``--secret-parameter NAME``). The values are known once the overrides
are merged; :func:`guarded` then redacts them at every way out of the process: stdout
and stderr (so every printed line, sam's own output and error messages), every object
written to S3 (the release log), and error messages raised out of the command. The
record file is written from :meth:`Redactor.json`.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, TextIO

from lambda_release.errors import LambdaReleaseError

MASK = "*****"


def noecho_parameters(template: Mapping[str, Any]) -> set[str]:
    """Names of the template's parameters declared ``NoEcho: true``."""
    params = template.get("Parameters")
    if not isinstance(params, Mapping):
        return set()
    return {
        str(name)
        for name, spec in params.items()
        if isinstance(spec, Mapping) and str(spec.get("NoEcho", "")).lower() == "true"
    }


def secret_values(overrides: Mapping[str, str], names: Iterable[str]) -> list[str]:
    """The values of ``overrides`` whose key is one of ``names``."""
    wanted = set(names)
    return [v for k, v in overrides.items() if k in wanted and v]


@dataclass(frozen=True)
class Redactor:
    """Replaces every secret value with ``*****``, longest first (one may contain another)."""

    values: tuple[str, ...] = ()

    @classmethod
    def of(cls, values: Iterable[str]) -> Redactor:
        return cls(tuple(sorted({v for v in values if v}, key=len, reverse=True)))

    def __bool__(self) -> bool:
        return bool(self.values)

    def text(self, text: str) -> str:
        for value in self.values:
            text = text.replace(value, MASK)
        return text

    def json(self, value: Any) -> Any:
        """``value`` (JSON-like) with every string, key or item, redacted."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, Mapping):
            return {self.json(k): self.json(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [self.json(v) for v in value]
        return value

    def body(self, body: Any) -> Any:
        """An S3 ``Body`` (bytes or str) redacted; anything else (a file) as is."""
        if isinstance(body, bytes):
            return self.text(body.decode("utf-8", errors="surrogateescape")).encode(
                "utf-8", errors="surrogateescape"
            )
        if isinstance(body, str):
            return self.text(body)
        return body


class RedactingStream:
    """A text stream that redacts what is written to it before passing it on."""

    def __init__(self, inner: TextIO, redactor: Redactor) -> None:
        self.inner = inner
        self.redactor = redactor

    def write(self, text: str) -> int:
        self.inner.write(self.redactor.text(text))
        return len(text)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


@contextlib.contextmanager
def guarded(redactor: Redactor, s3_client: Any | None = None) -> Iterator[None]:
    """While active: stdout, stderr, S3 PutObject bodies and raised messages are redacted."""
    if not redactor:
        yield
        return

    def redact_put(params: dict[str, Any], **_: Any) -> None:
        if "Body" in params:
            params["Body"] = redactor.body(params["Body"])

    event = "before-parameter-build.s3.PutObject"
    if s3_client is not None:
        s3_client.meta.events.register(event, redact_put, unique_id="lambda-release-redact")
    out, err = sys.stdout, sys.stderr
    sys.stdout = RedactingStream(out, redactor)
    sys.stderr = RedactingStream(err, redactor)
    try:
        yield
    except LambdaReleaseError as exc:
        exc.args = tuple(redactor.text(a) if isinstance(a, str) else a for a in exc.args)
        raise
    finally:
        sys.stdout, sys.stderr = out, err
        if s3_client is not None:
            s3_client.meta.events.unregister(event, unique_id="lambda-release-redact")
