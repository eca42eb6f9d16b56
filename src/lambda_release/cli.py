"""The command line: argument parsing and dispatch only; the library does the work."""

from __future__ import annotations

import argparse
import contextlib
import contextvars
import os
import signal
import sys
import threading
from collections.abc import Iterator, Sequence
from types import FrameType
from typing import TYPE_CHECKING, Any, NoReturn

from lambda_release import __version__, bounds, commands
from lambda_release.errors import EXIT_FAILED, EXIT_INTERNAL, EXIT_USAGE, LambdaReleaseError
from lambda_release.text import visible

if TYPE_CHECKING:
    from lambda_release.context import Context

# Start-up (issue 30): `--help`, `--version` and bad input import neither the AWS boundary
# (botocore) nor the settings' readers; a command imports them when it runs.

DESCRIPTION = """\
Safe AWS Lambda releases with SAM: every change ships as an immutable version,
production only calls an alias, traffic shifts by canary with alarms, every
release is recorded in AWS, and rollback is one command.

Every option can also be set as an environment variable LAMBDA_RELEASE_<NAME>
(--stack-prefix -> LAMBDA_RELEASE_STACK_PREFIX); SAM's own keys (region,
s3_bucket, parameter_overrides, ...) are also read from samconfig.toml.
A flag beats the environment, which beats the file.

Exit codes: 0 success, 1 the operation failed, 2 bad input, 3 internal error
(a bug: please report it; --debug shows the traceback).
"""

EPILOG = """\
example, in CI:
  lambda-release target --stack-prefix my-lambda >> "$BASH_ENV"
  lambda-release deploy          # uses the exported stack and alias
"""


ISSUES_URL = "https://github.com/lambda-release/lambda-release/issues"


class ParseError(Exception):
    """Bad input argparse found: one line, exit 2, never the usage screen."""

    def __init__(self, prog: str, message: str) -> None:
        super().__init__(message)
        self.prog = prog


class Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line naming what to type instead (its seven
    lines of usage hid the one that mattered)."""

    def error(self, message: str) -> NoReturn:
        raise ParseError(self.prog, message)


def usage_line(prog: str, message: str) -> str:
    """The one line a usage error prints: argparse's words, escaped, and where to look."""
    return f"{prog}: error: {visible(message)}; see `{prog} --help`"


def global_options() -> Parser:
    """Options every command takes, before or after its name."""
    parent = Parser(add_help=False)
    g = parent.add_argument_group("global options")
    # SUPPRESS: a value given before the command is not reset by the subparser's default.
    s = argparse.SUPPRESS
    g.add_argument("--region", default=s, help="AWS region (else AWS_REGION, profile, samconfig)")
    g.add_argument("--profile", default=s, help="AWS named profile")
    g.add_argument(
        "--endpoint-url",
        default=s,
        help="send every AWS call here, e.g. a local stand-in (boto3 also honours "
        "AWS_ENDPOINT_URL)",
    )
    g.add_argument(
        "--output",
        default=s,
        help="as the AWS CLI: table (aligned, for people: the default), text (tab-separated "
        "lines, no headers) or json; some commands add formats",
    )
    g.add_argument(
        "--config-file", default=s, help="SAM config file (default: ./samconfig.toml if present)"
    )
    g.add_argument(
        "--config-env", default=s, help="section of the SAM config file (default: 'default')"
    )
    g.add_argument(
        "--retry-mode", default=s, help="botocore retry mode: standard (default) or adaptive"
    )
    bounds.add_option(g, bounds.MAX_ATTEMPTS, "botocore attempts per AWS call", 8, suppress=True)
    g.add_argument(
        "--debug",
        action="store_true",
        default=s,
        help="on an internal error, print the traceback (to report it)",
    )
    return parent


def chosen_commands(argv: Sequence[str]) -> list[str]:
    """The commands whose modules the parser needs for `argv`: the one named in it.

    Only a command's own module knows its options, and importing every module costs each
    run a quarter of a second. A word of argv that names no command cannot be the
    command; when several do (an option's value that happens to be a command's name),
    every command is registered, as argparse alone can tell them apart.
    """
    named = [word for word in dict.fromkeys(argv) if word in commands.TABLE]
    return named if len(named) <= 1 else list(commands.TABLE)


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The parser: every command listed; the options of every command registered, or, given
    the `argv` it will parse, of the command it names only."""
    common = global_options()
    parser = Parser(
        prog="lambda-release",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        parents=[common],
    )
    parser.add_argument("--version", action="version", version=f"lambda-release {__version__}")
    sub = parser.add_subparsers(dest="_command", metavar="COMMAND", title="commands")
    full = set(commands.TABLE if argv is None else chosen_commands(argv))
    for name in commands.TABLE:
        if name not in full:
            # Listed for --help; never parsed, since argv does not name it.
            sub.add_parser(name, help=commands.summary(name), parents=[common])
            continue
        command = commands.load(name)
        p = sub.add_parser(
            name,
            help=commands.summary(name),
            description=command.DESCRIPTION,
            epilog=command.EXAMPLES,
            formatter_class=argparse.RawDescriptionHelpFormatter,
            parents=[common],
        )
        command.register(p)
        p.set_defaults(
            _run=command.run,
            _outputs=command.OUTPUTS,
            _labels=option_labels(p),
            _flags=tuple(o for a in p._actions for o in a.option_strings),
        )
    return parser


def option_labels(p: argparse.ArgumentParser) -> dict[str, str]:
    """How a message names each option: its longest flag, or a positional's metavar."""
    labels: dict[str, str] = {}
    for action in p._actions:  # argparse offers no public listing of a parser's options
        if action.help == argparse.SUPPRESS and action.dest in labels:
            continue  # an old spelling kept working: messages name the current one
        if action.option_strings:
            labels[action.dest] = max(action.option_strings, key=len)
        elif isinstance(action.metavar, str):
            labels[action.dest] = action.metavar
    return labels


def main(argv: Sequence[str] | None = None) -> int:
    # Per-run state (each thread's last AWS call) is in context variables: a run in a new,
    # empty context sees nothing an earlier run in this process left there.
    return contextvars.Context().run(_main, argv)


def _main(argv: Sequence[str] | None) -> int:
    words = sys.argv[1:] if argv is None else list(argv)
    # SIGTERM is an interrupt from the first moment: loading a command's modules takes half
    # a second, and a job cancelled then was killed without a word. Nothing has begun then,
    # so there is nothing to undo: one line and exit 1.
    started: list[Any] = []
    try:
        with sigterm_as_interrupt():
            return _parse_and_run(words, started)
    except BaseException as exc:
        if not started:
            if isinstance(exc, KeyboardInterrupt):
                # Not parsed yet: the first word that names a command is the command.
                named = next((w for w in words if w in commands.TABLE), "")
                prog = f"lambda-release {named}".strip()
                print(f"{prog}: interrupted while starting: nothing was done", file=sys.stderr)
                return EXIT_FAILED
            raise
        args, ctx = started
        return report(exc, args._command, ctx, debug=bool(getattr(args, "debug", False)))


def _parse_and_run(words: list[str], started: list[Any]) -> int:
    """Parse ``words`` and run the command; ``started`` gets (its arguments, its context)
    once it is chosen, and its context once made (the error boundary needs both)."""
    parser = build_parser(words)
    try:
        args, unknown = parser.parse_known_args(words)
    except ParseError as exc:
        print(usage_line(exc.prog, str(exc)), file=sys.stderr)
        return EXIT_USAGE
    if unknown:
        command = str(getattr(args, "_command", None) or "")
        flags: tuple[str, ...] = getattr(args, "_flags", ())
        from lambda_release.commands._spellings import answer  # noqa: PLC0415 - on error only

        prog = f"lambda-release {command}".strip()
        print(f"{prog}: error: {answer(command, unknown, flags)}", file=sys.stderr)
        return EXIT_USAGE
    if getattr(args, "_run", None) is None:
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    from lambda_release.context import Context  # noqa: PLC0415 - see the imports

    outputs: tuple[str, ...] = args._outputs
    started[:] = [args, None]
    ctx = Context.from_args(args, outputs=outputs, default_output=outputs[0])
    started[1] = ctx
    code: int = args._run(ctx)
    sys.stdout.flush()  # a closed pipe shows here, inside the boundary
    return code


def _interrupted(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


@contextlib.contextmanager
def sigterm_as_interrupt() -> Iterator[None]:
    """SIGTERM (how CircleCI cancels a job) ends any command as Ctrl-C does: a lock is
    given back and a pending release stays for the next command to settle."""
    if threading.current_thread() is not threading.main_thread():
        yield  # only the main thread may set a handler (main() called from another)
        return
    previous = signal.signal(signal.SIGTERM, _interrupted)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def report(exc: BaseException, command: str, ctx: Context | None, *, debug: bool) -> int:
    """Every failure as one line and its exit code; a traceback only for a bug, on --debug."""
    prefix = f"lambda-release {command}"
    if isinstance(exc, SystemExit | GeneratorExit):
        raise exc
    if isinstance(exc, BrokenPipeError):
        # The reader went away (`history | head -1`): stop quietly, as Unix tools do.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_FAILED
    if isinstance(exc, KeyboardInterrupt):
        print(f"{prefix}: interrupted", file=sys.stderr)
        return EXIT_FAILED
    if not isinstance(exc, LambdaReleaseError):
        from lambda_release.aws.client import as_release_error, call_of, last_call  # noqa: PLC0415

        call = call_of(exc) or (last_call() if ctx is not None and ctx.has_aws else "")
        exc = as_release_error(exc, call) or exc
    if isinstance(exc, LambdaReleaseError):
        # One line, whatever it quotes (a log's "who", AWS's message): escaped.
        print(f"{prefix}: error: {visible(exc)}", file=sys.stderr)
        return exc.exit_code
    if debug:
        import traceback  # noqa: PLC0415

        traceback.print_exception(exc, file=sys.stderr)
    print(
        f"{prefix}: internal error ({type(exc).__name__}), please report it at "
        f"{ISSUES_URL} with the output of the same command run with --debug",
        file=sys.stderr,
    )
    return EXIT_INTERNAL


def run() -> None:
    """The console script: :func:`main`, then out without tearing the interpreter down.

    Everything is written and closed by then (the record file, the log, the trace); what
    is left is freeing botocore's clients and modules, 0.1 s of a command's time for
    nothing (a small release's whole helper time is about a second)."""
    try:
        code = main()
    except SystemExit as exc:  # argparse: --help, --version, a usage error (printed already)
        if isinstance(exc.code, str):
            print(exc.code, file=sys.stderr)
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a reader gone, a stream closed
            stream.flush()
    os._exit(code)


if __name__ == "__main__":
    run()
