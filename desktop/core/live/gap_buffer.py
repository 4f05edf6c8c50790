"""The audio a reconnect must send again: unconfirmed audio plus audio read while disconnected.

A connection that breaks takes with it every word the service had not finalised yet. For raw
PCM, each response's ``final_audio_proc_ms`` says exactly how much audio is safe, and byte offsets
map to milliseconds exactly (``AudioFormat.bytes_per_second``), so this buffer keeps every byte
from that point on: the bytes already sent on the current connection but not yet finalised, then
the bytes not sent yet (captured while reconnecting). A new connection starts by sending all of it,
and its time zero is the buffer's first byte, which is how the session computes ``offset_ms``.

Positions are byte counts on the current connection's timeline (bytes appended since it started).
The buffer is bounded: during a very long outage the oldest audio is dropped and counted, rather
than memory growing without limit.

For container formats (``auto``) the bytes cannot be mapped to time, so :class:`ReplayBuffer` with
``bytes_per_second=None`` keeps only unsent bytes, unless ``keep_sent`` is set: then the session,
which knows where the stream can restart (a ``StreamResume``), keeps sent bytes too and trims
them itself as words become final.
"""

from __future__ import annotations


class ReplayBuffer:
    def __init__(
        self, max_bytes: int, *, bytes_per_second: int | None, frame_bytes: int = 1, keep_sent: bool = False
    ) -> None:
        if max_bytes <= 0:
            raise ValueError("max_bytes must be positive")
        self._max = max_bytes
        self._bps = bytes_per_second
        # A resumable container stream: sent bytes are kept (the session trims them as words
        # become final) because the session knows where to restart it (StreamResume).
        self.keep_sent = keep_sent
        self._frame = max(1, frame_bytes)
        self._data = bytearray()
        self._start = 0  # position of _data[0]
        self._sent = 0  # position up to which the current connection has been sent audio
        self.dropped_bytes = 0  # unsent audio lost to the size bound (never reached the service)
        self.dropped_unconfirmed_bytes = 0  # sent-but-unfinalised audio that can no longer be replayed

    @property
    def limit(self) -> int:
        return self._max

    def set_limit(self, max_bytes: int) -> None:
        """Change the size bound (whole frames); the next :meth:`append` enforces it."""
        self._max = max(self._frame, max_bytes // self._frame * self._frame)

    @property
    def replayable(self) -> bool:
        """True where sent audio is kept until the service has finalised it (PCM, resumable streams)."""
        return self._bps is not None or self.keep_sent

    @property
    def start(self) -> int:
        return self._start

    @property
    def end(self) -> int:
        return self._start + len(self._data)

    @property
    def sent(self) -> int:
        return self._sent

    @property
    def unsent_bytes(self) -> int:
        return self.end - self._sent

    @property
    def held_bytes(self) -> int:
        return len(self._data)

    def append(self, chunk: bytes) -> int:
        """Add captured audio; returns how many bytes the size bound dropped (oldest first)."""
        self._data += chunk
        over = len(self._data) - self._max
        if over <= 0:
            return 0
        over = -(-over // self._frame) * self._frame  # drop whole frames only
        over = min(over, len(self._data))
        unconfirmed = max(0, min(over, self._sent - self._start))
        lost = over - unconfirmed
        del self._data[:over]
        self._start += over
        self._sent = max(self._sent, self._start)
        self.dropped_unconfirmed_bytes += unconfirmed
        self.dropped_bytes += lost
        return lost

    def next_unsent(self, max_bytes: int) -> bytes:
        """Up to ``max_bytes`` (frame aligned) of audio the current connection has not received."""
        if self.unsent_bytes <= 0:
            return b""
        offset = self._sent - self._start
        size = min(self.unsent_bytes, max_bytes)
        if size < self.unsent_bytes:
            size = max(self._frame, size // self._frame * self._frame)
        return bytes(self._data[offset : offset + size])

    def mark_sent(self, count: int) -> None:
        self._sent = min(self.end, self._sent + count)
        if not self.replayable:
            self._trim_to(self._sent)

    def ms_to_position(self, ms: int) -> int:
        """The frame-aligned byte position for ``ms`` on this connection (raw PCM only)."""
        if self._bps is None:
            raise ValueError("container audio has no byte/time mapping")
        return (ms * self._bps // 1000) // self._frame * self._frame

    def position_to_ms(self, position: int) -> float:
        if self._bps is None:
            raise ValueError("container audio has no byte/time mapping")
        return position * 1000 / self._bps

    def confirm_ms(self, final_ms: int) -> None:
        """The service finalised audio up to ``final_ms``: it never has to be sent again."""
        if self._bps is None:
            return
        self._trim_to(min(self.ms_to_position(final_ms), self._sent))

    def rebase(self) -> tuple[int, int]:
        """Start a new connection's timeline at the first byte held.

        Returns ``(start, replay)``: the old position the new timeline begins at (add it to the
        session offset) and how many already-sent bytes will be sent again.
        """
        old_start = self._start
        replay = self._sent - self._start
        self._start = 0
        self._sent = 0
        return old_start, replay

    def bytes_from(self, position: int, size: int) -> bytes:
        """Up to ``size`` held bytes from ``position`` on (clamped to what is held)."""
        offset = max(0, position - self._start)
        return bytes(self._data[offset : offset + size])

    def trim_to(self, position: int) -> None:
        """Forget everything before ``position`` (never past what was sent)."""
        self._trim_to(min(position, self._sent))

    def _trim_to(self, position: int) -> None:
        cut = position - self._start
        if cut > 0:
            del self._data[:cut]
            self._start = position
