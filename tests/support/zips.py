"""The one zip builder: a function's code as Lambda and S3 take it."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Mapping


def zipped(files: Mapping[str, str]) -> bytes:
    """A zip archive holding ``files`` (name in the archive -> text)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, text in files.items():
            z.writestr(name, text)
    return buf.getvalue()


def app_zip(source: str) -> bytes:
    """``source`` as a function's app.py (handler ``app.handler``)."""
    return zipped({"app.py": source})
