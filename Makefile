# Two entry points that work on a fresh machine: `make demo` and `make test`.
# Each creates .venv and installs exactly uv.lock (hashes checked); nothing else is assumed.
# `make test-latest` instead resolves the newest releases within pyproject.toml's ranges.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# uv itself comes from PyPI by hash (requirements/uv.txt), into a venv of its own.
UV_VENV := .uv
UV := $(UV_VENV)/bin/uv
# Never download a Python: the machine's python3 (3.11) is the one the lock is tested on.
export UV_PYTHON_DOWNLOADS := never
# pytest workers: most e2e tests wait on the stand-in's clock, so more workers than cores pays.
WORKERS ?= 4

.PHONY: test test-latest lint typecheck unit e2e demo clean orb-check sdk-deps parser-deps lock image-profile

$(UV): requirements/uv.txt
	$(PYTHON) -m venv $(UV_VENV)
	$(UV_VENV)/bin/python -m pip install --quiet --no-deps --require-hashes -r requirements/uv.txt
	touch $(UV)

ifeq ($(LATEST),1)
# The newest releases that pyproject.toml's ranges admit, no lock: what a user's pip would pick today.
$(STAMP): pyproject.toml $(UV)
	$(UV) venv --quiet --allow-existing --python $(PYTHON) $(VENV)
	VIRTUAL_ENV=$(VENV) $(UV) pip install --quiet --upgrade --compile-bytecode -e '.[dev]'
	$(BIN)/python scripts/newer_than_lock.py uv.lock
	touch $(STAMP)
else
# --compile-bytecode: compiled once here, not by each of the suite's first parallel processes.
$(STAMP): pyproject.toml uv.lock $(UV)
	UV_PROJECT_ENVIRONMENT=$(VENV) $(UV) sync --quiet --locked --compile-bytecode --extra dev --python $(PYTHON)
	touch $(STAMP)
endif

# After changing a dependency in pyproject.toml: re-resolve uv.lock (commit both).
lock: $(UV)
	$(UV) lock --python $(PYTHON)

lint: $(STAMP)
	$(BIN)/ruff check src tests scripts bench
	$(BIN)/ruff format --check src tests scripts bench

typecheck: $(STAMP)
	$(BIN)/mypy --strict src

# The orb: pack, validate (schema + references), review RC001-RC012, yamllint, shellcheck.
orb-check: $(STAMP)
	MYPYPATH=scripts $(BIN)/mypy --strict scripts/orbtools
	PYTHONPATH=scripts $(BIN)/python -m orbtools check orb --yaml .circleci --output build/orb.yml

# The oldest bash (5.1) and python3 (3.9, as on the Amazon Linux 2023 SAM images) Debian's
# packages offer, unpacked into build/image-profiles/oldest (apt with a private sources list,
# nothing installed): the orb's tests run their scripts and jobs under it too.
IMAGE_PROFILE := build/image-profiles/oldest
# Where apt cannot run (no Debian), the tests under the profile are skipped, saying so.
$(IMAGE_PROFILE)/versions: scripts/oldest_image_tools.sh
	bash scripts/oldest_image_tools.sh $(IMAGE_PROFILE) || echo "image profile not built: the orb's tests run on the host's bash and python3 only"

image-profile: $(IMAGE_PROFILE)/versions

# The orb's dynamic-config example (@circleci/circleci-config-sdk): its node_modules live in
# build/sdk, outside orb/, so that no YAML of a package is ever packed into the orb.
SDK_DIR := build/sdk
SDK_STAMP := $(SDK_DIR)/node_modules/.installed

# $(call npm_ci,DIR,PACKAGE): PACKAGE's package-lock.json (integrity hashes) installed into DIR.
define npm_ci
	mkdir -p $(1)
	cp $(2)/package.json $(2)/package-lock.json $(1)/
	cd $(1) && npm ci --no-audit --no-fund --loglevel=error
	touch $(1)/node_modules/.installed
endef

$(SDK_STAMP): orb/examples/sdk/package.json orb/examples/sdk/package-lock.json
	$(call npm_ci,$(SDK_DIR),orb/examples/sdk)

sdk-deps: $(SDK_STAMP)

# CircleCI's own config parser (@circleci/circleci-config-parser), which
# tests/orb/test_circleci_parser.py runs on .circleci/ and the orb's examples: into build/parser.
PARSER_DIR := build/parser
PARSER_STAMP := $(PARSER_DIR)/node_modules/.installed

$(PARSER_STAMP): tests/orb/parser/package.json tests/orb/parser/package-lock.json
	$(call npm_ci,$(PARSER_DIR),tests/orb/parser)

parser-deps: $(PARSER_STAMP)

# Then: every AWS operation the product calls had a success answer the strict stand-in checked.
test: lint typecheck orb-check sdk-deps parser-deps image-profile
	$(BIN)/python -m pytest -n $(WORKERS) --dist loadgroup --durations 10
	$(BIN)/python scripts/standin_coverage.py build/standin-operations

# The whole suite against the newest dependencies in range, in .venv-latest (the lock untouched).
test-latest:
	rm -f .venv-latest/.installed
	$(MAKE) test VENV=.venv-latest LATEST=1

# The fast tier: no stand-in, no sam, no process started (tests/conftest.py enforces it).
unit: $(STAMP)
	$(BIN)/python -m pytest -m 'not e2e' -n 2 --dist loadgroup --durations 10

e2e: $(STAMP) sdk-deps parser-deps
	$(BIN)/python -m pytest -m e2e -n $(WORKERS) --dist loadgroup --durations 10

# The release rehearsal: a local AWS stand-in, the bundled SAM app, the five chapters.
demo: $(STAMP)
	$(BIN)/lambda-release demo

clean:
	rm -rf $(VENV) .venv-latest $(UV_VENV) .pytest_cache .mypy_cache .ruff_cache build dist
