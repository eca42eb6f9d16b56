"""Shared pytest setup: the sandbox fixtures (`sandbox`, `sandbox_env`)."""

pytest_plugins = ["lambda_release.sandbox.pytest_plugin"]
