"""Running a Sandbox in the foreground until Ctrl-C or SIGTERM, for `lambda-release sandbox`."""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable
from types import FrameType

from lambda_release.sandbox.server import Sandbox


def serve_until_stopped(
    port: int,
    minute: float,
    on_ready: Callable[[Sandbox], None],
    region: str = "us-east-1",
    drift_model: str = "fail",
) -> None:
    """Start a sandbox, call `on_ready`, block until SIGINT/SIGTERM, then stop it cleanly."""
    stop = threading.Event()

    def request_stop(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, request_stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        with Sandbox(port=port, minute=minute, region=region) as sandbox:
            sandbox.drift_model = drift_model
            on_ready(sandbox)
            while not stop.wait(timeout=1.0):
                pass
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
