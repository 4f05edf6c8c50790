"""The import-linter contracts in pyproject.toml catch the violations they exist for.

A contract that silently passes is worse than none, so each test plants one violation in a
temporary copy of the package and asserts ``lint-imports`` reports that contract broken. The
relative import inside a function body is the case a naive scan of top-level imports misses.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.paths import ROOT

LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")
CORE_CONTRACT = "The core imports neither the audio capture, the UI, Qt nor qasync"
AUDIO_CONTRACT = "The audio capture imports neither the UI, Qt nor qasync"
LAYERS_CONTRACT = "Layers: ui -> platform -> audio -> core, never upwards"


def run_contracts(tree: Path) -> subprocess.CompletedProcess[str]:
    """Run lint-imports with the project's config against the ``desktop`` package found in ``tree``."""
    env = {**os.environ, "PYTHONPATH": str(tree)}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--config", str(tree / "pyproject.toml")],
        cwd=tree,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A throwaway copy of the package and its config, safe to break."""
    shutil.copytree(ROOT / "desktop", tmp_path / "desktop", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def plant(tree: Path, relative: str, code: str) -> None:
    path = tree / relative
    path.write_text(path.read_text(encoding="utf-8") + "\n\n" + code, encoding="utf-8")


def broken_contracts(result: subprocess.CompletedProcess[str]) -> list[str]:
    return [line.removesuffix(" BROKEN") for line in result.stdout.splitlines() if line.endswith(" BROKEN")]


def test_the_unmodified_copy_keeps_every_contract(tree: Path) -> None:
    result = run_contracts(tree)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "4 kept, 0 broken" in result.stdout


def test_a_relative_ui_import_inside_a_core_function_breaks_the_core_contract(tree: Path) -> None:
    plant(tree, "desktop/core/paths.py", "def _sneaky() -> None:\n    from ..ui import theme  # noqa: F401\n")
    result = run_contracts(tree)
    assert result.returncode != 0
    assert CORE_CONTRACT in broken_contracts(result)
    assert LAYERS_CONTRACT in broken_contracts(result)
    assert "desktop.core.paths -> desktop.ui.theme" in result.stdout


def test_a_lazy_qt_import_in_core_breaks_the_core_contract(tree: Path) -> None:
    lazy_qt = "def _sneaky() -> None:\n    from PySide6.QtCore import QObject  # noqa: F401\n"
    plant(tree, "desktop/core/regions.py", lazy_qt)
    result = run_contracts(tree)
    assert broken_contracts(result) == [CORE_CONTRACT]


@pytest.mark.parametrize("module", ["qasync", "shiboken6"])
def test_audio_importing_qasync_or_shiboken_breaks_the_audio_contract(tree: Path, module: str) -> None:
    target = next(p for p in sorted((tree / "desktop/audio").glob("*.py")) if p.name != "__init__.py")
    plant(tree, str(target.relative_to(tree)), f"def _sneaky() -> None:\n    import {module}  # noqa: F401\n")
    result = run_contracts(tree)
    assert broken_contracts(result) == [AUDIO_CONTRACT]


def test_core_importing_audio_breaks_the_core_and_layer_contracts(tree: Path) -> None:
    plant(tree, "desktop/core/paths.py", "def _sneaky() -> None:\n    from .. import audio  # noqa: F401\n")
    result = run_contracts(tree)
    assert sorted(broken_contracts(result)) == sorted([CORE_CONTRACT, LAYERS_CONTRACT])
