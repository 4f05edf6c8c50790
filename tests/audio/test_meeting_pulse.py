"""A meeting end to end on Linux: a private PulseAudio, the real captures, the real SDK, the emulator.

Your words go into the virtual microphone (the FIFO "vmic"); the other side's words are played
into the null sink "vsink", whose monitor is the system audio. The emulator's acoustic mode hears
the tone-coded words each stream carries, so the merged transcript must read You / Speaker 2 in
turn. The meeting itself runs in a child process (``python -m tests.pulse meeting``): PortAudio
and soundcard must meet the private daemon at their first import.
"""

from __future__ import annotations

import json
import queue
import threading

import pytest

from tests.fake_soniox import FakeSoniox
from tests.fake_soniox.tones import duration_ms, speak
from tests.pulse import PulseDaemon, private_pulse, run_meeting  # noqa: F401 - fixtures

pytestmark = pytest.mark.pulse
RATE = 16000


def quiet(ms: int) -> bytes:
    return bytes(ms * RATE * 2 // 1000)


def test_you_on_the_microphone_and_the_others_on_the_speakers_read_as_one_meeting(
    private_pulse: PulseDaemon,  # noqa: F811
    fake_soniox: FakeSoniox,
) -> None:
    fake_soniox.set_acoustic(True)
    hello, question, answer = ["Hello", "everyone,", "thanks", "for", "joining"], ["Shall", "we", "start"], ["yes"]
    gap = 1200  # between turns: the two paths start a few tens of ms apart
    you = speak(hello) + quiet(gap + duration_ms(len(question)) + gap) + speak(answer)
    them = quiet(duration_ms(len(hello)) + gap) + speak(question, speaker=2)
    feeder = private_pulse.feeder(you, lead_silence_s=0.5)
    feeder.start()  # silence into the microphone from now on (PortAudio needs data to start)
    child = run_meeting(private_pulse, 9.0, fake_soniox.api_base_url, fake_soniox.websocket_url)
    lines: queue.Queue[str] = queue.Queue()

    def read() -> None:
        assert child.stdout is not None
        for line in child.stdout:
            lines.put(line.rstrip("\n"))

    threading.Thread(target=read, daemon=True).start()
    player = None
    try:
        ready = lines.get(timeout=30)
        assert ready == "READY", f"{ready}\n{child.stderr.read() if child.stderr else ''}"
        feeder.play()
        player = private_pulse.play(quiet(500) + them)
        child.wait(timeout=40)
        summary_line = lines.get(timeout=5)
    finally:
        if child.poll() is None:
            child.kill()
        if player is not None and player.poll() is None:
            player.kill()
        feeder.stop()
    assert summary_line.startswith("SUMMARY"), f"{summary_line}\n{child.stderr.read() if child.stderr else ''}"
    summary = json.loads(summary_line.split(" ", 1)[1])
    assert summary["state"] == "finished", summary
    assert summary["turns"] == [
        ["You", "Hello everyone, thanks for joining"],
        ["Speaker 2", "Shall we start"],
        ["You", "yes"],
    ]
    assert len(fake_soniox.realtime_sessions) == 2


def test_the_speakers_echo_in_the_microphone_is_not_said_twice(
    private_pulse: PulseDaemon,  # noqa: F811
    fake_soniox: FakeSoniox,
) -> None:
    """Loudspeakers in a room: a PulseAudio loopback mixes what the speakers play ("vsink") into
    the microphone ("room", a second sink whose monitor the microphone reads) 20 dB down and
    80 ms late. Echo cancelling takes it out of the audio and the guard drops what is left: their
    words are said once, as theirs, and none of yours is lost."""
    fake_soniox.set_acoustic(True)
    private_pulse.load_sink("room", "Room microphone")
    private_pulse.load_echo("vsink.monitor", "room", latency_ms=80, volume_db=-20)
    hello, question, answer = (
        ["Hello", "everyone,", "thanks", "for", "joining"],
        ["Shall", "we", "start", "with", "the", "quarterly", "numbers?"],
        ["yes"],
    )
    gap = 1200
    you = speak(hello) + quiet(gap + duration_ms(len(question)) + gap) + speak(answer)
    them = quiet(duration_ms(len(hello)) + gap) + speak(question, speaker=2)
    seconds = 2.0 + len(you) / (RATE * 2) + 2.0
    child = run_meeting(
        private_pulse,
        seconds,
        fake_soniox.api_base_url,
        fake_soniox.websocket_url,
        echo_cancellation=True,
        mic_source="room.monitor",
    )
    players = []
    try:
        assert child.stdout is not None
        ready = child.stdout.readline().strip()
        assert ready == "READY", f"{ready}\n{child.stderr.read() if child.stderr else ''}"
        players = [private_pulse.play(quiet(500) + you, sink="room"), private_pulse.play(quiet(500) + them)]
        child.wait(timeout=40)
        summary_line = child.stdout.readline().strip()
    finally:
        for proc in [child, *players]:
            if proc.poll() is None:
                proc.kill()
    assert summary_line.startswith("SUMMARY"), f"{summary_line}\n{child.stderr.read() if child.stderr else ''}"
    summary = json.loads(summary_line.split(" ", 1)[1])
    assert summary["turns"] == [
        ["You", "Hello everyone, thanks for joining"],
        ["Speaker 2", "Shall we start with the quarterly numbers?"],
        ["You", "yes"],
    ]
    # Most of the echo never reached Soniox as yours: cancelled in the audio (without it, all 7).
    sessions = [fake_soniox.wait_for_session(i).final_words for i in range(2)]
    (mic_words,) = [words for words in sessions if "Hello" in words]
    assert len([word for word in mic_words if word in question]) <= 2, mic_words
