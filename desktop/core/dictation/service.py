"""Dictation: key down starts listening, key up types that utterance's words into the focused app.

Built on :class:`~desktop.core.live.run.LiveRun` in hold-to-talk mode. The first ``begin()``
opens the microphone and a session; ``end()`` stops transmitting (the session then asks Soniox to
finalize), waits for the ``<fin>`` that answers it, and inserts the final words that arrived
since ``begin()``: exactly that utterance, without markers or translations. The session is then
kept open, transmitting nothing (audio read meanwhile is discarded, never sent or kept; the
session sends keepalives), for ``keep_open_s``, so the next ``begin()`` is instant: no
microphone start-up and no WebSocket handshake between key down and the first word heard.
After that idle time it is closed (the system's "microphone in use" indicator goes off with it).

A ``cancel()`` closes the session, so words of a canceled utterance can never be finalized into
the next one.

Nothing here imports Qt, audio or platform code: the microphone (``source_factory``), the way
text reaches the other app (``inserter``), the focused app (``focused_app``) and the library are
injected. Everything is reported to a :class:`DictationListener` on the loop thread.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from desktop.core.audio_source import AudioSource
from desktop.core.dictation.formatting import fit_text, utterance_text
from desktop.core.dictation.history import keep_dictation
from desktop.core.dictation.types import (
    UNKNOWN_APP,
    DictationState,
    FocusedApp,
    InsertMethod,
    InsertResult,
    TextInserter,
)
from desktop.core.errors import UserError, describe_error
from desktop.core.library.store import Library
from desktop.core.live.config_builder import LiveOptions
from desktop.core.live.run import LiveRun, LiveRunListener, LiveRunSettings, SourceKind, SourceOrigin
from desktop.core.live.state import LiveState
from desktop.core.tokens import Token
from desktop.core.transcript import TranscriptDelta

if TYPE_CHECKING:
    from soniox import AsyncSonioxClient
    from soniox.types import Model

__all__ = [
    "Dictation",
    "DictationListener",
    "DictationService",
    "DictationState",
    "DictationTimings",
]

log = logging.getLogger(__name__)

#: Session tuning for dictation: a release's finalize is never deferred (``finalize_min_interval_s``
#: coalesces presses closer than it), and the wait for the last words is short.
#: How long the focused app may take to say what is before its cursor (asked while Soniox finalizes).
CONTEXT_TIMEOUT_S = 0.3

SESSION_OPTIONS: Mapping[str, Any] = {"finalize_min_interval_s": 0.0, "stop_timeout_s": 5.0}


@dataclass
class DictationTimings:
    """``time.perf_counter()`` marks of one dictation, for the speed bench."""

    released: float = 0.0  # end() called (key up)
    fin: float = 0.0  # the <fin> answering the finalize arrived
    inserted: float = 0.0  # the inserter returned

    @property
    def own_ms(self) -> float:
        """The app's share after the answer: <fin> received → text inserted."""
        return (self.inserted - self.fin) * 1000

    @property
    def total_ms(self) -> float:
        return (self.inserted - self.released) * 1000


@dataclass(frozen=True)
class Dictation:
    """One finished dictation: what was heard, what was inserted where, and how."""

    heard: str
    inserted: str
    app: FocusedApp
    result: InsertResult
    library_id: int | None
    timings: DictationTimings = field(default_factory=DictationTimings, compare=False)


class DictationListener:
    """What the service reports, on the loop thread; override what you need."""

    def on_state(self, state: DictationState, detail: str) -> None: ...

    def on_words(self, final: str, provisional: str) -> None:
        """This utterance so far: its final words and the provisional ones after them."""

    def on_done(self, dictation: Dictation) -> None:
        """The utterance was inserted (or copied, see ``dictation.result``)."""


class DictationService:
    """See the module docstring. ``begin``/``end``/``cancel``/``state`` drive it (a hotkey, a menu)."""

    def __init__(
        self,
        client_factory: Callable[[], AsyncSonioxClient],
        source_factory: Callable[[], AudioSource],
        inserter: Callable[[], TextInserter],
        focused_app: Callable[[], FocusedApp | None],
        *,
        options: Callable[[], tuple[LiveOptions, Model | None]] = lambda: (LiveOptions(), None),
        library: Callable[[], Library | None] = lambda: None,
        listener: DictationListener | None = None,
        preflight: Callable[[], str | None] = lambda: None,
        prepare: Callable[[], Awaitable[object]] | None = None,
        keep_open_s: float = 30.0,
        finalize_timeout_s: float = 6.0,
        session_options: Mapping[str, Any] | None = None,
    ) -> None:
        """``inserter``/``options``/``library`` are asked at each use, so a changed setting applies
        to the next dictation. ``preflight`` returns why dictation cannot start (no API key), or None;
        ``prepare`` is awaited before a session is opened (loading the model list once); its failure
        is left for the session's own start to explain.
        """
        self.listener = listener or DictationListener()
        self._client_factory = client_factory
        self._source_factory = source_factory
        self._inserter = inserter
        self._focused_app = focused_app
        self._options = options
        self._library = library
        self._preflight = preflight
        self._prepare = prepare
        self.keep_open_s = keep_open_s
        self.finalize_timeout_s = finalize_timeout_s
        self._session_options = {**SESSION_OPTIONS, **dict(session_options or {})}

        self._state = DictationState.IDLE
        self._detail = ""
        self._run: LiveRun | None = None
        self._starting: asyncio.Task[LiveRun | None] | None = None
        self._ending: asyncio.Future[None] | None = None
        self._idle_timer: asyncio.TimerHandle | None = None
        self._closing: set[asyncio.Task[None]] = set()
        self._generation = 0  # bumped by cancel(): a connect that finishes later is ignored
        self._first_final = 0  # index in the run's final tokens where this utterance starts
        self._fin = asyncio.Event()
        self._context: asyncio.Future[tuple[TextInserter, str | None]] | None = None
        self._fin_at = 0.0
        self._begun_at = 0.0
        self._last_into: dict[str, str] = {}  # app key -> text last inserted there
        self.history: list[Dictation] = []
        #: How many sessions were opened (a warm session serves several dictations).
        self.sessions_opened = 0

    # ------------------------------------------------------------------------------ controls
    @property
    def state(self) -> DictationState:
        return self._state

    def _state_now(self) -> DictationState:
        """The state after an ``await`` (a plain attribute read would be narrowed by mypy)."""
        return self._state

    @property
    def detail(self) -> str:
        return self._detail

    @property
    def source(self) -> AudioSource | None:
        """The microphone while a session is open (a level meter may follow it)."""
        return self._run.source if self._run is not None else None

    def inserter(self) -> TextInserter:
        """The inserter the next dictation will use (built from the settings now)."""
        return self._inserter()

    @property
    def warm(self) -> bool:
        """A session is open and idle: the next ``begin()`` starts listening at once."""
        run = self._run
        return run is not None and run.session is not None and run.session.state is LiveState.RUNNING

    async def begin(self) -> None:
        """Start listening (key down / toggle on). Returns once listening or failed."""
        if self._state in (DictationState.CONNECTING, DictationState.LISTENING):
            return
        if self._ending is not None and not self._ending.done():
            await asyncio.shield(self._ending)  # a press while the last words are inserted
            if self._state in (DictationState.CONNECTING, DictationState.LISTENING):
                return
        self._cancel_idle_timer()
        problem = self._preflight()
        if problem:
            self._set_state(DictationState.ERROR, problem)
            return
        self._begun_at = time.time()
        run = self._run
        if run is not None and not self.warm:
            self._drop_run()  # reconnecting or ended: start afresh
            run = None
        if run is not None:
            self._mark_utterance_start(run)
            run.set_transmitting(True)
            self._set_state(DictationState.LISTENING, "Listening")
            return
        self._set_state(DictationState.CONNECTING, "Connecting…")
        starting = self._starting = asyncio.ensure_future(self._open_run(self._generation))
        try:
            started = await asyncio.shield(starting)
        except asyncio.CancelledError:
            if starting.cancelled():  # cancel() while connecting: not this caller's problem
                return
            raise
        if started is not None and self._state_now() is DictationState.CONNECTING:  # not canceled meanwhile
            self._set_state(DictationState.LISTENING, "Listening")

    async def end(self) -> None:
        """Stop listening (key up / toggle off): wait for the last words, insert them, keep them."""
        if self._state not in (DictationState.CONNECTING, DictationState.LISTENING):
            return
        timings = DictationTimings(released=time.perf_counter())
        loop = asyncio.get_running_loop()
        self._ending = loop.create_future()
        self._context = asyncio.ensure_future(self._ask_context())  # meanwhile Soniox finalizes
        self._set_state(DictationState.FINISHING, "Finishing…")
        try:
            await self._finish_utterance(timings)
        finally:
            if self._state_now() is DictationState.FINISHING:  # canceled or closed meanwhile
                self._set_state(DictationState.IDLE, "Ready")
            if not self._ending.done():
                self._ending.set_result(None)

    def cancel(self) -> None:
        """Drop the current utterance: nothing is inserted, and its session is closed."""
        if self._state is DictationState.IDLE and self._run is None:
            return
        self._cancel_idle_timer()
        self._generation += 1
        if self._starting is not None and not self._starting.done():
            self._starting.cancel()
        self._drop_run()
        if self._state is not DictationState.IDLE:
            self._set_state(DictationState.IDLE, "Canceled")

    def release_idle(self) -> None:
        """Close a kept-open session now, if no dictation is under way (the microphone or the
        options changed in Settings: the next dictation opens a session with the new ones)."""
        if self._state in (DictationState.IDLE, DictationState.ERROR):
            self._cancel_idle_timer()
            self._drop_run()

    async def close(self) -> None:
        """Close the session (app exit); waits for it to end."""
        self.cancel()
        if self._closing:
            await asyncio.gather(*self._closing, return_exceptions=True)

    # ------------------------------------------------------------------------------ session
    async def _open_run(self, generation: int) -> LiveRun | None:
        if self._prepare is not None:
            try:
                await self._prepare()
            except Exception as exc:
                log.info("Preparing dictation failed: %s", type(exc).__name__)
            if generation != self._generation:
                return None
        try:
            options, model = self._options()
            source = self._source_factory()
            run = LiveRun(
                self._client_factory,
                options,
                model,
                source,
                SourceOrigin(SourceKind.MICROPHONE),
                _RunEvents(self),
                library=None,  # each utterance is kept by itself (history.py)
                settings=LiveRunSettings(keep_audio=False, transmitting=True, session_options=self._session_options),
            )
        except Exception as exc:
            self._fail(describe_error(exc) if not isinstance(exc, ValueError) else _options_error(exc))
            return None
        self._run = run
        self._mark_utterance_start(run)
        self.sessions_opened += 1
        try:
            await run.start()
        except Exception as exc:
            log.exception("Starting the dictation session failed")
            if generation == self._generation:
                self._fail(describe_error(exc))
            return None
        if generation != self._generation:
            return None  # canceled while connecting
        if run.state is not LiveState.RUNNING or self._run is not run:
            self._fail(run.last_error or _ended_error())
            return None
        return run

    def _mark_utterance_start(self, run: LiveRun) -> None:
        self._first_final = len(run.transcript.final_tokens)
        self._fin.clear()
        self.listener.on_words("", "")

    async def _finish_utterance(self, timings: DictationTimings) -> None:
        run = self._run
        if run is not None:
            run.set_transmitting(False)  # audio from now on is not sent (the session finalizes if running)
        starting = self._starting
        if starting is not None and not starting.done():
            try:
                if await asyncio.shield(starting) is None:
                    return  # failed to connect: already reported
            except asyncio.CancelledError:
                if starting.cancelled():
                    return  # canceled while connecting
                raise
            if run is None and self._run is not None:  # released before the session existed
                run = self._run
                run.set_transmitting(False)
        if run is None:
            return
        if self._run is not run:
            return  # canceled meanwhile
        if not run.finalize_pending and not self._fin.is_set():
            run.request_finalize()  # released while still connecting: finalize now it is up
        try:
            await asyncio.wait_for(self._fin.wait(), self.finalize_timeout_s)
        except asyncio.TimeoutError:
            if self._run is not run:
                return
            tokens = self._utterance_tokens(run)
            self._drop_run()
            self._fail(
                UserError(
                    "Last words may be missing",
                    "Soniox did not confirm the end of the dictation in time.",
                    "The words that arrived were inserted; dictate the rest again.",
                ),
                tokens=tokens,
            )
            return
        if self._run is not run:
            return
        timings.fin = self._fin_at
        before = await self._context_now()
        self._deliver(self._utterance_tokens(run), timings, before)
        self._set_state(DictationState.IDLE, "Ready")
        self._schedule_idle_close()

    def _utterance_tokens(self, run: LiveRun) -> list[Token]:
        return list(run.transcript.final_tokens[self._first_final :])

    async def _ask_context(self) -> tuple[TextInserter, str | None]:
        """The inserter for this dictation and what its field holds before the cursor."""
        inserter = self._inserter()
        answer = _safe(inserter.text_before_cursor)
        if inspect.isawaitable(answer):
            try:
                answer = await asyncio.wait_for(answer, CONTEXT_TIMEOUT_S)
            except Exception:
                log.debug("The text before the cursor did not come", exc_info=True)
                answer = None
        return inserter, answer if isinstance(answer, str) else None

    async def _context_now(self) -> tuple[TextInserter, str | None] | None:
        task, self._context = self._context, None
        if task is None:
            return None
        try:
            return await task
        except Exception:
            log.warning("Asking for the text before the cursor failed", exc_info=True)
            return None

    def _context_sync(self) -> tuple[TextInserter, str | None]:
        """Without time to wait (an error ends the utterance): only an answer the OS gives at once."""
        inserter = self._inserter()
        answer = _safe(inserter.text_before_cursor)
        if inspect.iscoroutine(answer):
            answer.close()
        return inserter, answer if isinstance(answer, str) else None

    def _deliver(
        self,
        tokens: list[Token],
        timings: DictationTimings,
        context: tuple[TextInserter, str | None] | None = None,
    ) -> Dictation | None:
        """Fit the words after what is there, insert them and keep them."""
        heard = utterance_text(tokens)
        if not heard:
            timings.inserted = time.perf_counter()
            return None
        app = self._app()
        inserter, before = context if context is not None else self._context_sync()
        if before is None:
            last = self._last_into.get(app.key)
            if last and last[-1].isspace():
                before = last
        text = fit_text(heard, before)
        try:
            result = inserter.insert(text)
        except Exception as exc:
            log.exception("Inserting the dictated text failed")
            result = InsertResult(False, InsertMethod.NONE, f"The text could not be inserted: {exc}")
        timings.inserted = time.perf_counter()
        if result.ok:
            self._last_into[app.key] = text
        library_id = self._keep(tokens, app)
        dictation = Dictation(heard, text, app, result, library_id, timings)
        self.history.append(dictation)
        self.listener.on_done(dictation)
        return dictation

    def _keep(self, tokens: list[Token], app: FocusedApp) -> int | None:
        library = self._library()
        if library is None:
            return None
        ends = [t.end_ms for t in tokens if t.end_ms is not None]
        starts = [t.start_ms for t in tokens if t.start_ms is not None]
        duration = max(ends) - min(starts) if ends and starts else 0
        try:
            return keep_dictation(library, tokens, app_name=app.name, started_at=self._begun_at, duration_ms=duration)
        except Exception:
            log.exception("Could not keep the dictation in the library")
            return None

    def _app(self) -> FocusedApp:
        return _safe(self._focused_app) or UNKNOWN_APP

    # ------------------------------------------------------------------------------ idle close
    def _schedule_idle_close(self) -> None:
        self._cancel_idle_timer()
        if self._run is None:
            return
        if self.keep_open_s <= 0:
            self._drop_run()
            return
        loop = asyncio.get_running_loop()
        self._idle_timer = loop.call_later(self.keep_open_s, self._close_idle)

    def _cancel_idle_timer(self) -> None:
        if self._idle_timer is not None:
            self._idle_timer.cancel()
            self._idle_timer = None

    def _close_idle(self) -> None:
        self._idle_timer = None
        if self._state in (DictationState.IDLE, DictationState.ERROR):
            self._drop_run()

    def _drop_run(self) -> None:
        """Forget the session and close it in the background (canceled: nothing more is sent)."""
        run, self._run = self._run, None
        if run is None:
            return
        run.cancel()
        session = run.session
        if session is not None:
            task = asyncio.ensure_future(session.wait_closed())
            self._closing.add(task)
            task.add_done_callback(self._closing.discard)

    # ------------------------------------------------------------------------------ run events
    def _on_delta(self, run: LiveRun, delta: TranscriptDelta) -> None:
        if run is not self._run:
            return
        if delta.fin_seen:
            self._fin_at = time.perf_counter()
            self._fin.set()
        if self._state in (DictationState.LISTENING, DictationState.FINISHING, DictationState.CONNECTING):
            final = utterance_text(self._utterance_tokens(run))
            tail = utterance_text(list(run.transcript.tail_tokens))
            self.listener.on_words(final, tail)

    def _on_run_state(self, run: LiveRun, state: LiveState) -> None:
        if run is not self._run or not state.is_terminal:
            return
        # The session ended by itself (gave up reconnecting, the microphone went away).
        error = run.last_error
        busy = self._state in (DictationState.CONNECTING, DictationState.LISTENING, DictationState.FINISHING)
        if self._starting is not None and not self._starting.done():
            return  # still connecting: _open_run reports it
        tokens = self._utterance_tokens(run)
        self._run = None
        if busy:
            self._fail(error or _ended_error(), tokens=tokens)

    def _fail(self, error: UserError, *, tokens: list[Token] | None = None) -> None:
        """Report ``error``; words already final for this utterance are still inserted, not lost."""
        if tokens:
            self._deliver(tokens, DictationTimings(released=time.perf_counter()))
        self._drop_run()
        self._set_state(DictationState.ERROR, _in_words(error))

    def _set_state(self, state: DictationState, detail: str) -> None:
        if state is self._state and detail == self._detail:
            return
        self._state = state
        self._detail = detail
        try:
            self.listener.on_state(state, detail)
        except Exception:
            log.exception("Dictation listener raised")


class _RunEvents(LiveRunListener):
    def __init__(self, service: DictationService) -> None:
        self.service = service

    def on_delta(self, delta: TranscriptDelta) -> None:
        run = self.service._run
        if run is not None and run.listener is self:
            self.service._on_delta(run, delta)

    def on_state(self, state: LiveState, detail: str) -> None:
        run = self.service._run
        if run is not None and run.listener is self:
            self.service._on_run_state(run, state)


def _safe(call: Callable[[], Any]) -> Any:
    try:
        return call()
    except Exception:
        log.warning("Dictation helper %r failed", call, exc_info=True)
        return None


def _in_words(error: UserError) -> str:
    """What happened and what to do, for a dictation (the live session's advice speaks of
    transcripts and sessions)."""
    if error.error_type == "audio_source":
        return f"{error.message} Check the microphone (the live panel's choice is used) and dictate again."
    return f"{error.message} {error.action}".strip()


def _ended_error() -> UserError:
    return UserError(
        "Dictation stopped",
        "The connection to Soniox ended unexpectedly.",
        "Check the network connection and dictate again.",
    )


def _options_error(exc: ValueError) -> UserError:
    return UserError("Cannot start dictation", f"{exc}.", "Check the live model in the options.")
