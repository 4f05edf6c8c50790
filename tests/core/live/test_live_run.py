"""LiveRun against the emulator with no Qt: what a tray menu or a hotkey would start.

Each test drives a whole run (source → session → transcript → library, recording or link) and
asserts what reached the emulator, what the listener was told and what is on disk.
"""

from __future__ import annotations

import subprocess
import sys
import wave
from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop.audio.file_source import FileSource
from desktop.audio.recording import tap_for_recording
from desktop.core.backoff import Backoff
from desktop.core.library.store import Library
from desktop.core.live import LiveOptions, LiveState
from desktop.core.live.run import LiveRun, LiveRunListener, LiveRunSettings, SourceKind, SourceOrigin
from desktop.core.transcript import TranscriptDelta
from tests.core.live.test_live_session import WORDS, controls, sdk_client
from tests.core.live.test_live_session_support import NumpySource, bursts, make_pcm, until
from tests.fake_soniox import FakeSoniox
from tests.paths import ROOT

pytestmark = pytest.mark.asyncio
FAST = {
    "keepalive_interval_s": 0.25,
    "finalize_min_interval_s": 0.1,
    "backoff": Backoff(initial=0.05, cap=0.2, jitter=0, max_attempts=4),
}
OPTIONS = LiveOptions(model="stt-rt-v4", enable_speaker_diarization=True, language_hints=["en"])


class Heard(LiveRunListener):
    def __init__(self) -> None:
        self.states: list[str] = []
        self.deltas: list[TranscriptDelta] = []
        self.library_errors: list[Exception] = []

    def on_state(self, state: LiveState, detail: str) -> None:
        self.states.append(state.value)

    def on_delta(self, delta: TranscriptDelta) -> None:
        self.deltas.append(delta)

    def on_library_error(self, error: Exception) -> None:
        self.library_errors.append(error)


@pytest.fixture
def library(tmp_path: Path) -> Iterator[Library]:
    lib = Library(tmp_path / "library" / "library.sqlite3")
    yield lib
    lib.close()


def _run(
    client: object, source: object, origin: SourceOrigin, heard: Heard, library: Library, **settings: object
) -> LiveRun:
    return LiveRun(
        lambda: client,  # type: ignore[arg-type,return-value]
        OPTIONS,
        None,
        source,  # type: ignore[arg-type]
        origin,
        heard,
        library=library,
        record=tap_for_recording,
        settings=LiveRunSettings(session_options=FAST, **settings),  # type: ignore[arg-type]
    )


async def test_a_microphone_run_keeps_its_words_and_records_what_was_sent(
    fake_soniox: FakeSoniox, library: Library
) -> None:
    fake_soniox.set_script([WORDS])
    source = NumpySource(make_pcm(bursts(8)), pace_s=0.005)
    heard = Heard()
    async with sdk_client(fake_soniox) as client:
        run = _run(client, source, SourceOrigin(SourceKind.MICROPHONE), heard, library)
        await run.start()
        await until(lambda: run.state is LiveState.FINISHED, what="the run to end with its source")
    snap = fake_soniox.wait_for_session(0)
    assert heard.states[0] == "connecting" and heard.states[-1] == "finished"
    assert run.transcript.text().split() == snap.final_words != []
    await until(lambda: library.info(run.library_transcript_id).status == "complete", what="library")
    stored = library.load(run.library_transcript_id)
    assert stored is not None and stored.info.title == "Microphone"
    assert stored.transcript.text() == run.transcript.text()
    audio = Path(stored.info.audio_path)
    assert audio.exists() and audio.suffix == ".opus" and audio.stat().st_size > 1000
    assert snap.audio == source.produced  # every byte captured was sent, once
    assert heard.library_errors == []


async def test_hold_to_talk_sends_nothing_until_talk_and_finalizes_on_release(
    fake_soniox: FakeSoniox, library: Library
) -> None:
    fake_soniox.set_script([WORDS])
    source = NumpySource(make_pcm(bursts(20)), pace_s=0.005, repeat=True)
    heard = Heard()
    async with sdk_client(fake_soniox) as client:
        run = _run(client, source, SourceOrigin(SourceKind.MICROPHONE), heard, library, transmitting=False)
        await run.start()
        await until(lambda: len(controls(fake_soniox.realtime_sessions[0], "keepalive")) >= 2, what="keepalives")
        assert fake_soniox.realtime_sessions[0].audio_bytes == 0
        run.set_transmitting(True)  # talk pressed
        await until(lambda: fake_soniox.realtime_sessions[0].audio_ms >= 1500, what="audio while held")
        run.set_transmitting(False)  # released: pending words become final
        assert run.finalize_pending
        await until(lambda: not run.finalize_pending, what="<fin> after release")
        await run.stop()
    snap = fake_soniox.wait_for_session(0)
    assert len(controls(snap, "finalize")) == 1
    assert 0 < len(snap.audio) < len(source.produced)


async def test_cancel_ends_at_once_without_a_finish(fake_soniox: FakeSoniox, library: Library) -> None:
    fake_soniox.set_script([WORDS])
    source = NumpySource(make_pcm(bursts(40)), pace_s=0.005, repeat=True)
    heard = Heard()
    async with sdk_client(fake_soniox) as client:
        run = _run(client, source, SourceOrigin(SourceKind.MICROPHONE), heard, library)
        await run.start()
        await until(lambda: run.transcript.text() != "", what="some words")
        run.cancel()
        assert run.state is LiveState.CANCELED  # at once, not after cleanup
        assert run.session is not None
        await run.session.wait_closed()
    snap = fake_soniox.wait_for_session(0)
    assert not snap.finished
    assert heard.states[-1] == "canceled"
    info = library.info(run.library_transcript_id)
    assert info is not None and info.end_reason == "canceled" and info.token_count > 0


async def test_a_file_run_links_the_file_instead_of_recording_it(
    fake_soniox: FakeSoniox, library: Library, tmp_path: Path
) -> None:
    fake_soniox.set_script([WORDS])
    path = tmp_path / "talk.wav"
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(16000)
        out.writeframes(make_pcm(bursts(4)))
    heard = Heard()
    async with sdk_client(fake_soniox) as client:
        run = _run(client, FileSource(path, speed=20.0), SourceOrigin(SourceKind.FILE, path=path), heard, library)
        await run.start()
        await until(lambda: run.state.is_terminal, timeout=20, what="the file to end")
    info = library.info(run.library_transcript_id)
    assert info is not None and info.title == "talk.wav" and Path(info.audio_path) == path
    assert not (library.recordings_dir.exists() and any(library.recordings_dir.iterdir()))
    assert fake_soniox.wait_for_session(0).audio == path.read_bytes()


async def test_importing_the_run_loads_no_qt() -> None:
    code = (
        "import sys; import desktop.core.live.run, desktop.audio.recording, desktop.audio.file_source; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('PySide6', 'shiboken6', 'qasync')))"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
