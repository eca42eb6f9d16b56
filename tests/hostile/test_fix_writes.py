"""Hostile files for `check --fix` and `init` named in issue 26: each broke the fixer."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from lambda_release.cli import main
from lambda_release.fix.run import fix_text
from tests.fix.corpus_cases import as_plain

HEAD = "Transform: AWS::Serverless-2016-10-31\nResources:\n"
FUNCTION = """\
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: app.handler
      Runtime: python3.11
"""


def _bomb() -> str:
    """1.3 KB of YAML that means 9**10 nodes once its aliases are expanded."""
    lines = [HEAD.rstrip("\n"), *FUNCTION.rstrip("\n").splitlines(), "Metadata:"]
    lines.append("  a0: &a0 [x, x, x, x, x, x, x, x, x]")
    lines.extend(f"  a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 11))
    return "\n".join(lines) + "\n"


def test_an_anchor_bomb_is_refused_in_a_second_as_check_refuses_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    template = tmp_path / "template.yaml"
    template.write_text(_bomb())
    assert len(template.read_bytes()) < 1500
    started = time.monotonic()
    assert main(["check", str(template), "--fix"]) == 2
    assert time.monotonic() - started < 20  # minutes before
    err = capsys.readouterr().err
    assert "aliases" in err and "Traceback" not in err
    assert template.read_text() == _bomb()


def test_init_refuses_the_anchor_bomb_too(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "template.yaml").write_text(_bomb())
    monkeypatch.chdir(tmp_path)
    started = time.monotonic()
    assert main(["init", "--dry-run"]) == 2
    assert time.monotonic() - started < 20
    assert "aliases" in capsys.readouterr().err


def test_a_json_template_with_a_bom_stays_json_with_its_bom(tmp_path: Path) -> None:
    body = {
        "Transform": "AWS::Serverless-2016-10-31",
        "Resources": {
            "Fn": {
                "Type": "AWS::Serverless::Function",
                "Properties": {"CodeUri": "src/", "Handler": "a.h", "Runtime": "python3.11"},
            }
        },
    }
    template = tmp_path / "template.json"
    template.write_bytes(b"\xef\xbb\xbf" + json.dumps(body, indent=2).encode() + b"\n")
    assert main(["check", str(template), "--fix"]) == 0
    raw = template.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf{")
    fixed = json.loads(raw.decode("utf-8-sig"))  # JSON, not YAML with short tags
    assert fixed["Resources"]["Fn"]["Properties"]["AutoPublishAlias"] == {"Ref": "AliasName"}
    assert raw.count(b"\n") > 30  # not one line


def test_a_symlink_out_of_the_project_is_not_written_through(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    outside = tmp_path / "elsewhere" / "template.yaml"
    outside.parent.mkdir()
    outside.write_text(HEAD + FUNCTION)
    project = tmp_path / "project"
    project.mkdir()
    (project / "template.yaml").symlink_to(outside)
    assert main(["check", str(project / "template.yaml"), "--fix"]) == 1
    err = capsys.readouterr().err
    assert "symbolic link" in err and str(outside) in err
    assert outside.read_text() == HEAD + FUNCTION
    assert (project / "template.yaml").is_symlink()


def test_a_symlink_inside_the_project_is_written_to_its_target(tmp_path: Path) -> None:
    real = tmp_path / "templates" / "app.yaml"
    real.parent.mkdir()
    real.write_text(HEAD + FUNCTION)
    link = tmp_path / "template.yaml"
    link.symlink_to(Path("templates") / "app.yaml")
    assert main(["check", str(link), "--fix"]) == 0
    assert link.is_symlink()
    assert "AutoPublishAlias" in real.read_text()


def test_a_read_only_file_is_exit_1_with_one_line_not_an_internal_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    template = tmp_path / "template.yaml"
    template.write_text(HEAD + FUNCTION)
    template.chmod(0o444)
    assert main(["check", str(template), "--fix"]) == 1
    errors = [ln for ln in capsys.readouterr().err.splitlines() if "error:" in ln]
    assert len(errors) == 1 and "read-only" in errors[0] and str(template) in errors[0]
    assert template.read_text() == HEAD + FUNCTION


def test_several_files_are_written_all_or_none(tmp_path: Path) -> None:
    first, second = tmp_path / "a.yaml", tmp_path / "b.yaml"
    first.write_text(HEAD + FUNCTION)
    second.write_text(HEAD + FUNCTION)
    second.chmod(0o444)
    assert main(["check", str(first), str(second), "--fix"]) == 1
    assert first.read_text() == HEAD + FUNCTION  # not half a set
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_init_writes_nothing_when_one_of_its_files_cannot_be_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    template = tmp_path / "template.yaml"
    template.write_text(HEAD + FUNCTION)
    (tmp_path / "samconfig.toml").write_text("version = 0.1\n")
    (tmp_path / "samconfig.toml").chmod(0o444)
    monkeypatch.chdir(tmp_path)
    assert main(["init"]) == 1
    assert template.read_text() == HEAD + FUNCTION
    assert not (tmp_path / ".circleci" / "config.yml").exists() or (
        "lambda-release" not in (tmp_path / ".circleci" / "config.yml").read_text()
    )


def test_a_whitespace_only_line_in_a_block_scalar_is_read_as_check_reads_it(
    tmp_path: Path,
) -> None:
    text = (
        HEAD
        + FUNCTION
        + "      AutoPublishAlias: !Ref AliasName\n"
        + "      Description: !Sub |\n"
        + "         \n"  # spaces only, fewer than the text below: YAML allows it
        + '            {"stream": "${AWS::StackName}"}\n'
    )
    path = tmp_path / "template.yaml"
    path.write_text(text)
    result = fix_text(path, text)  # refused before: "more indented follow up line"
    assert "         \n" in result.after
    assert as_plain(result.after)["Resources"]["Fn"]["Properties"]["Description"]
