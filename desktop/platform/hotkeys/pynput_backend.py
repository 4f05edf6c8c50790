"""The hotkey on Windows and macOS: pynput's keyboard listener and our own combination matching.

The listener only watches, so the app in front receives the combination too; on X11 the app uses
a key grab instead (``x11_grab``). The X11 parts below remain for running this backend there.

pynput calls back on its listener thread; every event is handed to the asyncio loop with
``call_soon_threadsafe`` and matched there, so the matcher and whatever the callbacks drive are
only ever touched from the loop's thread. pynput is imported when the listener starts: on Linux
importing it already connects to the X server, which must not happen in a headless import.
"""

from __future__ import annotations

import asyncio
import logging
import sys
import threading
from collections.abc import Callable
from typing import Any

from desktop.platform.hotkeys import HotkeyError
from desktop.platform.hotkeys.matcher import ComboMatcher
from desktop.platform.hotkeys.spec import HotkeySpec

log = logging.getLogger(__name__)

_READY_TIMEOUT_S = 2.0
# X11 keysyms pynput reports as bare key codes: Meta (Alt+Shift on many layouts) counts as Alt.
_X11_KEYSYM_TOKENS = {0xFFE7: "alt", 0xFFE8: "alt"}
_MODIFIER_NAMES = {"ctrl", "alt", "shift", "cmd"}


def token_of(key: Any) -> str | None:
    """A pynput key as the token the matcher compares: ``ctrl``, ``space``, ``d``, ``vk65``."""
    name = getattr(key, "name", None)
    if isinstance(name, str):  # a pynput Key member (enum aliases: ctrl_l is ctrl)
        base = name[:-2] if name.endswith(("_l", "_r")) else name
        return base if base in _MODIFIER_NAMES else name
    char = getattr(key, "char", None)
    vk = getattr(key, "vk", None)
    if isinstance(vk, int) and vk in _X11_KEYSYM_TOKENS:
        return _X11_KEYSYM_TOKENS[vk]
    if isinstance(char, str) and len(char) == 1:
        if ord(char) >= 32:
            return char.lower()
        # Windows reports Ctrl+D as the control character 0x04; its virtual key is 'D'.
        if isinstance(vk, int) and (0x30 <= vk <= 0x39 or 0x41 <= vk <= 0x5A):
            return chr(vk).lower()
        return chr(ord(char) + 96) if 1 <= ord(char) <= 26 else None
    if isinstance(vk, int):
        if 0x20 < vk < 0x7F:  # X11 keysyms of printable ASCII are the characters themselves
            return chr(vk).lower()
        return f"vk{vk}"
    return None


def listener_class(keyboard: Any, system: str = sys.platform) -> Any:
    """pynput's keyboard listener class, on macOS one that reads the keyboard layout here.

    pynput's macOS listener asks the Text Input Sources API for the layout on its own thread, and
    recent macOS versions abort the whole process when TIS/TSM is called off the main thread
    (pynput issues #99 and #511). The layout is therefore read on the calling thread (the UI's, as
    pynput's own Controller does), and the listener thread is given it ready-made. A layout
    switched later applies from the next start of the hotkey (saving Settings restarts it).
    """
    if system != "darwin":
        return keyboard.Listener
    from pynput._util.darwin import keycode_context

    with keycode_context() as context:
        layout = context
    base = keyboard.Listener

    class MainThreadLayoutListener(base):  # type: ignore[misc, valid-type]
        def _run(self) -> None:
            self._context = layout
            try:
                super(base, self)._run()  # pynput's run loop, without its keycode_context() call
            finally:
                self._context = None

    return MainThreadLayoutListener


def _end_x11_recording(listener: Any) -> None:
    """Make an X11 listener's thread end now rather than at the next key press.

    pynput asks the X server to stop recording on the recording connection itself, which is
    blocked reading, so the request waits there until another key event arrives; until then the
    old listener lingers (after every hotkey change in Settings). The RECORD extension wants the
    request on a second connection, which pynput keeps as ``_display_stop``.
    """
    display = getattr(listener, "_display_stop", None)
    context = getattr(listener, "_context", None)
    if display is None or context is None:  # not the X11 backend, or it never started
        return
    try:
        display.record_disable_context(context)
        display.flush()
    except Exception:  # the listener closed it meanwhile: it is ending anyway
        log.debug("X RECORD context already gone", exc_info=True)


class PynputHotkey:
    def __init__(self, loop: asyncio.AbstractEventLoop | None = None) -> None:
        self._loop = loop
        self._listener: Any = None
        self._matcher: ComboMatcher | None = None
        self._generation = 0

    def start(
        self,
        spec: HotkeySpec,
        on_press: Callable[[], None],
        on_release: Callable[[], None],
        on_error: Callable[[str], None] | None = None,
    ) -> None:
        """Every failure of pynput shows at start (raised), so ``on_error`` is never called."""
        self.stop()
        loop = self._loop or asyncio.get_event_loop()
        try:
            from pynput import keyboard
        except Exception as exc:  # ImportError, or Xlib's error when the display cannot be opened
            raise HotkeyError(
                f"The keyboard cannot be watched here ({exc}). The hotkey is off; "
                "start the app from a desktop session to use it."
            ) from exc
        self._generation += 1
        generation = self._generation
        matcher = ComboMatcher(spec, on_press, on_release)
        self._matcher = matcher

        def deliver(method: Callable[[str], None], key: Any) -> None:
            token = token_of(key)
            if token is None:
                return

            def on_loop() -> None:
                if generation == self._generation:  # nothing reaches the app after stop()
                    method(token)

            try:
                loop.call_soon_threadsafe(on_loop)
            except RuntimeError:  # the loop closed while the app quits
                pass

        listener = listener_class(keyboard)(
            on_press=lambda key: deliver(matcher.key_down, key),
            on_release=lambda key: deliver(matcher.key_up, key),
        )
        listener.daemon = True
        listener.start()
        self._listener = listener
        ready = threading.Event()

        def wait_ready() -> None:  # pynput's wait() never returns if the listener dies first
            listener.wait()
            ready.set()

        threading.Thread(target=wait_ready, daemon=True, name="hotkey-ready").start()
        if not ready.wait(_READY_TIMEOUT_S) and not listener.is_alive():
            self._listener = None
            try:
                listener.join(0)
                reason = "it stopped at once"
            except Exception as exc:
                reason = str(exc) or type(exc).__name__
            raise HotkeyError(f"The keyboard listener could not start ({reason}). The hotkey is off.")
        log.info("Global hotkey %s listening through pynput", spec.to_pynput())

    def stop(self) -> None:
        self._generation += 1
        listener, self._listener = self._listener, None
        if listener is not None:
            listener.stop()
            _end_x11_recording(listener)

    @property
    def matcher(self) -> ComboMatcher | None:
        """The matcher of the last start (kept after stop, for its counts)."""
        return self._matcher

    @property
    def listener(self) -> Any:
        """pynput's listener thread of the last start (None after stop); tests watch it end."""
        return self._listener
