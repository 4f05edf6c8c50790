"""The wrapper every tap builds on keeps the source contract, and its extras reachable."""

from __future__ import annotations

import copy
from collections.abc import AsyncIterator

import pytest

from desktop.core.audio_source import PCM16_MONO_16K, AudioFormat, AudioSource, SourceStats, SourceWrapper


class Source:
    def __init__(self) -> None:
        self.levels = "meter"
        self.events: list[str] = []
        self._stats = SourceStats(chunks=2)

    @property
    def format(self) -> AudioFormat:
        return PCM16_MONO_16K

    @property
    def label(self) -> str:
        return "Microphone “Desk”"

    @property
    def stats(self) -> SourceStats:
        return self._stats

    async def start(self) -> None:
        self.events.append("start")

    async def chunks(self) -> AsyncIterator[bytes]:
        yield b"ab"
        yield b"cd"

    async def stop(self) -> None:
        self.events.append("stop")


@pytest.mark.asyncio
async def test_a_wrapper_passes_everything_through() -> None:
    inner = Source()
    wrapped = SourceWrapper(inner)
    assert isinstance(wrapped, AudioSource)
    assert (wrapped.format, wrapped.label, wrapped.stats) == (inner.format, inner.label, inner.stats)
    assert wrapped.levels == "meter"  # an extra of the source (what a level meter follows)
    await wrapped.start()
    assert [chunk async for chunk in wrapped.chunks()] == [b"ab", b"cd"]
    await wrapped.stop()
    assert inner.events == ["start", "stop"]


def test_a_half_built_wrapper_fails_plainly_instead_of_recursing() -> None:
    half = SourceWrapper.__new__(SourceWrapper)
    try:
        half.levels  # noqa: B018
    except AttributeError as exc:
        assert str(exc) == "inner"
    else:
        raise AssertionError("no AttributeError")
    assert copy.copy(SourceWrapper(Source())).label == "Microphone “Desk”"
