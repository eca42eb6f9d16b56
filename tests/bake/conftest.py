"""The release engine's app fixture, for the bake's end-to-end tests."""

from tests.engine.conftest import make_app

__all__ = ["make_app"]
