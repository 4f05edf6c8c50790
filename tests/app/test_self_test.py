"""``--self-test`` and the two launchers work, and the app shuts down cleanly."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.paths import ROOT


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


def test_a_running_app_quits_cleanly_on_sigterm(app_home: Path, fake_soniox) -> None:  # noqa: ANN001
    import signal
    import time

    env = {
        **os.environ,
        "SONIOX_DESKTOP_HOME": str(app_home),
        "QT_QPA_PLATFORM": "offscreen",
        "SONIOX_API_KEY": "test-key",
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-X",
            "dev",
            "-m",
            "desktop",
            "--verbose",
            "--api-base-url",
            fake_soniox.api_base_url,
            "--websocket-url",
            fake_soniox.websocket_url,
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        log_file = app_home / "logs" / "soniox-desktop.log"
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if log_file.exists() and "Main window shown" in log_file.read_text():
                break
            time.sleep(0.1)
        time.sleep(1.0)  # let it check the connection and load the jobs list
        process.send_signal(signal.SIGTERM)
        _out, err = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, err
    for bad in (
        "Event loop stopped before Future completed",
        "QThread",
        "Traceback",
        "was never awaited",
        "Task was destroyed",
    ):
        assert bad not in err, err
    text = (app_home / "logs" / "soniox-desktop.log").read_text()
    assert "Quit requested by a signal" in text and "stopped" in text
    assert "test-key" not in text
    assert "main_window_geometry" in (app_home / "config" / "settings.json").read_text()


def test_sigterm_during_a_live_session_finishes_it_before_exiting(app_home: Path, fake_soniox, tmp_path: Path) -> None:  # noqa: ANN001
    """Quitting mid-session is a Stop, not a Cancel: the last words are fetched and kept."""
    import signal
    import time

    import numpy as np

    from tests.live_helpers import silence, speech, wav_bytes

    audio = tmp_path / "talk.wav"
    audio.write_bytes(wav_bytes(np.concatenate([speech(20.0), silence(1.0)])))
    env = {
        **os.environ,
        "SONIOX_DESKTOP_HOME": str(app_home),
        "QT_QPA_PLATFORM": "offscreen",
        "SONIOX_API_KEY": "test-key",
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-X",
            "dev",
            "-m",
            "desktop",
            "--no-onboarding",
            "--live-file",
            str(audio),
            "--api-base-url",
            fake_soniox.api_base_url,
            "--websocket-url",
            fake_soniox.websocket_url,
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60  # a loaded CI machine starts Python slowly
        while time.monotonic() < deadline:
            sessions = fake_soniox.realtime_sessions
            if sessions and sessions[0].audio_bytes > 64_000 and sessions[0].final_tokens:
                break
            time.sleep(0.1)
        assert fake_soniox.realtime_sessions, "the app never started the live session"
        process.send_signal(signal.SIGTERM)
        _out, err = process.communicate(timeout=40)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, err
    log_text = (app_home / "logs" / "soniox-desktop.log").read_text()
    for text in (err, log_text):
        assert "Event loop stopped before Future completed" not in text
        assert "Traceback" not in text
    session = fake_soniox.wait_for_session(0)
    assert "finish" in [c.type for c in session.controls], "quitting sent the end of audio"
    assert session.finished, "and waited for the service's finished response"


_BAD_SETTINGS: dict[str, bytes] = {
    "numbers_in_ui_state": b'{"ui_state": {"live_source": 3, "live_file": 7.5, "main_window_geometry": 9}}',
    "lists_in_ui_state": b'{"ui_state": {"live_source": ["file"], "live_file": [], "main_window_state": [1]}}',
    "nulls_in_ui_state": b'{"ui_state": {"live_source": null, "live_file": null}, "region": null}',
    "nested_wrong_types": b'{"ui_state": {"live_source": {"a": 1}}, "language_hints": [1, null, {}],'
    b' "defaults": {"live": [1], "jobs": 5}, "keep_recordings": "yes"}',
    "ui_state_is_a_list": b'{"ui_state": [1, 2, 3]}',
    "top_level_list": b"[1, 2, 3]",
    "top_level_number": b"42",
    "truncated_json": b'{"ui_state": {"live_source": "fi',
    "binary_garbage": bytes(range(256)) * 4,
}


@pytest.mark.parametrize("name", sorted(_BAD_SETTINGS))
def test_self_test_starts_whatever_the_settings_file_holds(app_home: Path, name: str) -> None:
    """A damaged settings.json once crashed every start with nothing in the log; it must never stop the app."""
    settings_file = app_home / "config" / "settings.json"
    settings_file.parent.mkdir(parents=True)
    settings_file.write_bytes(_BAD_SETTINGS[name])
    result = _run([sys.executable, "-X", "dev", "-m", "desktop", "--self-test"], app_home)
    assert result.returncode == 0, result.stderr
    assert "self-test ok" in result.stdout
    assert "Traceback" not in result.stderr, result.stderr


def test_an_unexpected_failure_at_start_is_logged_and_exits_non_zero(app_home: Path) -> None:
    """A start-up exception must not escape ``main``: traceback in the log, non-zero exit."""
    result = _run(
        [sys.executable, "-c", _FAIL_AT_START, "--self-test"],
        app_home,
    )
    assert result.returncode not in (0, None), result.stderr
    log_text = (app_home / "logs" / "soniox-desktop.log").read_text()
    assert "Traceback" in log_text
    assert "injected start-up failure" in log_text
    assert "Could not start" in result.stderr or "Could not start" in log_text


# Replaces the main window with one that raises while being built, then runs the real ``main``.
_FAIL_AT_START = """
import sys
import desktop.ui.main_window as mw
class Broken(mw.MainWindow):
    def __init__(self, *a, **k):
        raise RuntimeError("injected start-up failure")
mw.MainWindow = Broken
from desktop.app import main
sys.exit(main(sys.argv[1:]))
"""
