"""End to end on Linux: sound played into a private PulseAudio's sinks, captured from their monitors
by the real system-audio code (pulsectl + soundcard) in a child process (tests/pulse.py)."""

from __future__ import annotations

import json
import queue
import subprocess
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from desktop.audio.system import OutputDevice, list_outputs, system_audio_support
from tests.audio_helpers import best_alignment, dominant_frequency, pcm_to_float, sine
from tests.pulse import PulseDaemon, private_pulse, run_system_capture  # noqa: F401 - fixtures

pytestmark = pytest.mark.pulse
RATE = 16000


def tone_pcm(freq: float, seconds: float, amplitude: float = 0.5) -> tuple[np.ndarray, bytes]:
    tone = sine(freq, seconds, RATE, amplitude=amplitude)
    return tone, (tone * 32767).astype("<i2").tobytes()


class Child:
    """The capture child and its output lines."""

    def __init__(self, daemon: PulseDaemon, out: Path, seconds: float, output: str = "", again: bool = False) -> None:
        self.out = out
        self.proc = run_system_capture(daemon, out, seconds, output=output, again=again)
        self.lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.put(line.rstrip("\n"))

    def expect(self, prefix: str, timeout: float = 20) -> str:
        line = self.lines.get(timeout=timeout)
        if not line.startswith(prefix):
            self.proc.kill()
            raise AssertionError(f"expected {prefix}, got {line!r}\n{self.proc.stderr.read()}")  # type: ignore[union-attr]
        return line

    def again(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write("again\n")
        self.proc.stdin.flush()

    def summary(self, timeout: float = 20, *, exits: bool = True) -> dict[str, object]:
        if exits:
            self.proc.wait(timeout=timeout)
        while True:
            line = self.lines.get(timeout=5 if exits else timeout)
            if line.startswith("SUMMARY"):
                result: dict[str, object] = json.loads(line.split(" ", 1)[1])
                return result

    def captured(self) -> np.ndarray:
        return pcm_to_float(self.out.read_bytes())

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(5)


def played(proc: subprocess.Popen[bytes]) -> None:
    assert proc.wait(timeout=15) == 0, proc.stderr.read() if proc.stderr else ""


def bursts(x: np.ndarray, threshold: float = 0.05) -> list[tuple[float, float, int]]:
    """(start s, end s, dominant Hz) of each loud stretch, at 50 ms resolution."""
    hop = RATE // 20
    loud = [float(np.sqrt(np.mean(x[i : i + hop] ** 2))) > threshold for i in range(0, x.size - hop + 1, hop)]
    out: list[tuple[float, float, int]] = []
    start = None
    for i, on in enumerate([*loud, False]):
        if on and start is None:
            start = i
        elif not on and start is not None:
            seg = x[start * hop : i * hop]
            out.append((start / 20, i / 20, round(dominant_frequency(seg, RATE))))
            start = None
    return out


def test_a_tone_played_into_the_default_output_comes_out_of_the_capture_in_time_and_level(
    private_pulse: PulseDaemon,  # noqa: F811
    tmp_path: Path,
) -> None:
    child = Child(private_pulse, tmp_path / "sys.raw", seconds=3.0)
    try:
        ready = child.expect("READY")
        assert ready.endswith("Null Output")
        child.expect("AUDIO")
        t_audio = time.monotonic()
        time.sleep(0.4)
        tone, pcm = tone_pcm(440, 0.8)
        t_play = time.monotonic()
        played(private_pulse.play(pcm))
        summary = child.summary()
    finally:
        child.kill()
    assert summary["error"] == "" and summary["overflows"] == 0
    assert summary["label"] == "System audio “Null Output”"
    data = child.out.read_bytes()
    assert 3 * 32000 <= len(data) <= 3 * 32000 + 3200  # 3 s of 16 kHz s16le, plus the tail flushed at stop
    x = child.captured()
    offset, corr = best_alignment(x, tone)
    assert corr > 0.99, f"correlation {corr:.4f} at {offset}"
    # On the capture's timeline the tone starts when it was played, after the first chunk
    # (100 ms of audio, plus the player's and the monitor's latency).
    lag = offset / RATE - (t_play - t_audio)
    assert 0.0 <= lag <= 0.4, lag
    segment = x[offset : offset + tone.size]
    assert dominant_frequency(segment, RATE) == pytest.approx(440, abs=1)
    assert np.sqrt(np.mean(segment**2)) == pytest.approx(0.5 / np.sqrt(2), rel=0.05)
    assert np.max(np.abs(x[: offset - 400])) < 0.01
    assert np.max(np.abs(x[offset + tone.size + 400 :])) < 0.01


def test_a_new_default_output_is_followed_mid_session(private_pulse: PulseDaemon, tmp_path: Path) -> None:  # noqa: F811
    private_pulse.load_sink("vsink2", "Second output")
    child = Child(private_pulse, tmp_path / "sys.raw", seconds=4.5)
    try:
        child.expect("READY")
        child.expect("AUDIO")
        played(private_pulse.play(tone_pcm(440, 0.5)[1], sink="vsink"))
        private_pulse.pactl("set-default-sink", "vsink2")
        switch = child.expect("SWITCH", timeout=5)
        assert switch.endswith("Second output")
        old = private_pulse.play(tone_pcm(660, 0.5)[1], sink="vsink")  # no longer followed
        played(private_pulse.play(tone_pcm(880, 0.5)[1], sink="vsink2"))
        played(old)
        summary = child.summary()
    finally:
        child.kill()
    assert summary["error"] == "" and summary["switches"] == 1
    assert summary["output"] == "Second output" and summary["overflows"] == 0
    data = child.out.read_bytes()
    # One session, one timeline: the switch's gap is filled, so the length is the wall time.
    assert 4.5 * 32000 <= len(data) <= 4.5 * 32000 + 3200
    found = bursts(child.captured())
    assert [f for _, _, f in found] == [440, 880], found
    for start, end, _ in found:
        assert end - start == pytest.approx(0.5, abs=0.1)
    switched_at = int(switch.split()[1]) / 32000  # where the consumer first saw the switch
    assert found[0][1] <= found[1][0] and switched_at <= found[1][0] + 0.1


def test_the_chosen_output_being_removed_ends_the_capture_in_words_after_its_audio(
    private_pulse: PulseDaemon,  # noqa: F811
    tmp_path: Path,
) -> None:
    module = private_pulse.load_sink("vsink2", "Second output")
    child = Child(private_pulse, tmp_path / "sys.raw", seconds=30, output="vsink2")
    try:
        assert child.expect("READY").endswith("Second output")
        child.expect("AUDIO")
        played(private_pulse.play(tone_pcm(440, 0.5)[1], sink="vsink2"))
        time.sleep(0.3)
        private_pulse.pactl("unload-module", str(module))  # the output disappears mid-session
        summary = child.summary(timeout=10)  # the capture must notice and end by itself
    finally:
        child.kill()
    assert summary["error"] == (
        "The output “Second output” was removed or unplugged, so its sound can no longer be captured. "
        "Choose another output for the next session."
    )
    assert [f for _, _, f in bursts(child.captured())] == [440]  # what was captured before is kept


def test_the_sound_server_going_away_ends_the_capture_in_words(private_pulse: PulseDaemon, tmp_path: Path) -> None:  # noqa: F811
    child = Child(private_pulse, tmp_path / "sys.raw", seconds=30)
    try:
        child.expect("READY")
        child.expect("AUDIO")
        private_pulse.stop()
        summary = child.summary(timeout=10)
    finally:
        child.kill()
    assert summary["error"] == (
        "The sound server (PulseAudio/PipeWire) stopped, so system audio stopped too. "
        "Start a new session once sound works again."
    )
    assert int(summary["bytes"]) > 0  # type: ignore[call-overload]


def test_outputs_are_the_sinks_with_the_default_marked(
    private_pulse: PulseDaemon,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for key in ("PULSE_SERVER", "XDG_RUNTIME_DIR", "HOME"):
        monkeypatch.setenv(key, private_pulse.env[key])
    private_pulse.load_sink("vsink2", "Second output")
    assert list_outputs() == [
        OutputDevice("vsink", "Null Output", True),
        OutputDevice("vsink2", "Second output", False),
    ]
    private_pulse.pactl("set-default-sink", "vsink2")
    assert [o.id for o in list_outputs() if o.is_default] == ["vsink2"]
    support = system_audio_support()
    assert support.available and "PulseAudio" in support.message and support.settings_url is None
    monkeypatch.setenv("PULSE_SERVER", f"unix:{private_pulse.runtime}/nothing-here")
    support = system_audio_support()
    assert not support.available
    assert support.message.startswith("System audio needs the PulseAudio or PipeWire sound server")


def test_a_session_after_the_sound_server_restarted_captures_again(private_pulse: PulseDaemon, tmp_path: Path) -> None:  # noqa: F811
    """soundcard connects once, at import; a restarted server needs that connection made again."""
    child = Child(private_pulse, tmp_path / "sys.raw", seconds=0.5, again=True)
    try:
        child.expect("READY")
        assert child.summary(exits=False)["error"] == ""
        private_pulse.stop()
        child.again()
        assert child.expect("ERROR").startswith(
            "ERROR System audio needs the PulseAudio or PipeWire sound server (with pipewire-pulse), and it "
            "could not be reached"
        )
        private_pulse.start()
        child.again()
        assert child.expect("READY").endswith("Null Output")
        summary = child.summary(exits=False)
    finally:
        child.kill()
    assert summary["error"] == "" and int(summary["bytes"]) >= 0.5 * 32000  # type: ignore[call-overload]
