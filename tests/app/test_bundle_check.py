"""The self-test's check of the desktop integration finds what a bundle lost, without a display."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from desktop.platform import bundle_check


def test_this_environment_has_every_piece_even_without_a_display() -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "PULSE_SERVER")}
    env["PULSE_SERVER"] = "unix:/nonexistent/pulse"  # importing soundcard would fail; the check must not import it
    code = "from desktop.platform.bundle_check import bundle_problems; print(bundle_problems())"
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_a_missing_module_and_a_missing_data_file_are_named(monkeypatch: pytest.MonkeyPatch) -> None:
    key = bundle_check._platform_key()
    monkeypatch.setitem(bundle_check._MODULES, key, ("pynput.keyboard._gone", "soundcard"))
    monkeypatch.setitem(bundle_check._FILES, key, (("soundcard", "gone.py.h"),))
    assert bundle_check.bundle_problems() == [
        "module pynput.keyboard._gone is not in the bundle",
        "soundcard/gone.py.h is not in the bundle",
    ]


def test_an_echo_canceller_that_cannot_load_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    from livekit import rtc

    def broken(**_kw: object) -> None:
        raise OSError("liblivekit_ffi.so: cannot open shared object file")

    monkeypatch.setattr(rtc, "AudioProcessingModule", broken)
    (problem,) = bundle_check.bundle_problems()
    assert problem.startswith("echo cancellation (livekit) does not load: OSError")
