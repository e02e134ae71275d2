# The helpdesk platform. `make run` starts everything; `make test` runs every check.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
TOOLS  := .tools
UV     := $(TOOLS)/bin/uv
VENV   := .venv
BIN    := $(VENV)/bin
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(CURDIR)/$(VENV)
export XDG_RUNTIME_DIR ?= $(CURDIR)/var/run

PROTOS := $(shell find proto -name '*.proto')
STAMP_SYNC  := $(VENV)/.synced
STAMP_PROTO := libs/contracts/src/helpdesk/.generated

.PHONY: help
help:  ## this list
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet --disable-pip-version-check 'uv>=0.9,<0.14'

$(STAMP_SYNC): $(UV) pyproject.toml uv.lock $(wildcard libs/*/pyproject.toml services/*/pyproject.toml)
	$(UV) sync --all-packages --locked --python $(PYTHON)
	@touch $@

$(STAMP_PROTO): $(STAMP_SYNC) $(PROTOS) scripts/gen_protos.py
	$(BIN)/python scripts/gen_protos.py
	@touch $@

.PHONY: venv proto
venv: $(STAMP_SYNC)  ## create/refresh the virtual environment from uv.lock
proto: $(STAMP_PROTO)  ## generate Python code and stubs from proto/

.PHONY: run
run: $(STAMP_PROTO)  ## start the whole system on http://127.0.0.1:8080 (HELPDESK_PORT to change)
	@mkdir -p var/run && chmod 700 var/run
	$(BIN)/python -m stack run --data var

.PHONY: lint
lint: $(STAMP_PROTO)  ## ruff, formatting, import contracts, generated code up to date
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache
	$(BIN)/python scripts/gen_protos.py --check

.PHONY: typecheck
typecheck: $(STAMP_PROTO)  ## mypy --strict over our code (generated code excluded)
	$(BIN)/mypy libs/kit/src libs/stack/src $(foreach s,identity routing tickets sla audit web,services/$(s)/src/$(s))

.PHONY: unit
unit: $(STAMP_PROTO)  ## unit tests of the kit and each service
	$(BIN)/pytest -q libs services

.PHONY: integration
integration: $(STAMP_PROTO)  ## the real stack (PostgreSQL, NATS, every service) driven over REST and gRPC
	@mkdir -p var/run && chmod 700 var/run
	$(BIN)/pytest -q tests/integration

.PHONY: deploy-check
deploy-check: $(STAMP_PROTO)  ## kustomize renders and validates, the Dockerfile lints, compose is sound
	$(BIN)/pytest -q tests/deploy

.PHONY: test
test: lint typecheck  ## everything a change must pass
	@mkdir -p var/run && chmod 700 var/run
	$(BIN)/pytest -q libs services tests

.PHONY: bench
bench: $(STAMP_PROTO)  ## measure the create path; writes bench/results/latest.json
	@mkdir -p var/run && chmod 700 var/run
	$(BIN)/python bench/create_path.py

.PHONY: fmt
fmt: $(STAMP_SYNC)  ## format the code
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

.PHONY: clean
clean:  ## remove the virtual environment and generated code (keeps var/ data)
	rm -rf $(VENV) $(TOOLS) $(STAMP_PROTO)
	find libs/contracts/src/helpdesk -mindepth 1 -maxdepth 1 -type d -exec rm -rf {} +
