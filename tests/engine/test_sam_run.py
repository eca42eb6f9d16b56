"""Running sam: output streamed, a heartbeat in long silences, the exit code returned."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest

from lambda_release.errors import OperationError
from lambda_release.template.sam import build_command, find_sam, run_streaming


def test_streams_output_and_beats_in_silence(processes: None, tmp_path: Path) -> None:
    """run_streaming runs a real child process (a silent python), as it runs sam."""
    out = io.StringIO()
    ticks: list[float] = []
    beaten = tmp_path / "beaten"

    def on_heartbeat(elapsed: float) -> None:
        ticks.append(elapsed)
        text = out.getvalue()
        if "first" in text and "sam still running" in text[text.index("first") :]:
            beaten.touch()

    # The child stays silent until a beat followed "first" (at most 60 s), not for a fixed
    # 2.5 s a loaded machine's late heartbeat thread could outlast.
    silent_until_beaten = (
        "import os, time; print('first', flush=True); end = time.monotonic() + 60\n"
        f"while not os.path.exists({str(beaten)!r}) and time.monotonic() < end:\n"
        "    time.sleep(0.05)\n"
        "print('last'); raise SystemExit(3)"
    )
    code = run_streaming(
        [sys.executable, "-c", silent_until_beaten],
        heartbeat=0.4,
        on_heartbeat=on_heartbeat,
        out=out,
    )
    text = out.getvalue()
    assert code == 3
    # A beat in the silence after "first" (one may also come before it).
    assert text.index("sam still running", text.index("first")) < text.index("last")
    assert ticks  # the lease renewal hook ran while sam was silent


def test_missing_sam_is_an_operation_error() -> None:
    with pytest.raises(OperationError, match="SAM CLI was not found"):
        find_sam("/nonexistent/sam")


def test_build_command_keeps_extra_arguments_whole() -> None:
    cmd = build_command(
        "sam",
        template="t.yaml",
        cached=True,
        parallel=False,
        use_container=False,
        build_dir=None,
        extra=["--parameter-overrides", "A='x y'"],
    )
    assert cmd == [
        "sam",
        "build",
        "--template-file",
        "t.yaml",
        "--cached",
        "--parameter-overrides",
        "A='x y'",
    ]
