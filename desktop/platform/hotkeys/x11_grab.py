"""The hotkey on X11: a passive key grab on the root window, so the combination is ours alone.

pynput's listener (X RECORD) only watches: the app in front received Ctrl+Alt+Space too, and a Qt
text field typed a space before the dictated words. ``XGrabKey`` makes the X server hand the
combination to this client instead of the focused one. Caps Lock, Num Lock and Scroll Lock change
the modifier state the server compares, so each combination is grabbed with every mix of them.

Once the grabbed key goes down the server gives this client the whole keyboard until that key is
up again, so the key's own release and a modifier let go first both arrive here: hold mode always
ends. Auto-repeat is made "detectable" (XKB): a held key repeats presses only, not release/press
pairs that would look like a new press (the trigger's 50 ms grace covers servers without XKB).

Everything runs on one Display connection in one thread, waiting in ``select`` on the connection
and a pipe, so ``stop()`` wakes it at once; presses and releases reach the asyncio loop through
``call_soon_threadsafe``. Qt is never touched here.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import os
import select
import threading
from collections.abc import Callable, Iterable
from typing import Any

from Xlib import XK, X, error
from Xlib import display as xdisplay
from Xlib.protocol import rq

from desktop.platform.hotkeys import HotkeyError
from desktop.platform.hotkeys.spec import HotkeySpec

log = logging.getLogger(__name__)

_READY_TIMEOUT_S = 3.0
_STOP_TIMEOUT_S = 1.0
# Modifier map rows: Shift, Lock, Control, Mod1..Mod5; a row's mask is 1 << its index.
_LOCK_MASK = X.LockMask
_KEYSYMS_OF_MODIFIER = {
    "alt": ("Alt_L", "Alt_R", "Meta_L", "Meta_R"),
    "cmd": ("Super_L", "Super_R", "Hyper_L", "Hyper_R"),
}
_FALLBACK_MASK = {"ctrl": X.ControlMask, "shift": X.ShiftMask, "alt": X.Mod1Mask, "cmd": X.Mod4Mask}


class _XkbUseExtension(rq.ReplyRequest):  # type: ignore[misc]
    """XkbUseExtension: the server refuses every other XKB request from a client until this one."""

    _request = rq.Struct(
        rq.Card8("opcode"), rq.Opcode(0), rq.RequestLength(), rq.Card16("wanted_major"), rq.Card16("wanted_minor")
    )
    _reply = rq.Struct(
        rq.ReplyCode(),
        rq.Bool("supported"),
        rq.Card16("sequence_number"),
        rq.ReplyLength(),
        rq.Card16("server_major"),
        rq.Card16("server_minor"),
        rq.Pad(20),
    )


class _XkbPerClientFlags(rq.ReplyRequest):  # type: ignore[misc]
    """XkbPerClientFlags, for DetectableAutoRepeat (python-xlib has no XKB module)."""

    _request = rq.Struct(
        rq.Card8("opcode"),
        rq.Opcode(21),
        rq.RequestLength(),
        rq.Card16("device_spec"),
        rq.Pad(2),
        rq.Card32("change"),
        rq.Card32("value"),
        rq.Card32("ctrls_to_change"),
        rq.Card32("auto_ctrls"),
        rq.Card32("auto_ctrl_values"),
    )
    _reply = rq.Struct(
        rq.ReplyCode(),
        rq.Card8("device_id"),
        rq.Card16("sequence_number"),
        rq.ReplyLength(),
        rq.Card32("supported"),
        rq.Card32("value"),
        rq.Card32("auto_ctrls"),
        rq.Card32("auto_ctrl_values"),
        rq.Pad(8),
    )


class _XkbSelectEvents(rq.Request):  # type: ignore[misc]
    """XkbSelectEvents: an XKB client no longer gets the core MappingNotify, only XKB's own."""

    _request = rq.Struct(
        rq.Card8("opcode"),
        rq.Opcode(1),
        rq.RequestLength(),
        rq.Card16("device_spec"),
        rq.Card16("affect_which"),
        rq.Card16("clear"),
        rq.Card16("select_all"),
        rq.Card16("affect_map"),
        rq.Card16("map"),
    )


_XKB_USE_CORE_KBD = 0x100
_XKB_DETECTABLE_AUTO_REPEAT = 1
# XkbNewKeyboardNotify (another keymap loaded, as setxkbmap does) and XkbMapNotify (keys remapped).
_XKB_KEYMAP_EVENTS = 0b11


def use_xkb(display: Any) -> int | None:
    """Ask the server to report a held key as repeated presses without releases, and to say when
    the keyboard map changes; the XKB event code if it does, None if it cannot (then held keys
    repeat as release/press pairs, which the trigger's grace covers, and core MappingNotify
    events tell of a new keyboard map)."""
    try:
        ext = display.query_extension("XKEYBOARD")
        if ext is None or not ext.present:
            return None
        opcode = ext.major_opcode
        use = _XkbUseExtension(display=display.display, opcode=opcode, wanted_major=1, wanted_minor=0)
        if not use.supported:
            return None
        flags = _XkbPerClientFlags(
            display=display.display,
            opcode=opcode,
            device_spec=_XKB_USE_CORE_KBD,
            change=_XKB_DETECTABLE_AUTO_REPEAT,
            value=_XKB_DETECTABLE_AUTO_REPEAT,
            ctrls_to_change=0,
            auto_ctrls=0,
            auto_ctrl_values=0,
        )
        _XkbSelectEvents(
            display=display.display,
            opcode=opcode,
            device_spec=_XKB_USE_CORE_KBD,
            affect_which=_XKB_KEYMAP_EVENTS,
            clear=0,
            select_all=_XKB_KEYMAP_EVENTS,
            affect_map=0,
            map=0,
        )
        display.sync()
        if not flags.value & _XKB_DETECTABLE_AUTO_REPEAT:
            return None
        return int(ext.first_event)
    except Exception:  # an old or odd server: fall back to the core protocol
        log.debug("XKB unavailable", exc_info=True)
        return None


def keysym_of(spec: HotkeySpec) -> int:
    """The X keysym of the hotkey's key (0 if X has no such key name)."""
    name = spec.xkb_key_name()
    if name.startswith("vk") and name[2:].isdigit():
        return int(name[2:])  # pynput's X11 key codes are keysyms
    keysym: int = XK.string_to_keysym(name)
    if keysym == X.NoSymbol and len(name) == 1:  # "+", "ü": Latin-1 keysyms are the code point
        keysym = ord(name) if ord(name) < 0x100 else 0x01000000 + ord(name)
    return keysym


class _Keyboard:
    """What the grab needs from the server's keyboard map: key codes and modifier masks."""

    def __init__(self, display: Any, spec: HotkeySpec) -> None:
        label = spec.label("linux")
        # Read afresh, not from python-xlib's cache: it is not told of XKB's map changes.
        self._low: int = display.display.info.min_keycode
        self._keymap: list[list[int]] = display.get_keyboard_mapping(
            self._low, display.display.info.max_keycode - self._low + 1
        )
        self.key_codes = sorted(self._codes_of(keysym_of(spec)))
        if not self.key_codes:
            raise HotkeyError(f"This keyboard has no key for {label}. Choose another hotkey in Settings → Dictation.")
        rows: list[list[int]] = [list(row) for row in display.get_modifier_mapping()]
        self.mask = 0
        self.modifier_codes: set[int] = set()
        for modifier in spec.modifiers:
            mask = self._mask_of(display, rows, modifier)
            self.mask |= mask
            self.modifier_codes.update(c for c in rows[mask.bit_length() - 1] if c)
        num_lock = self._mask_with(display, rows, ("Num_Lock",)) or X.Mod2Mask
        scroll_lock = self._mask_with(display, rows, ("Scroll_Lock",))
        self.ignored = [m for m in dict.fromkeys((_LOCK_MASK, num_lock, scroll_lock)) if m and not m & self.mask]
        #: Releasing any of these ends a hold: the key, or one of its modifiers let go first.
        self.ends = set(self.key_codes) | self.modifier_codes
        #: The modifier bits an event's state is compared on (the lock keys left out).
        self.relevant = 0xFF & ~sum(self.ignored)

    def _codes_of(self, keysym: int) -> set[int]:
        return {self._low + i for i, row in enumerate(self._keymap) if keysym and keysym in row}

    def _mask_with(self, display: Any, rows: list[list[int]], names: Iterable[str]) -> int:
        codes: set[int] = set().union(*(self._codes_of(XK.string_to_keysym(n)) for n in names))
        for index, row in enumerate(rows):
            if codes & set(row):
                return 1 << index
        return 0

    def _mask_of(self, display: Any, rows: list[list[int]], modifier: str) -> int:
        names = _KEYSYMS_OF_MODIFIER.get(modifier)
        if names is None:
            return int(_FALLBACK_MASK[modifier])
        return self._mask_with(display, rows, names) or int(_FALLBACK_MASK[modifier])

    def variants(self) -> list[int]:
        """The modifier mask with every combination of the lock keys added."""
        out = []
        for n in range(len(self.ignored) + 1):
            for locks in itertools.combinations(self.ignored, n):
                out.append(self.mask | sum(locks))
        return out


class X11GrabHotkey:
    """GlobalHotkey by XGrabKey; the focused app no longer receives the combination."""

    def __init__(self, loop: asyncio.AbstractEventLoop | None = None, display_name: str | None = None) -> None:
        self._loop = loop
        self._display_name = display_name
        self._thread: threading.Thread | None = None
        self._wake: int | None = None
        self._generation = 0
        #: Presses of the held key (auto-repeat) ignored since the last start.
        self.repeats = 0
        #: Whether the server reports auto-repeat as presses only (XKB detectable auto-repeat).
        self.detectable_repeat = False

    def start(
        self,
        spec: HotkeySpec,
        on_press: Callable[[], None],
        on_release: Callable[[], None],
        on_error: Callable[[str], None] | None = None,
    ) -> None:
        """Grab ``spec``; a combination another program holds raises HotkeyError (in words).
        ``on_error`` hears of a grab lost later (the connection to the X server ended)."""
        self.stop()
        loop = self._loop or asyncio.get_event_loop()
        self._generation += 1
        generation = self._generation
        self.repeats = 0

        def deliver(callback: Callable[[], None]) -> None:
            def on_loop() -> None:
                if generation == self._generation:  # nothing reaches the app after stop()
                    callback()

            try:
                loop.call_soon_threadsafe(on_loop)
            except RuntimeError:  # the loop closed while the app quits
                pass

        def failed(message: str) -> None:
            if on_error is not None:
                deliver(lambda: on_error(message))

        wake_r, wake_w = os.pipe()
        ready = threading.Event()
        outcome: list[str] = []
        thread = threading.Thread(
            target=self._run,
            args=(spec, wake_r, ready, outcome, lambda: deliver(on_press), lambda: deliver(on_release), failed),
            daemon=True,
            name="hotkey-x11-grab",
        )
        thread.start()
        if not ready.wait(_READY_TIMEOUT_S):
            outcome.append("The X server did not answer. The hotkey is off.")
        if outcome:
            self._command_fd(wake_w, b"q")
            thread.join(_STOP_TIMEOUT_S)
            os.close(wake_w)
            raise HotkeyError(outcome[0])
        self._thread, self._wake = thread, wake_w
        log.info("Global hotkey %s grabbed on X11", spec.to_pynput())

    def set_paused(self, paused: bool) -> None:
        """Let the combination through to the focused window (Settings records a new shortcut) or
        grab it again. A grab lost meanwhile to another program goes to ``on_error``."""
        self._command(b"p" if paused else b"r")

    def stop(self) -> None:
        self._generation += 1
        thread, self._thread = self._thread, None
        wake, self._wake = self._wake, None
        if wake is None:
            return
        self._command_fd(wake, b"q")
        if thread is not None:
            thread.join(_STOP_TIMEOUT_S)
        os.close(wake)

    @property
    def thread(self) -> threading.Thread | None:
        """The grabbing thread of the running start (None after stop); tests watch it end."""
        return self._thread

    def _command(self, command: bytes) -> None:
        if self._wake is not None:
            self._command_fd(self._wake, command)

    @staticmethod
    def _command_fd(fd: int, command: bytes) -> None:
        try:
            os.write(fd, command)
        except OSError:  # the thread already ended (the X connection was lost)
            pass

    # -- the grabbing thread -------------------------------------------------------------------
    def _run(
        self,
        spec: HotkeySpec,
        wake: int,
        ready: threading.Event,
        outcome: list[str],
        pressed: Callable[[], None],
        released: Callable[[], None],
        failed: Callable[[str], None],
    ) -> None:
        display: Any = None
        try:
            try:
                display = xdisplay.Display(self._display_name)
            except Exception as exc:
                outcome.append(
                    f"The X display cannot be opened ({exc}). The hotkey is off; "
                    "start the app from a desktop session to use it."
                )
                return
            try:
                keyboard = _Keyboard(display, spec)
            except HotkeyError as exc:
                outcome.append(str(exc))
                return
            root = display.screen().root
            if not self._grab(display, root, keyboard):
                outcome.append(_taken(spec))
                return
            xkb_events = use_xkb(display)
            self.detectable_repeat = xkb_events is not None
            ready.set()
            self._serve(spec, display, root, keyboard, xkb_events, wake, pressed, released, failed)
        except Exception as exc:  # the X connection broke: say so rather than die silently
            log.warning("The X11 hotkey stopped", exc_info=True)
            if ready.is_set():
                failed(f"The hotkey stopped working ({exc}). Save Settings to try again.")
            else:
                outcome.append(f"The hotkey could not be set up ({exc}). The hotkey is off.")
        finally:
            ready.set()
            os.close(wake)
            if display is not None:
                try:
                    display.close()  # also ends every grab of this connection
                except Exception:
                    log.debug("closing the X connection failed", exc_info=True)

    @staticmethod
    def _grab(display: Any, root: Any, keyboard: _Keyboard) -> bool:
        """Grab every key code with every lock variant; on BadAccess undo them all: False."""
        catcher = error.CatchError(error.BadAccess)
        for code in keyboard.key_codes:
            for mask in keyboard.variants():
                root.grab_key(code, mask, False, X.GrabModeAsync, X.GrabModeAsync, onerror=catcher)
        display.sync()
        if catcher.get_error() is None:
            return True
        X11GrabHotkey._ungrab(display, root, keyboard)
        return False

    @staticmethod
    def _ungrab(display: Any, root: Any, keyboard: _Keyboard) -> None:
        for code in keyboard.key_codes:
            for mask in keyboard.variants():
                root.ungrab_key(code, mask)
        display.sync()

    def _serve(
        self,
        spec: HotkeySpec,
        display: Any,
        root: Any,
        keyboard: _Keyboard,
        xkb_events: int | None,
        wake: int,
        pressed: Callable[[], None],
        released: Callable[[], None],
        failed: Callable[[str], None],
    ) -> None:
        active = False
        grabbed = True
        fd = display.fileno()
        while True:
            while display.pending_events():
                event = display.next_event()
                if event.type == X.KeyPress and event.detail in keyboard.key_codes:
                    if active:
                        self.repeats += 1
                    elif grabbed and event.state & keyboard.relevant == keyboard.mask:
                        active = True
                        pressed()
                elif event.type == X.KeyRelease and active and event.detail in keyboard.ends:
                    active = False  # the key itself, or one of its modifiers let go first
                    released()
                elif event.type == xkb_events or (
                    event.type == X.MappingNotify and event.request in (X.MappingKeyboard, X.MappingModifier)
                ):
                    # Another layout (setxkbmap) can put the key on other key codes: grab those.
                    if grabbed:
                        self._ungrab(display, root, keyboard)
                    try:
                        keyboard = _Keyboard(display, spec)
                    except HotkeyError as exc:
                        failed(str(exc))
                        return
                    if grabbed and not self._grab(display, root, keyboard):
                        failed(_taken(spec))
                        return
            readable, _, _ = select.select([fd, wake], [], [])
            if wake not in readable:
                continue
            for command in os.read(wake, 64):
                if command == ord("q"):
                    if active:
                        released()
                    return
                if command == ord("p") and grabbed:
                    self._ungrab(display, root, keyboard)
                    grabbed = False
                    if active:
                        active = False
                        released()
                elif command == ord("r") and not grabbed:
                    grabbed = self._grab(display, root, keyboard)
                    if not grabbed:
                        failed(_taken(spec))


def _taken(spec: HotkeySpec) -> str:
    return f"{spec.label('linux')} is taken by another program; choose another in Settings → Dictation."
