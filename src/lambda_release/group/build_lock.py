"""One ``group deploy`` at a time builds into, and deploys from, a folder's group builds.

Two group deploys of one folder at once (two shells, two jobs sharing a checkout) built
into the same ``.aws-sam/group/`` folder: one ``sam build`` crashed on the other's files,
or would rebuild under the other's members while their ``sam deploy`` packaged from it.
The second now waits for the first to end. The lock is the OS's (``flock``): it is let go
when its holder ends, even killed by SIGKILL, so a killed deploy never blocks the next.
"""

from __future__ import annotations

import contextlib
import fcntl
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

LOCK_NAME = ".lock"


@contextlib.contextmanager
def building(folders: Sequence[Path], progress: Callable[[str], None]) -> Iterator[None]:
    """Hold each build folder's lock (made if missing) until the block ends; say so once
    when another group deploy holds one, and wait for it. Folders are locked in one order,
    so two deploys of overlapping folders never wait on each other."""
    with contextlib.ExitStack() as held:
        for folder in sorted(set(folders)):
            folder.mkdir(parents=True, exist_ok=True)
            handle = held.enter_context((folder / LOCK_NAME).open("a"))
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                progress(
                    f"another group deploy is building in, or deploying from, {folder}: "
                    "waiting for it to end"
                )
                fcntl.flock(handle, fcntl.LOCK_EX)
        yield
