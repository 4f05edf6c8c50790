"""The ``/transcribe-websocket`` endpoint: one ``RealtimeSession`` per connection.

Protocol, as the SDK's ``AsyncRealtimeSTTSession`` speaks it: the upgrade may carry
``Authorization: Bearer <key>``; the first text frame is the JSON config (``{"type":
"keepalive"}`` may come before it); binary frames are audio; text frames are control messages;
an empty frame (text or binary) ends the stream. Every error is one JSON frame followed by a
close. Responses go through a small send queue so a test can slow them down without slowing
how fast audio is read.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

from . import errors as E
from .audio import AudioMeter
from .errors import RealtimeFailure, rt_invalid
from .realtime_config import ValidatedConfig, validate_config
from .recognizer import Recognizer, RecognizerSettings
from .records import ControlMessage, RealtimeInjection, RealtimeSessionRecord
from .state import EmulatorState
from .tones import Hop, ToneDecoder

log = logging.getLogger("fake_soniox.realtime")

REDACTED = "<redacted>"


@dataclass(frozen=True)
class RealtimeSettings:
    """Server-side knobs of the real-time endpoint."""

    idle_timeout_s: float = 20.0
    recognizer: RecognizerSettings = field(default_factory=RecognizerSettings)
    voice_threshold_dbfs: float = -40.0
    keep_audio: bool = True
    reject_empty_sessions: bool = False


class _Abort(Exception):
    """Internal: the session is over (error sent, connection dropped, or client gone)."""


def bearer_key(header: str | None) -> str | None:
    """The key of an ``Authorization: Bearer <key>`` header, or None."""
    if not header:
        return None
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer":
        return None
    return value.strip() or None


class RealtimeSession:
    """Serves one WebSocket connection from config to close."""

    def __init__(
        self,
        state: EmulatorState,
        settings: RealtimeSettings,
        request: web.Request,
        ws: web.WebSocketResponse,
        record: RealtimeSessionRecord,
        injections: list[RealtimeInjection],
    ) -> None:
        self.state = state
        self.settings = settings
        self.request = request
        self.ws = ws
        self.record = record
        self.injections = [i for i in injections if i.error_code is not None or i.abrupt_close]
        self.delay_s = max((i.response_delay_s for i in injections), default=0.0)
        self.loop = asyncio.get_running_loop()
        self.queue: asyncio.Queue[tuple[dict[str, Any], float] | None] = asyncio.Queue()
        self.sender: asyncio.Task[None] | None = None
        self.last_activity = self.loop.time()
        self.deadline: float | None = None
        self.recognizer: Recognizer | None = None
        self.meter: AudioMeter | None = None
        self.acoustic = False
        self.decoder: ToneDecoder | None = None
        self.key: str | None = None

    # ------------------------------------------------------------------ sending
    async def _send_loop(self) -> None:
        while True:
            item = await self.queue.get()
            if item is None:
                return
            payload, send_at = item
            wait = send_at - self.loop.time()
            if wait > 0:
                await asyncio.sleep(wait)
            try:
                await self.ws.send_str(json.dumps(payload))
            except (ConnectionError, RuntimeError):
                return
            with self.state.lock:
                self.record.responses.append(payload)

    def _queue(self, payload: dict[str, Any]) -> None:
        self.queue.put_nowait((payload, self.loop.time() + self.delay_s))

    async def _drain(self) -> None:
        """Let every queued frame go out (bounded, so a dead client cannot hang the server)."""
        if self.sender is None:
            return
        self.queue.put_nowait(None)
        with contextlib.suppress(asyncio.TimeoutError, asyncio.CancelledError):
            await asyncio.wait_for(asyncio.shield(self.sender), timeout=self.delay_s * 4 + 5.0)
        if not self.sender.done():
            self.sender.cancel()

    async def _fail(self, failure: RealtimeFailure) -> None:
        frame = failure.frame()
        log.info("session %d: error %s %s", self.record.index, failure.code, failure.error_type)
        self.state.update_session(self.record, error=frame)
        if self.sender is None:
            self.sender = asyncio.create_task(self._send_loop())
        self._queue(frame)
        await self._drain()
        await self.ws.close(code=1000)
        raise _Abort

    def _drop_connection(self) -> None:
        """Injected fault: vanish without a close frame (the client sees 1006)."""
        log.info("session %d: dropping the TCP connection", self.record.index)
        transport = self.request.transport
        if transport is not None:
            transport.abort()
        self.state.update_session(self.record, close_code=1006)
        raise _Abort

    # ------------------------------------------------------------------ receiving
    def _timeout(self) -> float:
        now = self.loop.time()
        remaining = self.last_activity + self.settings.idle_timeout_s - now
        if self.deadline is not None:
            remaining = min(remaining, self.deadline - now)
        return max(0.0, remaining)

    async def _expire(self) -> None:
        """Enforce the temp-key session cap and the idle timeout."""
        now = self.loop.time()
        if self.deadline is not None and now >= self.deadline:
            await self._fail(RealtimeFailure(403, "temp_api_key_session_expired", E.RT_TEMP_SESSION_EXPIRED))
        if now >= self.last_activity + self.settings.idle_timeout_s:
            message = E.RT_START_TIMEOUT if self.record.config is None else E.RT_REQUEST_TIMEOUT
            await self._fail(RealtimeFailure(408, "request_timeout", message))

    async def _receive(self) -> Any:
        # Checked before and after waiting: a client that streams nonstop never lets the
        # wait itself time out, but must still hit the session cap.
        await self._expire()
        try:
            msg = await self.ws.receive(timeout=max(self._timeout(), 0.001))
        except asyncio.TimeoutError:
            await self._expire()
            return await self._receive()
        if msg.type in (WSMsgType.CLOSE, WSMsgType.CLOSING, WSMsgType.CLOSED, WSMsgType.ERROR):
            self.state.update_session(self.record, close_code=self.ws.close_code or 1006)
            raise _Abort
        return msg

    def _control(self, kind: str, payload: dict[str, Any]) -> None:
        audio_ms = self.recognizer.audio_ms if self.recognizer else 0.0
        with self.state.lock:
            self.record.controls.append(ControlMessage(kind, time.time(), audio_ms, payload))

    async def _read_config(self) -> dict[str, Any]:
        while True:
            msg = await self._receive()
            if msg.type == WSMsgType.BINARY:
                await self._fail(rt_invalid(E.RT_START_NOT_TEXT))
            try:
                config = json.loads(msg.data)
            except (TypeError, ValueError):
                await self._fail(rt_invalid(E.RT_START_MALFORMED))
            if not isinstance(config, dict):
                await self._fail(rt_invalid(E.RT_START_MALFORMED))
            if config == {"type": "keepalive"}:
                self.last_activity = self.loop.time()
                self._control("keepalive", config)
                continue
            return config

    # ------------------------------------------------------------------ flow
    async def run(self) -> None:
        header_key = bearer_key(self.request.headers.get("Authorization"))
        config = await self._read_config()
        recorded = {k: (REDACTED if k == "api_key" else v) for k, v in config.items()}
        self.state.update_session(self.record, config=recorded)

        config_key = config.get("api_key")
        if header_key and config_key:
            await self._fail(rt_invalid(E.RT_BOTH_API_KEYS))
        key = header_key or (config_key if isinstance(config_key, str) and config_key else None)
        self.state.update_session(
            self.record, auth_method="header" if header_key else ("config_api_key" if key else None)
        )
        if key is None:
            await self._fail(RealtimeFailure(401, "unauthenticated", E.RT_MISSING_API_KEY))
        kind = self.state.realtime_key_kind(key)
        if kind is None:
            message = E.RT_INVALID_TEMP_KEY if key.startswith("snx_temp_") else E.RT_INVALID_API_KEY
            await self._fail(RealtimeFailure(401, "unauthenticated", message))
        self.state.update_session(self.record, key_kind=kind)
        if kind == "temporary":
            limit = self.state.temp_key_session_limit(key)
            if limit:
                self.deadline = self.loop.time() + limit

        try:
            validated = validate_config(config)
        except RealtimeFailure as failure:
            await self._fail(failure)
        try:
            self.state.check_realtime_balance()
            self.state.accept_session(self.record)
        except RealtimeFailure as failure:
            await self._fail(failure)
        self._start(validated)
        await self._check_injections()
        await self._stream()

    def _start(self, validated: ValidatedConfig) -> None:
        with self.state.lock:
            script = list(self.state.config.script)
            loops = self.state.config.script_loops
            self.acoustic = self.state.config.acoustic
        self.meter = AudioMeter(
            validated.audio_format,
            validated.sample_rate,
            validated.num_channels,
            self.settings.voice_threshold_dbfs,
            keep_samples=self.acoustic,
        )
        self.recognizer = Recognizer(
            script, validated.options, self.settings.recognizer, loop=loops, seed=self.record.index
        )
        self.sender = asyncio.create_task(self._send_loop())
        self.last_activity = self.loop.time()

    async def _check_injections(self) -> None:
        audio_ms = self.recognizer.audio_ms if self.recognizer else 0.0
        for inj in list(self.injections):
            if audio_ms >= inj.after_audio_ms:
                self.injections.remove(inj)
                if inj.abrupt_close:
                    self._drop_connection()
                code = inj.error_code or 500
                etype = inj.error_type or E.DEFAULT_TYPE_FOR_STATUS.get(code, "internal_error")
                message = inj.message or {
                    500: E.RT_INTERNAL,
                    503: E.RT_SERVICE_UNAVAILABLE,
                    408: E.RT_REQUEST_TIMEOUT,
                    429: E.RT_CONCURRENCY,
                    401: E.RT_INVALID_API_KEY,
                }.get(code, E.DEFAULT_MESSAGE_FOR_TYPE.get(etype, E.RT_INTERNAL))
                await self._fail(RealtimeFailure(code, etype, message))

    async def _stream(self) -> None:
        assert self.recognizer is not None and self.meter is not None
        while True:
            msg = await self._receive()
            if msg.type == WSMsgType.BINARY:
                if not msg.data:
                    await self._finish()
                    return
                self.last_activity = self.loop.time()
                await self._audio(msg.data)
                continue
            if msg.data == "":
                await self._finish()
                return
            await self._text(msg.data)

    async def _audio(self, data: bytes) -> None:
        assert self.recognizer is not None and self.meter is not None
        with self.state.lock:
            if self.settings.keep_audio:
                self.record.audio.extend(data)
            self.record.audio_bytes += len(data)
            self.record.frames += 1
            self.record.measured_as = self._measured_as()
        windows = self.meter.feed(data)
        if self.acoustic:
            self._hear(windows)
        else:
            for duration_ms, voiced in windows:
                self.recognizer.feed_window(duration_ms, voiced)
                self._respond()
        self.state.update_session(self.record, audio_ms=self.recognizer.audio_ms, measured_as=self._measured_as())
        await self._check_injections()

    def _measured_as(self) -> str:
        assert self.meter is not None
        return self.meter.description + (", acoustic" if self.acoustic else "")

    def _respond(self) -> None:
        assert self.recognizer is not None
        response = self.recognizer.take_response()
        if response is not None:
            self._queue(response)

    def _hear(self, windows: list[tuple[float, bool]], final: bool = False) -> None:
        """Acoustic mode: the words are decoded from the audio's tones (``tones.py``).

        Compressed streams are not decoded, so they count as voiced audio in which no word is heard.
        """
        assert self.recognizer is not None and self.meter is not None
        if self.meter.compressed:
            hops = [Hop(duration_ms, voiced, None) for duration_ms, voiced in windows]
        else:
            samples = self.meter.take_samples()
            if self.decoder is None and (len(samples) or final) and self.meter.sample_rate:
                self.decoder = ToneDecoder(self.meter.sample_rate)
            if self.decoder is None:
                return
            hops = self.decoder.feed(samples) if len(samples) else []
            if final:
                hops += self.decoder.flush()
        for hop in hops:
            self.recognizer.feed_heard(hop.duration_ms, hop.voiced, hop.word)
            self._respond()

    async def _text(self, data: str) -> None:
        assert self.recognizer is not None
        try:
            message = json.loads(data)
        except ValueError:
            await self._fail(rt_invalid(E.RT_CONTROL_MALFORMED))
        if not isinstance(message, dict) or not isinstance(message.get("type"), str):
            await self._fail(rt_invalid(E.RT_CONTROL_MALFORMED))
        kind = message["type"]
        if kind == "keepalive":
            self.last_activity = self.loop.time()
            self._control(kind, message)
        elif kind == "finalize":
            silence = message.get("trailing_silence_ms")
            if silence is not None and (
                not isinstance(silence, int | float) or isinstance(silence, bool) or silence < 0
            ):
                await self._fail(rt_invalid(E.RT_CONTROL_MALFORMED))
            self._control(kind, message)
            self._queue(self.recognizer.finalize())
        else:
            self._control(kind, message)
            await self._fail(rt_invalid(E.RT_CONTROL_INVALID_TYPE))

    async def _finish(self) -> None:
        assert self.recognizer is not None
        self._control("finish", {})
        if self.settings.reject_empty_sessions and self.record.audio_bytes == 0:
            await self._fail(rt_invalid(E.RT_NO_AUDIO))
        if self.acoustic:
            self._hear([], final=True)  # the last 20 ms wait for a window that will not come
        for response in self.recognizer.finish():
            self._queue(response)
        await self._drain()
        self.state.update_session(self.record, finished=True)
        await self.ws.close(code=1000)
        self.state.update_session(self.record, close_code=1000)


class RealtimeEndpoint:
    """aiohttp handler factory for the WebSocket route."""

    def __init__(self, state: EmulatorState, settings: RealtimeSettings) -> None:
        self.state = state
        self.settings = settings
        self.sockets: set[web.WebSocketResponse] = set()

    async def close_all(self) -> None:
        """Server shutdown: end open sessions with 1001 (going away) instead of waiting for them."""
        for ws in list(self.sockets):
            with contextlib.suppress(Exception):
                await asyncio.wait_for(ws.close(code=1001), timeout=1.0)

    async def handle(self, request: web.Request) -> web.StreamResponse:
        record, injections = self.state.open_session()
        # No permessage-deflate: audio does not compress and the SDK's frames stay byte-for-byte.
        ws = web.WebSocketResponse(max_msg_size=0, autoping=True, compress=False)
        await ws.prepare(request)
        self.sockets.add(ws)
        session = RealtimeSession(self.state, self.settings, request, ws, record, injections)
        try:
            await session.run()
        except (_Abort, asyncio.TimeoutError):
            pass
        except Exception:  # pragma: no cover - a bug in the emulator: report it like the service would
            log.exception("session %d crashed", record.index)
            with contextlib.suppress(Exception):
                await ws.send_str(json.dumps(RealtimeFailure(500, "internal_error", E.RT_INTERNAL).frame()))
                await ws.close(code=1011)
        finally:
            self.sockets.discard(ws)
            if session.sender is not None and not session.sender.done():
                session.sender.cancel()
            with self.state.lock:
                record.active = False
                record.ended_at = time.time()
                if record.close_code is None:
                    record.close_code = ws.close_code
        return ws
