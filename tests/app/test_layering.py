"""The core and the audio capture never import Qt, qasync or the UI (napari's rule).

Checked twice: statically by the import-linter contracts in pyproject.toml (every import statement,
including relative ones inside functions; tests/app/test_import_contracts.py proves they catch those),
and at run time by importing every core and audio module in a fresh interpreter and looking at
``sys.modules``, which also catches imports import-linter cannot see (``importlib.import_module``).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.paths import ROOT

QT_FREE_PACKAGES = ("desktop/core", "desktop/audio")
QT_TOP_LEVEL = ("PySide6", "PyQt5", "PyQt6", "shiboken6", "qasync")
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def test_the_import_contracts_are_kept() -> None:
    result = subprocess.run([str(LINT_IMPORTS), "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, f"import contracts broken:\n{result.stdout}{result.stderr}"
    assert "4 kept, 0 broken" in result.stdout


def test_importing_every_core_module_loads_no_qt() -> None:
    modules = []
    for package in QT_FREE_PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            rel = path.relative_to(ROOT).with_suffix("")
            parts = list(rel.parts)
            if parts[-1] == "__init__":
                parts = parts[:-1]
            modules.append(".".join(parts))
    code = (
        "import importlib, sys\n"
        f"for m in {modules!r}: importlib.import_module(m)\n"
        f"bad = sorted(k for k in sys.modules if k.split('.')[0] in {QT_TOP_LEVEL!r} "
        "or k.startswith('desktop.ui'))\n"
        "print('\\n'.join(bad)); sys.exit(1 if bad else 0)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, f"core imports pulled in: {result.stdout}{result.stderr}"
    assert len(modules) >= 8  # the check must actually cover the core
