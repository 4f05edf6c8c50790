"""End to end: a known signal into a PulseAudio virtual mic, through real PortAudio and the capture."""

from __future__ import annotations

import json
import queue
import shutil
import threading
from pathlib import Path

import numpy as np
import pytest

from tests.audio_helpers import best_alignment, dominant_frequency, pcm_to_float, sine
from tests.pulse import PulseDaemon, _start_daemon, private_pulse, pulse, run_capture  # noqa: F401 - fixtures

pytestmark = pytest.mark.pulse


def _lines(stream: object, out: queue.Queue[str]) -> None:
    for line in stream:  # type: ignore[attr-defined]
        out.put(line.rstrip("\n"))


def test_a_tone_fed_to_the_virtual_mic_comes_out_of_the_capture(pulse: PulseDaemon, tmp_path: Path) -> None:  # noqa: F811
    tone = sine(440, 3.0, 16000, amplitude=0.5)
    pcm = (tone * 32767).astype("<i2").tobytes()
    feeder = pulse.feeder(pcm, lead_silence_s=0.5)
    feeder.start()  # silence flows from now on: PortAudio needs data to start and to stop
    out = tmp_path / "captured.raw"
    proc = run_capture(pulse, out, seconds=5.0)
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=_lines, args=(proc.stdout, lines), daemon=True).start()
    try:
        first = lines.get(timeout=20)
        assert first.startswith("READY"), f"{first}\n{proc.stderr.read() if proc.poll() is not None else ''}"
        feeder.play()
        proc.wait(timeout=30)
        summary_line = ""
        while not lines.empty() or not summary_line:
            summary_line = lines.get(timeout=5)
            if summary_line.startswith("SUMMARY"):
                break
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(5)
        feeder.stop()  # only after the capture stopped (see tests/pulse.py)
    assert feeder.error is None, feeder.error
    assert proc.returncode == 0, proc.stderr.read() + "\n" + pulse.log_tail()
    summary = json.loads(summary_line.split(" ", 1)[1])
    assert summary["error"] == ""
    assert summary["overflows"] == 0
    data = out.read_bytes()
    # Length: 5 s of 16 kHz s16le, give or take the partial chunk flushed at stop.
    assert 5 * 32000 <= len(data) <= 5 * 32000 + 3200
    captured = pcm_to_float(data)
    offset, corr = best_alignment(captured, tone)
    assert corr > 0.99, f"correlation {corr:.4f} at {offset}"
    assert 0 < offset < 1.5 * 16000 and offset + tone.size <= captured.size  # all of the tone, in order
    assert np.max(np.abs(captured[: offset - 400])) < 0.01  # the lead silence is silent
    segment = captured[offset : offset + tone.size]
    assert dominant_frequency(segment, 16000) == pytest.approx(440, abs=1)
    assert np.sqrt(np.mean(segment**2)) == pytest.approx(0.5 / np.sqrt(2), rel=0.05)
    after = captured[offset + tone.size + 400 :]
    assert after.size == 0 or np.max(np.abs(after)) < 0.01  # silence after the tone


def test_the_sound_server_going_away_ends_the_capture_with_a_disconnect_error(
    private_pulse: PulseDaemon,  # noqa: F811
    tmp_path: Path,
) -> None:
    feeder = private_pulse.feeder(b"")
    feeder.start()
    proc = run_capture(private_pulse, tmp_path / "captured.raw", seconds=60)
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=_lines, args=(proc.stdout, lines), daemon=True).start()
    try:
        assert lines.get(timeout=20).startswith("READY")
        assert lines.get(timeout=10) == "AUDIO"  # audio flows before the device goes away
        private_pulse.stop()  # the device vanishes mid-session
        proc.wait(timeout=20)  # the capture must notice and end by itself
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(5)
        feeder.stop()
    summary = next(line for line in iter(lambda: lines.get(timeout=5), "") if line.startswith("SUMMARY"))
    result = json.loads(summary.split(" ", 1)[1])
    assert result["error"] == "The microphone “System default” was disconnected."
    assert result["bytes"] > 0  # what was captured before is kept
    assert proc.returncode == 0


@pytest.mark.parametrize(("ci", "outcome"), [("true", pytest.fail.Exception), ("", pytest.skip.Exception)])
def test_missing_pulseaudio_fails_on_ci_and_skips_elsewhere(
    monkeypatch: pytest.MonkeyPatch, ci: str, outcome: type[BaseException]
) -> None:
    monkeypatch.setattr(shutil, "which", lambda name: None)
    monkeypatch.setenv("CI", ci)
    with pytest.raises(outcome, match="apt-get install pulseaudio"):
        _start_daemon()
