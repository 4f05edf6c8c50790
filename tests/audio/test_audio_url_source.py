"""UrlSource against a local aiohttp server: live and static streams, playlists, and failures."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Awaitable, Callable

import httpx
import pytest
import pytest_asyncio
from aiohttp import web

from desktop.audio.url_source import UrlSource, failure_reason
from desktop.core.audio_source import AUTO, AudioSourceError
from tests.audio.test_audio_file_source import VirtualClock
from tests.paths import DATA

pytestmark = pytest.mark.asyncio

MP3 = (DATA / "two_way_translation.mp3").read_bytes()


class Server:
    """The test server's address and the knobs its handlers read."""

    def __init__(self) -> None:
        self.base = ""
        self.live_release = asyncio.Event()
        self.live_sent = 0
        self.static_gets = 0


async def _live(request: web.Request) -> web.StreamResponse:
    """A radio-like stream: icy headers, chunked, no length, in small irregular pieces."""
    server = request.app[SERVER]
    resp = web.StreamResponse(headers={"Content-Type": "audio/mpeg", "icy-br": "64", "icy-name": "Test FM"})
    await resp.prepare(request)
    for i in range(0, len(MP3), 777):
        await resp.write(MP3[i : i + 777])
        server.live_sent += len(MP3[i : i + 777])
        await asyncio.sleep(0)
    if request.query.get("hold"):
        await server.live_release.wait()
    await resp.write_eof()
    return resp


async def _static(request: web.Request) -> web.Response:
    request.app[SERVER].static_gets += 1
    return web.Response(body=MP3, content_type="audio/mpeg")


def _disguised(body: bytes) -> Callable[[web.Request], Awaitable[web.Response]]:
    """Something else served as ``audio/mpeg`` (an mp3 inside, so players might even play it)."""

    async def handler(request: web.Request) -> web.Response:
        return web.Response(body=body + MP3, content_type="audio/mpeg")

    return handler


async def _reset(request: web.Request) -> web.StreamResponse:
    """Promises a whole file, sends a little, then drops the connection."""
    resp = web.StreamResponse(headers={"Content-Type": "audio/mpeg", "Content-Length": str(len(MP3) * 10)})
    await resp.prepare(request)
    await resp.write(MP3[:20000])
    await asyncio.sleep(0.05)
    assert request.transport is not None
    request.transport.abort()
    return resp


def _text(body: str, ctype: str) -> Callable[[web.Request], Awaitable[web.Response]]:
    async def handler(request: web.Request) -> web.Response:
        return web.Response(text=body, content_type=ctype)

    return handler


SERVER = web.AppKey("server", Server)


@pytest_asyncio.fixture
async def server() -> AsyncIterator[Server]:
    srv = Server()
    app = web.Application()
    app[SERVER] = srv
    app.router.add_get("/live", _live)
    app.router.add_get("/file.mp3", _static)
    app.router.add_get("/page", _text("<html><body>Radio</body></html>", "text/html"))
    app.router.add_get("/radio.m3u", _text("#EXTM3U\n#EXTINF:-1,Test FM\n/live\n", "audio/x-mpegurl"))
    app.router.add_get("/radio.pls", _text("[playlist]\nNumberOfEntries=1\nFile1=/live\nTitle1=T\n", "audio/x-scpls"))
    app.router.add_get("/hls.m3u8", _text("#EXTM3U\n#EXT-X-VERSION:3\nseg1.ts\n", "application/vnd.apple.mpegurl"))
    app.router.add_get("/disguised", _text("<!DOCTYPE html><html>nope</html>", "application/octet-stream"))
    app.router.add_get("/doc.mp3", _disguised(b"%PDF-1.5\n%\xe2\xe3\xcf\xd3\n"))
    app.router.add_get("/setup.mp3", _disguised(b"MZ\x90\x00\x03\x00\x00\x00" + bytes(200)))
    app.router.add_get("/reset.mp3", _reset)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    srv.base = f"http://127.0.0.1:{port}"
    try:
        yield srv
    finally:
        srv.live_release.set()
        await runner.cleanup()


async def read_all(src: UrlSource) -> tuple[bytes, list[int]]:
    await src.start()
    data, sizes = bytearray(), []
    async for chunk in src.chunks():
        data.extend(chunk)
        sizes.append(len(chunk))
    return bytes(data), sizes


async def test_live_stream_passes_through_in_100ms_chunks(server: Server) -> None:
    clock = VirtualClock()
    src = UrlSource(server.base + "/live", clock=clock, sleep=clock.sleep)
    data, sizes = await read_all(src)
    assert data == MP3
    assert src.format == AUTO and src.live and src.label == "Test FM"
    assert set(sizes[:-1]) == {800}  # 64 kbit/s from icy-br = 8000 B/s -> 800 B per 100 ms
    assert clock.now == 0.0  # a broadcast is paced by the server, not again by us
    assert src.stats.bytes == len(MP3)


async def test_static_file_is_paced_not_sent_in_a_burst(server: Server) -> None:
    clock = VirtualClock()
    src = UrlSource(server.base + "/file.mp3", clock=clock, sleep=clock.sleep)
    data, _ = await read_all(src)
    assert data == MP3
    assert not src.live
    # The first MP3 frame says 128 kbit/s: the download is spread over ~len/16000 seconds.
    assert clock.now == pytest.approx(len(MP3) / 16000 - 0.1, abs=0.05)
    assert src.duration_s == pytest.approx(len(MP3) / 16000, abs=0.01)


@pytest.mark.parametrize("playlist", ["/radio.m3u", "/radio.pls"])
async def test_playlists_are_followed_to_the_stream(server: Server, playlist: str) -> None:
    data, _ = await read_all(UrlSource(server.base + playlist))
    assert data == MP3


async def test_uses_a_given_client_and_leaves_it_open(server: Server) -> None:
    async with httpx.AsyncClient() as client:
        data, _ = await read_all(UrlSource(server.base + "/live", client=client))
        assert data == MP3
        assert not client.is_closed


async def test_stop_ends_a_stream_that_is_still_running(server: Server) -> None:
    src = UrlSource(server.base + "/live?hold=1")
    await src.start()
    got = 0

    async def consume() -> None:
        nonlocal got
        async for chunk in src.chunks():
            got += len(chunk)

    task = asyncio.create_task(consume())

    async def read_through() -> None:  # the stream is read while the server keeps it open
        while server.live_sent < len(MP3) or got < len(MP3) - 800:
            await asyncio.sleep(0.01)

    await asyncio.wait_for(read_through(), 10)
    await src.stop()
    await asyncio.wait_for(task, 5)  # stop() ends a live stream that never closes by itself


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/missing.mp3", "The server answered 404 Not Found for “http://127.0.0.1:"),
        ("/page", "is a web page or document (text/html), not an audio stream"),
        ("/disguised", "returned text, not audio"),
        ("/hls.m3u8", "HLS stream"),
        # The jobs checks' words for a file that is something else (issue 10, item 5).
        ("/doc.mp3", "/doc.mp3”: this is a PDF document, not audio or video."),
        ("/setup.mp3", "/setup.mp3”: this is a program, not audio or video."),
    ],
)
async def test_wrong_links_fail_with_a_clear_message(server: Server, path: str, message: str) -> None:
    with pytest.raises(AudioSourceError, match=re.escape(message)):
        await UrlSource(server.base + path).start()


async def test_connection_failure_names_the_host() -> None:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again: nothing listens there
    with pytest.raises(AudioSourceError, match=f"Could not connect to 127.0.0.1:{port}"):
        await UrlSource(f"http://127.0.0.1:{port}/stream").start()


async def test_non_http_addresses_are_refused() -> None:
    with pytest.raises(AudioSourceError, match="not an http:// or https:// address"):
        await UrlSource("ftp://example.invalid/a.mp3").start()


async def test_a_started_source_is_not_connected_twice(server: Server) -> None:
    """The Live panel opens a URL source to check it; the session's start then does nothing."""
    src = UrlSource(server.base + "/file.mp3", speed=1000.0)
    await src.start()
    await src.start()
    data, _ = await read_all(src)
    assert data == MP3
    assert server.static_gets == 1


async def test_a_stream_that_drops_says_why(server: Server) -> None:
    src = UrlSource(server.base + "/reset.mp3", speed=1000.0)
    with pytest.raises(AudioSourceError) as info:
        await read_all(src)
    message = str(info.value)
    assert re.fullmatch(r"The stream from 127\.0\.0\.1:\d+ broke off: \S.*\.", message), message
    assert not message.endswith(": ."), message


async def test_a_broken_stream_always_names_a_reason() -> None:
    # httpx raises ReadError("") when the peer resets mid-body: the message used to end "broke off: ."
    assert failure_reason(httpx.ReadError("")) == "read error"
    assert failure_reason(httpx.RemoteProtocolError("")) == "remote protocol error"
    assert failure_reason(OSError()) == "os error"
    try:
        try:
            raise ConnectionResetError(104, "Connection reset by peer")
        except ConnectionResetError as os_error:
            raise httpx.ReadError("") from os_error
    except httpx.ReadError as wrapped:
        assert failure_reason(wrapped) == "[Errno 104] Connection reset by peer"  # the cause's words
    assert failure_reason(httpx.RemoteProtocolError("peer closed connection")) == "peer closed connection"
