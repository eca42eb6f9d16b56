"""``python -m lambda_release`` runs the command line."""

from lambda_release.cli import run

run()
