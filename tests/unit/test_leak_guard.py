"""The credential guard in tests/conftest.py: what it finds, and what it is given."""

from __future__ import annotations

from lambda_release.sandbox.server import CREDENTIALS, Sandbox
from tests.support.leaks import secrets_in


def test_finds_secrets_in_text_and_bytes() -> None:
    key, secret, token = CREDENTIALS.values()
    assert secrets_in(CREDENTIALS.values(), f"x {secret} y", None, b"") == [secret]
    assert secrets_in(CREDENTIALS.values(), token.encode(), "clean") == [token]
    assert secrets_in(CREDENTIALS.values(), "nothing here", b"nor here") == []
    assert key.startswith("ASIA")


def test_the_sandbox_hands_out_the_guarded_credentials(sandbox: Sandbox) -> None:
    env = sandbox.env
    assert (
        env["AWS_ACCESS_KEY_ID"],
        env["AWS_SECRET_ACCESS_KEY"],
        env["AWS_SESSION_TOKEN"],
    ) == CREDENTIALS.values()
