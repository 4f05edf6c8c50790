"""DictationService against the emulator, Qt-free: what reached Soniox, what was inserted, what was kept."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from soniox import AsyncSonioxClient

from desktop.core.backoff import Backoff
from desktop.core.dictation.service import DictationState
from desktop.core.dictation.types import FocusedApp
from desktop.core.library.search import LibrarySearch
from desktop.core.library.store import Library
from tests.core.dictation.helpers import FAST, RecordingInserter, make_service, speaking_source
from tests.core.live.test_live_session import WORDS, controls, sdk_client
from tests.core.live.test_live_session_support import until
from tests.fake_soniox import FakeSoniox
from tests.net_relay import TcpRelay

pytestmark = pytest.mark.asyncio
L = DictationState


@pytest.fixture
def library(tmp_path: Path) -> Iterator[Library]:
    lib = Library(tmp_path / "library" / "library.sqlite3")
    yield lib
    lib.close()


def audio_ms(emu: FakeSoniox, index: int = 0) -> float:
    sessions = emu.realtime_sessions
    return sessions[index].audio_ms if len(sessions) > index else 0.0


async def test_each_dictation_inserts_only_its_own_words_on_one_kept_session(
    fake_soniox: FakeSoniox, library: Library
) -> None:
    fake_soniox.set_script([WORDS])
    inserter = RecordingInserter(before="")
    async with sdk_client(fake_soniox) as client:
        service, heard, _ = make_service(client, inserter, library=library)
        await service.begin()
        assert service.state is L.LISTENING
        await until(lambda: audio_ms(fake_soniox) >= 1900, what="the first utterance")
        await service.end()
        assert service.state is L.IDLE and service.warm
        sent_first = audio_ms(fake_soniox)
        await asyncio.sleep(0.3)  # the key is up: the microphone is read, nothing is sent
        assert audio_ms(fake_soniox) == sent_first
        heard.states.clear()
        await service.begin()
        assert heard.state_names == ["listening"]  # no connecting: the session was kept open
        await until(lambda: audio_ms(fake_soniox) >= sent_first + 1300, what="the second utterance")
        await service.end()
        await service.close()
    snap = fake_soniox.wait_for_session(0)
    assert len(fake_soniox.realtime_sessions) == 1 and service.sessions_opened == 1
    assert len(controls(snap, "finalize")) == 2
    first, second = inserter.inserted
    # The field was empty: a capital, no leading space; then a space before the next words.
    assert first[0] == "O" and not first.startswith(" ")
    assert second.startswith(" ") and "  " not in inserter.field
    assert inserter.field.lower().split() == snap.final_words
    assert len(first.split()) >= 2 and len(second.split()) >= 1
    assert "<" not in inserter.field
    # Each utterance is its own history entry, titled with the app, found by search.
    kept = [d.library_id for d in heard.done]
    assert all(kept) and len(set(kept)) == 2
    infos = library.list_transcripts()
    assert {i.title for i in infos} == {"Dictation → Editor"}
    assert {i.source_kind for i in infos} == {"dictation"} and {i.source_label for i in infos} == {"Editor"}
    stored = library.load(kept[1])
    assert stored is not None and stored.transcript.text().split() == second.lower().split()
    search = LibrarySearch(library.path)
    try:
        page = search.search(second.split()[-1].lower())
        assert kept[1] in {r.info.id for r in page.results}
    finally:
        search.close()


async def test_states_in_order_and_provisional_words_reported(fake_soniox: FakeSoniox) -> None:
    fake_soniox.set_script([WORDS])
    inserter = RecordingInserter()
    async with sdk_client(fake_soniox) as client:
        service, heard, _ = make_service(client, inserter, keep_open_s=0)
        await service.begin()
        await until(lambda: any(p for _, p in heard.words), what="provisional words")
        await service.end()
        await until(lambda: not fake_soniox.realtime_sessions[0].active, what="the session to close")
    assert heard.state_names == ["connecting", "listening", "finishing", "idle"]
    assert heard.words[-1][0] == heard.done[0].heard
    # Nothing known before the cursor and no earlier dictation: a space is assumed.
    assert inserter.inserted == [" " + heard.done[0].heard]


async def test_idle_session_closes_and_the_next_dictation_opens_a_new_one(fake_soniox: FakeSoniox) -> None:
    fake_soniox.set_script([WORDS], loop=True)
    inserter = RecordingInserter(before="")
    async with sdk_client(fake_soniox) as client:
        service, _, sources = make_service(client, inserter, keep_open_s=0.3)
        for _ in range(2):
            await service.begin()
            await until(lambda: audio_ms(fake_soniox, len(sources) - 1) >= 1300, what="speech")
            await service.end()
            await until(lambda: not fake_soniox.realtime_sessions[-1].active, what="the idle session to close")
            await until(lambda: sources[-1].stopped, what="the microphone to be released with it")
        await service.close()
    assert service.sessions_opened == 2 and len(inserter.inserted) == 2


async def test_cancel_inserts_nothing_and_closes_the_session(fake_soniox: FakeSoniox) -> None:
    fake_soniox.set_script([WORDS])
    inserter = RecordingInserter()
    async with sdk_client(fake_soniox) as client:
        service, heard, _ = make_service(client, inserter)
        await service.begin()
        await until(lambda: audio_ms(fake_soniox) >= 1300, what="speech")
        service.cancel()
        await service.end()  # a late key-up after a cancel does nothing
        await service.close()
    snap = fake_soniox.wait_for_session(0)
    assert inserter.inserted == [] and heard.done == []
    assert service.state is L.IDLE and controls(snap, "finalize") == []


async def test_key_up_while_still_connecting_inserts_what_was_said(fake_soniox: FakeSoniox) -> None:
    """A slow handshake: the audio captured meanwhile is sent once connected, then finalized."""
    fake_soniox.set_script([WORDS])
    inserter = RecordingInserter(before="")
    relay = TcpRelay("127.0.0.1", int(fake_soniox.websocket_url.split(":")[2].split("/")[0]))
    await relay.start()
    relay.stall()  # connections are accepted and then hear nothing
    client = AsyncSonioxClient(
        api_key="test-key",
        api_base_url=fake_soniox.api_base_url,
        websocket_base_url=relay.url("ws", "/transcribe-websocket"),
    )
    try:
        service, _, sources = make_service(client, inserter)
        begin = asyncio.ensure_future(service.begin())
        await until(lambda: bool(sources) and sources[0].stats.bytes >= 2 * 16000 * 2, what="2 s captured")
        assert service.state is L.CONNECTING
        end = asyncio.ensure_future(service.end())
        await asyncio.sleep(0.1)
        relay.resume()
        await asyncio.gather(begin, end)
        await service.close()
    finally:
        await client.aclose()
        await relay.close()
    assert service.state is L.IDLE
    assert len(inserter.inserted) == 1 and inserter.inserted[0].split()[0] == "One"


async def test_no_key_is_said_before_anything_is_opened(fake_soniox: FakeSoniox) -> None:
    inserter = RecordingInserter()
    async with sdk_client(fake_soniox) as client:
        service, _heard, sources = make_service(
            client, inserter, preflight=lambda: "Add your Soniox API key in Settings first."
        )
        await service.begin()
    assert service.state is L.ERROR and "API key in Settings" in service.detail
    assert sources == [] and fake_soniox.realtime_sessions == []


async def test_a_rejected_key_is_an_error_in_words(fake_soniox: FakeSoniox) -> None:
    inserter = RecordingInserter()
    async with sdk_client(fake_soniox, key="wrong-key") as client:
        service, _heard, sources = make_service(client, inserter)
        await service.begin()
        await service.end()
        state, detail = service.state, service.detail
        await service.close()
    assert state is L.ERROR
    assert "did not accept the API key" in detail and "Settings" in detail
    assert sources[0].stopped and inserter.inserted == []


async def test_no_network_is_an_error_in_words(fake_soniox: FakeSoniox) -> None:
    fake_soniox.stop()  # nothing listens there any more
    inserter = RecordingInserter()
    async with sdk_client(fake_soniox) as client:
        service, _heard, _ = make_service(client, inserter)
        await service.begin()
        state, detail = service.state, service.detail
        await service.close()
    assert state is L.ERROR
    assert "connect" in detail.lower() or "network" in detail.lower(), detail


async def test_microphone_gone_mid_dictation_keeps_the_words_said_before(fake_soniox: FakeSoniox) -> None:
    fake_soniox.set_script([WORDS])
    inserter = RecordingInserter(before="")
    async with sdk_client(fake_soniox) as client:
        service, _heard, _ = make_service(client, inserter, source_factory=lambda: speaking_source(fail_after_ms=3000))
        await service.begin()
        await until(lambda: service.state is L.ERROR, what="the microphone to go")
        detail = service.detail
        await service.end()
        await service.close()
    assert "microphone was disconnected" in detail and detail.endswith("dictate again.")
    assert "session" not in detail  # a dictation's words, not the live panel's
    assert len(inserter.inserted) == 1 and inserter.inserted[0].startswith("One")


async def test_unknown_context_uses_the_last_dictation_into_the_same_app(fake_soniox: FakeSoniox) -> None:
    """The OS does not say what is before the cursor: a space is assumed, unless the text last
    dictated into that same app ended with whitespace (a new line)."""
    fake_soniox.set_script([WORDS], loop=True)
    inserter = RecordingInserter(before=None)
    async with sdk_client(fake_soniox) as client:
        service, _, _ = make_service(client, inserter, app=FocusedApp("Mail", "mail"))
        service._last_into["mail"] = "Dear Sam,\n"
        await service.begin()
        await until(lambda: audio_ms(fake_soniox) >= 1300, what="speech")
        await service.end()
        await service.begin()
        await until(lambda: audio_ms(fake_soniox) >= 2600, what="more speech")
        await service.end()
        await service.close()
    first, second = inserter.inserted
    assert first.startswith("One")  # after a new line: no space, a capital
    assert second.startswith(" ") and second[1].islower()  # after "one two…": a space


async def test_a_dropped_connection_mid_dictation_loses_no_words(fake_soniox: FakeSoniox) -> None:
    """The session reconnects and replays what was not final: the utterance arrives whole."""
    fake_soniox.set_script([WORDS])
    fake_soniox.inject_realtime(abrupt_close=True, after_audio_ms=1200)
    inserter = RecordingInserter(before="")
    async with sdk_client(fake_soniox) as client:
        service, heard, _ = make_service(
            client,
            inserter,
            session_options={**FAST, "backoff": Backoff(initial=0.05, cap=0.1, jitter=0, max_attempts=4)},
        )
        await service.begin()
        await until(lambda: len(fake_soniox.realtime_sessions) == 2, what="the reconnect")
        await until(lambda: audio_ms(fake_soniox, 1) >= 1500, what="speech after the reconnect")
        await service.end()
        await service.close()
    first = fake_soniox.wait_for_session(0)
    second = fake_soniox.wait_for_session(1)
    assert heard.state_names[-1] == "idle"
    words = inserter.field.lower().split()
    assert words[: len(first.final_words)] == first.final_words
    assert words == first.final_words + second.final_words[: len(words) - len(first.final_words)]
    assert len(words) >= 4 and "  " not in inserter.field


async def test_a_press_while_the_last_words_are_inserted_starts_the_next_dictation(fake_soniox: FakeSoniox) -> None:
    fake_soniox.set_script([WORDS], loop=True)
    inserter = RecordingInserter(before="")
    async with sdk_client(fake_soniox) as client:
        service, _heard, _ = make_service(client, inserter)
        await service.begin()
        await until(lambda: audio_ms(fake_soniox) >= 1300, what="speech")
        ending = asyncio.ensure_future(service.end())
        await asyncio.sleep(0)
        assert service.state is L.FINISHING
        await service.begin()  # pressed again before the text was in: waits for it, then listens
        assert ending.done() and len(inserter.inserted) == 1
        assert service.state is L.LISTENING
        before = audio_ms(fake_soniox)
        await until(lambda: audio_ms(fake_soniox) >= before + 1300, what="more speech")
        await service.end()
        await service.close()
    assert len(inserter.inserted) == 2 and service.sessions_opened == 1


async def test_release_idle_closes_a_kept_session_but_not_a_dictation(fake_soniox: FakeSoniox) -> None:
    """Settings saved (another microphone): the kept session goes, a dictation in progress stays."""
    fake_soniox.set_script([WORDS], loop=True)
    inserter = RecordingInserter(before="")
    async with sdk_client(fake_soniox) as client:
        service, _, sources = make_service(client, inserter)
        await service.begin()
        service.release_idle()  # listening: nothing happens
        await until(lambda: audio_ms(fake_soniox) >= 1300, what="speech")
        await service.end()
        assert service.warm and len(inserter.inserted) == 1
        service.release_idle()
        assert not service.warm
        await until(lambda: sources[0].stopped, what="the microphone to be released")
        await service.begin()
        await until(lambda: audio_ms(fake_soniox, 1) >= 1300, what="speech on a new session")
        await service.end()
        await service.close()
    assert service.sessions_opened == 2 and len(inserter.inserted) == 2
