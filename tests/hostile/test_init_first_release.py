"""init attacked: a prefix other than the one set up, a file it may not write, a link out
of the project. Each is refused before anything is written."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from lambda_release.cli import main
from tests.support.bare_demo import write_bare_demo


@pytest.fixture
def app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    directory = tmp_path / "sam-app"
    write_bare_demo(directory)
    monkeypatch.chdir(directory)
    return directory


def _files(app: Path) -> dict[str, bytes]:
    return {str(p.relative_to(app)): p.read_bytes() for p in app.rglob("*") if p.is_file()}


def test_a_prefix_other_than_the_one_set_up_is_refused(
    app: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["init", "--stack-prefix", "sam-app"]) == 0
    before = _files(app)
    capsys.readouterr()
    assert main(["init", "--stack-prefix", "my-lambda"]) == 2
    err = capsys.readouterr().err
    assert "'my-lambda' differs from the prefix this app is set up with, 'sam-app'" in err
    assert "run init --stack-prefix sam-app" in err
    assert _files(app) == before
    assert main(["init"]) == 0  # no flag: the prefix set up


def test_a_read_only_samconfig_leaves_every_file_as_it_was(
    app: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (app / "samconfig.toml").write_text("version = 0.1\n")
    os.chmod(app / "samconfig.toml", 0o444)
    before = _files(app)
    assert main(["init", "--stack-prefix", "ro"]) == 1
    err = capsys.readouterr().err
    assert "samconfig.toml: the file is read-only" in err
    assert "Traceback" not in err
    assert _files(app) == before  # the template was not fixed either


def test_a_config_linked_out_of_the_project_is_refused(
    app: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    outside = tmp_path / "shared-config.yml"
    outside.write_text("version: 2.1\nworkflows:\n  ci:\n    jobs: [test]\n")
    (app / ".circleci").mkdir()
    (app / ".circleci" / "config.yml").symlink_to(outside)
    assert main(["init", "--stack-prefix", "linked"]) == 2
    assert "outside the project" in capsys.readouterr().err
    assert outside.read_text() == "version: 2.1\nworkflows:\n  ci:\n    jobs: [test]\n"
    assert not (app / "samconfig.toml").exists()
