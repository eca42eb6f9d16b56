"""Running sam: output streamed, a heartbeat in long silences, the exit code returned."""

from __future__ import annotations

import io
import sys
import threading
from pathlib import Path

import pytest

from lambda_release.errors import OperationError
from lambda_release.template.sam import (
    TAIL_LINES,
    TAIL_WIDTH,
    SamOutput,
    build_command,
    find_sam,
    run_streaming,
)
from lambda_release.template.secrets import Secret


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


# A sam that fails as sam does: a table of events (a failed one, its why wrapped onto the
# next line), rules, a blank line, then its Error line; a secret it was given is in one of
# them (a NoEcho value quoted back).
FAILING_SAM = r"""
import sys
secret = sys.argv[1]
print("\tDeploying with following values")
print("-" * 40)
print("CREATE_FAILED            AWS::Logs::LogGroup      Logs                     Resource handler")
print("                                                                           returned: bad")
for n in range(8):
    print(f"DELETE_COMPLETE          AWS::IAM::Role           Role{n}                    -")
print("-" * 40)
print()
print("Error: Failed to create/update the stack: password " + secret + " refused " + "x" * 400)
raise SystemExit(1)
"""


def test_sam_output_prefixes_each_line_and_keeps_the_why_masked_and_bounded(
    processes: None,
) -> None:
    stream = io.StringIO()
    output = SamOutput(prefix="[orders-prod eu-west-1] ", stream=stream)
    secret = "s3cr3t-Value"
    cmd = [sys.executable, "-c", FAILING_SAM, Secret(secret)]
    code = run_streaming(cmd, heartbeat=0, out=output)
    assert code == 1
    written = stream.getvalue().splitlines()
    assert written and all(line.startswith("[orders-prod eu-west-1] ") for line in written)
    tail = output.tail()
    assert secret not in stream.getvalue() and not any(secret in line for line in tail)
    assert len(tail) == TAIL_LINES and all(len(line) <= TAIL_WIDTH for line in tail)
    # The failed event first (joined with its wrapped why), though later rows pushed it
    # out of the last lines; then the last rows and the Error line, cut short.
    assert tail[0] == "CREATE_FAILED AWS::Logs::LogGroup Logs Resource handler returned: bad"
    assert tail[1:4] == [f"DELETE_COMPLETE AWS::IAM::Role Role{n} -" for n in (5, 6, 7)]
    assert tail[-1].startswith("Error: Failed to create/update the stack: password *****")
    assert tail[-1].endswith("...")


def test_sam_output_keeps_each_threads_lines_whole() -> None:
    stream = io.StringIO()
    output = SamOutput(prefix="[a us-east-1] ", stream=stream)

    def write(word: str) -> None:
        for _ in range(200):
            print(f"{word} part", "end", file=output)  # three writes per line

    threads = [threading.Thread(target=write, args=(w,)) for w in ("sam", "[lambda-release]")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    lines = stream.getvalue().splitlines()
    assert len(lines) == 400
    assert set(lines) == {"[a us-east-1] sam part end", "[a us-east-1] [lambda-release] part end"}
    assert output.tail() == ["sam part end"] * TAIL_LINES  # our own lines are not sam's why
