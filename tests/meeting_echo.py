"""Measuring echo in a meeting: two live runs against the emulator in acoustic mode.

A tone-speech meeting (``tests.meeting_audio``) is played through two paced sources: the
microphone (You + the loudspeakers' echo + room noise) and the system audio (Others). Each goes
through the app's own :class:`~desktop.core.live.run.LiveRun` (source → LiveSession → SDK →
emulator → transcript), optionally through :func:`desktop.audio.echo.cancel_echo` first. The
emulator recognises the words each stream really carries, so an echo that survives shows up as
Others' words in the You transcript. The :class:`EchoGuard` is then applied to the two final
transcripts in time order, as the meeting merger does (an Others word is known before any You
word that starts after it).

Used by ``bench/bench_meeting_echo.py`` (the figures) and ``tests/audio/test_meeting_echo.py``
(the pass/fail check).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from soniox import AsyncSonioxClient

from desktop.audio.echo import EchoTiming, cancel_echo
from desktop.core.audio_source import AudioSource
from desktop.core.backoff import Backoff
from desktop.core.live import LiveOptions, LiveState
from desktop.core.live.run import LiveRun, LiveRunSettings, SourceKind, SourceOrigin
from desktop.core.meeting.echo_guard import EchoGuard, normalize
from desktop.core.tokens import Token
from tests.fake_soniox import FakeSoniox
from tests.meeting_audio import Meeting, PacedSource, VirtualClock

MIC_START_MS = 30  # the two devices start (and cut chunks) at different moments
SYSTEM_START_MS = 80
FAST: dict[str, Any] = {
    "keepalive_interval_s": 0.25,
    "finalize_min_interval_s": 0.1,
    "backoff": Backoff(initial=0.05, cap=0.2, jitter=0, max_attempts=4),
}
MATCH_MS = 160  # a recognised word within this of where it was said is that word


@dataclass(frozen=True)
class Word:
    text: str
    start_ms: int  # on the shared timeline
    end_ms: int


@dataclass
class RunResult:
    you: list[Word]  # the microphone session's final words
    others: list[Word]  # the system audio session's final words
    mic_captured: int = 0  # bytes the sources produced and the sessions sent
    mic_sent: int = 0
    system_captured: int = 0
    system_sent: int = 0
    echo_status: str = ""


@dataclass(frozen=True)
class Score:
    duplicates: int  # You words that are Others' words heard back
    others_said: int
    you_kept: int  # You words that are words You said
    you_said: int
    others_heard: int  # Others words the system session got right

    @property
    def duplicate_share(self) -> float:
        return self.duplicates / self.others_said if self.others_said else 0.0

    @property
    def you_recall(self) -> float:
        return self.you_kept / self.you_said if self.you_said else 1.0


def _words(tokens: list[Token] | tuple[Token, ...], offset_ms: int) -> list[Word]:
    out = []
    for t in tokens:
        if t.is_marker or t.is_translation or t.start_ms is None or not t.text.strip():
            continue
        out.append(Word(t.text.strip(), t.start_ms + offset_ms, (t.end_ms or t.start_ms) + offset_ms))
    return out


async def run_meeting(
    emulator: FakeSoniox,
    meeting: Meeting,
    *,
    aec: bool,
    speed: float = 8.0,
    timeout_s: float = 120.0,
) -> RunResult:
    """Play ``meeting`` through two LiveRuns (with or without echo cancelling); their final words."""
    emulator.set_acoustic(True)
    clock = VirtualClock(speed)
    mic_raw = PacedSource(meeting.mic, clock, label="Microphone", start_ms=MIC_START_MS)
    system_raw = PacedSource(meeting.system, clock, label="System audio", start_ms=SYSTEM_START_MS)
    mic: AudioSource = mic_raw
    system: AudioSource = system_raw
    status = "no echo cancelling"
    if aec:
        mic, system = cancel_echo(mic_raw, system_raw, clock=clock.now, timing=EchoTiming().scaled(speed))
        status = str(getattr(mic, "echo_status", ""))
    client = AsyncSonioxClient(
        api_key="test-key", api_base_url=emulator.api_base_url, websocket_base_url=emulator.websocket_url
    )
    try:

        def run_for(source: AudioSource, diarize: bool) -> LiveRun:
            return LiveRun(
                lambda: client,
                LiveOptions(model="stt-rt-v4", enable_speaker_diarization=diarize, language_hints=["en"]),
                None,
                source,
                SourceOrigin(SourceKind.MICROPHONE),
                settings=LiveRunSettings(keep_audio=False, session_options=FAST),
            )

        you_run, others_run = run_for(mic, False), run_for(system, True)
        await asyncio.gather(you_run.start(), others_run.start())
        await _until(lambda: you_run.state.is_terminal and others_run.state.is_terminal, timeout_s)
        for run in (you_run, others_run):
            if run.state is not LiveState.FINISHED:
                raise RuntimeError(f"a run ended {run.state.value}: {run.last_error}")
    finally:
        await client.aclose()
    return _with_sent(you_run, others_run, mic_raw, system_raw, status, emulator)


def _with_sent(
    you_run: LiveRun,
    others_run: LiveRun,
    mic_raw: PacedSource,
    system_raw: PacedSource,
    status: str,
    emulator: FakeSoniox,
) -> RunResult:
    """Which emulator session was which: the system audio's is the diarized one."""
    sessions = emulator.realtime_sessions[-2:]
    diarized = [bool((s.config or {}).get("enable_speaker_diarization")) for s in sessions]
    system_sent = sessions[diarized.index(True)] if True in diarized else None
    mic_sent = sessions[diarized.index(False)] if False in diarized else None
    return RunResult(
        you=_words(you_run.transcript.final_tokens, MIC_START_MS),
        others=_words(others_run.transcript.final_tokens, SYSTEM_START_MS),
        mic_captured=mic_raw.stats.bytes,
        system_captured=system_raw.stats.bytes,
        mic_sent=mic_sent.audio_bytes if mic_sent else -1,
        system_sent=system_sent.audio_bytes if system_sent else -1,
        echo_status=status,
    )


async def _until(condition: Callable[[], bool], timeout_s: float) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    while not condition():
        if loop.time() > deadline:
            raise TimeoutError("the meeting runs did not finish in time")
        await asyncio.sleep(0.02)


def apply_guard(result: RunResult, guard: EchoGuard | None = None) -> list[Word]:
    """The You words the guard keeps, fed in time order (Others first on a tie), as the merger does."""
    guard = guard or EchoGuard()
    events = [(w.start_ms, 0, w) for w in result.others] + [(w.start_ms, 1, w) for w in result.you]
    kept: list[Word] = []
    for _, side, word in sorted(events, key=lambda e: (e[0], e[1])):
        if side == 0:
            guard.heard_others(word.text, word.start_ms, word.end_ms)
        elif guard.accept_you(word.text, word.start_ms, word.end_ms):
            kept.append(word)
    return kept


def score(meeting: Meeting, you_words: list[Word], others_words: list[Word], echo_delay_ms: float) -> Score:
    """Classify each You word by where it was said: by You (kept), by Others and heard back
    (duplicate: same word, about ``echo_delay_ms`` after Others said it), or neither."""

    def said(truth: list[tuple[int, str]], word: Word, shift: float) -> bool:
        norm = normalize(word.text)
        return any(normalize(t) == norm and abs(word.start_ms - (s + shift)) <= MATCH_MS for s, t in truth)

    kept = duplicates = 0
    for word in you_words:
        if said(meeting.you, word, 0):
            kept += 1
        elif said(meeting.others, word, echo_delay_ms):
            duplicates += 1
    others_heard = sum(1 for w in others_words if said(meeting.others, w, 0))
    return Score(duplicates, len(meeting.others), kept, len(meeting.you), others_heard)
