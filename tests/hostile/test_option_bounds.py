"""Issue 12 item 5: every number an option takes is finite and within documented bounds;
an empty id or name is bad input; --record-file is checked before anything changes;
pass-through arguments cannot override what the helper sets for sam.

Each case runs the console script against a stack with two releases and asserts exit 2,
the one line, and that the log and the aliases are exactly as before.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from lambda_release import bounds
from lambda_release.sandbox import Sandbox
from tests.hostile.world import SAM, one_line, world
from tests.rollback.cli import kit_lr
from tests.rollback.stackkit import Kit


@pytest.fixture(scope="module")
def kit(sandbox: Sandbox) -> Iterator[Kit]:
    with pytest.MonkeyPatch.context() as mp:
        k = Kit.in_env(sandbox, mp, "bounds")
        k.release({"A": "1", "B": "1"})
        k.release({"A": "2"})
        yield k


def out_of_range(bound: bounds.Bound, text: str) -> str:
    return f"{bound.flag} {text!r} is out of range: give {bound.describe()}"


def not_finite(bound: bounds.Bound, text: str) -> str:
    return f"{bound.flag} {text!r} is not finite: give {bound.describe()}"


def not_a_number(bound: bounds.Bound, text: str) -> str:
    return f"{bound.flag} {text!r} is not {bound.describe()}"


DEPLOY = ("deploy", "--sam-path", SAM)
CASES = [
    (DEPLOY, bounds.LOCK_TTL, "0", out_of_range),
    (DEPLOY, bounds.LOCK_TTL, "-5", out_of_range),
    (DEPLOY, bounds.LOCK_TTL, "inf", not_finite),
    (DEPLOY, bounds.LOCK_TTL, "nan", not_finite),
    (DEPLOY, bounds.LOCK_TTL, "1e20", out_of_range),
    (DEPLOY, bounds.LOCK_TIMEOUT, "-1", out_of_range),
    (DEPLOY, bounds.HEARTBEAT, "0", out_of_range),
    (("begin",), bounds.LOCK_TTL, "0", out_of_range),
    (("begin",), bounds.LOCK_TIMEOUT, "nan", not_finite),
    (("watch",), bounds.POLL_INTERVAL, "nan", not_finite),
    (("watch",), bounds.START_TIMEOUT, "-1", out_of_range),
    (("watch",), bounds.DEPLOYMENT_TIMEOUT, "inf", not_finite),
    (("watch",), bounds.MINUTE, "0", out_of_range),
    (("history",), bounds.LIMIT, "0", out_of_range),
    (("history",), bounds.LIMIT, "1e20", not_a_number),
    (("rollback",), bounds.DEPLOYMENT_TIMEOUT, "nan", not_finite),
    (("status",), bounds.LAMBDA_RATE, "0", out_of_range),
    (("record",), bounds.SAM_EXIT_CODE, "256", out_of_range),
]


@pytest.mark.parametrize(
    ("command", "bound", "value", "message"),
    CASES,
    ids=[f"{c[0][0]}-{c[1].name}-{c[2]}" for c in CASES],
)
def test_a_number_out_of_bounds_is_bad_input_and_changes_nothing(
    kit: Kit, app_dir: Path, command: tuple[str, ...], bound: bounds.Bound, value: str, message
) -> None:  # type: ignore[no-untyped-def]
    before = world(kit)
    p = kit_lr(kit, *command, bound.flag, value, cwd=app_dir)
    assert p.returncode == 2, p.stderr
    assert one_line(p.stderr) == f"lambda-release {command[0]}: error: {message(bound, value)}"
    assert world(kit) == before


def test_prune_keep_nan_is_bad_input(kit: Kit) -> None:
    before = world(kit)
    p = kit_lr(kit, "prune", "--stack", kit.stack, "--keep", "nan", target=False)
    assert p.returncode == 2
    assert one_line(p.stderr).endswith(not_a_number(bounds.KEEP, "nan"))
    assert world(kit) == before


def test_max_attempts_zero_is_bad_input(kit: Kit) -> None:
    p = kit_lr(kit, "history", "--max-attempts", "0")
    assert p.returncode == 2
    assert one_line(p.stderr).endswith(out_of_range(bounds.MAX_ATTEMPTS, "0"))


def test_audit_since_beyond_what_cloudwatch_keeps_is_bad_input(kit: Kit) -> None:
    p = kit_lr(kit, "audit", "--stack", kit.stack, "--since", "99999999999d", target=False)
    assert p.returncode == 2
    assert "is out of range: give a number more than 0 and at most 455 days" in one_line(p.stderr)


def test_a_number_from_the_environment_is_named_by_its_variable(kit: Kit, app_dir: Path) -> None:
    before = world(kit)
    p = kit_lr(kit, *DEPLOY, cwd=app_dir, extra_env={"LAMBDA_RELEASE_LOCK_TTL": "nan"})
    assert p.returncode == 2
    assert one_line(p.stderr) == (
        "lambda-release deploy: error: LAMBDA_RELEASE_LOCK_TTL 'nan' is not finite: give "
        f"{bounds.LOCK_TTL.describe()}"
    )
    assert world(kit) == before


@pytest.mark.parametrize(
    ("args", "flag"),
    [
        (("rollback", "--release="), "--release"),
        (("rollback", "--function="), "--function"),
        (("rollback", "--function", "AFunction", "--to-version="), "--to-version"),
        (("history", "--alias="), "--alias"),
        (("status", "--stack="), "--stack"),
        (("record", "--log-bucket="), "--log-bucket"),
    ],
)
def test_an_empty_id_or_name_is_bad_input_never_the_default(
    kit: Kit, args: tuple[str, ...], flag: str
) -> None:
    before = world(kit)
    p = kit_lr(kit, *args)
    assert p.returncode == 2
    assert one_line(p.stderr) == (
        f"lambda-release {args[0]}: error: {flag} is empty: give a value, or leave {flag} out"
    )
    assert world(kit) == before


@pytest.mark.parametrize("where", ["a-directory", "under-a-file"])
def test_a_record_file_that_cannot_be_written_is_refused_before_anything_changes(
    kit: Kit, app_dir: Path, where: str
) -> None:
    (app_dir / "a-directory").mkdir()
    (app_dir / "plain-file").write_text("x")
    path = "a-directory" if where == "a-directory" else "plain-file/release.json"
    before = world(kit)
    p = kit_lr(kit, *DEPLOY, "--record-file", path, cwd=app_dir)
    assert p.returncode == 2
    line = one_line(p.stderr)
    assert line.startswith(f"lambda-release deploy: error: --record-file {path!r}")
    assert line.endswith("give --record-file a file path in a writable folder")
    assert world(kit) == before


def test_record_checks_its_record_file_before_settling(kit: Kit, app_dir: Path) -> None:
    (app_dir / "d").mkdir()
    before = world(kit)
    p = kit_lr(kit, "record", "--record-file", "d", cwd=app_dir)
    assert p.returncode == 2
    assert "--record-file 'd' is a directory" in one_line(p.stderr)
    assert world(kit) == before


@pytest.mark.parametrize(
    ("sam_args", "named"),
    [
        (
            ["--sam-arg=--parameter-overrides", "--sam-arg=AliasName=STAGING"],
            "--parameter-overrides",
        ),
        (["--sam-arg=--stack-name=other"], "--stack-name"),
        (
            ["--sam-arg=--config-env", "--sam-arg=prod", "--sam-arg=--s3-bucket=x"],
            "--config-env --s3-bucket",
        ),
        (["--sam-arg=-t", "--sam-arg=other.yaml"], "-t"),
    ],
)
def test_pass_through_arguments_cannot_override_what_the_helper_sets(
    kit: Kit, app_dir: Path, sam_args: list[str], named: str
) -> None:
    before = world(kit)
    p = kit_lr(kit, *DEPLOY, *sam_args, cwd=app_dir)
    assert p.returncode == 2
    assert one_line(p.stderr).startswith(
        f"lambda-release deploy: error: --sam-arg {named}: lambda-release sets"
    )
    assert world(kit) == before
