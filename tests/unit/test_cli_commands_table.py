"""The CLI registers only the command it runs (commands.TABLE, cli.chosen_commands)."""

from __future__ import annotations

import argparse

from lambda_release import cli, commands


def test_the_one_command_named_is_the_one_registered() -> None:
    assert cli.chosen_commands(["--region", "eu-west-1", "deploy", "--stack", "s"]) == ["deploy"]
    assert cli.chosen_commands(["--help"]) == []


def test_two_words_naming_commands_register_every_command() -> None:
    # `status` is the --stack value here; argparse alone can tell which word is the command.
    assert cli.chosen_commands(["rollback", "--stack", "status"]) == list(commands.TABLE)


def test_every_command_in_the_table_loads_with_its_name_and_outputs() -> None:
    for name in commands.TABLE:
        command = commands.load(name)
        assert name == command.NAME
        assert command.OUTPUTS and commands.summary(name)


def _subparsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


def test_a_parser_for_one_command_lists_every_command_and_parses_that_one() -> None:
    parser = cli.build_parser(["history", "--limit", "3"])
    assert list(_subparsers(parser)) == list(commands.TABLE)
    args = parser.parse_args(["history", "--limit", "3"])
    assert (args._command, args.limit) == ("history", "3")
    # A command argv does not name is listed, but its options are not registered.
    assert "--stack" not in _subparsers(parser)["deploy"]._option_string_actions


def test_the_full_parser_registers_every_commands_options() -> None:
    full = _subparsers(cli.build_parser())
    assert "--limit" in full["history"]._option_string_actions
    assert "--stack" in full["deploy"]._option_string_actions
