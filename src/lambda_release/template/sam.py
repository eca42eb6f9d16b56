"""Building and running ``sam build`` and ``sam deploy``.

Arguments are always lists, never split from one string by guesswork; the parameter
overrides are formatted by :mod:`lambda_release.template.overrides`.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, TextIO

from lambda_release.errors import OperationError, UsageError
from lambda_release.template.overrides import carry_pass_through, override_args, unquote
from lambda_release.template.secrets import OutputMask, Value, hidden_in, revealed, shown
from lambda_release.text import visible

DEFAULT_HEARTBEAT = 60.0


def find_sam(explicit: str | None = None) -> str:
    """The SAM CLI's path. Missing: exit 1, since the input was fine but the machine lacks SAM."""
    path = shutil.which(explicit or "sam")
    if path is None:
        where = f"{explicit!r} (--sam-path)" if explicit else "'sam' on PATH"
        raise OperationError(
            f"the SAM CLI was not found: no {where}. Install it (pip install aws-sam-cli, or "
            "pip install 'lambda-release[sam]'), use the orb's default executor, which ships it, "
            "or point --sam-path at it"
        )
    return path


def quoted(cmd: Sequence[Value]) -> str:
    """The command as it may be printed: shell-quoted, every secret ``*****``."""
    # Escaped as well: a parameter value may hold a tab or a line break (never a row of its own).
    return visible(shlex.join(shown(cmd)))


def build_command(
    sam: str,
    *,
    template: str | None,
    cached: bool,
    parallel: bool,
    use_container: bool,
    build_dir: str | None,
    extra: Sequence[str],
    secret_names: Iterable[str] = (),
) -> list[Value]:
    cmd: list[Value] = [sam, "build"]
    if template:
        cmd += ["--template-file", template]
    if build_dir:
        cmd += ["--build-dir", build_dir]
    if cached:
        cmd.append("--cached")
    if parallel:
        cmd.append("--parallel")
    if use_container:
        cmd.append("--use-container")
    return cmd + carry_pass_through(extra, secret_names)


# What the helper sets for `sam deploy` (and SAM's aliases for them): a pass-through
# --sam-arg must not override it (SAM takes the later value: AliasName=STAGING in a
# second --parameter-overrides would delete the PROD alias from every function).
RESERVED_DEPLOY_OPTIONS = frozenset(
    {
        "--stack-name",
        "--parameter-overrides",
        "--config-env",
        "--config-file",
        "--s3-bucket",
        "--s3-prefix",
        "--resolve-s3",
        "--tags",
        "--capabilities",
        "--region",
        "--profile",
        "--template-file",
        "--template",
        "-t",
        "--image-repositories",
        "--image-repository",
        "--resolve-image-repos",
        "--confirm-changeset",
        "--no-confirm-changeset",
        "--fail-on-empty-changeset",
        "--no-fail-on-empty-changeset",
        "--guided",
        "-g",
    }
)


# sam deploy's short options that take no value (click lets them be grouped: ``-gt x``).
SHORT_FLAGS = frozenset("gh")


def _option_names(arg: str) -> list[str]:
    """The options one argument names: ``--x``/``--x=v``, or a group of short ones in
    click's way (``-tfile.yaml`` is ``-t file.yaml``, ``-gtfile.yaml`` adds ``-g``)."""
    if arg.startswith("--"):
        return [arg.split("=", 1)[0]]
    if not arg.startswith("-") or len(arg) < 2:
        return []
    names = []
    for letter in arg[1:]:
        names.append(f"-{letter}")
        if letter not in SHORT_FLAGS:
            break  # the rest of the argument is this option's value
    return names


def reserved_pass_through(extra: Sequence[str]) -> list[str]:
    """The options among ``extra`` that the helper sets itself (``--x``, ``--x=v``, ``-tv``)."""
    found = []
    for arg in extra:
        for name in _option_names(arg):
            if name in RESERVED_DEPLOY_OPTIONS and name not in found:
                found.append(name)
    return found


def check_pass_through(extra: Sequence[str]) -> None:
    """Refuse pass-through arguments that would override what the helper sets."""
    reserved = reserved_pass_through(extra)
    if reserved:
        raise UsageError(
            f"--sam-arg {' '.join(reserved)}: lambda-release sets "
            f"{'this' if len(reserved) == 1 else 'these'} for sam deploy itself; use the "
            "helper's own option (--parameter, --s3-bucket, --config-env, ...) instead"
        )


def deploy_command(
    sam: str,
    *,
    stack: str,
    overrides: Mapping[str, Value],
    tags: Mapping[str, str],
    capabilities: Sequence[str],
    s3_bucket: str | None,
    resolve_s3: bool,
    no_resolve_s3: bool = False,
    s3_prefix: str | None = None,
    region: str | None = None,
    template: str | None = None,
    image_repositories: Sequence[str] = (),
    resolve_image_repos: bool = False,
    config_file: str | None = None,
    config_env: str | None = None,
    extra: Sequence[str] = (),
) -> list[Value]:
    cmd: list[Value] = [sam, "deploy", "--stack-name", stack]
    if template:
        cmd += ["--template-file", template]
    if config_file:
        cmd += ["--config-file", config_file]
    if config_env:
        cmd += ["--config-env", config_env]
    cmd += ["--no-confirm-changeset", "--no-fail-on-empty-changeset"]
    if capabilities:
        cmd += ["--capabilities", *capabilities]
    if s3_bucket:
        cmd += ["--s3-bucket", s3_bucket]
        if no_resolve_s3:
            cmd.append("--no-resolve-s3")
    elif resolve_s3:
        cmd.append("--resolve-s3")
    if s3_prefix:
        cmd += ["--s3-prefix", s3_prefix]
    if region:
        cmd += ["--region", region]
    for repo in image_repositories:
        cmd += ["--image-repositories", repo]
    if resolve_image_repos:
        cmd.append("--resolve-image-repos")
    check_pass_through(extra)
    cmd += ["--parameter-overrides", *override_args(overrides)]
    if tags:
        cmd += ["--tags", *(f"{k}={v}" for k, v in tags.items())]
    return cmd + list(extra)


def parse_tags(items: Sequence[str]) -> dict[str, str]:
    tags: dict[str, str] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise UsageError(f"tag {item!r} is not KEY=VALUE")
        tags[unquote(key)] = unquote(value)
    return tags


def run_streaming(
    cmd: Sequence[Value],
    *,
    hidden: Sequence[str] = (),
    env: Mapping[str, str] | None = None,
    heartbeat: float = DEFAULT_HEARTBEAT,
    on_heartbeat: Callable[[float], None] | None = None,
    heartbeat_text: Callable[[float], str] | None = None,
    out: Any = None,
) -> int:
    """Run ``cmd``, copying its output line by line to stderr; a heartbeat line after
    ``heartbeat`` seconds of silence (CircleCI kills a step after 10 silent minutes).
    Returns the exit code. Only here are secrets revealed (to ``sam``), and ``sam``'s lines
    masked on the way through (every secret ``cmd`` carries, and ``hidden``).
    ``heartbeat_text(elapsed)`` says more than that sam still runs (the canary's traffic
    and time left, when ``deploy`` follows it)."""
    # Long on purpose: the child, the reader thread, the heartbeat and the signal handling
    # share one lifetime; split, each part would need the others' state.
    stream = out or sys.stderr
    mask = OutputMask([*hidden_in(cmd), *hidden])
    started = time.monotonic()
    last = [time.monotonic()]
    try:
        proc = subprocess.Popen(
            revealed(cmd),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            env=dict(env) if env is not None else None,
            text=True,
            errors="replace",
            bufsize=1,
        )
    except OSError as exc:
        raise OperationError(f"cannot run {cmd[0]}: {mask.text(str(exc))}") from exc
    done = threading.Event()

    def beat() -> None:
        while not done.wait(min(heartbeat, 5.0) if heartbeat > 0 else 5.0):
            now = time.monotonic()
            if heartbeat > 0 and now - last[0] >= heartbeat:
                elapsed = now - started
                text = (heartbeat_text or still_running)(elapsed)
                print(f"[lambda-release] {text}", file=stream, flush=True)
                last[0] = now
            if on_heartbeat is not None:
                on_heartbeat(now - started)

    ticker = threading.Thread(target=beat, daemon=True)
    ticker.start()
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            stream.write(mask.text(line) if mask else line)
            stream.flush()
            last[0] = time.monotonic()
        return proc.wait()
    except BaseException:
        # Interrupted (Ctrl-C, or SIGTERM when CircleCI cancels the job): stop sam too;
        # CloudFormation carries on, and the pending release is settled later.
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
        raise
    finally:
        done.set()
        ticker.join(timeout=10)


TAIL_LINES = 5  # a failed member's last lines of sam output kept in its problems
TAIL_WIDTH = 300  # each cut to this many characters
# Lines that say nothing on their own: sam's table rules, and our own heartbeat and
# progress lines, which go through the same stream.
RULE = re.compile(r"[\s\-=+|*]*")
OURS = "[lambda-release]"
# A CloudFormation event of a failure, as sam's table shows it (CREATE_FAILED ...): the
# why of a stack that rolled back, kept though later rows push it out of the last lines.
FAILED_EVENT = re.compile(r"[A-Z_]+_FAILED\s")


class SamOutput:
    """Where ``run_streaming`` writes a ``sam`` run's lines (already masked: no secret
    reaches it): on to ``stream`` (stderr), each line prefixed (``[stack region] ``: the
    members of a group run side by side), and the last few meaningful ones kept, each
    cut short, for a failure's why (``tail``). Lines are whole on the way out: each
    thread's (sam's reader, the heartbeat, the canary's follower) part lines are held
    until their end."""

    def __init__(self, prefix: str = "", stream: TextIO | None = None) -> None:
        self.prefix, self.stream = prefix, stream
        self._parts: dict[int, str] = {}
        self._tail: deque[str] = deque(maxlen=TAIL_LINES)
        self._failed: str | None = None
        self._mask = OutputMask([])
        self._lock = threading.Lock()

    def hide(self, cmd: Sequence[Value]) -> None:
        """The secrets ``cmd`` carries: their pieces kept out of ``tail`` (the stream is
        masked line by line by ``run_streaming``, as a plain deploy's)."""
        self._mask = OutputMask(hidden_in(cmd))

    def write(self, text: str) -> int:
        with self._lock:
            held = self._parts.pop(threading.get_ident(), "") + text
            *lines, rest = held.split("\n")
            if rest:
                self._parts[threading.get_ident()] = rest
            for line in lines:
                self._line(line)
        return len(text)

    def flush(self) -> None:
        (self.stream or sys.stderr).flush()

    def _line(self, line: str) -> None:
        (self.stream or sys.stderr).write(f"{self.prefix}{line}\n")
        kept = " ".join(visible(line).split())
        if line[:1].isspace():
            # Indented: sam's preamble, or a table cell's wrapped rest. A failed event's
            # rest is its why: joined to it; any other row's is left out.
            if kept and self._tail and self._tail[-1] == self._failed:
                self._failed = self._tail[-1] = _cut(f"{self._failed} {kept}")
            return
        if not kept or RULE.fullmatch(kept) or kept.startswith(OURS):
            return
        kept = _cut(kept)
        self._failed = kept if FAILED_EVENT.match(kept) else self._failed
        self._tail.append(kept)

    def tail(self) -> list[str]:
        """The last meaningful lines (at most ``TAIL_LINES``, each ``TAIL_WIDTH`` long),
        the last failed CloudFormation event first when they no longer hold it."""
        with self._lock:
            for ident in list(self._parts):
                self._line(self._parts.pop(ident))
            lines = list(self._tail)
            if self._failed is not None and self._failed not in lines:
                lines = [self._failed, *lines[-(TAIL_LINES - 1) :]]
            return [self._mask.pieces(line) for line in lines] if self._mask else lines


def _cut(line: str) -> str:
    return line if len(line) <= TAIL_WIDTH else line[: TAIL_WIDTH - 3] + "..."


def still_running(elapsed: float) -> str:
    """The heartbeat when nothing more is known than that sam runs."""
    return (
        f"sam still running ({int(elapsed)} s); a canary deployment can take as long as its "
        "traffic shift"
    )


def subprocess_env(endpoint_url: str | None, region: str | None) -> dict[str, str]:
    """The environment for ``sam``: ours, plus the endpoint and region we were given."""
    env = dict(os.environ)
    if endpoint_url:
        env["AWS_ENDPOINT_URL"] = endpoint_url
    if region:
        env.setdefault("AWS_REGION", region)
        env.setdefault("AWS_DEFAULT_REGION", region)
    return env
