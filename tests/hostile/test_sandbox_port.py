"""Issue 12 item 9: `lambda-release sandbox --port N` with N taken fails fast, one line, exit 1;
and a sandbox that is serving stops on SIGTERM."""

from __future__ import annotations

import signal
import socket

from tests.hostile.world import one_line
from tests.support.processes import Cli, start_sandbox_command


def test_taken_port_fails_fast_with_one_line(lr: Cli) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        proc = start_sandbox_command(lr, "--port", str(port))
        try:
            out, err = proc.communicate(timeout=60)
        finally:
            proc.kill()
    assert proc.returncode == 1
    assert out == ""
    line = one_line(err)
    assert line == (
        f"lambda-release sandbox: error: port {port} on 127.0.0.1 is already in use: stop what "
        "listens there, or give another --port (0: any free port)"
    )


def test_serving_sandbox_stops_on_sigterm(lr: Cli) -> None:
    proc = start_sandbox_command(lr, "--port", "0")
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline()
        assert first.startswith("export ")
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert "stopped" in err
