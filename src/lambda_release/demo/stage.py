"""The rehearsal's stage: a sandbox, a work directory, and the console script run as a user would.

Every step runs the real ``lambda-release`` command (and through it the real SAM CLI) as a
subprocess against the sandbox. The screen gets a readable excerpt: the command, its result
and its progress lines; everything else (SAM's own chatter) goes to ``demo.log``.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
import textwrap
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from lambda_release.errors import OperationError
from lambda_release.template.built_code import built_function_dirs

MARKER = "lambda_release_demo_release.txt"
# stderr lines worth showing: progress, the release's own notes, refusals and errors.
SHOWN = (
    "[lambda-release]",
    "release ",
    "refused",
    "warning",
    "lambda-release watch:",
    "lambda-release rollback:",
    "error",
)
WIDTH = 100


def built_functions(build_dir: Path) -> dict[str, Path]:
    """Function logical id -> its built code directory, from the built template."""
    return built_function_dirs(build_dir / "template.yaml")


@dataclass
class Stage:
    """Where the rehearsal runs and how it talks."""

    workdir: Path
    env: dict[str, str]
    out: TextIO
    log: TextIO
    minute: float
    template: Path
    build_dir: Path = field(init=False)
    _log_lock: threading.Lock = field(default_factory=threading.Lock, init=False)

    def __post_init__(self) -> None:
        self.build_dir = self.workdir / ".aws-sam" / "build"

    # -- talking -----------------------------------------------------------------------------

    def say(self, text: str) -> None:
        if text.startswith("\n"):
            self.out.write("\n")
        for para in text.strip().split("\n\n"):
            self.out.write(textwrap.fill(" ".join(para.split()), WIDTH) + "\n")
        self.out.flush()

    def chapter(self, number: int, total: int, title: str) -> None:
        self.out.write(f"\n== {number}/{total}  {title} ==\n")
        self.out.flush()

    def show(self, line: str) -> None:
        self.out.write(f"    {line}\n")
        self.out.flush()

    def logged(self, text: str) -> None:
        with self._log_lock:
            self.log.write(text if text.endswith("\n") else text + "\n")
            self.log.flush()

    # -- running -----------------------------------------------------------------------------

    def command(self, args: Sequence[str]) -> list[str]:
        return [sys.executable, "-m", "lambda_release", *args]

    def announce(self, args: Sequence[str]) -> None:
        self.out.write(f"  $ lambda-release {shlex.join(args)}\n")
        self.out.flush()
        self.logged(f"\n$ lambda-release {shlex.join(args)}")

    def start(
        self, args: Sequence[str], *, on_line: Callable[[str], None] | None = None
    ) -> Running:
        """Start ``lambda-release ARGS``; stderr lines go to the log and to ``on_line``."""
        proc = subprocess.Popen(
            self.command(args),
            cwd=self.workdir,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            errors="replace",
        )
        return Running(self, list(args), proc, on_line)

    def run(
        self,
        args: Sequence[str],
        *,
        show_stdout: bool = True,
        show_progress: bool = True,
        expect: Sequence[int] = (0,),
        on_line: Callable[[str], None] | None = None,
    ) -> tuple[int, str]:
        """Run ``lambda-release ARGS`` to the end; exit code and stdout.

        stderr lines go to ``on_line`` (default: the progress lines worth showing)."""
        self.announce(args)
        running = self.start(
            args, on_line=(on_line or self.progress_line) if show_progress else None
        )
        code, stdout = running.wait()
        if show_stdout:
            for line in stdout.rstrip().splitlines():
                self.show(line)
        if code not in expect:
            raise OperationError(
                f"the rehearsal stopped: `lambda-release {shlex.join(args)}` exited {code}, "
                f"expected {' or '.join(map(str, expect))}; see {self.workdir / 'demo.log'}"
            )
        return code, stdout

    def progress_line(self, line: str) -> None:
        text = line.rstrip()
        if text.startswith(SHOWN):
            self.show(text.removeprefix("[lambda-release] "))

    # -- the application ---------------------------------------------------------------------

    def mark_release(self, release: int, functions: Sequence[str] | None = None) -> list[str]:
        """A new release of the built code: a marker file in each (or the named) function."""
        found = built_functions(self.build_dir)
        names = sorted(found) if functions is None else [f for f in functions if f in found]
        for lid in names:
            (found[lid] / MARKER).write_text(f"release {release}\n", encoding="utf-8")
        return names


@dataclass
class Running:
    """A command started in the background: its stderr read on a thread, line by line."""

    stage: Stage
    args: list[str]
    proc: subprocess.Popen[str]
    on_line: Callable[[str], None] | None
    _stdout: list[str] = field(default_factory=list)
    _threads: list[threading.Thread] = field(default_factory=list)

    def __post_init__(self) -> None:
        def read_err() -> None:
            assert self.proc.stderr is not None
            for line in self.proc.stderr:
                self.stage.logged(line)
                if self.on_line is not None:
                    self.on_line(line)

        def read_out() -> None:
            assert self.proc.stdout is not None
            self._stdout.append(self.proc.stdout.read())

        for target in (read_err, read_out):
            t = threading.Thread(target=target, daemon=True)
            t.start()
            self._threads.append(t)

    def wait(self, timeout: float = 900.0) -> tuple[int, str]:
        try:
            code = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise OperationError(
                f"`lambda-release {shlex.join(self.args)}` took over {timeout:g} s; stopped it"
            ) from None
        for t in self._threads:
            t.join(timeout=30)
        stdout = "".join(self._stdout)
        self.stage.logged(stdout)
        return code, stdout

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


def subprocess_env(sandbox_env: dict[str, str], minute: float) -> dict[str, str]:
    """The user's environment without AWS profiles or lambda-release settings, plus the
    sandbox's, with this interpreter's scripts (sam, lambda-release) first on PATH."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("LAMBDA_RELEASE_")
        and k not in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN")
    }
    env.update(sandbox_env)
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    env.update(
        {
            "LAMBDA_RELEASE_MINUTE": f"{minute:g}",  # time left, on the sandbox's clock
            "LAMBDA_RELEASE_POLL_INTERVAL": "0.25",
            "SAM_CLI_TELEMETRY": "0",
            "SAM_CLI_DISABLE_VERSION_CHECK": "1",
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env
