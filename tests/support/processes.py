"""Starting processes from tests: the one place that does, each way behind a fixture.

Tests reach these through the fixtures of ``tests/support/fixtures.py`` (``spawn``, ``lr``,
``orb_sh``), which depend on ``processes``; objects made by the sandbox's fixtures (an app,
a kit) use them too. So a test that starts a process is ``e2e`` by what it uses
(tests/conftest.py), and ``make unit`` starts none.

- ``Spawn``: any command, run to completion with text output captured, or started.
- ``Cli``: ``lambda-release``, the console script next to this interpreter, as a user runs it.
- ``OrbShell``: the orb's bash scripts, whole or one function at a time.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import IO, Any

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
LAMBDA_RELEASE = BIN / "lambda-release"
ORB_SCRIPTS = REPO / "orb" / "scripts"

Argv = Sequence[str | Path]


def clean_env(extra: Mapping[str, str] | None = None, *, drop_aws: bool = False) -> dict[str, str]:
    """os.environ without the caller's own LAMBDA_RELEASE_* and CIRCLE_* settings (and AWS_*
    with ``drop_aws``), plus ``extra``.

    A developer's shell or a CircleCI job may set any of them; the tests say what they need.
    """
    drop = ("LAMBDA_RELEASE_", "CIRCLE_", *(("AWS_",) if drop_aws else ()))
    env = {k: v for k, v in os.environ.items() if not k.startswith(drop)}
    env.update(extra or {})
    return env


class ProcessFailed(subprocess.CalledProcessError):
    """A checked command failed: its message carries what it printed (the output is
    captured, so it would otherwise be lost)."""

    def __str__(self) -> str:
        return f"{super().__str__()}\nstdout:\n{self.stdout}\nstderr:\n{self.stderr}"


class Spawn:
    """Any command: run to completion (text output captured, never checked unless asked)."""

    def run(
        self,
        argv: Argv,
        *,
        env: Mapping[str, str] | None = None,
        cwd: Path | str | None = None,
        input: str | None = None,
        timeout: float = 600,
        check: bool = False,
    ) -> subprocess.CompletedProcess[str]:
        argv = [str(a) for a in argv]
        done = subprocess.run(
            argv,
            env=None if env is None else dict(env),
            cwd=cwd,
            input=input,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if check and done.returncode != 0:
            raise ProcessFailed(done.returncode, argv, done.stdout, done.stderr)
        return done

    def popen(
        self,
        argv: Argv,
        *,
        env: Mapping[str, str] | None = None,
        cwd: Path | str | None = None,
        stdin: int | IO[Any] | None = None,
        stdout: int | IO[Any] | None = subprocess.PIPE,
        stderr: int | IO[Any] | None = subprocess.PIPE,
        **kwargs: Any,
    ) -> subprocess.Popen[str]:
        """Started, not waited for: the caller stops and reaps it."""
        return subprocess.Popen(
            [str(a) for a in argv],
            env=None if env is None else dict(env),
            cwd=cwd,
            stdin=stdin,
            stdout=stdout,
            stderr=stderr,
            text=True,
            **kwargs,
        )

    def python(self, code: str, *args: str, **kwargs: Any) -> subprocess.CompletedProcess[str]:
        """``python -c CODE ARGS`` with this interpreter (a fresh process: fresh imports)."""
        return self.run([sys.executable, "-c", code, *args], **kwargs)

    def bash(self, program: str, *args: str, **kwargs: Any) -> subprocess.CompletedProcess[str]:
        """``bash -c PROGRAM bash ARGS``: ``$1``... are ``args``, nothing is interpolated."""
        return self.run(["bash", "-c", program, "bash", *args], **kwargs)


class Cli:
    """``lambda-release``, the console script, as a user runs it.

    ``env`` is the whole environment of the process (``clean_env()`` unless given); ``cwd``
    and ``env`` given here are the defaults of every call. ``module``: run it as
    ``python -m lambda_release`` (the package's __main__) instead.
    """

    def __init__(
        self,
        env: Mapping[str, str] | None = None,
        cwd: Path | str | None = None,
        spawn: Spawn | None = None,
        module: bool = False,
    ) -> None:
        self.env = dict(env) if env is not None else None
        self.cwd = cwd
        self.spawn = spawn or Spawn()
        self.module = module

    def with_defaults(
        self,
        env: Mapping[str, str] | None = None,
        cwd: Path | str | None = None,
        module: bool | None = None,
    ) -> Cli:
        """The same runner with another default environment or directory, or as a module."""
        return Cli(
            env if env is not None else self.env,
            cwd or self.cwd,
            self.spawn,
            self.module if module is None else module,
        )

    def argv(self, *args: str) -> list[str]:
        if self.module:
            return [sys.executable, "-m", "lambda_release", *args]
        return [str(LAMBDA_RELEASE), *args]

    def _env(self, env: Mapping[str, str] | None) -> dict[str, str]:
        if env is not None:
            return dict(env)
        return dict(self.env) if self.env is not None else clean_env()

    def __call__(
        self,
        *args: str,
        env: Mapping[str, str] | None = None,
        cwd: Path | str | None = None,
        input: str | None = None,
        timeout: float = 600,
    ) -> subprocess.CompletedProcess[str]:
        return self.spawn.run(
            self.argv(*args),
            env=self._env(env),
            cwd=cwd or self.cwd,
            input=input,
            timeout=timeout,
        )

    def popen(
        self,
        *args: str,
        env: Mapping[str, str] | None = None,
        cwd: Path | str | None = None,
        **kwargs: Any,
    ) -> subprocess.Popen[str]:
        return self.spawn.popen(self.argv(*args), env=self._env(env), cwd=cwd or self.cwd, **kwargs)


def start_sandbox_command(lr: Cli, *args: str) -> subprocess.Popen[str]:
    """``python -m lambda_release sandbox ARGS`` without the caller's AWS_* settings, started
    (the caller stops it)."""
    return lr.with_defaults(module=True).popen("sandbox", *args, env=clean_env(drop_aws=True))


def lines(proc: subprocess.CompletedProcess[str]) -> list[str]:
    """The lines a process printed, asserting it succeeded."""
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.splitlines()


def describe(p: subprocess.CompletedProcess[str]) -> str:
    """A finished process for an assertion message."""
    return f"exit {p.returncode}\nstdout:\n{p.stdout}\nstderr:\n{p.stderr}"


class OrbShell:
    """The orb's scripts (orb/scripts/*.sh) under bash, as a CircleCI run step runs them.

    Each script runs its main only when LR_SOURCE_ONLY is unset, so ``function`` sources one
    and calls what it names; ``script`` runs a whole one. The environment is only what a step
    would have: PATH, HOME and BASH_ENV in ``cwd`` (where a step's exports go), plus ``env``.
    """

    def __init__(self, spawn: Spawn | None = None, tools: Path | None = None) -> None:
        self.spawn = spawn or Spawn()
        # An image profile's bin/ (its bash and python3), first on PATH, whatever PATH a
        # test gives: the scripts then run with an image's tools, not only the host's.
        self.tools = tools

    def bash(self) -> str:
        return str(self.tools / "bash") if self.tools else "bash"

    def _env(self, env: Mapping[str, str]) -> dict[str, str]:
        if self.tools is None:
            return dict(env)
        return {**env, "PATH": f"{self.tools}:{env.get('PATH', os.environ['PATH'])}"}

    @staticmethod
    def step_env(env: Mapping[str, str], cwd: Path) -> dict[str, str]:
        return {
            "PATH": os.environ["PATH"],
            "HOME": str(cwd),
            "BASH_ENV": str(cwd / "bash_env"),
            **env,
        }

    def function(
        self,
        script: str,
        call: str,
        env: Mapping[str, str],
        cwd: Path,
        *args: str,
        check: bool = False,
    ) -> subprocess.CompletedProcess[str]:
        """Source ``script`` (functions only) and run ``call`` under bash -eo pipefail; ``args``
        are ``$1``..."""
        program = f'source "{ORB_SCRIPTS / script}"\nunset LR_SOURCE_ONLY\n{call}\n'
        return self.spawn.run(
            [self.bash(), "-eo", "pipefail", "-c", program, "bash", *args],
            env=self._env({**self.step_env(env, cwd), "LR_SOURCE_ONLY": "1", **env}),
            cwd=cwd,
            check=check,
        )

    def script(
        self, name: str, env: Mapping[str, str], cwd: Path, shell: Sequence[str] = ("bash",)
    ) -> subprocess.CompletedProcess[str]:
        """The whole script ``name``, as the step runs it (``shell`` may drop -e)."""
        argv = [self.bash() if shell[0] == "bash" else shell[0], *shell[1:], ORB_SCRIPTS / name]
        return self.spawn.run(argv, env=self._env(self.step_env(env, cwd)), cwd=cwd)

    def exports(self, cwd: Path, echo: str) -> str:
        """What a later step sees: BASH_ENV (the exports of earlier steps) sourced, then
        ``echo`` (a shell expression) printed."""
        return self.spawn.bash(f'source "{cwd / "bash_env"}"; {echo}', check=True).stdout
