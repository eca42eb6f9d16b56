"""Two releases started in one folder at the same moment (a group's wave, two regions of one
app) both check that `.lambda-release/` can be made: the one that made it second was refused
with "cannot write in ... (File exists)"."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from lambda_release.release.inputs import check_record_file

REAL_MKDIR = Path.mkdir


def test_a_record_folder_another_release_makes_first_is_no_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def made_first_by_the_other(self: Path, *args: Any, **kwargs: Any) -> None:
        REAL_MKDIR(self)  # the other release, a moment earlier
        REAL_MKDIR(self, *args, **kwargs)

    monkeypatch.setattr(Path, "mkdir", made_first_by_the_other)
    record = tmp_path / ".lambda-release" / "release.json"
    assert check_record_file(str(record)) == record


def test_a_record_folder_the_other_release_removes_meanwhile_is_no_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The other release made the folder to try it and removes it as this one looks in it."""
    folder = tmp_path / ".lambda-release"
    folder.mkdir()
    real_exists = Path.exists

    def removed_after_looking(self: Path, *args: Any, **kwargs: Any) -> bool:
        found = real_exists(self, *args, **kwargs)
        if self == folder and found:
            folder.rmdir()
        return found

    monkeypatch.setattr(Path, "exists", removed_after_looking)
    assert check_record_file(str(folder / "release.json")) == folder / "release.json"


def test_a_record_folder_the_other_release_makes_and_removes_between_our_looks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Seen with a group's members (threads of one process): ours finds no folder, the other
    makes it, ours fails to make it (it exists), the other removes it: no error either."""
    folder = tmp_path / ".lambda-release"

    def made_and_removed_by_the_other(self: Path, *args: Any, **kwargs: Any) -> None:
        REAL_MKDIR(self)  # the other release's probe...
        self.rmdir()  # ...done: gone again
        raise FileExistsError(17, "File exists", str(self))  # what our mkdir saw in between

    monkeypatch.setattr(Path, "mkdir", made_and_removed_by_the_other)
    assert check_record_file(str(folder / "release.json")) == folder / "release.json"


def test_a_record_folder_removed_between_exists_and_is_dir_is_no_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Found by bench/group_bench.py (a wave of 30 members, 9 at once): the folder was there
    when this release looked, and gone when it asked whether it is a folder: refused with
    "'.lambda-release' is not a folder". The other release removes it after our first look
    at it, whichever call makes the next one."""
    folder = tmp_path / ".lambda-release"
    folder.mkdir()
    looks = [0]

    def removed_after_the_first_look(self: Path, *args: Any, **kwargs: Any) -> os.stat_result:
        if self == folder:
            looks[0] += 1
            if looks[0] == 2 and os.path.isdir(self):
                os.rmdir(self)
        return os.stat(self, *args, **kwargs)

    monkeypatch.setattr(Path, "stat", removed_after_the_first_look)
    assert check_record_file(str(folder / "release.json")) == folder / "release.json"
    assert looks[0] >= 2  # the race happened: the folder was looked at again after removal


def test_a_record_folder_removed_as_it_is_asked_whether_a_folder_is_no_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same race where it struck (the folder there for `exists()`, gone for `is_dir()`)."""
    folder = tmp_path / ".lambda-release"
    folder.mkdir()

    def removed_before_answering(self: Path) -> bool:
        if self == folder and os.path.isdir(self):
            os.rmdir(self)
        return os.path.isdir(self)

    monkeypatch.setattr(Path, "is_dir", removed_before_answering)
    assert check_record_file(str(folder / "release.json")) == folder / "release.json"
