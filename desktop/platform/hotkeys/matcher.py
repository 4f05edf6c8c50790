"""Individual key events -> the hotkey combination going down and up.

pynput's own ``HotKey`` helper reports only that a combination was pressed; hold-to-talk also needs
to know when it is let go, so the combination is matched here, on the asyncio loop's thread, from
the key events a listener reports (as tokens: ``ctrl``, ``alt``, ``space``, ``d``, ``vk65``).
"""

from __future__ import annotations

from collections.abc import Callable

from desktop.platform.hotkeys.spec import HotkeySpec

_MODIFIER_TOKENS = frozenset({"ctrl", "alt", "shift", "cmd"})


class ComboMatcher:
    """Down when the hotkey's key is pressed with exactly its modifiers held; up when any of those
    keys is released. A key pressed again while already down (auto-repeat) is not a new press."""

    def __init__(self, spec: HotkeySpec, on_press: Callable[[], None], on_release: Callable[[], None]) -> None:
        self.spec = spec
        self._on_press = on_press
        self._on_release = on_release
        self._down: set[str] = set()
        self.active = False
        #: Presses of a key already down (auto-repeat), swallowed here.
        self.repeats = 0

    def key_down(self, token: str) -> None:
        if token in self._down:
            self.repeats += 1
            return
        self._down.add(token)
        if self.active or token != self.spec.key:
            return
        if (self._down & _MODIFIER_TOKENS) == self.spec.modifiers:
            self.active = True
            self._on_press()

    def key_up(self, token: str) -> None:
        self._down.discard(token)
        if self.active and (token == self.spec.key or token in self.spec.modifiers):
            self.active = False
            self._on_release()

    def reset(self) -> None:
        """Forget held keys (the listener restarted); a combination that was down is released."""
        self._down.clear()
        if self.active:
            self.active = False
            self._on_release()
