"""Stream audio from an http(s) URL: internet radio, live streams, or a file on a web server.

The bytes are passed on in their original container (``audio_format: auto``), re-chunked to
about 100 ms at the stream's byte rate (from the ``icy-br`` header, else the audio header, else
an estimate of 128 kbit/s). Two kinds of URL behave differently:

* A live stream (no ``Content-Length``, or Shoutcast/Icecast ``icy-*`` headers) is already
  paced by the server, so chunks go out as they arrive; pacing it again with an estimated rate
  would drift behind the broadcast.
* A static file (``Content-Length`` known) would otherwise download, and be sent, far faster
  than real time, so it is paced like :class:`~desktop.audio.file_source.FileSource`.

M3U/PLS playlists (what many radio sites link to) are followed to their first stream. HLS
(``.m3u8`` segment playlists) is not supported and says so. Wrong links (an HTML page, a 404,
no connection) fail in :meth:`UrlSource.start` with a message naming the address.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from urllib.parse import urljoin, urlsplit

import httpx

from desktop.audio.pacing import (
    ESTIMATED_BYTES_PER_SECOND,
    Pacer,
    looks_like_text,
    sniff_byte_rate,
)
from desktop.audio.stream_resume import resume_for
from desktop.core.audio_source import AUTO, AudioFormat, AudioSourceError, SourceStats, StreamResume
from desktop.core.media_sniff import not_media_reason, sniff_container

log = logging.getLogger(__name__)

_PLAYLIST_TYPES = (
    "audio/x-mpegurl",
    "audio/mpegurl",
    "application/x-mpegurl",
    "audio/x-scpls",
    "application/pls+xml",
    "application/vnd.apple.mpegurl",
)
_TEXT_TYPES = ("text/", "application/json", "application/xhtml", "application/xml")
_HEAD_BYTES = 8192
_MAX_PLAYLIST_BYTES = 65536
_MAX_REDIRECTS = 3


def failure_reason(exc: BaseException) -> str:
    """Never empty: the exception's own words, else its cause's, else its kind in words.

    httpx raises ``ReadError("")`` when a peer resets mid-body; the OS error it wraps says
    "Connection reset by peer", and without one "read error" still tells the user something.
    """
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        text = str(current).strip()
        if text:
            return text
        current = current.__cause__ or current.__context__
    return _class_in_words(type(exc).__name__)


def _class_in_words(name: str) -> str:
    """``RemoteProtocolError`` -> "remote protocol error", ``SSLError`` -> "ssl error"."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", " ", name).lower() or "unknown error"


class UrlSource:
    """An :class:`~desktop.core.audio_source.AudioSource` reading an HTTP(S) audio stream."""

    def __init__(
        self,
        url: str,
        *,
        client: httpx.AsyncClient | None = None,
        chunk_ms: int = 100,
        speed: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
        timeout: float = 15.0,
    ) -> None:
        self.url = url.strip()
        self._client = client
        self._own_client = client is None
        self._chunk_ms = chunk_ms
        self._speed = speed
        self._clock = clock
        self._sleep = sleep
        self._timeout = timeout
        self._response: httpx.Response | None = None
        self._body: AsyncIterator[bytes] | None = None
        self._head = b""
        self._stats = SourceStats()
        self._stopped = False
        self._bytes_per_second = float(ESTIMATED_BYTES_PER_SECOND)
        self._estimated = True
        self._live = True
        self._content_length: int | None = None
        self._label = _host_label(self.url)
        self._resume: StreamResume | None = None

    @property
    def format(self) -> AudioFormat:
        return AUTO

    @property
    def label(self) -> str:
        return self._label

    @property
    def stats(self) -> SourceStats:
        return self._stats

    @property
    def live(self) -> bool:
        """True for a broadcast (no known length): passed through as it arrives."""
        return self._live

    @property
    def duration_s(self) -> float | None:
        """Estimated length of a static file; None for a live stream."""
        if self._live or not self._content_length:
            return None
        return self._content_length / self._bytes_per_second

    @property
    def position_s(self) -> float:
        return self._stats.bytes / self._bytes_per_second

    @property
    def resume(self) -> StreamResume | None:
        """Where a reconnect can restart this stream (MP3/AAC frames, Ogg pages, WAV blocks); None if
        it cannot (MP4, WebM) or before :meth:`start`."""
        return self._resume

    async def start(self) -> None:
        """Connect and check that the answer is audio; raise :class:`AudioSourceError` if not.

        Starting a started source does nothing (the Live panel checks the address up front).
        """
        if self._body is not None:
            return
        scheme = urlsplit(self.url).scheme.lower()
        if scheme not in ("http", "https"):
            raise AudioSourceError(f"“{self.url}” is not an http:// or https:// address.")
        if self._client is None:
            self._client = httpx.AsyncClient(
                follow_redirects=True,
                timeout=httpx.Timeout(self._timeout, read=max(self._timeout, 30.0)),
                headers={"User-Agent": "SonioxDesktop", "Icy-MetaData": "0"},
            )
        try:
            await self._connect(self.url, depth=0)
        except BaseException:
            await self._close()
            raise
        self._resume = resume_for(self._head, self._bytes_per_second)

    async def _connect(self, url: str, depth: int) -> None:
        assert self._client is not None
        shown = _short(url)
        try:
            request = self._client.build_request("GET", url, headers={"Icy-MetaData": "0"})
            response = await self._client.send(request, stream=True)
        except httpx.InvalidURL as exc:
            raise AudioSourceError(f"“{shown}” is not a valid address: {failure_reason(exc)}.") from exc
        except httpx.TimeoutException as exc:
            raise AudioSourceError(f"Connecting to {urlsplit(url).netloc} timed out.") from exc
        except (httpx.HTTPError, OSError, ValueError) as exc:
            raise AudioSourceError(
                f"Could not connect to {urlsplit(url).netloc}: {failure_reason(exc)}. "
                "Check the address and your internet connection."
            ) from exc
        self._response = response
        if not response.is_success:
            status = f"{response.status_code} {response.reason_phrase}".strip()
            raise AudioSourceError(f"The server answered {status} for “{shown}”.")
        ctype = response.headers.get("content-type", "").split(";")[0].strip().lower()
        if ctype in _PLAYLIST_TYPES or urlsplit(url).path.lower().endswith((".m3u", ".m3u8", ".pls")):
            target = await self._read_playlist(response, shown)
            if depth >= _MAX_REDIRECTS:
                raise AudioSourceError(f"“{shown}” is a playlist of playlists; use the stream's own address.")
            await response.aclose()
            self._response = None
            await self._connect(urljoin(url, target), depth + 1)
            return
        if ctype.startswith(_TEXT_TYPES):
            raise AudioSourceError(
                f"“{shown}” is a web page or document ({ctype}), not an audio stream. "
                "Use the direct link to the stream or file."
            )
        self._body = response.aiter_raw()
        await self._read_head(shown)
        self._setup_pace(response, ctype)
        log.info(
            "Streaming %s (%s, %s, %.0f B/s%s)",
            shown,
            ctype or "no type",
            "live" if self._live else "file",
            self._bytes_per_second,
            ", estimated" if self._estimated else "",
        )

    async def _read_head(self, shown: str) -> None:
        """Read the first bytes to recognise the format (and reject text served as audio)."""
        assert self._body is not None
        head = bytearray()
        try:
            while len(head) < _HEAD_BYTES:
                piece = await self._body.__anext__()
                head.extend(piece)
        except StopAsyncIteration:
            pass
        except (httpx.HTTPError, RuntimeError, OSError) as exc:
            raise AudioSourceError(f"Reading “{shown}” failed: {failure_reason(exc)}.") from exc
        if not head:
            raise AudioSourceError(f"“{shown}” sent no audio (the response was empty).")
        if sniff_container(bytes(head)) is None and looks_like_text(bytes(head)):
            raise AudioSourceError(f"“{shown}” returned text, not audio. Use the direct link to the stream or file.")
        not_media = not_media_reason(bytes(head))
        if not_media:  # e.g. a PDF served as audio/mpeg: the same words the jobs checks use
            raise AudioSourceError(f"“{shown}”: {not_media} Use the direct link to the stream or file.")
        self._head = bytes(head)

    def _setup_pace(self, response: httpx.Response, ctype: str) -> None:
        headers = response.headers
        length = headers.get("content-length")
        self._content_length = int(length) if length and length.isdigit() else None
        is_icy = any(k.lower().startswith("icy-") for k in headers)
        self._live = self._content_length is None or is_icy
        rate: float | None = None
        icy_br = headers.get("icy-br", "").split(",")[0].strip()
        if icy_br.isdigit() and int(icy_br) > 0:
            rate = int(icy_br) * 1000 / 8
        if rate is None:
            rate = sniff_byte_rate(self._head, self._content_length)
        self._estimated = rate is None
        self._bytes_per_second = rate or float(ESTIMATED_BYTES_PER_SECOND)
        name = headers.get("icy-name")
        base = name.strip() if name and name.strip() else _host_label(str(response.url))
        self._label = base + (" (paced at an estimated 128 kbit/s)" if self._estimated and not self._live else "")

    async def _read_playlist(self, response: httpx.Response, shown: str) -> str:
        text = bytearray()
        async for piece in response.aiter_bytes():
            text.extend(piece)
            if len(text) > _MAX_PLAYLIST_BYTES:
                break
        body = text.decode("utf-8", "replace")
        if "#EXT-X-" in body:
            raise AudioSourceError(
                f"“{shown}” is an HLS stream (.m3u8 segments), which is not supported. "
                "Use a direct MP3/AAC/Ogg stream address."
            )
        for raw in body.splitlines():
            line = raw.strip()
            if not line or line.startswith(("#", "[")):  # M3U comments, PLS section header
                continue
            key, sep, value = line.partition("=")
            if sep and key.strip().lower().startswith("file"):  # PLS: File1=http://...
                return value.strip()
            if sep and "/" not in key:  # other PLS keys (Title1=..., Version=2)
                continue
            return line  # M3U: the entry itself
        raise AudioSourceError(f"The playlist “{shown}” lists no stream.")

    async def chunks(self) -> AsyncIterator[bytes]:
        """Yield ~100 ms pieces until the stream ends or :meth:`stop` is called."""
        if self._body is None:
            raise AudioSourceError("start() the URL source first")
        chunk_bytes = max(512, round(self._bytes_per_second * self._chunk_ms / 1000))
        pacer = None
        if not self._live:
            pacer = Pacer(self._bytes_per_second, speed=self._speed, clock=self._clock, sleep=self._sleep)
        buf = bytearray(self._head)
        self._head = b""
        ended = False
        try:
            while not self._stopped:
                while len(buf) < chunk_bytes and not ended:
                    try:
                        buf.extend(await self._body.__anext__())
                    except StopAsyncIteration:
                        ended = True
                    except (httpx.HTTPError, RuntimeError, OSError) as exc:  # RuntimeError: closed by stop()
                        if self._stopped:
                            return
                        raise AudioSourceError(
                            f"The stream from {urlsplit(self.url).netloc} broke off: {failure_reason(exc)}."
                        ) from exc
                if not buf:
                    return
                chunk = bytes(buf[:chunk_bytes])
                del buf[:chunk_bytes]
                if pacer is not None:
                    await pacer.wait(self._stats.bytes)
                    if self._stopped:
                        return
                self._stats.chunks += 1
                self._stats.bytes += len(chunk)
                yield chunk
        finally:
            await self._close()

    async def stop(self) -> None:
        self._stopped = True
        await self._close()

    async def _close(self) -> None:
        response, self._response = self._response, None
        if response is not None:
            try:
                await response.aclose()
            except Exception as exc:
                log.debug("closing %s: %s", _short(self.url), exc)
        if self._own_client and self._client is not None:
            client, self._client = self._client, None
            await client.aclose()


def _host_label(url: str) -> str:
    parts = urlsplit(url)
    name = parts.path.rstrip("/").rsplit("/", 1)[-1]
    return f"{parts.netloc} – {name}" if name else parts.netloc or url


def _short(url: str, limit: int = 80) -> str:
    return url if len(url) <= limit else url[: limit - 1] + "…"
