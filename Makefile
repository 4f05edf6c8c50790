# Two commands on a fresh machine: `make run` and `make test`. Both create .venv when missing
# and (re)install the project when pyproject.toml changed.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PYTEST_ARGS ?=

.PHONY: run test lint bench dist clean emulator icons

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@touch $(STAMP)

run: $(STAMP)
	$(BIN)/soniox-desktop $(ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .

# Headless: Qt's offscreen platform; the suite starts its own emulator and PulseAudio.
test: $(STAMP) lint
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest $(PYTEST_ARGS)

bench: $(STAMP)
	@mkdir -p bench-results
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m bench

# A local emulator for trying the app without a Soniox account:
#   make emulator, then make run ARGS="--api-base-url <url> --websocket-url <url>" with key test-key
emulator: $(STAMP)
	$(BIN)/python -m tests.fake_soniox --port 8765 --job-seconds 3

icons: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python packaging/make_icons.py

clean:
	rm -rf $(VENV) build dist .pytest_cache .ruff_cache bench-results
