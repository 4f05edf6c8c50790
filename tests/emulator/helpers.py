"""Shared helpers for the emulator tests: synthetic audio and raw HTTP/WebSocket access.

"Speech" is white noise well above the emulator's -40 dBFS voice threshold and "silence" is
digital zero, so how many words come out of a stream is fully determined by its layout.
"""

from __future__ import annotations

import io
import json
import threading
import wave
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import soundfile as sf
from websockets.asyncio.client import connect

from tests.fake_soniox import FakeSoniox

RATE = 16_000
BYTES_PER_MS = RATE * 2 // 1000  # pcm_s16le mono
MS_PER_WORD = 300
PCM_CONFIG: dict[str, Any] = {
    "model": "stt-rt-v5",
    "audio_format": "pcm_s16le",
    "sample_rate": RATE,
    "num_channels": 1,
}


def speech(ms: int, seed: int = 0) -> bytes:
    rng = np.random.default_rng(seed)
    samples = rng.standard_normal(RATE * ms // 1000) * 6000
    return np.clip(samples, -32768, 32767).astype("<i2").tobytes()


def silence(ms: int) -> bytes:
    return bytes(BYTES_PER_MS * ms)


def chunks(data: bytes, ms: int = 100) -> Iterator[bytes]:
    size = BYTES_PER_MS * ms
    for i in range(0, len(data), size):
        yield data[i : i + size]


def rest(emu: FakeSoniox, key: str | None = "test-key") -> httpx.Client:
    """A plain httpx client for requests the SDK would refuse to send."""
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    return httpx.Client(base_url=emu.api_base_url, headers=headers, timeout=30)


async def raw_session(
    emu: FakeSoniox,
    config: dict[str, Any] | str | bytes | None,
    *,
    key: str | None = "test-key",
    frames: list[bytes | str] | None = None,
) -> tuple[list[dict[str, Any]], int | None]:
    """Open the WebSocket by hand, send ``config`` then ``frames``, read until the server closes."""
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    received: list[dict[str, Any]] = []
    async with connect(emu.websocket_url, additional_headers=headers, open_timeout=5) as ws:
        if config is not None:
            await ws.send(config if isinstance(config, str | bytes) else json.dumps(config))
        for frame in frames or []:
            await ws.send(frame)
        async for message in ws:
            received.append(json.loads(message))
        code = ws.close_code
    return received, code


class AudioServer:
    """A loopback HTTP server for ``audio_url`` jobs: fixed bodies per path, and a log of GETs.

    It runs in its own thread, so the test thread may block in ``advance()`` while it serves.
    ``/slow/...`` holds the answer back for ``slow_s``; ``/redirect/<path>`` redirects to ``/<path>``.
    """

    def __init__(self) -> None:
        self.bodies: dict[str, tuple[bytes, str]] = {}
        self.requests: list[str] = []
        self.redirects: dict[str, str] = {}
        self.slow_s = 0.0
        self.release = threading.Event()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server API
                server.requests.append(self.path)
                if self.path in server.redirects:
                    self.send_response(302)
                    self.send_header("Location", server.redirects[self.path])
                    self.end_headers()
                    return
                if self.path.startswith("/slow/"):
                    server.release.wait(server.slow_s)
                found = server.bodies.get(self.path)
                if found is None:
                    self.send_error(404)
                    return
                body, ctype = found
                self.send_response(200)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                return

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    def serve(self, path: str, body: bytes, content_type: str = "application/octet-stream") -> str:
        self.bodies[path] = (body, content_type)
        return self.base + path

    def close(self) -> None:
        self.release.set()
        self.httpd.shutdown()
        self.httpd.server_close()


def wav(seconds: float) -> bytes:
    """A 16 kHz mono PCM16 WAV of ``seconds`` of speech-like noise."""
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(speech(int(seconds * 1000)))
    return buf.getvalue()


def encoded(seconds: float, fmt: str, subtype: str, tmp: Path, rate: int = RATE) -> bytes:
    """``seconds`` of noise encoded by libsndfile (mp3, ogg vorbis/opus, flac ...)."""
    rng = np.random.default_rng(1)
    samples = (rng.standard_normal(int(seconds * rate)) * 0.2).astype("float32")
    path = tmp / f"clip.{fmt.lower()}"
    sf.write(path, samples, rate, format=fmt, subtype=subtype)
    return path.read_bytes()
