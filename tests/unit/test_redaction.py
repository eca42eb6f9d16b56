"""The redaction module: NoEcho names, masking text/JSON/S3 bodies, and the guard."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from lambda_release.errors import UsageError
from lambda_release.release.redaction import (
    MASK,
    Redactor,
    guarded,
    noecho_parameters,
    secret_values,
)
from lambda_release.template.cfn import parse_template


def test_noecho_parameters_from_a_template_with_short_tags(tmp_path: Path) -> None:
    path = tmp_path / "template.yaml"
    path.write_text(
        "Parameters:\n"
        "  DbPassword: {Type: String, NoEcho: true}\n"
        "  Quoted: {Type: String, NoEcho: 'true'}\n"
        "  Plain: {Type: String}\n"
        "Resources:\n"
        "  F: {Type: AWS::Serverless::Function, Properties: {Role: !GetAtt R.Arn}}\n"
    )
    assert noecho_parameters(parse_template(path.read_text())) == {"DbPassword", "Quoted"}
    assert noecho_parameters({"Parameters": {"X": {"NoEcho": False}}}) == set()
    assert noecho_parameters({"Parameters": ["not", "a", "mapping"]}) == set()


def test_values_masked_longest_first_in_text_json_and_bodies() -> None:
    r = Redactor.of(secret_values({"A": "abc", "B": "abcdef", "C": "open"}, {"A", "B"}))
    assert r.text("x=abcdef y=abc") == f"x={MASK} y={MASK}"
    assert r.json({"abc": ["abcdef", 1, None]}) == {MASK: [MASK, 1, None]}
    assert r.body(b'{"k": "abc"}') == f'{{"k": "{MASK}"}}'.encode()
    assert not Redactor.of([""])


def test_guard_masks_printed_lines_and_raised_messages(capsys: pytest.CaptureFixture[str]) -> None:
    r = Redactor.of(["hunter2"])
    with pytest.raises(UsageError) as raised, guarded(r):
        print("running: sam deploy Password=hunter2")
        print("sam says hunter2", file=sys.stderr)
        raise UsageError("override Password=hunter2 is bad")
    out, err = capsys.readouterr()
    assert "hunter2" not in out + err + str(raised.value)
    assert f"Password={MASK}" in out and MASK in err
    assert sys.stdout is not None and not hasattr(sys.stdout, "redactor")
