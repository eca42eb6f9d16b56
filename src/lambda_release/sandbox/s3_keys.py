"""S3 objects overwritten while another request still reads them, served as S3 serves them.

moto closes a replaced object's buffer the moment a PUT replaces it (its key store disposes
the versions it drops). Two PUTs of one key at once (a group's members uploading the same
artifact, which `sam` names by its content) then failed one of them with a 500 ("I/O
operation on closed file") while it computed its ETag, and a GET in flight read a closed
file too. S3 takes both writes, the latest wins (docs/sandbox.md). The replaced version is
now closed when nothing refers to it any more (moto's FakeKey.__del__), never under a
request that still holds it.
"""

from __future__ import annotations

from typing import Any

_installed: list[bool] = []


def _setlist(self: Any, key: Any, list_: Any) -> None:
    """moto's setlist, without disposing the versions it drops."""
    if isinstance(list_, tuple):
        list_ = list(list_)
    elif not isinstance(list_, list):
        list_ = [list_]
    dict.__setitem__(self, key, list_)


def install() -> None:
    """Patch moto's S3 key store; idempotent."""
    if _installed:
        return
    from moto.s3 import utils  # noqa: PLC0415

    utils._VersionedKeyStore.setlist = _setlist  # type: ignore[method-assign]
    _installed.append(True)
