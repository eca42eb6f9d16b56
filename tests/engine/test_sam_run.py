"""Running sam: output streamed, a heartbeat in long silences, the exit code returned."""

from __future__ import annotations

import io
import sys

import pytest

from lambda_release.errors import OperationError
from lambda_release.sam import build_command, find_sam, run_streaming


def test_streams_output_and_beats_in_silence() -> None:
    out = io.StringIO()
    ticks: list[float] = []
    code = run_streaming(
        [
            sys.executable,
            "-c",
            "import time; print('first', flush=True); time.sleep(2.5); "
            "print('last'); raise SystemExit(3)",
        ],
        heartbeat=0.4,
        on_heartbeat=ticks.append,
        out=out,
    )
    text = out.getvalue()
    assert code == 3
    # A beat in the 2.5 s of silence after "first" (one may also come before it).
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
