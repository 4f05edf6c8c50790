"""Audio of async jobs: ``audio_url`` is downloaded like the service does, and every job's
``audio_duration_ms`` (and so its transcript's timeline) comes from the audio actually received."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from soniox import SonioxClient
from soniox.errors import SonioxConflictError

from tests.emulator.helpers import AudioServer, encoded, rest, wav
from tests.emulator.oas import assert_matches_oas
from tests.fake_soniox import FakeSoniox
from tests.fake_soniox.errors import MSG_TRANSCRIPT_FAILED

MODEL = "stt-async-v5"


@pytest.fixture
def audio_server() -> Iterator[AudioServer]:
    server = AudioServer()
    yield server
    server.close()


def finished(client: SonioxClient, emu: FakeSoniox, job_id: str) -> dict[str, object]:
    emu.finish_all_jobs()
    with rest(emu) as http:
        body = http.get(f"/transcriptions/{job_id}").json()
    assert_matches_oas(body, "/v1/transcriptions/{transcription_id}", "get", 200)
    return dict(body)


def test_url_job_downloads_its_audio_and_measures_it(
    client: SonioxClient, fake_soniox: FakeSoniox, audio_server: AudioServer
) -> None:
    url = audio_server.serve("/talks/talk.wav", wav(16), "audio/wav")
    first = client.stt.create(model=MODEL, audio_url=url)
    second = client.stt.create(model=MODEL, audio_url=url)

    assert finished(client, fake_soniox, first.id)["audio_duration_ms"] == 16_000
    assert finished(client, fake_soniox, second.id)["audio_duration_ms"] == 16_000  # same file, same length
    assert audio_server.requests == ["/talks/talk.wav", "/talks/talk.wav"]
    assert client.stt.get(first.id).status == "completed"


def test_url_transcript_is_laid_out_over_the_fetched_audio(
    client: SonioxClient, fake_soniox: FakeSoniox, audio_server: AudioServer
) -> None:
    url = audio_server.serve("/short.wav", wav(3), "audio/wav")
    job = client.stt.create(model=MODEL, audio_url=url)
    fake_soniox.finish_all_jobs()
    tokens = client.stt.get_transcript(job.id).tokens
    assert tokens and max(t.end_ms for t in tokens) <= 3000


@pytest.mark.parametrize(
    ("fmt", "subtype", "ext"),
    [("MP3", "MPEG_LAYER_III", "mp3"), ("OGG", "VORBIS", "ogg"), ("OGG", "OPUS", "opus"), ("FLAC", "PCM_16", "flac")],
)
def test_compressed_audio_gets_its_real_length(
    client: SonioxClient,
    fake_soniox: FakeSoniox,
    audio_server: AudioServer,
    tmp_path: Path,
    fmt: str,
    subtype: str,
    ext: str,
) -> None:
    data = encoded(16, fmt, subtype, tmp_path)
    uploaded = client.files.upload(data, filename=f"talk.{ext}")
    from_file = client.stt.create(model=MODEL, file_id=uploaded.id)
    from_url = client.stt.create(model=MODEL, audio_url=audio_server.serve(f"/talk.{ext}", data))
    fake_soniox.finish_all_jobs()
    for job_id in (from_file.id, from_url.id):
        duration = client.stt.get(job_id).audio_duration_ms
        assert duration is not None and abs(duration - 16_000) <= 50, (ext, duration)


def test_wav_length_ignores_chunks_after_the_audio(client: SonioxClient, fake_soniox: FakeSoniox) -> None:
    trailer = b"LIST" + (1000).to_bytes(4, "little") + bytes(1000)  # metadata some editors append
    uploaded = client.files.upload(wav(2) + trailer, filename="tagged.wav")
    job = client.stt.create(model=MODEL, file_id=uploaded.id)
    fake_soniox.finish_all_jobs()
    assert client.stt.get(job.id).audio_duration_ms == 2000


def test_redirects_on_this_machine_are_followed(
    client: SonioxClient, fake_soniox: FakeSoniox, audio_server: AudioServer
) -> None:
    audio_server.serve("/real.wav", wav(2), "audio/wav")
    audio_server.redirects["/moved.wav"] = "/real.wav"
    job = client.stt.create(model=MODEL, audio_url=audio_server.base + "/moved.wav")
    assert finished(client, fake_soniox, job.id)["audio_duration_ms"] == 2000
    assert audio_server.requests == ["/moved.wav", "/real.wav"]


def _failed(client: SonioxClient, emu: FakeSoniox, url: str) -> dict[str, object]:
    job = client.stt.create(model=MODEL, audio_url=url)
    body = finished(client, emu, job.id)
    assert body["status"] == "error"
    assert body["error_type"] == "invalid_request"
    assert body["audio_duration_ms"] is None
    with pytest.raises(SonioxConflictError) as info:
        client.stt.get_transcript(job.id)
    assert info.value.api_error is not None and info.value.api_error.message == MSG_TRANSCRIPT_FAILED
    return body


def test_url_that_answers_404_fails_the_job(
    client: SonioxClient, fake_soniox: FakeSoniox, audio_server: AudioServer
) -> None:
    body = _failed(client, fake_soniox, audio_server.base + "/gone.mp3")
    message = str(body["error_message"])
    assert message.startswith("The audio could not be downloaded from `audio_url`: the server answered HTTP 404.")


def test_url_nobody_listens_on_fails_the_job(client: SonioxClient, fake_soniox: FakeSoniox) -> None:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again: nothing listens there
    body = _failed(client, fake_soniox, f"http://127.0.0.1:{port}/a.mp3")
    assert "the server could not be reached" in str(body["error_message"])


def test_url_that_is_too_slow_fails_the_job(
    client: SonioxClient, fake_soniox: FakeSoniox, audio_server: AudioServer
) -> None:
    with fake_soniox.state.lock:
        fake_soniox.state.config.audio_fetch_timeout_s = 0.3
    audio_server.slow_s = 5.0
    url = audio_server.serve("/slow/a.wav", wav(1), "audio/wav")
    body = _failed(client, fake_soniox, url)
    assert "did not finish within 0.3 seconds" in str(body["error_message"])


def test_redirect_off_this_machine_is_not_followed(
    client: SonioxClient, fake_soniox: FakeSoniox, audio_server: AudioServer
) -> None:
    audio_server.redirects["/out.wav"] = "https://example.com/a.wav"
    body = _failed(client, fake_soniox, audio_server.base + "/out.wav")
    assert "not on this machine" in str(body["error_message"])


def test_job_stays_queued_while_its_audio_downloads(
    client: SonioxClient, fake_soniox: FakeSoniox, audio_server: AudioServer
) -> None:
    """With the wall clock (CLI mode) a job only starts once its download ended, as the service's
    jobs stay queued while "downloading"."""
    audio_server.slow_s = 30.0
    url = audio_server.serve("/slow/a.wav", wav(2), "audio/wav")
    job = client.stt.create(model=MODEL, audio_url=url)
    fake_soniox.state.advance_clock_only(10)  # the ticker's path: never waits for a download
    assert client.stt.get(job.id).status == "queued"
    audio_server.release.set()
    fake_soniox.advance(0.001)  # waits for the download; processing starts now, not back at its due time
    processing = client.stt.get(job.id)
    assert (processing.status, processing.audio_duration_ms) == ("processing", 2000)
    fake_soniox.finish_all_jobs()
    assert client.stt.get(job.id).status == "completed"
