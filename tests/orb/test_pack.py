"""The packer has `circleci orb pack` semantics; each rule is tested on a small orb folder."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from orbtools import yamlio
from orbtools.pack import PackError, pack, pack_text


def write(root: Path, rel: str, text: str) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def test_nested_folders_become_nested_keys(tmp_path: Path) -> None:
    write(tmp_path, "jobs/deploy.yml", "description: d\n")
    write(tmp_path, "commands/sub/inner.yaml", "description: i\n")
    assert pack(tmp_path) == {
        "commands": {"sub": {"inner": {"description": "i"}}},
        "jobs": {"deploy": {"description": "d"}},
    }


def test_at_files_merge_into_their_parent(tmp_path: Path) -> None:
    write(tmp_path, "@orb.yml", "version: 2.1\ndescription: top\n")
    write(tmp_path, "jobs/@common.yml", "shared: {description: s}\n")
    write(tmp_path, "jobs/deploy.yml", "description: d\n")
    packed = pack(tmp_path)
    assert packed["version"] == 2.1
    assert packed["description"] == "top"
    assert packed["jobs"] == {"shared": {"description": "s"}, "deploy": {"description": "d"}}


def test_an_at_file_key_clashing_with_a_file_is_an_error(tmp_path: Path) -> None:
    write(tmp_path, "jobs/@common.yml", "deploy: {description: s}\n")
    write(tmp_path, "jobs/deploy.yml", "description: d\n")
    with pytest.raises(PackError, match="defined twice"):
        pack(tmp_path)


def test_include_is_replaced_by_the_file_with_every_double_angle_escaped(tmp_path: Path) -> None:
    script = 'cat <<EOF\n<< parameters.x >>\nEOF\necho "a << b"\n'
    write(tmp_path, "scripts/s.sh", script)
    write(
        tmp_path, "commands/c.yml", "steps:\n  - run:\n      command: <<include(scripts/s.sh)>>\n"
    )
    command = pack(tmp_path)["commands"]["c"]["steps"][0]["run"]["command"]
    assert command == script.replace("<<", "\\<<")
    assert command.count("\\<<") == 3


@pytest.mark.parametrize(
    "value",
    [
        "echo hi; <<include(scripts/s.sh)>>",  # text before
        "<<include(scripts/s.sh)>> && echo hi",  # text after
        "<<include(scripts/s.sh)>><<include(scripts/s.sh)>>",  # two in one value
        "<<include(scripts/s.sh)>>\n<<include(scripts/s.sh)>>",
        "<<include(scripts/$NAME.sh)>>",  # a character outside the allowed set
        "<<include(scripts/my-script.sh)>>",  # '-' is not allowed either
    ],
)
def test_an_include_that_is_not_the_whole_value_is_an_error(tmp_path: Path, value: str) -> None:
    write(tmp_path, "scripts/s.sh", "echo hi\n")
    write(tmp_path, "commands/c.yml", yamlio.dump({"steps": [{"run": {"command": value}}]}))
    with pytest.raises(PackError, match="include"):
        pack(tmp_path)


def test_an_include_leaving_the_orb_folder_or_missing_is_an_error(tmp_path: Path) -> None:
    orb = tmp_path / "orb"
    write(tmp_path, "secret.sh", "echo secret\n")
    write(orb, "commands/c.yml", "steps:\n  - run:\n      command: <<include(../secret.sh)>>\n")
    with pytest.raises(PackError, match="leaves the orb folder"):
        pack(orb)
    write(orb, "commands/c.yml", "steps:\n  - run:\n      command: <<include(scripts/none.sh)>>\n")
    with pytest.raises(PackError, match="does not exist"):
        pack(orb)


def test_non_yaml_files_and_dot_folders_are_ignored(tmp_path: Path) -> None:
    write(tmp_path, "jobs/deploy.yml", "description: d\n")
    write(tmp_path, "jobs/README.md", "# not yaml\n")
    write(tmp_path, "scripts/s.sh", "echo\n")
    write(tmp_path, ".github/workflows/x.yml", "on: push\n")
    write(tmp_path, "jobs/.hidden/y.yml", "description: hidden\n")
    assert pack(tmp_path) == {"jobs": {"deploy": {"description": "d"}}}


def test_output_is_deterministic_whatever_the_creation_order(tmp_path: Path) -> None:
    names = ["b", "a", "c", "@orb"]
    first, second = tmp_path / "one", tmp_path / "two"
    for order, root in ((names, first), (list(reversed(names)), second)):
        for name in order:
            write(root, f"jobs/{name}.yml", f"x{name.strip('@')}: {{description: {name!r}}}\n")
        os.utime(root)
    assert pack_text(first) == pack_text(second)
    # @-files first (merged), then files by name.
    assert list(pack(first)["jobs"]) == ["xorb", "a", "b", "c"]
    assert pack_text(first) == pack_text(first)


def test_duplicate_keys_in_a_file_are_an_error(tmp_path: Path) -> None:
    write(tmp_path, "jobs/deploy.yml", "description: a\ndescription: b\n")
    with pytest.raises(PackError, match="duplicate key"):
        pack(tmp_path)


def test_the_real_orb_packs_and_round_trips(packed_orb: dict[str, object]) -> None:
    assert set(packed_orb) == {
        "version",
        "description",
        "display",
        "commands",
        "jobs",
        "executors",
        "examples",
    }
    assert yamlio.load(yamlio.dump(packed_orb)) == packed_orb
    command = packed_orb["commands"]["release"]["steps"][0]["run"]["command"]  # type: ignore[index]
    assert command.startswith("#!/usr/bin/env bash")
    assert "<< parameters" not in command.replace("\\<<", "")
