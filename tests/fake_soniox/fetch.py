"""Fetching a transcription's ``audio_url`` the way the service does: download it, then measure it.

The service downloads the audio while the job is queued and fails the job when it cannot, so the
emulator does the same with an aiohttp client and a timeout. Only loopback hosts are fetched (tests
serve audio from a local HTTP server): the emulator never reaches the network beyond this machine,
so a job on any other host is not fetched at all (see ``EmulatorState._duration_for``).

A fetch runs on the emulator's loop and reports through a ``threading.Event``, so the test
thread's ``advance()`` can wait for downloads before it moves jobs on.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import threading
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import aiohttp

from .audio import measure_duration_ms

log = logging.getLogger("fake_soniox.fetch")

CHUNK = 1 << 20
MAX_REDIRECTS = 5
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})


def is_loopback_url(url: str) -> bool:
    """True for http(s) URLs on 127.0.0.0/8, ::1 or ``localhost``."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("http", "https") or not host:
        return False
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@dataclass
class AudioFetch:
    """One download of an ``audio_url``; read its fields only once ``done`` is set."""

    url: str
    filename: str
    done: threading.Event = field(default_factory=threading.Event)
    path: Path | None = None
    size: int = 0
    duration_ms: int | None = None
    failure: str | None = None  # why it failed, in words (goes into the job's error_message)


class FetchFailed(Exception):
    """The download failed; the message is the reason shown in the job's error."""


async def fetch_audio(fetch: AudioFetch, storage_dir: Path, timeout_s: float, max_bytes: int | None) -> None:
    """Download ``fetch.url`` into ``storage_dir`` and measure it; never raises (but on cancel)."""
    try:
        fetch.path, fetch.size = await asyncio.wait_for(_download(fetch.url, storage_dir, max_bytes), timeout=timeout_s)
        fetch.duration_ms = await asyncio.to_thread(measure_duration_ms, fetch.path, fetch.filename, fetch.size)
        log.info("fetched %s (%d bytes, %d ms)", fetch.url, fetch.size, fetch.duration_ms)
    except asyncio.TimeoutError:
        fetch.failure = f"the download did not finish within {timeout_s:g} seconds"
    except FetchFailed as exc:
        fetch.failure = str(exc)
    except (aiohttp.ClientError, OSError) as exc:
        fetch.failure = f"the server could not be reached ({_reason(exc)})"
    finally:
        if fetch.failure is not None:
            log.info("fetching %s failed: %s", fetch.url, fetch.failure)
        fetch.done.set()


async def _download(url: str, storage_dir: Path, max_bytes: int | None) -> tuple[Path, int]:
    async with aiohttp.ClientSession() as session:
        for _ in range(MAX_REDIRECTS + 1):
            if not is_loopback_url(url):
                raise FetchFailed("the address is not on this machine (the emulator only fetches loopback hosts)")
            async with session.get(url, allow_redirects=False) as resp:
                location = resp.headers.get("Location")
                if resp.status in REDIRECT_STATUSES and location:
                    url = urljoin(url, location)
                    continue
                if not 200 <= resp.status < 300:
                    raise FetchFailed(f"the server answered HTTP {resp.status}")
                return await _save(resp, storage_dir, max_bytes)
        raise FetchFailed(f"more than {MAX_REDIRECTS} redirects")


async def _save(resp: aiohttp.ClientResponse, storage_dir: Path, max_bytes: int | None) -> tuple[Path, int]:
    path = storage_dir / uuid.uuid4().hex
    size = 0
    try:
        with path.open("wb") as fh:
            async for chunk in resp.content.iter_chunked(CHUNK):
                size += len(chunk)
                if max_bytes is not None and size > max_bytes:
                    raise FetchFailed(f"the file is larger than {max_bytes} bytes")
                fh.write(chunk)
        if size == 0:
            raise FetchFailed("the server sent an empty file")
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return path, size


def _reason(exc: BaseException) -> str:
    return str(exc).strip() or type(exc).__name__


# not documented: neither the OAS nor the errors reference names the failure of a download; the
# type is the one the service uses for requests it cannot act on, the message is in its style.
FETCH_ERROR_TYPE = "invalid_request"


def fetch_error_message(failure: str) -> str:
    """The job's ``error_message`` when its ``audio_url`` could not be downloaded."""  # not documented
    return (
        f"The audio could not be downloaded from `audio_url`: {failure}. Make sure the URL is publicly "
        "accessible and points to an audio file, then create a new transcription."
    )
