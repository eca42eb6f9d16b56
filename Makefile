# Two entry points that work on a fresh machine: `make demo` and `make test`.
# Each creates .venv and installs what it needs; nothing else is assumed.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: test lint typecheck unit demo clean orb-check sdk-deps

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

# The orb's dynamic-config example (@circleci/circleci-config-sdk): its node_modules live in
# build/sdk, outside orb/, so that no YAML of a package is ever packed into the orb.
SDK_DIR := build/sdk
SDK_STAMP := $(SDK_DIR)/node_modules/.installed

$(SDK_STAMP): orb/examples/sdk/package.json orb/examples/sdk/package-lock.json
	mkdir -p $(SDK_DIR)
	cp orb/examples/sdk/package.json orb/examples/sdk/package-lock.json $(SDK_DIR)/
	cd $(SDK_DIR) && npm ci --no-audit --no-fund --loglevel=error
	touch $(SDK_STAMP)

sdk-deps: $(SDK_STAMP)

test: lint typecheck orb-check sdk-deps
	$(BIN)/python -m pytest

unit: $(STAMP)
	$(BIN)/python -m pytest tests/unit

# The release rehearsal: a local AWS stand-in, the bundled SAM app, the five chapters.
demo: $(STAMP)
	$(BIN)/lambda-release demo

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache build dist
