"""Keeps the dictation hotkey running as Settings say, and feeds its presses to the trigger.

The host chooses the backend once (``hotkey_support()``), starts it with the stored combination,
restarts it when Settings change it, and falls back to the focus-only hotkey when the global one
cannot run (pynput fails to start, the portal's dialog is cancelled), saying so in ``status``.
The dictation itself is built by ``target_factory`` on the first press.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QObject, Signal
from PySide6.QtWidgets import QWidget

from desktop.core.dictation.trigger import DictationTarget, HotkeyTrigger, parse_mode
from desktop.core.settings import SettingsStore
from desktop.platform.hotkeys import (
    GlobalHotkey,
    HotkeyError,
    HotkeySpec,
    HotkeySpecError,
    HotkeySupport,
    create_global_hotkey,
    hotkey_support,
    parse_hotkey,
)
from desktop.ui.dictation.focus_hotkey import FocusHotkey

if TYPE_CHECKING:
    from desktop.core.context import AppContext

log = logging.getLogger(__name__)


class _Listening:
    """The running backend, held outside the QObject so it can still be stopped from ``destroyed``
    (a pynput thread or a D-Bus connection must not outlive a window deleted without quitting)."""

    def __init__(self) -> None:
        self.backend: GlobalHotkey | FocusHotkey | None = None

    def stop(self) -> GlobalHotkey | FocusHotkey | None:
        backend, self.backend = self.backend, None
        if backend is not None:
            backend.stop()
        return backend


class HotkeyHost(QObject):
    #: The status line changed (the Settings page shows it).
    status_changed = Signal(str)

    def __init__(
        self,
        target_factory: Callable[[], DictationTarget],
        settings_store: SettingsStore,
        parent: QObject | None = None,
        *,
        support: HotkeySupport | None = None,
        global_factory: Callable[[HotkeySupport], GlobalHotkey | None] | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("dictationHotkeyHost")
        self.settings_store = settings_store
        self.trigger = HotkeyTrigger(target_factory, parse_mode(settings_store.settings.dictation_mode))
        self._support = support
        self._global_factory = global_factory or (lambda s: create_global_hotkey(s, asyncio.get_event_loop()))
        self._listening = _Listening()
        listening = self._listening
        self.destroyed.connect(lambda *_: listening.stop())
        self._spec: HotkeySpec | None = None
        self._status = ""
        self._suspensions = 0
        self._shut = False

    # -- what the Settings page reads -------------------------------------------------------------
    @property
    def support(self) -> HotkeySupport:
        """Asked on first use, not at construction: on Wayland it is a D-Bus round trip."""
        if self._support is None:
            self._support = hotkey_support()
        return self._support

    @property
    def status(self) -> str:
        """What works here, and what went wrong if something did, in words."""
        return self._status

    @property
    def spec(self) -> HotkeySpec | None:
        return self._spec

    @property
    def focus_only(self) -> bool:
        return isinstance(self._listening.backend, FocusHotkey)

    def _set_status(self, text: str) -> None:
        if text != self._status:
            self._status = text
            self.status_changed.emit(text)

    # -- control ---------------------------------------------------------------------------------
    def set_suspended(self, suspended: bool) -> None:
        """The Settings field is recording a shortcut: presses must not start a dictation.
        Counted, so two fields (two dialogs) cannot lift each other's suspension."""
        self._suspensions = max(0, self._suspensions + (1 if suspended else -1))
        self.trigger.suspended = self._suspensions > 0
        backend = self._listening.backend
        if isinstance(backend, FocusHotkey):
            backend.passthrough = self.trigger.suspended
        pause = getattr(backend, "set_paused", None)
        if pause is not None:  # an X11 grab would keep the combination from the shortcut field
            pause(self.trigger.suspended)

    def apply_settings(self) -> None:
        """(Re)start the hotkey from the settings; called at start and after Settings are saved."""
        if self._shut:  # a late first paint or save must not grab keys for a host that is gone
            return
        settings = self.settings_store.settings
        self.trigger.mode = parse_mode(settings.dictation_mode)
        try:
            spec = parse_hotkey(settings.dictation_hotkey)
        except HotkeySpecError as exc:
            self._stop_backend()
            self._spec = None
            self._set_status(f"The dictation hotkey in the settings is not usable: {exc} Set a new one in Settings.")
            return
        fell_back = self.focus_only and self.support.works_globally  # a save tries the global one again
        if spec == self._spec and self._listening.backend is not None and not fell_back:
            return
        self._stop_backend()
        self._spec = spec
        if spec is None:
            self._set_status("No dictation hotkey is set.")
            return
        self._start(spec)

    def _start(self, spec: HotkeySpec) -> None:
        backend = self._global_factory(self.support) if self.support.backend in ("x11", "pynput", "portal") else None
        if backend is not None:
            try:
                backend.start(spec, self.trigger.press, self.trigger.release, self._global_failed)
            except HotkeyError as exc:
                log.warning("Global hotkey unavailable: %s", exc)
                self._start_focus_only(spec, f"{exc} {spec.label()} works only while this app is focused.")
                return
            self._listening.backend = backend
            self._set_status(f"{spec.label()}: {self.support.message}")
            return
        self._start_focus_only(spec, f"{spec.label()}: {self.support.message}")

    def _start_focus_only(self, spec: HotkeySpec, status: str) -> None:
        focus = FocusHotkey(self)
        focus.passthrough = self.trigger.suspended
        focus.start(spec, self.trigger.press, self.trigger.release)
        self._listening.backend = focus
        self._set_status(status)

    def _global_failed(self, message: str) -> None:
        """The portal gave up after start (dialog cancelled, no portal after all)."""
        if self._spec is None or isinstance(self._listening.backend, FocusHotkey):
            return
        self._stop_backend()
        self._start_focus_only(self._spec, message)

    def _stop_backend(self) -> None:
        backend = self._listening.stop()
        if isinstance(backend, FocusHotkey):
            backend.deleteLater()
        self.trigger.release_all()

    def shutdown(self) -> None:
        """Stop listening for good (the app is quitting); a held dictation is ended."""
        self._shut = True
        self._stop_backend()
        self._spec = None


def install_dictation_hotkey(
    context: AppContext,
    target_factory: Callable[[], DictationTarget],
    parent: QObject,
    *,
    support: HotkeySupport | None = None,
    global_factory: Callable[[HotkeySupport], GlobalHotkey | None] | None = None,
) -> HotkeyHost:
    """The one call the main window makes: a host that follows the settings from now on.

    Made in the window's constructor, the hotkey starts once the window has first painted.

    The host is a child of ``parent`` (the main window), where the Settings dialog finds it to
    suspend it while a new shortcut is recorded.
    """
    host = HotkeyHost(target_factory, context.settings_store, parent, support=support, global_factory=global_factory)
    alive = [True]
    host.destroyed.connect(lambda *_: alive.__setitem__(0, False))
    context.on_settings_saved(lambda: host.apply_settings() if alive[0] else None)
    app = QCoreApplication.instance()
    if app is not None:
        app.aboutToQuit.connect(lambda: host.shutdown() if alive[0] else None)
    closed = getattr(parent, "closed", None)  # the main window says when it really closes
    if closed is not None:
        closed.connect(lambda: host.shutdown() if alive[0] else None)
    first_painted = getattr(parent, "first_painted", None)
    if first_painted is not None and isinstance(parent, QWidget) and not parent.isVisible():
        # Importing pynput and opening its X connections costs ~0.1 s: not before the first paint.
        first_painted.connect(lambda: host.apply_settings() if alive[0] else None)
    else:
        host.apply_settings()
    return host


def find_hotkey_host(widget: QObject | None) -> HotkeyHost | None:
    """The host installed on ``widget``'s top-level window (or an ancestor), if any."""
    while widget is not None:
        host = widget.findChild(HotkeyHost, "dictationHotkeyHost")
        if host is not None:
            return host
        widget = widget.parent()
    return None
