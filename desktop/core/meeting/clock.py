"""When each side's audio started, on the meeting's shared clock.

Both sessions of a meeting start together, but a microphone and a system-audio monitor do not
deliver their first audio at the same moment (device start-up differs by tens to hundreds of
milliseconds). Each session's timestamps count from its own first audio, so the merger needs that
moment per side: :class:`ClockedSource` notes when the first chunk arrives, minus the audio it
holds, relative to the meeting's start.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

from desktop.core.audio_source import AudioSource, SourceWrapper


class ClockedSource(SourceWrapper):
    """An :class:`AudioSource` that reports, once, where its audio starts on a shared clock.

    ``now_ms()`` reads the shared clock (milliseconds since the meeting started);
    ``on_start(ms)`` is called before the first chunk is handed on. Every other attribute
    (``levels``, ``path`` …) is the wrapped source's.
    """

    def __init__(self, inner: AudioSource, now_ms: Callable[[], float], on_start: Callable[[int], None]) -> None:
        super().__init__(inner)
        self._now_ms = now_ms
        self._on_start = on_start
        self.start_ms: int | None = None

    async def chunks(self) -> AsyncIterator[bytes]:
        source = self.inner.chunks()
        try:
            async for chunk in source:
                if self.start_ms is None and chunk:
                    bps = self.format.bytes_per_second
                    held_ms = len(chunk) * 1000 / bps if bps else 0.0
                    self.start_ms = max(0, round(self._now_ms() - held_ms))
                    self._on_start(self.start_ms)
                yield chunk
        finally:
            aclose = getattr(source, "aclose", None)
            if aclose is not None:
                await aclose()
