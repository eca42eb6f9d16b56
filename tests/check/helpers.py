"""Where the fixtures are, and running the console script."""

from __future__ import annotations

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
# Copies of shared/seed/template-*.yaml (the seed article's snippets), kept in the repository.
SEED = FIXTURES / "seed"
RULES_DIR = REPO / "src" / "lambda_release" / "check" / "rules"
BIN = Path(sys.executable).parent


def rule_dirs() -> list[Path]:
    return sorted(p for p in FIXTURES.iterdir() if p.is_dir() and p.name[:1] in "EWI")
