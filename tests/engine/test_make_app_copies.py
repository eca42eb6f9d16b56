"""The engine's `make_app` fixture: each app is a copy no other test has touched."""

from __future__ import annotations

from collections.abc import Callable

from tests.engine.conftest import App


def test_an_app_changed_by_one_test_does_not_reach_the_next(make_app: Callable[..., App]) -> None:
    first = make_app(functions=("A",))
    first.change_code("2", ("A",))
    (first.directory / "samconfig.toml").write_text("version = 0.1\n")
    second = make_app(functions=("A",))
    assert second.directory != first.directory and second.stack != first.stack
    handler = (second.directory / "src" / "a" / "app.py").read_text()
    assert 'CODE_VERSION = "1"' in handler, handler
    assert not (second.directory / "samconfig.toml").exists()
