# Two entry points that work on a fresh machine: `make demo` and `make test`.
# Each creates .venv and installs what it needs; nothing else is assumed.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: test lint typecheck unit demo clean orb-check

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

lint: $(STAMP)
	$(BIN)/ruff check src tests scripts bench
	$(BIN)/ruff format --check src tests scripts bench

typecheck: $(STAMP)
	$(BIN)/mypy --strict src

# The orb: pack, validate (schema + references), review RC001-RC012, yamllint, shellcheck.
orb-check: $(STAMP)
	MYPYPATH=scripts $(BIN)/mypy --strict scripts/orbtools
	PYTHONPATH=scripts $(BIN)/python -m orbtools check orb --yaml .circleci --output build/orb.yml

test: lint typecheck orb-check
	$(BIN)/python -m pytest

unit: $(STAMP)
	$(BIN)/python -m pytest tests/unit

# The release rehearsal: a local AWS stand-in, the bundled SAM app, the five chapters.
demo: $(STAMP)
	$(BIN)/lambda-release demo

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache build dist
