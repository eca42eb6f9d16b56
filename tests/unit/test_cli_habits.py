"""SAM's and the AWS CLI's habits (issue 25 item 2): what they type is taken, or answered in
one line naming our option; one name per idea; --output as the AWS CLI means it."""

from __future__ import annotations

import argparse
import subprocess
from collections.abc import Callable
from typing import Any

import pytest

from lambda_release import bounds
from lambda_release.ci_metadata import in_ci, local_branch
from lambda_release.cli import build_parser, main
from lambda_release.commands import _release_options as opts
from lambda_release.commands._spellings import SPELLINGS, answer
from lambda_release.context import Context
from lambda_release.errors import UsageError
from lambda_release.output import format_rows, format_text
from lambda_release.settings import Settings


def parse(*argv: str) -> argparse.Namespace:
    return build_parser(list(argv)).parse_args(list(argv))


def context(argv: list[str], environ: dict[str, str] | None = None) -> Context:
    args = parse(*argv)
    return Context.from_args(args, environ=environ or {})


def one_line_error(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    assert main(list(argv)) == 2
    out, err = capsys.readouterr()
    assert out == ""
    lines = err.splitlines()
    assert len(lines) == 1, err
    return lines[0]


# --- options SAM users type, taken --------------------------------------------------------


def test_deploy_takes_sam_spellings() -> None:
    args = parse(
        "deploy", "--stack-name", "s", "-t", "t.yaml", "--capabilities", "CAPABILITY_IAM",
        "CAPABILITY_AUTO_EXPAND", "--tags", "a=b", "c=d", "--no-confirm-changeset",
        "--no-fail-on-empty-changeset", "--capabilities", "CAPABILITY_NAMED_IAM",
    )  # fmt: skip
    assert args.stack_name == "s" and args.template_file == "t.yaml"
    assert args.capabilities == ["CAPABILITY_IAM", "CAPABILITY_AUTO_EXPAND", "CAPABILITY_NAMED_IAM"]
    assert args.tags == ["a=b", "c=d"]
    assert args.sam_habit is True  # accepted, and nothing reads it


def test_the_orbs_one_word_forms_still_parse() -> None:
    args = parse("deploy", "--capabilities=CAPABILITY_IAM", "--tags=a=b", "--tags=c=d")
    assert args.capabilities == ["CAPABILITY_IAM"] and args.tags == ["a=b", "c=d"]


def test_build_takes_sams_short_options_and_its_positive_pairs() -> None:
    args = parse("build", "-t", "x.yaml", "-b", "out", "-u", "--cached", "--parallel")
    assert (args.template_file, args.build_dir, args.use_container) == ("x.yaml", "out", True)
    assert args.cached is True and args.parallel is True
    assert parse("build", "--no-cached").cached is False


def test_stack_name_means_the_stack_when_nothing_else_names_one() -> None:
    assert opts.stack_name(context(["status", "--stack-name", "shop-prod"])) == "shop-prod"
    same = context(["status", "--stack-name", "shop-prod"], {"LAMBDA_RELEASE_STACK": "shop-prod"})
    assert opts.stack_name(same) == "shop-prod"


@pytest.mark.parametrize(
    ("argv", "environ", "named"),
    [
        (["deploy", "--stack", "a-prod", "--stack-name", "b"], {}, "(--stack)"),
        (
            ["deploy", "--stack-name", "b"],
            {"LAMBDA_RELEASE_STACK": "a-prod"},
            "LAMBDA_RELEASE_STACK",
        ),
    ],
)
def test_stack_name_that_contradicts_the_target_is_refused(
    argv: list[str], environ: dict[str, str], named: str
) -> None:
    with pytest.raises(UsageError) as raised:
        opts.stack_name(context(argv, environ))
    message = str(raised.value)
    assert "--stack-name 'b' contradicts the target's stack 'a-prod'" in message
    assert named in message and "--stack-prefix" in message


def test_parameter_overrides_take_several_words_as_sam_does() -> None:
    ctx = context(["deploy", "--parameter-overrides", "A=1", 'B="two words"', "C=3"])
    assert opts.overrides(ctx, "PROD") == {
        "A": "1",
        "B": "two words",
        "C": "3",
        "AliasName": "PROD",
    }


def test_parameter_is_literal_and_its_former_name_still_works() -> None:
    for flag in ("--parameter", "--parameter-override"):
        ctx = context(["deploy", flag, 'G=hello, "world"', "--parameter-overrides", "G=x"])
        assert opts.overrides(ctx, "PROD")["G"] == 'hello, "world"'  # beats the SAM string


def test_log_bucket_and_template_file_everywhere_with_old_spellings_hidden() -> None:
    assert parse("iam-policy", "--bucket", "b").log_bucket == "b"
    assert parse("iam-policy", "--log-bucket", "b").log_bucket == "b"
    assert parse("demo", "--template", "t").template_file == "t"
    assert parse("init", "--template", "t").template_file == "t"
    assert parse("build", "--template", "t").template_file == "t"
    assert parse("check", "-t", "a.yaml", "-t", "b.yaml").template_file == ["a.yaml", "b.yaml"]
    for command in ("iam-policy", "demo", "init", "build"):
        text = build_parser([command]).format_help()
        assert "--template " not in text and "--bucket " not in text


def test_waiting_is_what_timeout_and_the_former_flags_still_work() -> None:
    assert parse("watch", "--wait", "5").start_timeout == "5"
    assert parse("watch", "--timeout", "9").deployment_timeout == "9"
    assert parse("rollback", "--wait-timeout", "7").deployment_timeout == "7"
    assert parse("watch", "--start-timeout", "5", "--deployment-timeout", "9").start_timeout == "5"


def test_former_environment_variables_still_work_and_the_new_one_wins() -> None:
    old = Settings({}, {"LAMBDA_RELEASE_WAIT_TIMEOUT": "7"})
    assert bounds.DEPLOYMENT_TIMEOUT.value(old, 1.0) == 7.0
    both = Settings({}, {"LAMBDA_RELEASE_TIMEOUT": "7", "LAMBDA_RELEASE_DEPLOYMENT_TIMEOUT": "9"})
    assert bounds.DEPLOYMENT_TIMEOUT.value(both, 1.0) == 9.0
    bad = Settings({}, {"LAMBDA_RELEASE_WAIT": "nan"})
    with pytest.raises(UsageError, match="LAMBDA_RELEASE_WAIT 'nan' is not finite"):
        bounds.START_TIMEOUT.value(bad, 0.0)


def test_messages_name_the_current_spelling_not_the_hidden_one() -> None:
    args = parse("iam-policy", "--bucket", "b")
    assert args._labels["log_bucket"] == "--log-bucket"


# --- options no command takes: one line ----------------------------------------------------


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["status", "--stack-name"], None),  # taken, so never answered: see below
        (["status", "--bucket", "b"], "--bucket is not an option of status: use --log-bucket"),
        (["rollback", "--function-name", "f"], "use --function (a function's logical id"),
        (["status", "--query", "x"], "filter --output json with jq instead"),
        (["deploy", "--guided"], "run `sam deploy --guided` once"),
        (["deploy", "--force-upload"], "passes it on as --sam-arg=OPTION"),
        (["deploy", "--confirm-changeset"], "--dry-run first"),
        (["target", "--stack-name", "x"], "target derives the stack from the branch"),
        (["deploy", "--stack-prefix", "x"], "`lambda-release target --stack-prefix P`"),
        (["deploy", "--stak", "x"], "did you mean --stack?"),
        (["status", "--frobnicate"], "see `lambda-release status --help`"),
        (["status", "leftover"], "unexpected argument 'leftover'"),
    ],
)
def test_an_unknown_option_is_one_line_naming_ours(
    capsys: pytest.CaptureFixture[str], argv: list[str], expected: str | None
) -> None:
    if expected is None:
        assert parse(*argv, "x").stack_name == "x"
        return
    line = one_line_error(capsys, *argv)
    assert line.startswith(f"lambda-release {argv[0]}: error: ")
    assert expected in line


@pytest.mark.parametrize(
    "argv",
    [
        ["status", "--alias"],  # a missing value
        ["iam-policy", "--role", "admin"],  # a bad choice
        ["deplyo"],  # no such command
        ["deploy", "--s3", "x"],  # ambiguous
    ],
)
def test_every_usage_error_is_one_line(capsys: pytest.CaptureFixture[str], argv: list[str]) -> None:
    line = one_line_error(capsys, *argv)
    assert "usage:" not in line and "--help" in line


def test_every_sam_spelling_names_an_option_some_command_has() -> None:
    flags = set()
    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    for p in sub.choices.values():
        flags.update(o for a in p._actions for o in a.option_strings)
    for spelling, (ours, note) in SPELLINGS.items():
        assert ours is None or ours in flags, spelling
        assert note, spelling


def test_answer_escapes_and_shortens_what_it_quotes() -> None:
    line = answer("status", ["--x\x1b[31m" + "y" * 500], ["--stack"])
    assert "\x1b" not in line and len(line) < 200


# --- --output as the AWS CLI means it ------------------------------------------------------


def test_text_is_tab_separated_rows_without_headers_each_cell_escaped() -> None:
    rows = [("a", "b\tc", None), ("d\ne", 1, "f")]
    assert format_text(rows) == "a\tb\\tc\t\nd\\ne\t1\tf"
    assert format_rows("text", ("x", "y", "z"), rows) == format_text(rows)
    table = format_rows("table", ("x", "y", "z"), [("a", "b", "c")]).splitlines()
    assert table[0].split() == ["x", "y", "z"] and table[1].split() == ["a", "b", "c"]


def test_every_command_with_results_takes_table_text_and_json() -> None:
    from lambda_release.commands import COMMANDS  # noqa: PLC0415

    # a story, diffs, an environment, a page: no rows
    prose = {"demo", "init", "sandbox", "report", "bake"}  # bake: a story, as deploy's progress
    for command in COMMANDS:
        if command.NAME in prose:
            continue
        assert {"table", "text"} <= set(command.OUTPUTS), command.NAME
        if command.NAME != "build":
            assert "json" in command.OUTPUTS, command.NAME


# --- target reads git outside CI -----------------------------------------------------------


def fake_git(
    stdout: str = "", returncode: int = 0, stderr: str = "", error: Exception | None = None
) -> Callable[..., subprocess.CompletedProcess[str]]:
    def run(argv: list[str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
        assert argv == ["git", "rev-parse", "--abbrev-ref", "HEAD"]  # an argv list, no shell
        assert "shell" not in kwargs
        if error is not None:
            raise error
        return subprocess.CompletedProcess(argv, returncode, stdout, stderr)

    return run


def test_local_branch_is_the_checked_out_branch() -> None:
    assert local_branch(fake_git("feature/x\n")) == "feature/x"


@pytest.mark.parametrize(
    ("run", "why"),
    [
        (fake_git("HEAD\n"), "detached HEAD"),
        (fake_git(error=FileNotFoundError("git")), "git could not be run"),
        (fake_git("", 128, "fatal: not a git repository\n"), "not a git repository"),
    ],
)
def test_no_branch_from_git_is_bad_input_in_one_line(run: Any, why: str) -> None:
    with pytest.raises(UsageError) as raised:
        local_branch(run)
    message = str(raised.value)
    assert why in message and "--branch" in message and "\n" not in message


def test_ci_is_never_read_from_git() -> None:
    assert in_ci({"CI": "true"}) and in_ci({"CIRCLECI": "true"}) and in_ci({"CIRCLE_TAG": "v1"})
    assert not in_ci({"HOME": "/root"})
