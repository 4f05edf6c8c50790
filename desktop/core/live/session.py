"""One live transcription session: audio source in, SDK realtime connection(s), listener callbacks out.

Task layout (all on one asyncio loop, nothing touches Qt):

* a **reader** pulls chunks from the :class:`AudioSource` for the whole session, across reconnects.
  While transmitting, chunks go into the :class:`ReplayBuffer`; while not (hold-to-talk released)
  they are read and **discarded** — never kept for later, because audio the user chose not to send
  must not reach the service when the key is pressed again.
* per connection, a **sender** sends what the buffer holds that this connection has not had, then
  queued control messages (finalize), in that order, so a finalize always follows the audio it
  refers to; when nothing has been sent for ``keepalive_interval_s`` it sends a keepalive (so the
  service's 20 s idle limit never ends a session whose audio paused), and when finishing it sends
  the end-of-audio frame once the buffer is empty.
* per connection, a **receiver** passes every response to the listener and advances the buffer to
  ``final_audio_proc_ms``.
* a **supervisor** (``_run``) opens connections, decides on reconnects, and owns cleanup.

Reconnecting: after a retriable failure (408/500/503 error frame, or a connection that drops
without ``finished``) the next connection first receives everything after the last finalised
millisecond plus the audio captured during the gap, so nothing said is lost; its timestamps start
at that point, hence ``offset_ms``.

What each source gets on a reconnect (the guarantee the README states):

* raw PCM (microphone, local files libsndfile decodes: WAV, FLAC, Ogg, MP3, AIFF, CAF): exactly
  the audio from the last finalised millisecond on. Nothing is lost or repeated.
* compressed streams that can restart mid-way (URL streams and undecodable files in MP3, ADTS
  AAC, Ogg or WAV; their source offers a :class:`~desktop.core.audio_source.StreamResume`): the
  stream header, then the stream from a frame boundary ``RESUME_MARGIN_MS`` before the last
  final word (the byte rate maps time to bytes, an estimate for VBR). Words the new connection
  transcribes again before that word are dropped, so none is repeated; nothing is lost as long as
  the byte-rate estimate is off by less than the margin.
* other containers (MP4/M4A, WebM streamed as they are): the new connection continues from the
  current position; what the old connection had not finalised (typically under a second) is lost,
  and ``offset_ms`` advances by the audio the old connection reported as processed.

The very first connection is not retried:
if Soniox cannot be reached at all, the user hears it at once rather than after a minute of retries.

Long outages: attempts that cannot reach Soniox at all (refused, timed out, no route) are not
counted toward giving up, so a train tunnel or a network change is waited out for as long as it
lasts, with the audio kept in the replay buffer (``max_gap_s``, 300 s). Attempts Soniox answered
badly (5xx, a drop after connecting) are counted. When an outage outlasts the buffer, the oldest
audio goes and the session reports exactly which part of the timeline was never transcribed
(``LiveStats.lost_spans_ms``), so the run can offer to send that part from the recording.

Silent losses: a socket that stays open while nothing moves (Wi-Fi gone without a reset) is
noticed by the response watchdog within ``response_timeout_s`` of audio going unanswered, rather
than by websockets' pings ~40 s later.

Why one module of ~880 lines: the reader, sender, receiver, response watchdog and supervisor are
coroutines of one state machine. They share the replay buffer's positions, the state, the finalize bookkeeping
and the reconnect accounting, and each transition (reconnect, finish, cancel) must update all of
them in one place and in one order. The pieces that stand alone are already apart
(``gap_buffer``, ``reconnect``, ``state``, ``outage``; the composition with sinks and recording in
``run``). The lost-span and stream-resume bookkeeping could follow them into a timeline class
that owns the buffer positions and offsets.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import logging
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from soniox import AsyncSonioxClient
from soniox.errors import SonioxRealtimeError
from soniox.realtime.async_stt import AsyncRealtimeSTTSession
from soniox.types import RealtimeEvent, RealtimeSTTConfig, Token
from soniox.types.realtime import TOKEN_TEXT_FIN
from websockets.exceptions import ConnectionClosed

from desktop.core.audio_source import AudioSource, AudioSourceError, StreamResume
from desktop.core.backoff import Backoff
from desktop.core.errors import UserError, describe_error
from desktop.core.live.gap_buffer import ReplayBuffer
from desktop.core.live.reconnect import (
    DROPPED,
    STALLED,
    default_reconnect_backoff,
    error_from_connect_failure,
    error_from_event,
    is_unreachable,
)
from desktop.core.live.state import LiveSessionListener, LiveState, LiveStats, can_transition, merge_spans

log = logging.getLogger(__name__)

CONTAINER_BUFFER_BYTES = 32 * 1024 * 1024  # bound for gap audio when bytes cannot be mapped to time
RESUME_MARGIN_MS = 1000  # a compressed stream restarts this much before the last final word
SYNC_SCAN_BYTES = 256 * 1024  # how far past that point a frame boundary is looked for
CLOSE_TIMEOUT_S = 1.0
SENDER_DRAIN_S = 1.0  # after a send fails, how long to wait for the error frame that explains it
READER_DRAIN_S = 2.0  # after source.stop(), how long its last chunks may take to arrive


class _Kind(enum.Enum):
    FINISHED = "finished"
    RETRY = "retry"
    FATAL = "fatal"


@dataclass(frozen=True)
class _Outcome:
    kind: _Kind
    error: UserError | None = None
    #: False when Soniox could not be reached at all (no network): such attempts cost nothing and
    #: are not counted toward giving up, so a long outage is waited out while the audio is kept.
    counts: bool = True


_FINISHED = _Outcome(_Kind.FINISHED)


class LiveSession:
    """A realtime session that survives dropped connections and hold-to-talk pauses.

    Use: ``await start()``; then ``stop()`` (graceful: the last words arrive) or ``cancel()``
    (immediate). ``set_transmitting(False/True)`` implements hold-to-talk, ``request_finalize()``
    asks the service to finalise what it has. Everything is reported to ``listener`` on the loop
    thread; see :class:`~desktop.core.live.state.LiveSessionListener`.

    Reconnect attempts Soniox answered badly are counted while connections keep failing; a
    connection that stayed up for ``stable_after_s`` starts the count afresh, so a long session
    survives many separate outages, while a connection that flaps every few seconds still ends in
    an error. Attempts that cannot reach Soniox at all are never counted (see the module notes).

    The session calls ``client_factory`` for each connection (so a changed key or region applies
    to the next reconnect) and never closes the clients it gets: their owner does.

    Keyword arguments:
        keepalive_interval_s: send a keepalive after this long without audio (service limit: 20 s).
        finalize_min_interval_s: finalize requests closer than this are coalesced into one.
        backoff: the wait before reconnect attempt 1, 2, ...; its ``max_attempts`` is how many
            consecutive failed attempts the session makes before it gives up with an error.
        stop_timeout_s: how long a graceful finish may take before it is reported as an error.
        connect_timeout_s: WebSocket handshake timeout per connection.
        max_gap_s: audio kept for replay (unfinalised + captured while disconnected); older is dropped.
        max_frame_bytes: largest audio frame sent (a replay after a long gap goes out in pieces).
        stats_interval_s: minimum time between ``on_stats`` calls.
        stable_after_s: a connection up this long resets the reconnect-attempt count.
        response_timeout_s: audio unanswered this long means the connection is silently gone.
        transmitting: initial hold-to-talk state (True = continuous mode).
    """

    def __init__(
        self,
        client_factory: Callable[[], AsyncSonioxClient],
        config: RealtimeSTTConfig,
        source: AudioSource,
        listener: LiveSessionListener,
        *,
        keepalive_interval_s: float = 5.0,
        finalize_min_interval_s: float = 1.0,
        backoff: Backoff | None = None,
        stop_timeout_s: float = 15.0,
        connect_timeout_s: float = 10.0,
        max_gap_s: float = 300.0,
        max_frame_bytes: int = 64 * 1024,
        stats_interval_s: float = 0.5,
        stable_after_s: float = 10.0,
        response_timeout_s: float = 5.0,
        transmitting: bool = True,
    ) -> None:
        self._client_factory = client_factory
        self._config = config
        self._source = source
        self._listener = listener
        self._keepalive_s = keepalive_interval_s
        self._finalize_min_s = finalize_min_interval_s
        self._backoff = backoff or default_reconnect_backoff()
        self._stop_timeout_s = stop_timeout_s
        self._connect_timeout_s = connect_timeout_s
        self._max_frame = max_frame_bytes
        self._stats_interval_s = stats_interval_s
        self._stable_after_s = stable_after_s
        self._response_timeout_s = response_timeout_s
        self._transmitting = transmitting
        self._capacity_s = max_gap_s

        fmt = source.format
        self._bps = fmt.bytes_per_second
        if self._bps:
            frame = max(1, self._bps // (fmt.sample_rate or 1))
            limit = max(frame, int(max_gap_s * self._bps) // frame * frame)
            self._buffer = ReplayBuffer(limit, bytes_per_second=self._bps, frame_bytes=frame)
        else:
            self._buffer = ReplayBuffer(CONTAINER_BUFFER_BYTES, bytes_per_second=None)
        self._gap_limit = self._buffer.limit  # the bound while disconnected (``max_gap_s``)

        self._state = LiveState.IDLE
        self._detail = ""
        self._muted = False
        self._canceled = False
        self._timed_out = False
        self._cleaning = False
        self._finishing = False
        self._source_stopped = False
        self._ever_connected = False
        self._source_error: UserError | None = None

        self._wake = asyncio.Event()
        self._source_done = asyncio.Event()
        self._settled = asyncio.Event()
        self._controls: deque[str] = deque()
        self._main: asyncio.Task[None] | None = None
        self._reader: asyncio.Task[None] | None = None
        self._watchdog: asyncio.Task[None] | None = None
        self._rt: AsyncRealtimeSTTSession | None = None

        self._offset_bytes = 0
        self._offset_ms = 0
        self._last_total_ms = 0
        self._conn_stable = False
        self._connected_at = 0.0
        self._unanswered_since: float | None = None  # first audio sent since the last response
        self._abort_close = False  # the connection went silent: close without a handshake
        self._lost: list[tuple[int, int]] = []  # session-timeline ms spans the service never got
        self._final_pos = 0  # buffer position the current connection's service has finalised
        # Compressed streams that can restart mid-way (set once the source has started).
        self._resume: StreamResume | None = None
        self._src_base = 0  # stream byte offset of the current connection's buffer position 0
        self._final_abs_ms = 0  # session-timeline ms Soniox has finalised, across connections
        self._watermark_ms: int | None = None  # words before this are already final: drop repeats
        self._pending_header = b""  # sent first on a resumed connection

        self._finalize_pending = False
        self._last_finalize_at: float | None = None
        self._deferred_finalize: asyncio.TimerHandle | None = None

        self._timeline_bytes = 0
        self._bytes_sent = 0
        self._chunks_sent = 0
        self._replayed = 0
        self._discarded = 0
        self._reconnects = 0
        self._keepalives = 0
        self._finalizes = 0
        self._last_stats_at = 0.0

    # ----------------------------------------------------------------- public API

    @property
    def state(self) -> LiveState:
        return self._state

    @property
    def transmitting(self) -> bool:
        return self._transmitting

    @property
    def finalize_pending(self) -> bool:
        return self._finalize_pending

    @property
    def offset_ms(self) -> int:
        """What the current connection's token times must be shifted by (see ``on_tokens``)."""
        return self._offset_ms

    @property
    def stats(self) -> LiveStats:
        return LiveStats(
            bytes_sent=self._bytes_sent,
            chunks_sent=self._chunks_sent,
            audio_s=self._timeline_bytes / self._bps if self._bps else 0.0,
            replayed_bytes=self._replayed,
            discarded_chunks=self._discarded,
            dropped_bytes=self._buffer.dropped_bytes,
            source_overflows=self._source.stats.overflows,
            reconnects=self._reconnects,
            keepalives=self._keepalives,
            finalizes=self._finalizes,
            backlog_s=self._buffer.held_bytes / self._bps if self._bps else 0.0,
            backlog_capacity_s=self._capacity_s if self._bps else 0.0,
            lost_spans_ms=self._lost_spans() if self._bps else (),
        )

    async def start(self) -> None:
        """Start the source and connect; returns once running (or once it has failed/been canceled)."""
        if self._state is not LiveState.IDLE:
            raise RuntimeError(f"start() on a session that is {self._state.value}")
        self._set_state(LiveState.CONNECTING, "Connecting to Soniox…")
        self._main = asyncio.create_task(self._run(), name="live-session")
        await self._settled.wait()

    async def stop(self) -> None:
        """Finish gracefully: stop the source, send end-of-audio, wait for the last words.

        Gives up after ``stop_timeout_s`` with an error (what arrived is kept by the consumer).
        """
        if self._state is LiveState.IDLE:
            self._set_state(LiveState.FINISHED, "Finished")
            return
        if self._state.is_terminal:
            await self.wait_closed()
            return
        self._begin_finishing()
        await self._stop_source()
        await self.wait_closed()

    def cancel(self) -> None:
        """Drop the session now: close the socket, stop the source, report CANCELED and nothing more.

        Cleanup finishes in the background; ``await wait_closed()`` to wait for it.
        """
        if self._state.is_terminal:
            return
        self._canceled = True
        self._cancel_deferred_finalize()
        self._set_state(LiveState.CANCELED, "Canceled")
        self._muted = True
        self._settled.set()
        if self._main is not None and not self._main.done() and not self._cleaning:
            self._main.cancel()

    async def wait_closed(self) -> None:
        """Wait until every task has ended and the socket and source are closed."""
        if self._main is not None:
            await asyncio.wait({self._main})

    def set_transmitting(self, on: bool) -> None:
        """Hold-to-talk: send audio only while ``on``. Audio read while off is discarded, not kept.

        Releasing (True → False) requests a finalize so the words just spoken become final at once.
        Keepalives flow while nothing is sent, so the session stays open between presses.
        """
        if on == self._transmitting:
            return
        self._transmitting = on
        if not on and self._state in (LiveState.RUNNING, LiveState.RECONNECTING):
            self.request_finalize()
        self._wake.set()

    def request_finalize(self) -> bool:
        """Ask the service to finalise everything sent so far.

        Requests closer together than ``finalize_min_interval_s`` are coalesced: one is sent when
        the interval has passed. Returns True if this call sent or scheduled a finalize, False if it
        was coalesced into one already scheduled or the session is not running.
        """
        if self._finishing or self._state not in (LiveState.RUNNING, LiveState.RECONNECTING):
            return False
        if self._deferred_finalize is not None:
            return False
        loop = asyncio.get_running_loop()
        if self._last_finalize_at is not None:
            wait = self._finalize_min_s - (loop.time() - self._last_finalize_at)
            if wait > 0:
                self._deferred_finalize = loop.call_later(wait, self._fire_deferred_finalize)
                self._set_pending(True)
                return True
        self._queue_finalize()
        return True

    # ----------------------------------------------------------------- supervisor

    async def _run(self) -> None:
        outcome: _Outcome | None = None
        try:
            try:
                await self._source.start()
            except AudioSourceError as exc:
                outcome = _Outcome(_Kind.FATAL, _source_failure(exc))
                return
            self._reader = asyncio.create_task(self._read_source(), name="live-reader")
            outcome = await self._supervise()
        except asyncio.CancelledError:
            if self._timed_out:
                outcome = _Outcome(
                    _Kind.FATAL,
                    UserError(
                        "Last words may be missing",
                        "Soniox did not confirm the end of the session in time.",
                        "The transcript so far is kept; start a new session to continue.",
                        False,
                        "finish_timeout",
                    ),
                )
        except Exception as exc:  # a bug, but the user must still see an end state
            log.exception("Live session failed")
            outcome = _Outcome(_Kind.FATAL, describe_error(exc))
        finally:
            self._cleaning = True
            await self._cleanup()
            self._finish(outcome)

    async def _supervise(self) -> _Outcome:
        attempt = 0  # attempts in a row: sets the wait
        failures = 0  # of those, the ones Soniox answered (or dropped) badly: sets when to give up
        while True:
            outcome = await self._connection()
            if outcome.kind is not _Kind.RETRY:
                return outcome
            self._connection_lost()
            if self._conn_stable:  # a connection that worked for a while: count afresh
                attempt = failures = 0
            attempt += 1
            failures += outcome.counts
            error = outcome.error or DROPPED
            if self._backoff.exhausted(failures):
                return _Outcome(_Kind.FATAL, error)
            delay = self._backoff.delay(attempt)
            self._set_state(LiveState.RECONNECTING, f"Reconnecting (attempt {attempt})…")
            self._emit("on_reconnecting", attempt, delay, error)
            await asyncio.sleep(delay)

    async def _connection(self) -> _Outcome:
        """Open one connection and run it to its end; the outcome says what happens next."""
        first = not self._ever_connected
        self._conn_stable = False
        try:
            client = self._client_factory()
            rt = client.realtime.stt.connect(config=self._config, connect_timeout_sec=self._connect_timeout_s)
        except Exception as exc:
            return _Outcome(_Kind.FATAL, describe_error(exc))
        try:
            await rt.__aenter__()
        except Exception as exc:
            error = error_from_connect_failure(exc)
            retry = error.retriable and not first
            log.info("Live connection failed (%s); %s", error.error_type, "retrying" if retry else "giving up")
            return _Outcome(_Kind.RETRY if retry else _Kind.FATAL, error, counts=not is_unreachable(exc))
        self._rt = rt
        self._connected_at = asyncio.get_running_loop().time()
        # Connected, the buffer may hold twice its outage bound: a replay of a full buffer must
        # not lose its start to audio that arrives before the sender has sent it (that shifted
        # the new connection's clock). The bound is for outages; a live connection drains it.
        self._buffer.set_limit(2 * self._gap_limit)
        self._unanswered_since = None
        self._abort_close = False
        try:
            self._ever_connected = True
            if first and not self._bps:
                self._resume = getattr(self._source, "resume", None)
                self._buffer.keep_sent = self._resume is not None
            if not first:
                self._replace_connection()
            if self._finishing:
                self._set_state(LiveState.FINISHING, "Finishing…")
            else:
                self._set_state(LiveState.RUNNING, "Listening")
            self._settled.set()
            return await self._run_tasks(rt)
        finally:
            self._rt = None
            # After a finish timeout or a silent connection the service is not answering: do not
            # wait for a closing handshake.
            await _close_socket(rt, abort=self._timed_out or self._abort_close)

    async def _run_tasks(self, rt: AsyncRealtimeSTTSession) -> _Outcome:
        sender = asyncio.create_task(self._send_loop(rt), name="live-sender")
        receiver = asyncio.create_task(self._receive_loop(rt), name="live-receiver")
        watchdog = asyncio.create_task(self._watch_responses(), name="live-response-watchdog")
        try:
            done, _ = await asyncio.wait({sender, receiver, watchdog}, return_when=asyncio.FIRST_COMPLETED)
            if receiver in done:
                return receiver.result()
            if watchdog in done:
                return watchdog.result()
            exc = sender.exception()
            if exc is None:  # end-of-audio sent: the rest arrives on the receiver
                return await receiver
            # A failed send usually means the server closed after an error frame: read it first,
            # so a 401 is reported as such instead of being retried as a dropped connection.
            done, _ = await asyncio.wait({receiver}, timeout=SENDER_DRAIN_S)
            if receiver in done:
                return receiver.result()
            if isinstance(exc, (SonioxRealtimeError, ConnectionClosed, OSError)):
                return _Outcome(_Kind.RETRY, DROPPED)
            raise exc
        finally:
            for task in (sender, receiver, watchdog):
                task.cancel()
            await asyncio.gather(sender, receiver, watchdog, return_exceptions=True)

    def _replace_connection(self) -> None:
        """A new connection is up: its time zero is the buffer's first byte; tell the consumer."""
        if self._resume is not None and self._resume_stream(self._resume):
            return
        if self._bps and self._buffer.start > self._final_pos:
            # The outage outlasted the buffer: the audio between the last final word and the
            # oldest byte still held will never be transcribed by this session.
            self._note_lost(self._final_pos, self._buffer.start)
        self._final_pos = 0
        start, replay = self._buffer.rebase()
        if self._bps:
            self._offset_bytes += start
            self._offset_ms = round(self._offset_bytes * 1000 / self._bps)
        else:
            self._offset_ms += self._last_total_ms
        self._last_total_ms = 0
        self._replayed += replay
        self._reconnects += 1
        log.info("Live session reconnected; replaying %d bytes, offset %d ms", replay, self._offset_ms)
        self._emit("on_connection_replaced", self._offset_ms)

    def _resume_stream(self, resume: StreamResume) -> bool:
        """Restart a compressed stream a little before the last final word, at a frame boundary.

        The byte↔time mapping is the stream's byte rate (an estimate for VBR), hence the margin;
        words the new connection transcribes again before the old final point are dropped by the
        watermark in :meth:`_on_response`. Returns False when no frame boundary was found (the
        new connection then continues from the current position, as for any container).
        """
        buffer = self._buffer
        target = self._stream_position(max(0, self._final_abs_ms - RESUME_MARGIN_MS))
        target = max(buffer.start, min(target, buffer.sent))
        skip = resume.sync(buffer.bytes_from(target, SYNC_SCAN_BYTES), self._src_base + target)
        if skip is None:
            log.warning("No frame boundary to resume the stream at; continuing from the current position")
            return False
        buffer.trim_to(target + skip)
        start, replay = buffer.rebase()
        self._src_base += start
        self._offset_ms = max(0, round((self._src_base - resume.header_size) * 1000 / resume.byte_rate))
        self._watermark_ms = self._final_abs_ms
        self._pending_header = resume.header
        self._last_total_ms = 0
        self._replayed += replay
        self._reconnects += 1
        log.info("Stream resumed at byte %d (%d ms); %d bytes sent again", self._src_base, self._offset_ms, replay)
        self._emit("on_connection_replaced", self._offset_ms)
        return True

    def _stream_position(self, ms: int) -> int:
        """The current connection's buffer position for session-timeline ``ms`` (resumable streams)."""
        assert self._resume is not None
        return round(self._resume.header_size + ms * self._resume.byte_rate / 1000) - self._src_base

    def _connection_lost(self) -> None:
        """Finalize requests to the old connection are moot: its tail is transcribed again."""
        self._buffer.set_limit(self._gap_limit)
        self._controls.clear()
        self._cancel_deferred_finalize()
        self._set_pending(False)

    # ----------------------------------------------------------------- tasks

    async def _read_source(self) -> None:
        chunks = self._source.chunks()
        try:
            async for chunk in chunks:
                self._on_chunk(chunk)
        except AudioSourceError as exc:
            self._source_error = _source_failure(exc)
            log.warning("Audio source failed: %s", exc)
        except Exception as exc:
            self._source_error = describe_error(exc)
            log.exception("Audio source raised")
        finally:
            aclose = getattr(chunks, "aclose", None)
            if aclose is not None:
                with contextlib.suppress(Exception):
                    await aclose()
            self._source_done.set()
            self._wake.set()
        # The source ended by itself (file over, device gone): finish what was said.
        self._begin_finishing()

    def _on_chunk(self, chunk: bytes) -> None:
        if not chunk:
            return
        if not self._transmitting:
            self._discarded += 1
        else:
            self._timeline_bytes += len(chunk)
            before = self._buffer.dropped_bytes
            if self._buffer.append(chunk) and not before:
                log.warning("Replay buffer full: the oldest audio is no longer kept for sending")
            self._wake.set()
        self._maybe_stats()

    def _lost_spans(self) -> tuple[tuple[int, int], ...]:
        """Spans already lost, plus, while disconnected, what the buffer has had to let go of.

        The service finalised the current connection up to ``_final_pos``; audio from there to the
        buffer's first byte is no longer held. While connected that audio was at least sent (it is
        lost only if this connection breaks too); while reconnecting it is gone.
        """
        spans = list(self._lost)
        if self._state is LiveState.RECONNECTING and self._buffer.start > self._final_pos:
            spans.append(self._span(self._final_pos, self._buffer.start))
        return merge_spans(spans)

    def _span(self, start: int, end: int) -> tuple[int, int]:
        bps = self._bps or 1
        return (
            round((self._offset_bytes + start) * 1000 / bps),
            round((self._offset_bytes + end) * 1000 / bps),
        )

    def _note_lost(self, start: int, end: int) -> None:
        """Record buffer positions ``start``..``end`` (current connection) as a lost timeline span."""
        span = self._span(start, end)
        if span[1] <= span[0]:
            return
        if self._lost and self._lost[-1][1] >= span[0]:
            self._lost[-1] = (self._lost[-1][0], max(self._lost[-1][1], span[1]))
        else:
            self._lost.append(span)

    async def _send_loop(self, rt: AsyncRealtimeSTTSession) -> None:
        loop = asyncio.get_running_loop()
        last_sent = loop.time()
        if self._pending_header:
            header, self._pending_header = self._pending_header, b""
            await rt.send_byte_chunk(header)
            self._bytes_sent += len(header)
        while True:
            self._wake.clear()
            while piece := self._buffer.next_unsent(self._max_frame):
                if self._unanswered_since is None:
                    self._unanswered_since = loop.time()
                await rt.send_byte_chunk(piece)
                self._buffer.mark_sent(len(piece))
                self._bytes_sent += len(piece)
                self._chunks_sent += 1
                last_sent = loop.time()
            while self._controls:
                self._controls.popleft()  # "finalize" is the only queued control
                await rt.finalize()
                self._finalizes += 1
            if self._finishing and self._source_done.is_set() and self._buffer.unsent_bytes == 0:
                await rt.finish()
                return
            idle_left = self._keepalive_s - (loop.time() - last_sent)
            if idle_left <= 0:
                await rt.keep_alive()
                self._keepalives += 1
                last_sent = loop.time()
                continue
            # Not asyncio.wait_for: on Python < 3.12 it can swallow a cancel that coincides with the
            # event being set (which happens every chunk), leaving a sender nobody can stop.
            timer = loop.call_later(idle_left, self._wake.set)
            try:
                await self._wake.wait()
            finally:
                timer.cancel()

    async def _receive_loop(self, rt: AsyncRealtimeSTTSession) -> _Outcome:
        try:
            async for event in rt.receive_events():
                if event.error_code is not None:
                    error = error_from_event(event)
                    log.info("Live session error frame %s (%s)", event.error_code, error.error_type)
                    return _Outcome(_Kind.RETRY if error.retriable else _Kind.FATAL, error)
                self._on_response(event)
                if event.finished:
                    return _FINISHED
        except (SonioxRealtimeError, ConnectionClosed, OSError) as exc:
            log.info("Live connection ended without finished: %r", exc)  # retried below
        except ValueError as exc:  # a frame that is not a valid response (pydantic/JSON)
            log.warning("Unreadable live response: %s", exc)
            return _Outcome(_Kind.FATAL, describe_error(exc))
        return _Outcome(_Kind.RETRY, DROPPED)

    async def _watch_responses(self) -> _Outcome:
        """Notice a connection that went silent without closing (Wi-Fi gone, no reset).

        While audio flows the service answers every few hundred milliseconds; websockets' own
        pings would take ~40 s to notice, all of it shown as "Listening". Audio sent
        ``response_timeout_s`` ago with no answer since means the path is gone: reconnect and
        replay. Keepalive-only stretches (hold-to-talk released) have nothing to answer and are
        not judged.
        """
        loop = asyncio.get_running_loop()
        limit = self._response_timeout_s
        while True:
            since = self._unanswered_since
            waited = 0.0 if since is None else loop.time() - since
            if since is not None and waited >= limit:
                log.warning("No answer from Soniox for %.1f s while sending audio: reconnecting", waited)
                self._abort_close = True
                return _Outcome(_Kind.RETRY, STALLED)
            await asyncio.sleep(max(0.05, limit - waited if since is not None else limit / 4))

    def _on_response(self, event: RealtimeEvent) -> None:
        self._unanswered_since = None
        if asyncio.get_running_loop().time() - self._connected_at >= self._stable_after_s:
            self._conn_stable = True
        if event.final_audio_proc_ms is not None:
            self._buffer.confirm_ms(event.final_audio_proc_ms)
            if self._bps:
                final = min(self._buffer.ms_to_position(event.final_audio_proc_ms), self._buffer.sent)
                self._final_pos = max(self._final_pos, final)
            self._final_abs_ms = max(self._final_abs_ms, self._offset_ms + event.final_audio_proc_ms)
            if self._resume is not None:
                self._buffer.trim_to(self._stream_position(max(0, self._final_abs_ms - RESUME_MARGIN_MS)))
        if event.total_audio_proc_ms is not None:
            self._last_total_ms = event.total_audio_proc_ms
        tokens = event.tokens if self._watermark_ms is None else self._unrepeated(event.tokens)
        self._emit("on_tokens", tokens, self._offset_ms, event)
        fin = any(t.text == TOKEN_TEXT_FIN for t in event.tokens)
        if event.finished or (fin and self._deferred_finalize is None):
            self._set_pending(False)

    def _unrepeated(self, tokens: list[Token]) -> list[Token]:
        """A resumed stream's connection transcribes again what lies before the watermark: drop it.

        A word counts as new when its middle is at or after the watermark, so one cut by the
        restart point is kept once, from whichever side holds most of it.
        """
        watermark = self._watermark_ms
        assert watermark is not None
        kept = []
        for token in tokens:
            if token.start_ms is None or token.end_ms is None:
                kept.append(token)
                continue
            middle = self._offset_ms + (token.start_ms + token.end_ms) / 2
            if middle >= watermark:
                kept.append(token)
                if token.is_final and self._offset_ms + token.start_ms >= watermark:
                    self._watermark_ms = None  # past the repeated stretch
        return kept

    # ----------------------------------------------------------------- finishing and cleanup

    def _begin_finishing(self) -> None:
        if self._finishing or self._state.is_terminal:
            return
        self._finishing = True
        self._cancel_deferred_finalize()
        if self._state in (LiveState.RUNNING, LiveState.CONNECTING):
            self._set_state(LiveState.FINISHING, "Finishing…")
        if self._main is not None and not self._main.done():
            self._watchdog = asyncio.create_task(self._finish_watchdog(), name="live-finish-watchdog")
        self._wake.set()

    async def _finish_watchdog(self) -> None:
        await asyncio.sleep(self._stop_timeout_s)
        if self._main is not None and not self._main.done() and not self._cleaning:
            log.warning("Live session did not finish within %.0f s", self._stop_timeout_s)
            self._timed_out = True
            self._main.cancel()

    async def _stop_source(self) -> None:
        if self._source_stopped:
            return
        self._source_stopped = True
        try:
            await self._source.stop()
        except Exception:
            log.warning("Stopping the audio source failed", exc_info=True)
        reader = self._reader
        if reader is not None and not reader.done():
            done, _ = await asyncio.wait({reader}, timeout=READER_DRAIN_S)
            if not done:
                reader.cancel()
                await asyncio.gather(reader, return_exceptions=True)
        self._source_done.set()
        self._wake.set()

    async def _cleanup(self) -> None:
        self._cancel_deferred_finalize()
        rt = self._rt
        if rt is not None:  # canceled mid-connection: the connection's own finally may not have run
            self._rt = None
            await _close_socket(rt, abort=self._timed_out)
        # The reader has nothing left to feed; cancelling it before stopping the source keeps a
        # cancel immediate (a graceful stop has already drained it in _stop_source).
        for task in (self._reader, self._watchdog):
            if task is not None and not task.done():
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)
        await self._stop_source()

    def _finish(self, outcome: _Outcome | None) -> None:
        unconfirmed = outcome is None or outcome.kind is not _Kind.FINISHED
        if self._bps and self._ever_connected and not self._canceled and unconfirmed:
            # Ended without the service confirming it (gave up, finish timed out): nothing after
            # the last final word was transcribed. Say so, so it can be sent from the recording.
            self._note_lost(self._final_pos, self._buffer.end)
        self._emit("on_stats", self.stats)
        if self._canceled or self._state.is_terminal:
            pass
        elif outcome is None:  # cancelled from outside (loop shutting down)
            self._set_state(LiveState.CANCELED, "Canceled")
        elif outcome.kind is _Kind.FINISHED and self._source_error is None:
            self._set_state(LiveState.FINISHED, "Finished")
        else:
            error = outcome.error if outcome.kind is not _Kind.FINISHED else self._source_error
            error = error or DROPPED
            self._emit("on_error", error)
            self._set_state(LiveState.ERROR, error.message)
        self._set_pending(False)
        self._muted = True
        self._settled.set()

    # ----------------------------------------------------------------- finalize bookkeeping

    def _queue_finalize(self) -> None:
        self._last_finalize_at = asyncio.get_running_loop().time()
        self._controls.append("finalize")
        self._set_pending(True)
        self._wake.set()

    def _fire_deferred_finalize(self) -> None:
        self._deferred_finalize = None
        if not self._finishing and self._state in (LiveState.RUNNING, LiveState.RECONNECTING):
            self._queue_finalize()

    def _cancel_deferred_finalize(self) -> None:
        if self._deferred_finalize is not None:
            self._deferred_finalize.cancel()
            self._deferred_finalize = None

    def _set_pending(self, pending: bool) -> None:
        if pending != self._finalize_pending:
            self._finalize_pending = pending
            self._emit("on_finalize_pending", pending)

    # ----------------------------------------------------------------- reporting

    def _set_state(self, state: LiveState, detail: str) -> None:
        if state is self._state:
            if detail != self._detail:  # e.g. "Reconnecting (attempt 2)…": same state, news for the user
                self._detail = detail
                self._emit("on_state", state, detail)
            return
        if not can_transition(self._state, state):
            log.warning("Unexpected live state change %s -> %s", self._state.value, state.value)
        self._state = state
        self._detail = detail
        self._emit("on_state", state, detail)

    def _maybe_stats(self) -> None:
        now = asyncio.get_running_loop().time()
        if now - self._last_stats_at >= self._stats_interval_s:
            self._last_stats_at = now
            self._emit("on_stats", self.stats)

    def _emit(self, name: str, *args: Any) -> None:
        if self._muted:
            return
        try:
            getattr(self._listener, name)(*args)
        except Exception:
            log.exception("Live session listener %s raised", name)


def _source_failure(exc: BaseException) -> UserError:
    return UserError(
        "Audio input stopped",
        str(exc) or "The audio source stopped unexpectedly.",
        "The transcript so far is kept. Check the input and start a new session.",
        False,
        "audio_source",
    )


async def _close_socket(rt: AsyncRealtimeSTTSession, *, abort: bool = False) -> None:
    """Close the WebSocket for real.

    The SDK's ``close()`` only sends the end-of-audio frame and forgets the socket, leaving it to
    the server to close; a cancel must not send end-of-audio (that would bill and transcribe the
    tail) and must not leave a socket open, so the underlying connection is closed first.
    """
    ws = getattr(rt, "_ws", None)
    transport = getattr(ws, "transport", None)
    if ws is not None and abort and transport is not None:
        transport.abort()
    elif ws is not None:
        closing = asyncio.ensure_future(ws.close())
        try:
            done, _ = await asyncio.wait({closing}, timeout=CLOSE_TIMEOUT_S)
        finally:
            if not closing.done():
                closing.cancel()
                await asyncio.gather(closing, return_exceptions=True)
        if (not done or closing.exception() is not None) and transport is not None:
            transport.abort()
    with contextlib.suppress(Exception):
        await rt.close()
