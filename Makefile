# Two commands do all the set-up on a fresh machine: `make serve` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip --disable-pip-version-check -q

.PHONY: serve test install dev load bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(PIP) install -e .
	touch $@

$(VENV)/.dev-installed: pyproject.toml | $(BIN)/python
	$(PIP) install -e '.[dev]'
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed

dev: $(VENV)/.dev-installed

serve: install
	$(BIN)/lastmile seed-demo --if-empty
	$(BIN)/lastmile serve

test: dev
	$(BIN)/python -m pytest

# Load test (load_tests/README.md): fresh server + demo catalog on 127.0.0.1, Locust headless, report in var/load/.
LOAD_ARGS ?=
load: dev
	$(BIN)/python load_tests/run.py $(LOAD_ARGS)

# API benchmark (docs/performance.md): needs Debian's wrk, installed here with apt-get when missing.
BENCH_ARGS ?=
bench: dev
	@command -v wrk >/dev/null || { echo "make bench: installing Debian's wrk (the HTTP load generator bench/api.py drives) with apt-get"; \
		SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq wrk >/dev/null; }
	$(BIN)/python -m bench.api $(BENCH_ARGS)

clean:
	rm -rf $(VENV) var .pytest_cache .hypothesis
