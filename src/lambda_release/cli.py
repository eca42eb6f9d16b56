"""The command line: argument parsing and dispatch only; the library does the work."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from lambda_release import __version__, awstrace, bounds
from lambda_release.commands import COMMANDS
from lambda_release.context import Context
from lambda_release.errors import EXIT_FAILED, EXIT_USAGE, LambdaReleaseError

DESCRIPTION = """\
Safe AWS Lambda releases with SAM: every change ships as an immutable version,
production only calls an alias, traffic shifts by canary with alarms, every
release is recorded in AWS, and rollback is one command.

Every option can also be set as an environment variable LAMBDA_RELEASE_<NAME>
(--stack-prefix -> LAMBDA_RELEASE_STACK_PREFIX); SAM's own keys (region,
s3_bucket, parameter_overrides, ...) are also read from samconfig.toml.
A flag beats the environment, which beats the file.

Exit codes: 0 success, 1 the operation failed, 2 bad input.
"""

EPILOG = """\
example, in CI:
  lambda-release target --stack-prefix my-lambda >> "$BASH_ENV"
  lambda-release deploy          # uses the exported stack and alias
"""


def global_options() -> argparse.ArgumentParser:
    """Options every command takes, before or after its name."""
    parent = argparse.ArgumentParser(add_help=False)
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
    g.add_argument("--output", default=s, help="text or json (some commands add formats)")
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
    return parent


def build_parser() -> argparse.ArgumentParser:
    common = global_options()
    parser = argparse.ArgumentParser(
        prog="lambda-release",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        parents=[common],
    )
    parser.add_argument("--version", action="version", version=f"lambda-release {__version__}")
    sub = parser.add_subparsers(dest="_command", metavar="COMMAND", title="commands")
    for command in COMMANDS:
        p = sub.add_parser(
            command.NAME,
            help=command.SUMMARY,
            description=command.DESCRIPTION,
            epilog=command.EXAMPLES,
            formatter_class=argparse.RawDescriptionHelpFormatter,
            parents=[common],
        )
        command.register(p)
        p.set_defaults(_run=command.run, _outputs=command.OUTPUTS)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "_run", None) is None:
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    outputs: tuple[str, ...] = args._outputs
    awstrace.current_command = args._command
    try:
        ctx = Context.from_args(args, outputs=outputs, default_output=outputs[0])
        code: int = args._run(ctx)
        return code
    except LambdaReleaseError as exc:
        print(f"lambda-release {args._command}: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print(f"lambda-release {args._command}: interrupted", file=sys.stderr)
        return EXIT_FAILED


if __name__ == "__main__":
    raise SystemExit(main())
