"""The two kinds of failure and the exit codes they map to.

Exit 2: the user's input is wrong (fix the command and run it again).
Exit 1: the operation failed (the input was fine; AWS or the release was not).
Exit 3: a bug in the helper (reported as such; the traceback only under ``--debug``).
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 3


class LambdaReleaseError(Exception):
    """Base class: every error the helper raises on purpose."""

    exit_code = EXIT_FAILED


class UsageError(LambdaReleaseError):
    """Bad input: a flag, a name, a file. The message names the value and the fix."""

    exit_code = EXIT_USAGE


class OperationError(LambdaReleaseError):
    """The input was valid but the operation failed or was refused."""

    exit_code = EXIT_FAILED
