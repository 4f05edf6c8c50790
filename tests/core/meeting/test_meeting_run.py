"""A meeting against the emulator, no Qt: two sessions, one ordered transcript, one library entry.

The emulator speaks its script on every session, paced by the "speech" bursts each source sends,
so the microphone and the system audio say the same words at *different times* (their bursts are
offset): the merged transcript must interleave them by time, "You" and "Speaker 1".
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from desktop.audio.meeting_recording import record_meeting
from desktop.core.backoff import Backoff
from desktop.core.errors import UserError
from desktop.core.export import to_txt, to_vtt
from desktop.core.library.store import Library
from desktop.core.live import LiveOptions, LiveState
from desktop.core.live.run import LiveRunListener, LiveRunSettings
from desktop.core.live.state import LiveStats
from desktop.core.meeting.run import MeetingRun
from desktop.core.transcript import TranscriptDelta
from tests.core.live.test_live_session import WORDS, controls, sdk_client
from tests.core.live.test_live_session_support import NumpySource, bursts, make_pcm, until
from tests.fake_soniox import FakeSoniox

pytestmark = pytest.mark.asyncio
FAST = {
    "keepalive_interval_s": 0.25,
    "finalize_min_interval_s": 0.1,
    "backoff": Backoff(initial=0.05, cap=0.2, jitter=0, max_attempts=4),
}
OPTIONS = LiveOptions(model="stt-rt-v4", language_hints=["en"])


class Heard(LiveRunListener):
    def __init__(self) -> None:
        self.states: list[tuple[str, str]] = []
        self.deltas: list[TranscriptDelta] = []
        self.errors: list[UserError] = []
        self.stats: list[LiveStats] = []

    def on_state(self, state: LiveState, detail: str) -> None:
        self.states.append((state.value, detail))

    def on_delta(self, delta: TranscriptDelta) -> None:
        self.deltas.append(delta)

    def on_error(self, error: UserError) -> None:
        self.errors.append(error)

    def on_stats(self, stats: LiveStats) -> None:
        self.stats.append(stats)


@pytest.fixture
def library(tmp_path: Path) -> Iterator[Library]:
    lib = Library(tmp_path / "library" / "library.sqlite3")
    yield lib
    lib.close()


def meeting(
    client: object, mic: NumpySource, system: NumpySource, heard: Heard, library: Library | None, **kw: object
) -> MeetingRun:
    return MeetingRun(
        lambda: client,  # type: ignore[arg-type,return-value]
        OPTIONS,
        None,
        mic,
        system,
        heard,
        library=library,
        settings=LiveRunSettings(session_options=FAST),
        **kw,  # type: ignore[arg-type]
    )


def by_diarization(emu: FakeSoniox, diarized: bool) -> list[int]:
    return [
        s.index for s in emu.realtime_sessions if bool((s.config or {}).get("enable_speaker_diarization")) is diarized
    ]


def turns(run: MeetingRun) -> list[tuple[str, str]]:
    t = run.transcript
    return [(t.speaker_label(s.speaker), s.text.strip()) for s in t.segments()]


async def test_both_sides_merge_into_one_time_ordered_transcript_kept_as_a_meeting(
    fake_soniox: FakeSoniox, library: Library
) -> None:
    fake_soniox.set_script([WORDS])
    mic = NumpySource(make_pcm(bursts(4, lead_ms=200)), pace_s=0.01, hold=True)
    system_pcm = make_pcm(bursts(4, lead_ms=500), seed=1)
    system = NumpySource(system_pcm, pace_s=0.01, hold=True)
    heard = Heard()
    async with sdk_client(fake_soniox) as client:
        run = meeting(client, mic, system, heard, library)
        await run.start()
        assert run.state is LiveState.RUNNING
        await until(lambda: len(run.transcript.final_tokens) >= 4, what="words of both sides")
        await until(lambda: len(system.produced) == len(system_pcm), what="all the audio")
        await run.stop()
    assert run.state is LiveState.FINISHED
    assert heard.states[0] == ("connecting", "Connecting to Soniox…") and heard.states[-1][0] == "finished"
    # Two sessions: the microphone without diarization, the system audio with it; both finished.
    assert len(by_diarization(fake_soniox, True)) == 1 and len(by_diarization(fake_soniox, False)) == 1
    you = fake_soniox.wait_for_session(by_diarization(fake_soniox, False)[0])
    others = fake_soniox.wait_for_session(by_diarization(fake_soniox, True)[0])
    assert controls(you, "finish") or you.responses[-1].get("finished")
    assert others.responses[-1].get("finished")
    # One transcript, alternating by time: You at 0.2 s, the other side at 0.5 s, You at 0.8 s...
    assert turns(run) == [
        ("You", "one"),
        ("Speaker 1", "one"),
        ("You", "two"),
        ("Speaker 1", "two"),
        ("You", "three"),
        ("Speaker 1", "three"),
        ("You", "four"),
        ("Speaker 1", "four"),
    ]
    starts = [t.start_ms for t in run.transcript.final_tokens if not t.is_marker]
    assert starts == sorted(starts)
    # Billed audio is both streams': the counters add them up.
    assert heard.stats[-1].audio_s == pytest.approx(you.audio_ms / 1000 + others.audio_ms / 1000, abs=0.2)
    # The history keeps one meeting with both speakers.
    tid = run.library_transcript_id
    assert tid is not None
    await until(lambda: library.info(tid).status == "complete", what="library")
    stored = library.load(tid)
    assert stored is not None
    assert stored.info.title == "Meeting" and stored.info.source_kind == "meeting"
    assert stored.info.speaker_labels == ["You", "Speaker 1"]
    assert stored.transcript.text() == run.transcript.text()


async def test_finalize_and_cancel_act_on_both_sides(fake_soniox: FakeSoniox) -> None:
    fake_soniox.set_script([WORDS])
    mic = NumpySource(make_pcm(bursts(30)), pace_s=0.01, repeat=True)
    system = NumpySource(make_pcm(bursts(30, lead_ms=500), seed=1), pace_s=0.01, repeat=True)
    heard = Heard()
    async with sdk_client(fake_soniox) as client:
        run = meeting(client, mic, system, heard, None)
        await run.start()
        await until(lambda: run.transcript.tail_tokens != () or len(run.transcript) > 0, what="words")
        assert run.request_finalize()
        assert run.finalize_pending
        await until(lambda: not run.finalize_pending, what="both <fin>")
        for index in range(2):
            assert len(controls(fake_soniox.realtime_sessions[index], "finalize")) == 1
        run.cancel()
        await until(lambda: run.state is LiveState.CANCELED, what="canceled")
        await until(lambda: mic.stopped and system.stopped, what="both sources closed")
    for index in range(2):
        snap = fake_soniox.wait_for_session(index)
        assert controls(snap, "finish") == []  # a cancel never asks for (and pays) the tail
    assert heard.states[-1][0] == "canceled"


async def test_the_system_audio_going_away_keeps_the_microphone_running(
    fake_soniox: FakeSoniox, library: Library
) -> None:
    fake_soniox.set_script([WORDS])
    mic_pcm = make_pcm(bursts(6))
    mic = NumpySource(mic_pcm, pace_s=0.01, hold=True)
    system = NumpySource(make_pcm(bursts(6, lead_ms=500), seed=1), pace_s=0.01, fail_after_ms=1500)
    heard = Heard()
    async with sdk_client(fake_soniox) as client:
        run = meeting(client, mic, system, heard, library)
        await run.start()
        await until(lambda: bool(heard.errors), what="the system side's error")
        assert run.state is LiveState.RUNNING  # the microphone goes on
        error = heard.errors[0]
        assert error.title == "System audio stopped"
        assert "disconnected" in error.message and "microphone goes on" in error.action
        await until(lambda: len(mic.produced) == len(mic_pcm), what="the microphone's later words")
        await run.stop()
    assert run.state is LiveState.FINISHED
    spoken = turns(run)
    assert ("Speaker 1", "one") in spoken  # what the other side said before it went is kept
    assert " ".join(text for who, text in spoken if who == "You") == "one two three four five six"
    assert spoken[-1] == ("You", "three four five six")  # alone once the other side had gone
    starts = [t.start_ms for t in run.transcript.final_tokens if not t.is_marker]
    assert starts == sorted(starts)


async def test_a_reconnect_on_one_side_does_not_break_the_order(fake_soniox: FakeSoniox) -> None:
    fake_soniox.set_script([WORDS])
    fake_soniox.inject_realtime(error_code=503, after_audio_ms=1400)  # whichever side connects first
    mic_pcm, system_pcm = make_pcm(bursts(6)), make_pcm(bursts(6, lead_ms=500), seed=1)
    mic = NumpySource(mic_pcm, pace_s=0.01, hold=True)
    system = NumpySource(system_pcm, pace_s=0.01, hold=True)
    heard = Heard()
    async with sdk_client(fake_soniox) as client:
        run = meeting(client, mic, system, heard, None)
        await run.start()
        await until(
            lambda: len(mic.produced) == len(mic_pcm) and len(system.produced) == len(system_pcm), what="all audio"
        )
        await run.stop()
    assert len(fake_soniox.realtime_sessions) == 3  # one side reconnected
    assert heard.stats[-1].reconnects == 1
    assert any(state == "reconnecting" for state, _ in heard.states)
    spoken = turns(run)
    assert [who for who, _ in spoken] == ["You", "Speaker 1"] * 6
    # (The emulator's new connection starts its script again, so the words themselves repeat.)
    starts = [t.start_ms for t in run.transcript.final_tokens if not t.is_marker]
    assert starts == sorted(starts) and len(starts) == 12


async def test_a_side_whose_words_arrive_late_still_lands_in_time_order(fake_soniox: FakeSoniox) -> None:
    fake_soniox.set_script([WORDS])
    # Whichever side connects first answers half a second late (ten seconds of this fast audio):
    # its words arrive after the other side's later ones, and must still go before them.
    fake_soniox.inject_realtime(response_delay_s=0.5)
    mic_pcm, system_pcm = make_pcm(bursts(6)), make_pcm(bursts(6, lead_ms=500), seed=1)
    mic = NumpySource(mic_pcm, pace_s=0.01, hold=True)
    system = NumpySource(system_pcm, pace_s=0.01, hold=True)
    heard = Heard()
    async with sdk_client(fake_soniox) as client:
        run = meeting(client, mic, system, heard, None)
        await run.start()
        await until(
            lambda: len(mic.produced) == len(mic_pcm) and len(system.produced) == len(system_pcm), what="all audio"
        )
        await run.stop()
    spoken = turns(run)
    assert [who for who, _ in spoken] == ["You", "Speaker 1"] * 6
    assert [text for _, text in spoken] == [w for w in WORDS.split()[:6] for _ in range(2)]


def sound_onsets_ms(track: Any, rate: int, gap_ms: int = 300) -> list[float]:
    """Where sound starts after at least ``gap_ms`` of quiet, in 20 ms steps."""
    step = rate // 50
    loud = [float(np.sqrt(np.mean(track[i : i + step] ** 2))) > 0.02 for i in range(0, len(track) - step, step)]
    onsets, quiet = [], gap_ms // 20
    for i, on in enumerate(loud):
        if on and quiet >= gap_ms // 20:
            onsets.append(i * 20.0)
        quiet = 0 if on else quiet + 1
    return onsets


def _silence(ms: int) -> bytes:
    return bytes(ms * 32)


async def test_a_conversation_reads_as_you_and_the_speakers_in_turn(fake_soniox: FakeSoniox, library: Library) -> None:
    """Acoustic mode: each session hears only the words its own audio carries."""
    import soundfile

    from tests.fake_soniox.tones import duration_ms, speak

    fake_soniox.set_acoustic(True)
    hello, question, answer, thanks = (
        ["Hello", "everyone,", "thanks", "for", "joining"],
        ["Shall", "we", "start"],
        ["yes", "please"],
        ["thanks"],
    )
    lead = 300
    # The microphone: you greet, listen to the question, answer.
    mic_pcm = (
        _silence(lead)
        + speak(hello)
        + _silence(duration_ms(len(question)) + 400)
        + speak(answer)
        + _silence(duration_ms(len(thanks)) + 1500)
    )
    # The system audio: silent while you greet, speaker 2 asks, then speaker 3 thanks you.
    system_pcm = (
        _silence(lead + duration_ms(len(hello)) + 200)
        + speak(question, speaker=2)
        + _silence(duration_ms(len(answer)) + 200)
        + speak(thanks, speaker=3)
        + _silence(1500)
    )
    mic = NumpySource(mic_pcm, pace_s=0.01, hold=True)
    system = NumpySource(system_pcm, pace_s=0.01, hold=True)
    heard = Heard()
    async with sdk_client(fake_soniox) as client:
        run = meeting(client, mic, system, heard, library, record=record_meeting)
        await run.start()
        await until(
            lambda: len(mic.produced) == len(mic_pcm) and len(system.produced) == len(system_pcm), what="all audio"
        )
        await run.stop()
    assert turns(run) == [
        ("You", "Hello everyone, thanks for joining"),
        ("Speaker 2", "Shall we start"),
        ("You", "yes please"),
        ("Speaker 3", "thanks"),
    ]
    tid = run.library_transcript_id
    assert tid is not None
    await until(lambda: library.info(tid).status == "complete", what="library")
    stored = library.load(tid)
    assert stored is not None and stored.info.speaker_labels == ["You", "Speaker 2", "Speaker 3"]
    # Exports name the sides as the transcript does, renamed or not.
    run.transcript.rename_speaker("2", "Dana")
    text = to_txt(run.transcript)
    assert "You: Hello everyone, thanks for joining" in text and "Dana: Shall we start" in text
    assert "<v Speaker 3>thanks" in to_vtt(run.transcript)
    # The audio: one stereo file, the microphone left and the system audio right, each track's
    # words where the transcript puts them (within the codec's and the clock's slack).
    audio = stored.info.audio_path
    assert audio is not None and audio.endswith(".opus")
    samples, rate = soundfile.read(audio, dtype="float32", always_2d=True)
    assert samples.shape[1] == 2
    # (Opus smears the tone code, so the tracks are checked by where sound is, not by words.)
    first = {
        speaker: next(t.start_ms for t in run.transcript.final_tokens if t.speaker == speaker)
        for speaker in ("you", "2")
    }
    for channel, speaker in ((0, "you"), (1, "2")):
        onset = sound_onsets_ms(samples[:, channel], rate)[0]
        assert abs(onset - first[speaker]) < 150, (channel, onset, first[speaker])
    assert len(sound_onsets_ms(samples[:, 0], rate)) == 2  # you spoke twice
    assert len(sound_onsets_ms(samples[:, 1], rate)) == 2  # and the system audio sounded twice


async def test_the_other_side_leaking_into_the_microphone_is_not_written_as_you(fake_soniox: FakeSoniox) -> None:
    """No echo cancellation: the speakers' sound reaches the microphone 20 dB down, 80 ms late."""
    from desktop.core.meeting.echo_guard import EchoGuard
    from tests.fake_soniox.tones import attenuate, duration_ms, mix, speak

    fake_soniox.set_acoustic(True)
    question, answer = ["Shall", "we", "start"], ["yes", "please"]
    lead = 300
    them = _silence(lead) + speak(question, speaker=2) + _silence(duration_ms(len(answer)) + 1500)
    you = _silence(lead + duration_ms(len(question)) + 200) + speak(answer) + _silence(1300)
    mic_pcm = mix(you, attenuate(them, 20, delay_ms=80))
    results = {}
    for guarded in (False, True):
        mic = NumpySource(mic_pcm, pace_s=0.01, hold=True)
        system = NumpySource(them, pace_s=0.01, hold=True)
        async with sdk_client(fake_soniox) as client:
            run = meeting(client, mic, system, Heard(), None, echo_guard=EchoGuard() if guarded else None)
            await run.start()
            await until(
                lambda: len(mic.produced) == len(mic_pcm) and len(system.produced) == len(them),  # noqa: B023
                what="all audio",
            )
            await run.stop()
        results[guarded] = turns(run)
    # Unguarded, the microphone's session hears the question too and writes it as yours:
    assert " ".join(text for who, text in results[False] if who == "You") == "Shall we start yes please"
    assert results[True] == [("Speaker 2", "Shall we start"), ("You", "yes please")]
