"""Secrets as values (issue 24 item 1): every rendering is *****, only sam sees plaintext."""

from __future__ import annotations

import json
import pickle
import shlex
import threading
from pathlib import Path

import pytest

from lambda_release.errors import UsageError
from lambda_release.release.inputs import ReleaseInputs, check_record_file, check_secrets
from lambda_release.template import overrides, sam
from lambda_release.template.secrets import (
    MASK,
    OutputMask,
    Secret,
    carry,
    forms,
    hidden_in,
    noecho_parameters,
    revealed,
    shown,
)

HOSTILE = ['Zq"9xK-quote', "pässwörd", "ab\\cd", "tab\there", "it's", "rele", "1234", "$HOME%x"]


@pytest.mark.parametrize("value", HOSTILE)
def test_every_rendering_of_a_secret_is_the_mask(value: str) -> None:
    s = Secret(value)
    assert str(s) == f"{s}" == f"{s:>5}".strip() == MASK
    assert repr(s) == repr(MASK) and value not in repr([s, {"k": s}])
    assert s.reveal() == value
    with pytest.raises(TypeError):
        json.dumps(s)  # never serialised by accident: JSON is built from shown data
    with pytest.raises(TypeError):
        pickle.dumps(s)


def test_carry_wraps_only_secret_names_and_refuses_short_ones_without_echo() -> None:
    carried = carry(
        {"DbPassword": "hunter22", "Stage": "prod", "Empty": ""}, {"DbPassword", "Empty"}
    )
    assert isinstance(carried["DbPassword"], Secret) and carried["Stage"] == "prod"
    assert carried["Empty"] == ""
    for short in ("1", "0", "ase"):
        with pytest.raises(UsageError) as raised:
            carry({"DbPassword": short}, {"DbPassword"})
        assert "DbPassword" in str(raised.value) and repr(short) not in str(raised.value)


# SAM cannot pass a backslash before a quote: that value is refused (test below).
@pytest.mark.parametrize("value", [v for v in HOSTILE if "\\" not in v])
def test_the_sam_argument_of_a_secret_shows_masked_and_reveals_to_sam(value: str) -> None:
    arg = overrides.format_override("DbPassword", Secret(value))
    assert isinstance(arg, Secret) and str(arg) == f'DbPassword="{MASK}"'
    assert overrides.parse_overrides(arg.reveal()) == {"DbPassword": value}
    cmd = sam.deploy_command(
        "sam",
        stack="s",
        overrides={"DbPassword": Secret(value)},
        tags={},
        capabilities=[],
        s3_bucket="b",
        resolve_s3=False,
    )
    assert value not in sam.quoted(cmd) and value not in " ".join(shown(cmd))
    plain = revealed(cmd)
    assert overrides.parse_overrides(plain[plain.index("--parameter-overrides") + 1]) == {
        "DbPassword": value
    }
    assert hidden_in(cmd) == [value]


def test_a_refused_secret_value_is_never_named() -> None:
    with pytest.raises(UsageError) as raised:
        overrides.format_override("DbPassword", Secret('x\\"yzzy'))
    assert "yzzy" not in str(raised.value) and MASK in str(raised.value)


@pytest.mark.parametrize(
    "text", ["DbPassword=hunter2 'unclosed", "DbPassword hunter2", '"hunter2', "=hunter2"]
)
def test_parse_errors_never_echo_the_text(text: str) -> None:
    with pytest.raises(UsageError) as raised:
        overrides.parse_overrides(text)
    assert "hunter2" not in str(raised.value)
    with pytest.raises(UsageError) as raised:
        overrides.parse_override_item(text.replace("=", " "))
    assert "hunter2" not in str(raised.value)


@pytest.mark.parametrize("value", [*HOSTILE, 'tok"X7ü'])
def test_sams_output_is_masked_in_every_form_the_value_takes(value: str) -> None:
    mask = OutputMask([value])
    lines = [
        f"Parameter overrides : {json.dumps({'ApiToken': value})}",
        f"Parameter overrides : {json.dumps({'ApiToken': value}, ensure_ascii=False)}",
        f"raw {value} repr {value!r} shell {shlex.quote(value)}",
        "escaped " + value.encode("unicode_escape").decode("ascii"),
    ]
    for line in lines:
        masked = mask.text(line)
        assert all(f not in masked for f in forms(value) if len(f) >= 4), masked


def test_build_pass_through_masks_override_values_of_secret_names() -> None:
    cmd = sam.build_command(
        "sam",
        template="t.yaml",
        cached=True,
        parallel=True,
        use_container=False,
        build_dir=None,
        secret_names={"Db"},
        extra=[
            "--parameter-overrides",
            "Db=hunter22 Stage=prod",
            "--parameter-overrides=Db=x9x9x9",
        ],
    )
    text = sam.quoted(cmd)
    assert "hunter22" not in text and "x9x9x9" not in text and "Stage=prod" in text
    assert set(hidden_in(cmd)) == {"hunter22", "x9x9x9"}
    with pytest.raises(UsageError):
        overrides.carry_pass_through(["--parameter-overrides", "Db=abc"], {"Db"})


def test_noecho_includes_parameters_passed_to_a_nested_noecho(tmp_path: Path) -> None:
    (tmp_path / "child.yaml").write_text(
        "Parameters:\n  Pw: {Type: String, NoEcho: true}\n  Name: {Type: String}\nResources: {}\n"
    )
    template = {
        "Parameters": {"Outer": {"Type": "String"}, "Plain": {"Type": "String"}},
        "Resources": {
            "App": {
                "Type": "AWS::Serverless::Application",
                "Properties": {
                    "Location": "child.yaml",
                    "Parameters": {"Pw": {"Ref": "Outer"}, "Name": {"Ref": "Plain"}},
                },
            }
        },
    }
    assert noecho_parameters(template, tmp_path) == {"Outer"}
    assert noecho_parameters(template) == set()


def test_a_plain_secret_or_one_left_in_the_command_is_refused() -> None:
    names = frozenset({"Db"})
    with pytest.raises(UsageError, match="plain text"):
        check_secrets(ReleaseInputs(overrides={"Db": "hunter22"}, secret_names=names))
    carried = ReleaseInputs(overrides={"Db": Secret("hunter22")}, secret_names=names)
    check_secrets(carried, ["sam", "deploy", 'Db="*****"'])
    with pytest.raises(UsageError, match="plain text"):
        check_secrets(carried, ["sam", "deploy", "--parameter-overrides", 'Db="hunter22"'])
    with pytest.raises(UsageError, match="plain text"):
        check_secrets(carried, ["sam", "deploy", '--parameter-overrides=Db="hunter22"'])


def test_a_record_file_is_tried_not_guessed(tmp_path: Path) -> None:
    assert (
        check_record_file(str(tmp_path / "a" / "b" / "r.json")) == tmp_path / "a" / "b" / "r.json"
    )
    assert not (tmp_path / "a").exists() and list(tmp_path.iterdir()) == []
    if Path("/proc/self").is_dir():
        with pytest.raises(UsageError, match="--record-file"):
            check_record_file("/proc/x/y")
    (tmp_path / "f").write_text("")
    with pytest.raises(UsageError, match="not a folder"):
        check_record_file(str(tmp_path / "f" / "r.json"))


def test_botocores_dump_of_a_response_it_could_not_parse_is_masked() -> None:
    value = "€\\schema-settled"
    dumped = f"invalid XML received: {value.encode('utf-8')!r}"
    assert "schema-settled" not in OutputMask([value]).text(dumped)


@pytest.mark.parametrize("char", ["\x01", "\x1b", "\x0b", "\x00"])
def test_a_value_cloudformation_cannot_carry_is_refused_naming_no_secret(char: str) -> None:
    with pytest.raises(UsageError, match="U\\+00") as raised:
        overrides.format_override("DbPassword", Secret(f"hunter2{char}x"))
    assert "hunter2" not in str(raised.value)
    assert overrides.format_override("Note", "tab\tand\nline") != ""


def test_an_unclosed_quote_is_refused_not_backtracked_for_ever() -> None:
    """SAM's grammar, written with a run inside a repeat, backtracked exponentially on an
    unclosed quote: a 40-character secret hung `deploy` for minutes (the CPU spun)."""
    outcome: list[str] = []

    def parse() -> None:
        try:
            overrides.parse_overrides('DbPassword="' + "s3cr3t-" * 700)
        except UsageError as exc:
            outcome.append(str(exc))

    worker = threading.Thread(target=parse, daemon=True)
    worker.start()
    worker.join(timeout=60)  # linear: a millisecond; exponential: never
    assert not worker.is_alive(), "the parser is backtracking"
    assert len(outcome) == 1 and "s3cr3t" not in outcome[0]


def test_pieces_of_a_secret_a_table_wrapped_are_masked_in_what_is_kept() -> None:
    """sam's table wraps a long failure reason across lines: a secret quoted in it arrives
    in pieces (the end of a row, the start of the next line, a whole line between) that no
    line's mask sees. What a failed member keeps masks each word holding a piece."""
    secret = "s3cr3t-0123456789abcdef"
    mask = OutputMask([secret])
    row = "CREATE_FAILED AWS::Logs::LogGroup Logs Value '/lr/s3cr3t-0123"
    rest = "456789ab cdef' at 'logGroupName' failed"
    kept = mask.pieces(f"{row} {rest}")
    assert kept == (
        "CREATE_FAILED AWS::Logs::LogGroup Logs Value ***** ***** ***** at 'logGroupName' failed"
    )
    assert mask.pieces("Error: cut short at '/lr/s3cr3t-01...") == "Error: cut short at *****"
    assert mask.pieces(f"whole {secret} here") == "whole ***** here"
    # A word holding no piece as long as the shortest secret allowed stays.
    assert mask.pieces("the s3 bucket ab") == "the s3 bucket ab"
