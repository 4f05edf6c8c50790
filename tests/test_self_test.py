"""``--self-test`` and the two launchers work, and the app shuts down cleanly."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _run(args: list[str], home: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SONIOX_DESKTOP_HOME": str(home), "QT_QPA_PLATFORM": "offscreen"}
    env.pop("SONIOX_API_KEY", None)
    return subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=90)


def test_self_test_builds_the_window_and_exits_cleanly(app_home: Path) -> None:
    result = _run([sys.executable, "-X", "dev", "-m", "desktop", "--self-test"], app_home)
    assert result.returncode == 0, result.stderr
    assert "self-test ok" in result.stdout
    assert "resources" in result.stdout
    for bad in ("Event loop stopped before Future completed", "QThread", "Traceback", "was never awaited"):
        assert bad not in result.stderr, result.stderr
    assert (app_home / "logs" / "soniox-desktop.log").is_file()


def test_gui_launcher_is_installed(app_home: Path) -> None:
    launcher = Path(sys.executable).parent / "soniox-desktop"
    assert launcher.exists(), "pip install -e . should create the soniox-desktop launcher"
    result = _run([str(launcher), "--self-test"], app_home)
    assert result.returncode == 0, result.stderr
    assert "self-test ok" in result.stdout


def test_version_flag(app_home: Path) -> None:
    result = _run([sys.executable, "-m", "desktop", "--version"], app_home)
    assert result.returncode == 0
    assert result.stdout.startswith("soniox-desktop ")
