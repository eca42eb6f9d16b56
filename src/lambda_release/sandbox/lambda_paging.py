"""ListVersionsByFunction and ListAliases page as Lambda does: at most MaxItems per answer.

moto answers with every version and every alias at once, so a client that reads only the first
page (a known way to roll back to an ancient version, or to miss an alias) would pass against
it. Here, as in AWS, the answer carries ``NextMarker`` until the last page. ``MaxItems`` is 1 to
10000 in Lambda's API; without it a page holds 50 (ListVersionsByFunction's documented
maximum; AWS documents no default for ListAliases, and the stand-in uses the same).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from moto.awslambda import responses as lambda_responses

DEFAULT_PAGE = 50
MAX_PAGE = 10000

_originals: dict[str, Callable[..., Any]] = {}


def _page(response: Any, key: str, items: list[Any]) -> dict[str, Any]:
    """One page of ``items`` by the request's MaxItems and Marker (an opaque offset)."""
    raw_max = response.querystring.get("MaxItems", [None])[0]
    page = min(MAX_PAGE, max(1, int(raw_max))) if raw_max else DEFAULT_PAGE
    raw_marker = response.querystring.get("Marker", [None])[0]
    start = int(raw_marker) if raw_marker and raw_marker.isdigit() else 0
    result: dict[str, Any] = {key: items[start : start + page]}
    if start + page < len(items):
        result["NextMarker"] = str(start + page)
    return result


def _list_versions_by_function(self: Any) -> str:
    full = json.loads(_originals["list_versions_by_function"](self))
    return json.dumps(_page(self, "Versions", full.get("Versions", [])))


def _list_aliases(self: Any) -> Any:
    status, headers, body = _originals["list_aliases"](self)
    return status, headers, json.dumps(_page(self, "Aliases", json.loads(body).get("Aliases", [])))


def install() -> None:
    """Patch moto's Lambda responses; idempotent."""
    if _originals:
        return
    cls = lambda_responses.LambdaResponse
    _originals["list_versions_by_function"] = cls.list_versions_by_function
    _originals["list_aliases"] = cls.list_aliases
    cls.list_versions_by_function = _list_versions_by_function  # type: ignore[method-assign]
    cls.list_aliases = _list_aliases  # type: ignore[method-assign]
