"""Hotkey presses and releases in, dictation begin/end out.

The platform layer reports the hotkey combination going down and up, but what a keyboard sends is
noisy: a held key repeats, on X11 sometimes as extra presses without releases and sometimes as
release/press pairs; a press can land while the previous utterance is still being finalized; and
the Settings field that records a new shortcut receives the very keys the hotkey is made of.
:class:`HotkeyTrigger` turns that into one begin and one end per intended dictation.

It works by reconciliation rather than by firing calls from key handlers: each press/release only
updates what the user *wants* (dictating or not); one worker task at a time brings the target to
that wish, waiting for a finish in progress before it begins again. So a press during finishing is
queued (its begin runs as soon as the finish is done) and withdrawn again if the key is released
(hold) or pressed again (toggle) before then — a tap during finishing starts nothing.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import Literal, Protocol

log = logging.getLogger(__name__)

Mode = Literal["hold", "toggle"]
MODES: tuple[Mode, ...] = ("hold", "toggle")

#: Target states (by name) in which a dictation is under way and ``end()`` is what stops it.
ACTIVE_STATES = frozenset({"CONNECTING", "LISTENING"})
FINISHING_STATE = "FINISHING"


class _Named(Protocol):
    @property
    def name(self) -> str: ...


class DictationTarget(Protocol):
    """What the trigger drives: the dictation service (``desktop.core.dictation.service``).

    ``state`` is read by name (IDLE, CONNECTING, LISTENING, FINISHING, ERROR), so the trigger also
    follows a dictation started or stopped elsewhere (the tray's Dictate item).
    """

    @property
    def state(self) -> _Named: ...

    async def begin(self) -> None: ...

    async def end(self) -> None: ...

    def cancel(self) -> None: ...


def parse_mode(value: str) -> Mode:
    """A settings value as a mode; anything unknown is "hold" (the safer one: release always ends)."""
    return "toggle" if value == "toggle" else "hold"


class HotkeyTrigger:
    """Hotkey press/release (on the asyncio loop's thread) -> ``begin()``/``end()`` on a target.

    ``repeat_grace_s``: a release is acted on only if no press of the hotkey follows within this
    time, because X11 auto-repeat can arrive as release/press pairs with the key still held.
    ``finish_wait_s``: how long a queued begin waits for a finish it did not start itself.
    """

    def __init__(
        self,
        target_factory: Callable[[], DictationTarget],
        mode: Mode = "hold",
        *,
        repeat_grace_s: float = 0.05,
        finish_wait_s: float = 30.0,
        poll_s: float = 0.05,
    ) -> None:
        self._target_factory = target_factory
        self._target: DictationTarget | None = None
        self.mode: Mode = mode
        self.repeat_grace_s = repeat_grace_s
        self.finish_wait_s = finish_wait_s
        self.poll_s = poll_s
        self._suspended = False
        self._down = False
        self._want = False
        self._pending_release: asyncio.TimerHandle | None = None
        self._worker: asyncio.Task[None] | None = None
        #: Presses that were auto-repeat and ignored (diagnostics, and what the tests look at).
        self.repeats_ignored = 0
        #: Why the last press did nothing, in words ("" when it did something).
        self.last_ignored = ""

    # -- inputs -------------------------------------------------------------------------------
    @property
    def suspended(self) -> bool:
        return self._suspended

    @suspended.setter
    def suspended(self, value: bool) -> None:
        """While the Settings field records a shortcut, presses do nothing (releases still end a
        dictation that was already held, so it is never left running)."""
        self._suspended = value

    @property
    def is_down(self) -> bool:
        return self._down

    def press(self) -> None:
        if self._pending_release is not None:
            # A release immediately followed by a press: X11 auto-repeat, the key never went up.
            self._pending_release.cancel()
            self._pending_release = None
            self.repeats_ignored += 1
            return
        if self._down:
            self.repeats_ignored += 1  # auto-repeat that sends presses without releases
            return
        if self._suspended:
            self.last_ignored = "the shortcut is being recorded in Settings"
            log.debug("Hotkey press ignored: %s", self.last_ignored)
            return
        self._down = True
        self.last_ignored = ""
        if self.mode == "hold":
            self._set_want(True)
        else:
            self._set_want(not self._effectively_on())

    def release(self) -> None:
        if not self._down or self._pending_release is not None:
            return
        if self.repeat_grace_s <= 0:
            self._released()
            return
        self._pending_release = asyncio.get_running_loop().call_later(self.repeat_grace_s, self._released)

    def release_all(self) -> None:
        """The hotkey stopped (changed in Settings, app closing): a held dictation ends now."""
        if self._pending_release is not None:
            self._pending_release.cancel()
            self._pending_release = None
        if self._down:
            self._released()

    def _released(self) -> None:
        self._pending_release = None
        self._down = False
        if self.mode == "hold":
            self._set_want(False)

    # -- reconciliation -------------------------------------------------------------------------
    @property
    def target(self) -> DictationTarget:
        """Made on first use: the app does not build a dictation service for a hotkey never pressed."""
        if self._target is None:
            self._target = self._target_factory()
        return self._target

    @property
    def busy(self) -> bool:
        return self._worker is not None and not self._worker.done()

    def _effectively_on(self) -> bool:
        """Whether a dictation is wanted or under way: our own wish while we are acting on it,
        else what the target says (it may have been started from the tray)."""
        if self.busy:
            return self._want
        return self.target.state.name in ACTIVE_STATES

    def _set_want(self, want: bool) -> None:
        self._want = want
        if not self.busy:
            self._worker = asyncio.get_running_loop().create_task(self._reconcile(), name="dictation-trigger")

    async def _reconcile(self) -> None:
        tried: bool | None = None  # the wish last acted on: a target that refused is not asked again
        while True:
            target = self.target
            if target.state.name == FINISHING_STATE:
                if not await self._wait_finished(target):
                    return
                continue
            active = target.state.name in ACTIVE_STATES
            want = self._want
            if want == active or tried == want:
                return
            tried = want
            started = time.monotonic()
            try:
                if want:
                    await target.begin()
                else:
                    await target.end()
            except asyncio.CancelledError:
                raise
            except Exception:
                # The service reports its own errors to the user; the trigger must only survive them.
                log.exception("Dictation %s failed", "begin" if want else "end")
            log.debug("Dictation %s took %.0f ms", "begin" if want else "end", (time.monotonic() - started) * 1000)

    async def _wait_finished(self, target: DictationTarget) -> bool:
        deadline = time.monotonic() + self.finish_wait_s
        while target.state.name == FINISHING_STATE:
            if time.monotonic() > deadline:
                self.last_ignored = "the previous dictation is still finishing"
                log.warning("Hotkey press ignored: %s after %.0f s", self.last_ignored, self.finish_wait_s)
                self._want = False
                return False
            await asyncio.sleep(self.poll_s)
        return True
