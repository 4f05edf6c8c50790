"""Shared helpers for the emulator tests: synthetic audio and raw HTTP/WebSocket access.

"Speech" is white noise well above the emulator's -40 dBFS voice threshold and "silence" is
digital zero, so how many words come out of a stream is fully determined by its layout.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import numpy as np
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
