"""The README's "Use it from Python" example runs as written, against the sandbox."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import lambda_release
from lambda_release.sandbox import Sandbox
from tests.rollback.cli import kit_cli
from tests.rollback.stackkit import Kit

README = Path(__file__).resolve().parents[2] / "README.md"


def example() -> str:
    text = README.read_text(encoding="utf-8")
    section = text.split("## Use it from Python", 1)[1]
    (code,) = re.findall(r"```python\n(.*?)```", section.split("\n## ", 1)[0], flags=re.S)
    return code


def test_every_public_name_is_importable() -> None:
    for name in lambda_release.__all__:
        assert getattr(lambda_release, name) is not None, name


def test_the_readme_example_runs(sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch) -> None:
    kit = Kit.in_env(sandbox, monkeypatch, "readme")
    first = kit.release({"A": "1"})
    second = kit.release({"A": "2"})
    code = (
        example()
        .replace('"eu-west-1"', repr(sandbox.region))
        .replace('"my-lambda-prod"', repr(kit.stack))
        .replace('"my-artifacts"', repr(kit.bucket))
    )
    cli = kit_cli(kit)
    p = cli.spawn.python(code, env=cli.env, timeout=120)
    assert p.returncode == 0, p.stderr
    lines = p.stdout.splitlines()
    assert lines[0].split() == [second, "succeeded"]
    assert lines[1].split() == [first, "succeeded"]
    assert lines[-1] == "a deploy would go ahead"
