"""The free-text guard (text.py): what is refused at input, and how the rest is shown."""

from __future__ import annotations

import argparse

import pytest

from lambda_release.cli import build_parser, option_labels
from lambda_release.errors import UsageError
from lambda_release.output import format_table
from lambda_release.settings import Settings
from lambda_release.text import check_text, is_unsafe, visible


@pytest.mark.parametrize(
    ("char", "shown"),
    [
        ("\n", "\\n"),
        ("\r", "\\r"),
        ("\t", "\\t"),
        ("\x00", "\\x00"),
        ("\x1b", "\\x1b"),
        ("\x7f", "\\x7f"),
        ("\x85", "\\x85"),  # C1: NEL, a line break for some terminals
        ("\x9b", "\\x9b"),  # C1: CSI, an escape sequence in one byte
        ("\u2028", "\\u2028"),  # line separator
        ("\u2029", "\\u2029"),  # paragraph separator
        ("\u202e", "\\u202e"),  # right-to-left override
        ("\u2066", "\\u2066"),  # left-to-right isolate
        ("\u200f", "\\u200f"),  # right-to-left mark
    ],
)
def test_each_unsafe_character_is_refused_and_shown_escaped(char: str, shown: str) -> None:
    assert is_unsafe(char)
    assert visible(f"a{char}b") == f"a{shown}b"
    with pytest.raises(UsageError) as err:
        check_text(f"ab{char}", "--reason")
    assert str(err.value) == (
        f"--reason contains a control character ({shown} at position 3): give it "
        "as one line of plain text, without line breaks, tabs or escape sequences"
    )


@pytest.mark.parametrize(
    "text",
    [
        "5xx on /orders after the canary",
        "caf\u00e9 \u2615 \u00fcber \u65e5\u672c",
        "\U0001f469\u200d\U0001f4bb zero-width joiner in an emoji",  # Cf, but not bidi
        "quotes ' \" $(x) `y` and \\n written as two characters",
        "",
    ],
)
def test_plain_text_passes_untouched(text: str) -> None:
    assert check_text(text, "--reason") == text
    assert visible(text) == text


def test_a_refused_value_is_never_echoed() -> None:
    """It may be a secret (a parameter override): the option and the position only."""
    with pytest.raises(UsageError, match=r"^--reason contains .*\\x1b at position 69") as err:
        check_text("hunter2-" * 8 + "xxxx" + "\x1b[1A", "--reason")
    assert "hunter2" not in str(err.value)


def test_a_table_cell_cannot_print_a_row_of_its_own() -> None:
    table = format_table(("id", "who"), [("r1", "eve\nr2  root\x1b[1A"), ("r3", None)])
    assert table.splitlines() == [
        "id  who",
        "r1  eve\\nr2  root\\x1b[1A",
        "r3",
    ]


def test_settings_refuse_a_flag_or_the_variable_it_is_read_from() -> None:
    def file() -> dict[str, str]:
        raise AssertionError("the SAM config file is not read to check options")

    ok = Settings({"reason": "fine", "stack": None}, {"LAMBDA_RELEASE_STACK": "s"}, file)
    ok.check_text()
    with pytest.raises(UsageError, match=r"^--reason contains"):
        Settings({"reason": "a\nb"}, {}).check_text()
    with pytest.raises(UsageError, match=r"^--function contains"):
        Settings({"function": ["A", "B\x1b"]}, {}).check_text()
    with pytest.raises(UsageError, match=r"^LAMBDA_RELEASE_REASON contains"):
        Settings({"reason": None}, {"LAMBDA_RELEASE_REASON": "a\tb"}).check_text()
    # A flag hides its variable: an ignored value is not refused.
    Settings({"reason": "given"}, {"LAMBDA_RELEASE_REASON": "a\tb"}).check_text()
    # An option with its own spelling, or a positional, is named as the user wrote it.
    with pytest.raises(UsageError, match=r"^TEMPLATE contains"):
        Settings({"template": ["t\n"]}, {}).check_text({"template": "TEMPLATE"})


def test_labels_name_each_option_as_the_user_types_it() -> None:
    parser = build_parser(["check"])
    check = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction)).choices[
        "check"
    ]
    labels = option_labels(check)
    assert labels["template"] == "TEMPLATE"
    assert labels["production_alias"] == "--production-alias"
    assert labels["region"] == "--region"
