"""Two group deploys of one folder: the second waits for the first to end before it builds
(group/build_lock.py). Found flaky under load: both built into `.aws-sam/group/` at once."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from lambda_release.group.build_lock import building


def test_a_second_deploy_of_the_folder_waits_for_the_first_and_says_so(tmp_path: Path) -> None:
    folder = tmp_path / ".aws-sam" / "group"
    order: list[str] = []
    said: list[str] = []
    first_in, first_may_end = threading.Event(), threading.Event()

    def first() -> None:
        with building([folder], said.append):
            order.append("first in")
            first_in.set()
            first_may_end.wait(10)
            order.append("first out")

    def second() -> None:
        with building([folder], said.append):
            order.append("second in")

    a = threading.Thread(target=first)
    a.start()
    assert first_in.wait(10)
    b = threading.Thread(target=second)
    b.start()
    deadline = time.monotonic() + 10
    while not said and time.monotonic() < deadline:
        time.sleep(0.01)
    assert said == [
        f"another group deploy is building in, or deploying from, {folder}: waiting for it to end"
    ]
    assert order == ["first in"]  # the second waits while the first holds the folder
    first_may_end.set()
    a.join(10)
    b.join(10)
    assert order == ["first in", "first out", "second in"]


def test_the_lock_is_let_go_when_the_block_fails_and_folders_are_made(tmp_path: Path) -> None:
    folders = [tmp_path / "b" / ".aws-sam" / "group", tmp_path / "a" / ".aws-sam" / "group"]
    said: list[str] = []
    try:
        with building(folders, said.append):
            assert all((f / ".lock").is_file() for f in folders)
            raise RuntimeError("a build failed")
    except RuntimeError:
        pass
    with building(folders, said.append):  # not held any more: no wait
        pass
    assert said == []
