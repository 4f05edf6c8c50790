"""Dictation in the app: the service built with the real microphone, inserter and focus detection,
the floating indicator following it, and the main window's Dictate action.

The host is what a hotkey, the tray and the menu drive (``begin``/``end``/``cancel``/``state``,
``toggle``); it holds no logic of its own beyond choosing the parts from the settings each time,
so a changed microphone or insertion method applies to the next dictation.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence

from desktop.core.audio_source import AudioSource
from desktop.core.context import AppContext
from desktop.core.dictation.service import Dictation, DictationListener, DictationService, DictationState
from desktop.core.dictation.types import FocusedApp, InsertMethod, TextInserter
from desktop.core.library.store import Library
from desktop.core.live.config_builder import LiveOptions, TranslationMode
from desktop.ui.async_tools import spawn

if TYPE_CHECKING:
    from soniox.types import Model

    from desktop.platform.insert.atspi import AtspiContext
    from desktop.ui.dictation.hotkey_host import HotkeyHost
    from desktop.ui.dictation.indicator import DictationIndicator
    from desktop.ui.main_window import MainWindow

log = logging.getLogger(__name__)

DICTATE_SHORTCUT = "Ctrl+Shift+D"
#: How long the session (and the microphone) stays open after a dictation, so the next one
#: starts at once. The microphone is read and its audio discarded meanwhile: the system's
#: "microphone in use" indicator stays on for this long (said in the README).
KEEP_OPEN_S = 20.0
NO_KEY = "Add your Soniox API key in Settings first, then dictate again."


class DictationHost(QObject):
    state_changed = Signal(object)  # DictationState
    done = Signal(object)  # Dictation
    #: Something the user should read (an error, text only copied to the clipboard).
    notice = Signal(str)

    def __init__(
        self,
        context: AppContext,
        *,
        library: Callable[[], Library | None] = lambda: None,
        parent: QObject | None = None,
        source_factory: Callable[[], AudioSource] | None = None,
        inserter: Callable[[], TextInserter] | None = None,
        focused_app: Callable[[], FocusedApp | None] | None = None,
        session_options: dict[str, Any] | None = None,
        keep_open_s: float = KEEP_OPEN_S,
        show_indicator: bool = True,
        sd: Any = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("dictationHost")
        self.context = context
        self._sd = sd
        self._focus = focused_app or self._platform_focus()
        self._show_indicator = show_indicator
        self._indicator: DictationIndicator | None = None
        self._inserter_ready = False
        self._atspi: AtspiContext | None = None
        self._atspi_started: asyncio.Task[bool] | None = None
        self._wants_atspi = inserter is None and QGuiApplication.platformName() == "xcb"
        self.action: QAction | None = None  # File → Dictate, once installed in a window
        self.hotkey: HotkeyHost | None = None  # the global hotkey, once installed in a window
        self.service = DictationService(
            context.client,
            source_factory or self._microphone,
            inserter or self._platform_inserter,
            self._focus,
            options=self._options,
            library=library,
            listener=_Bridge(self),
            preflight=lambda: None if context.api_key else NO_KEY,
            prepare=context.load_models,
            keep_open_s=keep_open_s,
            session_options=session_options,
        )

    # -- the target a hotkey, the tray and the menu drive ---------------------------------------
    @property
    def state(self) -> DictationState:
        return self.service.state

    async def begin(self) -> None:
        await self.service.begin()

    async def end(self) -> None:
        await self.service.end()

    def cancel(self) -> None:
        self.service.cancel()

    def toggle(self) -> None:
        """The Dictate action: start listening, or insert what was said."""
        if self.service.state in (DictationState.CONNECTING, DictationState.LISTENING):
            spawn(self.service.end(), name="dictation-end", owner=self)
        elif self.service.state is not DictationState.FINISHING:
            spawn(self.service.begin(), name="dictation-begin", owner=self)

    def follow_focus(self) -> asyncio.Task[bool] | None:
        """Follow focus on the accessibility bus from now on (X11, once), so a dictation knows
        the text before the cursor. The main window calls it after its first paint (dbus-fast's
        import and the connection are not for start-up); returns the connecting task."""
        if self._wants_atspi and self._atspi is None:
            from desktop.platform.insert.atspi import AtspiContext

            self._atspi = AtspiContext()
            self._atspi_started = spawn(self._atspi.start(), name="atspi-start", owner=self)
        return self._atspi_started

    def shutdown(self) -> None:
        """App exit: close the session and the microphone now (nothing is inserted)."""
        self.service.cancel()
        if self._atspi is not None:
            self._atspi.close()
        if self._indicator is not None:
            self._indicator.hide()

    @property
    def indicator(self) -> DictationIndicator:
        if self._indicator is None:
            from desktop.ui.dictation.indicator import DictationIndicator

            self._indicator = DictationIndicator(self.context.settings_store)
        return self._indicator

    # -- parts chosen per dictation ---------------------------------------------------------------
    def _microphone(self) -> AudioSource:
        from desktop.audio.capture import capture_factory

        device = self.context.settings.input_device or None
        source: AudioSource = capture_factory(self._sd)(device)
        return source

    def _platform_inserter(self) -> TextInserter:
        from desktop.platform.insert import make_inserter
        from desktop.ui.dictation.clipboard import QtClipboard

        return make_inserter(
            self.context.settings.dictation_insert,
            clipboard=QtClipboard(),
            # The loop holds the callback (a PySide timer would hold a bound method only weakly,
            # and this inserter is gone once the text is in: the clipboard was never restored).
            call_later=asyncio.get_running_loop().call_later,
            focused_app=self._focus,
            context=self._atspi.text_before_cursor if self._atspi is not None else None,
        )

    @staticmethod
    def _platform_focus() -> Callable[[], FocusedApp | None]:
        from desktop.platform.focus import focus_provider

        return focus_provider()

    def _options(self) -> tuple[LiveOptions, Model | None]:
        """The live options the user last used, minus what dictation has no use for: speaker
        labels and translations are never typed, and key-up (not an endpoint) ends an utterance."""
        settings = self.context.settings
        saved = settings.defaults.get("live")
        options = LiveOptions.from_dict(saved) if saved else LiveOptions()
        if not saved:
            options.model = settings.realtime_model
            options.language_hints = list(settings.language_hints)
        options.enable_speaker_diarization = False
        options.enable_endpoint_detection = False
        options.translation.mode = TranslationMode.OFF
        models = self.context.realtime_models()
        model = next((m for m in models if m.id == options.model), None)
        if model is None and models:
            model = models[0]
            options.model = model.id
        return options, model

    def _prepare_inserter(self) -> None:
        """While the user speaks: get the inserter ready off the UI thread (loading pynput and
        opening its X connection took 0.7 s of the first dictation's key-up to text)."""
        if self._inserter_ready:
            return
        self._inserter_ready = True
        try:
            inserter = self.service.inserter()
        except Exception:
            log.warning("Could not build the text inserter", exc_info=True)
            return
        prepare = getattr(inserter, "prepare", None)
        if callable(prepare):
            future = asyncio.get_running_loop().run_in_executor(None, prepare)
            future.add_done_callback(_log_failure)

    # -- what the service says --------------------------------------------------------------------
    def _on_state(self, state: DictationState, detail: str) -> None:
        if state is DictationState.LISTENING:
            self._prepare_inserter()
        if self._show_indicator:
            indicator = self.indicator
            indicator.show_state(state, detail)
            if state is DictationState.LISTENING:
                indicator.follow_levels(self.service.source)
        if state is DictationState.ERROR:
            self.notice.emit(detail)
        self.state_changed.emit(state)

    def _on_words(self, final: str, provisional: str) -> None:
        if self._indicator is not None:
            self._indicator.set_words(final, provisional)

    def _on_done(self, dictation: Dictation) -> None:
        result = dictation.result
        if not result.ok and result.message:
            if self._show_indicator:
                self.indicator.show_message(result.message, error=result.method is InsertMethod.NONE)
            self.notice.emit(result.message)
        self.done.emit(dictation)


def _log_failure(future: asyncio.Future[Any]) -> None:
    if not future.cancelled() and future.exception() is not None:
        log.warning("The text inserter could not get ready: %s", future.exception())


class _Bridge(DictationListener):
    def __init__(self, host: DictationHost) -> None:
        self.host = host

    def on_state(self, state: DictationState, detail: str) -> None:
        self.host._on_state(state, detail)

    def on_words(self, final: str, provisional: str) -> None:
        self.host._on_words(final, provisional)

    def on_done(self, dictation: Dictation) -> None:
        self.host._on_done(dictation)


BUSY = frozenset({DictationState.CONNECTING, DictationState.LISTENING, DictationState.FINISHING})


class TrayLike(Protocol):
    """Where the tray's "Dictate" and its dictating icon are set: the main window, which hands both
    to the tray whenever the tray exists (it is installed after the first paint, if at all)."""

    def set_dictation(self, dictate: Callable[[], object] | None) -> None: ...

    def show_dictating(self, active: bool) -> None: ...


def connect_tray(host: DictationHost, tray: TrayLike) -> None:
    """The tray's "Dictate" toggles this host, and its icon shows while a dictation is under way."""
    tray.set_dictation(host.toggle)
    host.state_changed.connect(lambda state: tray.show_dictating(state in BUSY))
    tray.show_dictating(host.state in BUSY)


def _tell(window: MainWindow, text: str) -> None:
    """In the status bar, and as a desktop notification when the window is away in the tray."""
    window.status.showMessage(text, 10000)
    if window.tray is not None and not window.isVisible():
        window.tray.notify(text, error=True)


def install_dictation(window: MainWindow) -> DictationHost:
    """Give the main window dictation: the host, File → Dictate (Ctrl+Shift+D while focused) and
    the global hotkey from Settings → Dictation."""
    host = DictationHost(window.context, library=lambda: window._library, parent=window)
    action = QAction("&Dictate", window)
    action.setObjectName("dictateAction")
    action.setShortcut(QKeySequence(DICTATE_SHORTCUT))
    action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
    action.setToolTip("Start dictating into the focused app; again to insert the words")
    action.triggered.connect(host.toggle)
    window.addAction(action)
    menu = window.file_menu
    menu.insertAction(window.settings_action, action)
    menu.insertSeparator(window.settings_action)
    host.notice.connect(lambda text: _tell(window, text))
    window.context.on_settings_saved(host.service.release_idle)
    window.first_painted.connect(host.follow_focus)  # a new microphone, from the next dictation
    window.closed.connect(host.shutdown)
    host.action = action
    connect_tray(host, window)
    from desktop.ui.dictation.hotkey_host import install_dictation_hotkey

    # The global hotkey (Settings → Dictation) drives the same host: hold or toggle, as set there.
    host.hotkey = install_dictation_hotkey(window.context, lambda: host, window)
    return host
