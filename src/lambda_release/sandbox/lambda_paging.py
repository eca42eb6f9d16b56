"""ListVersionsByFunction pages as Lambda does: at most MaxItems (default 50) per answer.

moto answers with every version at once, so a client that reads only the first page (a
known way to roll back to an ancient version) would pass against it. Here, as in AWS, the
answer carries ``NextMarker`` until the last page.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from moto.awslambda import responses as lambda_responses

DEFAULT_PAGE = 50
MAX_PAGE = 10000

_originals: dict[str, Callable[..., Any]] = {}


def _list_versions_by_function(self: Any) -> str:
    full = json.loads(_originals["list_versions_by_function"](self))
    versions = full.get("Versions", [])
    raw_max = self.querystring.get("MaxItems", [None])[0]
    page = min(MAX_PAGE, max(1, int(raw_max))) if raw_max else DEFAULT_PAGE
    raw_marker = self.querystring.get("Marker", [None])[0]
    start = int(raw_marker) if raw_marker and raw_marker.isdigit() else 0
    result: dict[str, Any] = {"Versions": versions[start : start + page]}
    if start + page < len(versions):
        result["NextMarker"] = str(start + page)
    return json.dumps(result)


def install() -> None:
    """Patch moto's Lambda responses; idempotent."""
    if _originals:
        return
    cls = lambda_responses.LambdaResponse
    _originals["list_versions_by_function"] = cls.list_versions_by_function
    cls.list_versions_by_function = _list_versions_by_function  # type: ignore[method-assign]
