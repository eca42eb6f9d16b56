"""One validator for every numeric option: finite, within bounds, shown in --help."""

from __future__ import annotations

import argparse

import pytest

from lambda_release import bounds
from lambda_release.cli import build_parser
from lambda_release.errors import UsageError
from lambda_release.settings import Settings


def _numeric_actions() -> list[tuple[str, argparse.Action]]:
    parser = build_parser()
    found = []
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    for name, p in sub.choices.items():
        for action in p._actions:
            dest = action.dest
            if dest in bounds.NUMERIC_OPTIONS:
                found.append((name, action))
    return found


def test_every_numeric_option_shows_its_range_in_help() -> None:
    actions = _numeric_actions()
    assert len(actions) > 20  # every command's numbers, not a handful
    for command, action in actions:
        if action.help == argparse.SUPPRESS:
            continue  # a former spelling, kept working out of the help
        assert action.type is None, f"{command} {action.option_strings}: argparse parses it"
        ranges = {b.describe() for b in bounds.BOUNDS if b.name == action.dest}
        assert any(r in str(action.help) for r in ranges), (command, action.option_strings)


@pytest.mark.parametrize("text", ["nan", "inf", "-inf", "1e20", "-1", "0", "", "ten", "1e400"])
def test_lock_ttl_refuses_non_finite_and_out_of_range(text: str) -> None:
    with pytest.raises(UsageError) as raised:
        bounds.LOCK_TTL.check(text)
    message = str(raised.value)
    assert message.startswith(f"--lock-ttl {text!r}") and "30 to 86400 seconds" in message
    assert "\n" not in message


def test_integers_and_open_lower_ends() -> None:
    assert bounds.KEEP.check("0") == 0
    assert bounds.MINUTE.check("0.5") == 0.5
    with pytest.raises(UsageError, match="more than 0"):
        bounds.MINUTE.check("0")
    with pytest.raises(UsageError, match="whole number"):
        bounds.MAX_ATTEMPTS.check("2.5")


def test_value_from_the_environment_is_named_by_its_variable() -> None:
    settings = Settings({}, {"LAMBDA_RELEASE_LOCK_TTL": "nan"})
    with pytest.raises(UsageError, match=r"^LAMBDA_RELEASE_LOCK_TTL 'nan' is not finite"):
        bounds.LOCK_TTL.value(settings, 300.0)
    assert bounds.LOCK_TTL.value(Settings({}, {}), 300.0) == 300.0


def test_an_empty_flag_is_bad_input_not_the_default() -> None:
    with pytest.raises(UsageError, match=r"^--release is empty"):
        Settings({"release": ""}, {}).get("release")
    with pytest.raises(UsageError, match=r"^--function is empty"):
        Settings({"function": ["A", ""]}, {}).get_list("function")
    assert Settings({}, {"LAMBDA_RELEASE_RELEASE": ""}).get("release") is None
