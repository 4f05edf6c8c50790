"""The main window: live area in the centre, jobs and files in a side dock, status bar, menus.

It only assembles panels and routes menu actions; each panel owns its own behaviour (the lesson
from Buzz's MainWindow that wires everything). Panels get the :class:`AppContext`, not the window.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, Qt, QUrl, Signal
from PySide6.QtGui import QAction, QCloseEvent, QDesktopServices, QKeySequence, QPaintEvent
from PySide6.QtWidgets import QDockWidget, QMainWindow, QVBoxLayout, QWidget

from desktop import APP_NAME
from desktop.core.context import AppContext
from desktop.core.errors import describe_error
from desktop.core.live.state import LiveState
from desktop.core.regions import CUSTOM_REGION, REGIONS
from desktop.ui.async_tools import cancel_all, spawn
from desktop.ui.live.panel import LivePanel
from desktop.ui.status import AppStatusBar, Connection

if TYPE_CHECKING:  # imported when first used: the first paint needs none of them
    from desktop.core.library.recent import RecentTranscript
    from desktop.core.library.store import Library
    from desktop.platform.notify import Notifier
    from desktop.ui.captions.controller import CaptionsController
    from desktop.ui.captions.presentation import PresentationWindow
    from desktop.ui.jobs.side_panel import JobsSidePanel
    from desktop.ui.onboarding import OnboardingDialog
    from desktop.ui.settings_dialog import SettingsDialog
    from desktop.ui.tray import AppTray

log = logging.getLogger(__name__)

GEOMETRY_KEY = "main_window_geometry"
STATE_KEY = "main_window_state"


class MainWindow(QMainWindow):
    #: The user closed the window (or Quit, or a signal): the app should wind down now.
    closed = Signal()
    #: The window has painted once; what it does not show at once is built from here on.
    first_painted = Signal()

    def __init__(self, context: AppContext) -> None:
        super().__init__()
        self.context = context
        self.setObjectName("mainWindow")
        self.setWindowTitle(APP_NAME)
        self.setAccessibleName(APP_NAME)
        self.setMinimumSize(720, 480)
        self.resize(1200, 760)
        self.onboarding: OnboardingDialog | None = None
        self.settings_dialog: SettingsDialog | None = None
        self._jobs_loaded = False
        self.open_url = QDesktopServices.openUrl  # replaceable, so tests need not launch a file manager

        self.live_area = QWidget(self)
        self.live_area.setObjectName("liveArea")
        self.live_layout = QVBoxLayout(self.live_area)
        self.live_layout.setContentsMargins(8, 8, 8, 8)
        self.live_panel = LivePanel(context, self.live_area, list_devices_now=False)
        self.live_panel.session_state_changed.connect(self._on_live_state)
        self.live_layout.addWidget(self.live_panel, 1)
        self.setCentralWidget(self.live_area)

        # The jobs panel (and the SDK and job modules it imports) is built on first use; the app
        # builds it once the window has painted (``first_painted``): see ``jobs_panel``.
        self._jobs_panel: JobsSidePanel | None = None
        self._captions: CaptionsController | None = None
        self.tray: AppTray | None = None
        self._notifier: Notifier | None = None
        self._dictate: Callable[[], object] | None = None
        self._dictating = False
        self._quitting = False
        self._presentation: PresentationWindow | None = None
        self._library: Library | None = None
        self._painted = False
        self.live_panel.transcribe_files_requested.connect(self._submit_paths)
        self.side_dock = QDockWidget("Jobs && files", self)
        self.side_dock.setObjectName("sidePanelDock")
        self.side_dock.setFeatures(
            QDockWidget.DockWidgetFeature.DockWidgetMovable | QDockWidget.DockWidgetFeature.DockWidgetClosable
        )
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.side_dock)
        self.resizeDocks([self.side_dock], [380], Qt.Orientation.Horizontal)

        self.status = AppStatusBar(self)
        self.setStatusBar(self.status)
        self._build_menus()
        from desktop.ui.dictation.host import install_dictation  # File → Dictate, and the host a hotkey drives

        self.dictation = install_dictation(self)
        self.context.on_change(self._on_context_changed)
        self._show_key_state()

    # -- menus ---------------------------------------------------------------------------------
    def _action(
        self,
        text: str,
        name: str,
        slot,
        shortcut: QKeySequence | QKeySequence.StandardKey | str | None = None,
        *,
        app_wide: bool = False,
    ) -> QAction:
        action = QAction(text, self)
        action.setObjectName(name)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        if app_wide:
            # Quit, Settings and the Transcribe commands belong to the app, not to this window:
            # their keys must also work while a transcript window has the focus.
            action.setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)
        action.triggered.connect(slot)
        self.addAction(action)
        return action

    def _build_menus(self) -> None:
        bar = self.menuBar()
        bar.setObjectName("menuBar")
        file_menu = bar.addMenu("&File")
        file_menu.setObjectName("fileMenu")
        self.settings_action = self._action(
            "&Settings…", "settingsAction", self.open_settings, QKeySequence.StandardKey.Preferences, app_wide=True
        )
        if self.settings_action.shortcut().isEmpty():
            self.settings_action.setShortcut(QKeySequence("Ctrl+,"))
        self.settings_action.setMenuRole(QAction.MenuRole.PreferencesRole)
        self.quit_action = self._action(
            "&Quit", "quitAction", self.quit_app, QKeySequence.StandardKey.Quit, app_wide=True
        )
        if self.quit_action.shortcut().isEmpty():
            self.quit_action.setShortcut(QKeySequence("Ctrl+Q"))
        self.quit_action.setMenuRole(QAction.MenuRole.QuitRole)
        self.file_menu = file_menu
        self.transcribe_files_action = self._action(
            "&Transcribe files…",
            "transcribeFilesAction",
            lambda: self.jobs_panel.open_files_dialog(),
            "Ctrl+O",
            app_wide=True,
        )
        self.transcribe_url_action = self._action(
            "Transcribe &URL…",
            "transcribeUrlAction",
            lambda: self.jobs_panel.open_url_dialog(),
            "Ctrl+Shift+O",
            app_wide=True,
        )
        file_menu.addAction(self.transcribe_files_action)
        file_menu.addAction(self.transcribe_url_action)
        file_menu.addSeparator()
        file_menu.addAction(self.settings_action)
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)

        view_menu = bar.addMenu("&View")
        view_menu.setObjectName("viewMenu")
        toggle = self.side_dock.toggleViewAction()
        toggle.setText("&Jobs and files panel")
        toggle.setObjectName("toggleSidePanelAction")
        toggle.setShortcut(QKeySequence("Ctrl+J"))
        view_menu.addAction(toggle)
        view_menu.addSeparator()
        self.captions_action = self._action("Live &captions", "toggleCaptionsAction", lambda: None, "Ctrl+Shift+C")
        self.captions_action.setCheckable(True)
        self.captions_action.setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)
        self.captions_action.setToolTip("Show the live transcript over every app (Ctrl+Shift+C)")
        self.captions_action.toggled.connect(self._show_captions)
        self.lock_captions_action = self._action("L&ock captions", "lockCaptionsAction", lambda: None)
        self.lock_captions_action.setCheckable(True)
        self.lock_captions_action.setChecked(True)
        self.lock_captions_action.setToolTip("Locked: clicks pass through the captions. Unlock to move or resize them.")
        self.lock_captions_action.toggled.connect(lambda on: self.captions.set_locked(on))
        view_menu.addAction(self.captions_action)
        view_menu.addAction(self.lock_captions_action)
        self.live_panel.add_captions_toggle(self.captions_action)
        self.caption_file_action = self._action("Caption &file…", "captionFileAction", self.choose_caption_file)
        self.caption_file_action.setToolTip(
            "Keep the last final lines in a text file that OBS or other tools read, rewritten as words become final"
        )
        view_menu.addAction(self.caption_file_action)
        self.presentation_action = self._action(
            "&Presentation mode", "presentationAction", self.open_presentation, "F11"
        )
        self.presentation_action.setToolTip("The live transcript full-screen in large type (F11; Esc leaves it)")
        view_menu.addAction(self.presentation_action)
        self.view_menu = view_menu

        help_menu = bar.addMenu("&Help")
        help_menu.setObjectName("helpMenu")
        self.logs_action = self._action("Open &logs folder", "openLogsAction", self.open_logs_folder)
        self.about_action = self._action(f"&About {APP_NAME}", "aboutAction", self._show_about)
        self.about_action.setMenuRole(QAction.MenuRole.AboutRole)
        help_menu.addAction(self.logs_action)
        help_menu.addSeparator()
        help_menu.addAction(self.about_action)

    @property
    def captions(self) -> CaptionsController:
        """The caption overlay's controller, built when captions are first shown."""
        if self._captions is None:
            from desktop.ui.captions.controller import CaptionsController

            self._captions = CaptionsController(self.context, self.live_panel.controller, self)
            self.lock_captions_action.setChecked(self._captions.prefs.locked)
            self._captions.visibility_changed.connect(self.captions_action.setChecked)
        return self._captions

    def open_presentation(self) -> PresentationWindow:
        """The live transcript full-screen on the screen this window is on (Esc leaves it)."""
        from desktop.ui.captions.presentation import PresentationWindow

        if self._presentation is None:
            self._presentation = PresentationWindow(self.live_panel.controller)
            self._presentation.closed.connect(lambda: setattr(self, "_presentation", None))
            self._presentation.setScreen(self.screen())
        self._presentation.showFullScreen()
        self._presentation.raise_()
        return self._presentation

    def choose_caption_file(self) -> None:
        """Pick the caption file (or turn it off) in a non-blocking dialog."""
        from PySide6.QtWidgets import QFileDialog

        current = self.captions.caption_file
        dialog = QFileDialog(self, "Write live captions to a file")
        dialog.setObjectName("captionFileDialog")
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setNameFilter("Text files (*.txt)")
        dialog.setDefaultSuffix("txt")
        dialog.selectFile(str(current.path) if current is not None else "live-captions.txt")
        dialog.fileSelected.connect(lambda path: self.captions.set_caption_file(Path(path)))
        dialog.open()

    def _show_captions(self, on: bool) -> None:
        self.captions.set_visible(on)
        overlay = self.captions.overlay
        if on and overlay is not None and not overlay.on_top_supported:
            self.statusBar().showMessage(
                "On Wayland an app cannot keep its window above others: the captions may go behind "
                "the app you use. An X11 session keeps them on top.",
                10000,
            )

    def _show_about(self) -> None:
        from desktop.ui.about import show_about

        show_about(self, self.context)

    # -- panels built on first use -------------------------------------------------------------
    @property
    def jobs_panel(self) -> JobsSidePanel:
        """The "Jobs & files" panel, built on first use (the app builds it right after the first paint)."""
        if self._jobs_panel is None:
            from desktop.ui.jobs.side_panel import JobsSidePanel

            panel = JobsSidePanel(self.context, self)
            self._jobs_panel = panel
            panel.notice_posted.connect(self._on_jobs_notice)
            panel.install_drop_target(self)
            if self._library is not None:
                panel.set_library(self._library)
            self.side_dock.setWidget(panel)
        return self._jobs_panel

    def set_library(self, library: Library | None) -> None:
        """The library the live and jobs panels keep things in (a jobs panel built later gets it then)."""
        self._library = library
        self.live_panel.set_library(library)
        if self._jobs_panel is not None:
            self._jobs_panel.set_library(library)

    @property
    def side_tabs(self) -> JobsSidePanel:
        return self.jobs_panel

    def _submit_paths(self, paths: Sequence[Path]) -> None:
        self.jobs_panel.submit_paths(paths)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt override
        super().paintEvent(event)
        if not self._painted:
            self._painted = True
            self.first_painted.emit()  # listeners queue what they build, so this paint ends first

    # -- start-up and connection state ---------------------------------------------------------
    def start_up(self, *, onboarding: bool = True) -> None:
        """After the window shows: onboarding for a first start (unless ``onboarding`` is off),
        else check the key and endpoint."""
        if not self.context.api_key:
            if onboarding:
                self.open_onboarding()
            else:
                self._show_key_state()
        else:
            spawn(self.check_connection(), name="check-connection", owner=self)

    def open_onboarding(self) -> OnboardingDialog:
        from desktop.ui.onboarding import OnboardingDialog

        dialog = OnboardingDialog(self.context, self)
        dialog.finished.connect(self._on_onboarding_finished)
        self.onboarding = dialog
        dialog.open()
        return dialog

    def _on_onboarding_finished(self, result: int) -> None:
        self.onboarding = None
        if result:
            self.status.showMessage("API key saved.", 5000)
            spawn(self.check_connection(), name="check-connection", owner=self)
        else:
            self._show_key_state()

    def open_settings(self) -> SettingsDialog:
        from desktop.ui.settings_dialog import SettingsDialog

        dialog = SettingsDialog(self.context, self)
        dialog.finished.connect(self._on_settings_finished)
        self.settings_dialog = dialog
        dialog.open()
        return dialog

    def _on_settings_finished(self, result: int) -> None:
        self.settings_dialog = None
        if result and self.context.api_key:
            spawn(self.check_connection(), name="check-connection", owner=self)

    def _on_context_changed(self) -> None:
        self._show_key_state()

    def _region_text(self) -> str:
        if self.context.overrides.api_base_url:
            return self.context.endpoints.api_base_url
        region = self.context.settings.region
        if region == CUSTOM_REGION:
            return self.context.endpoints.api_base_url
        return REGIONS.get(region, ("",))[0]

    def _show_key_state(self) -> None:
        # Before the key store is read (just after start) "No API key" would be a false alarm.
        if not self.context.api_key and self.context.key_looked_up:
            self.status.connection.set_state(Connection.NO_KEY)

    async def check_connection(self) -> bool:
        if not self.context.api_key:
            self._show_key_state()
            return False
        self.status.connection.set_state(Connection.CHECKING, self._region_text())
        try:
            await self.context.load_models(force=True)
        except Exception as exc:
            err = describe_error(exc)
            state = Connection.KEY_REJECTED if err.error_type == "unauthenticated" else Connection.OFFLINE
            self.status.connection.set_state(state, err.action)
            self.status.showMessage(f"{err.title}: {err.message}", 15000)
            log.info("Connection check failed: %s", err.error_type or "unknown")
            return False
        self.live_panel.models_changed()
        if not self._jobs_loaded:  # later key/region changes reload the panel by themselves
            self._jobs_loaded = True
            self.jobs_panel.refresh()
        if not self.live_panel.state.is_active:
            self.status.connection.set_state(Connection.READY, self._region_text())
        return True

    def _on_jobs_notice(self, level: str, text: str, action: tuple[str, Callable[[], None]] | None = None) -> None:
        self.status.showMessage(text, 15000 if level == "error" else 8000)
        if self.tray is None or self.isVisible():
            return
        # The window is away in the tray: a job that finished (its notice offers "Open") or
        # anything that failed is said where the user is looking; progress notes are not.
        from desktop.core.jobs.service import FollowUp  # loaded with the jobs panel that sent this

        opens = action is not None and action[0] == FollowUp.OPEN_TRANSCRIPT.value
        if opens or level == "error":
            on_click = action[1] if opens and action is not None else self.tray.show_window
            self.tray.notify(text, error=level == "error", on_click=on_click)

    @property
    def notifier(self) -> Notifier:
        """Desktop notifications (the dictation host uses them too): the tray's, with its balloon as
        the fallback, or without a tray the system's alone."""
        if self.tray is not None:
            return self.tray.notifier
        if self._notifier is None:
            from desktop.platform.notify import DesktopNotifications
            from desktop.ui.resources import resource_path

            self._notifier = DesktopNotifications(APP_NAME, icon=resource_path("icons/app-256.png"))
        return self._notifier

    def _on_live_state(self, state: LiveState) -> None:
        if state.is_active:
            detail = "" if state is LiveState.RUNNING else state.value
            self.status.connection.set_state(Connection.LIVE, detail)
        elif self.context.api_key and self.status.connection.state is Connection.LIVE:
            self.status.connection.set_state(Connection.READY, self._region_text())

    # -- help ----------------------------------------------------------------------------------
    def open_logs_folder(self) -> bool:
        folder = self.context.paths.log_dir
        folder.mkdir(parents=True, exist_ok=True)
        ok = self.open_url(QUrl.fromLocalFile(str(folder)))
        if not ok:
            self.status.showMessage(f"Logs are in {folder}", 15000)
        return ok

    # -- geometry and shutdown -----------------------------------------------------------------
    def restore_geometry(self) -> None:
        store = self.context.settings_store
        geometry = store.ui_bytes(GEOMETRY_KEY)
        if geometry:
            self.restoreGeometry(QByteArray(geometry))
        window_state = store.ui_bytes(STATE_KEY)
        if window_state:
            self.restoreState(QByteArray(window_state))

    def save_geometry(self) -> None:
        state = self.context.settings.ui_state
        state[GEOMETRY_KEY] = bytes(self.saveGeometry().toBase64().data()).decode("ascii")
        state[STATE_KEY] = bytes(self.saveState().toBase64().data()).decode("ascii")
        try:
            self.context.settings_store.save()
        except OSError as exc:
            log.warning("Could not save the window geometry: %s", exc)

    def set_dictation(self, dictate: Callable[[], object] | None) -> None:
        """What the tray's "Dictate" does (the dictation host calls this, before or after the tray exists)."""
        self._dictate = dictate
        if self.tray is not None:
            self.tray.set_dictate(dictate)

    def show_dictating(self, active: bool) -> None:
        """Dictation started or ended: the tray icon says so (nothing without a tray)."""
        self._dictating = active
        if self.tray is not None:
            self.tray.follow_dictation(active)

    def install_tray(self, *, dictate: Callable[[], object] | None = None) -> AppTray | None:
        """The tray icon and menu, where the desktop has a tray (the app calls this after the first paint).

        ``dictate`` is what the tray's "Dictate" does (default: what :meth:`set_dictation` gave).
        """
        from desktop.ui.tray import AppTray

        tray = AppTray(
            self.context,
            self,
            start_stop=self._start_or_stop_live,
            actions={"captions": self.captions_action, "settings": self.settings_action, "quit": self.quit_action},
            dictate=dictate or self._dictate,
            recent=self.recent_transcripts,
            open_transcript=self.open_library_transcript,
        )
        if not tray.available:
            tray.deleteLater()
            return None
        self.live_panel.session_state_changed.connect(lambda state: tray.follow(state))
        self.tray = tray
        if self._dictating:
            tray.follow_dictation(True)
        return tray

    def recent_transcripts(self) -> list[RecentTranscript] | None:
        """The newest few library entries (the head of the History list); None without a library."""
        from desktop.core.library.recent import recent_transcripts

        if self._library is None:
            return None
        return recent_transcripts(self._library)

    def open_library_transcript(self, transcript_id: int) -> QWidget | None:
        """Open a stored transcript's window the way the History panel does."""
        from desktop.ui.library.startup import open_transcript

        if self._library is None:
            return None
        return open_transcript(self, self._library, transcript_id)

    def _start_or_stop_live(self) -> None:
        if self.live_panel.state.is_active:
            self.live_panel.stop()
        else:
            self.live_panel.start()

    def quit_app(self) -> None:
        """Quit for real (Ctrl+Q, the tray's Quit), whatever closing the window would do."""
        self._quitting = True
        self.close()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt override
        if not self._quitting and self.tray is not None:
            from desktop.ui.tray import StayOpen

            try:
                keep = self.tray.keeps_running_on_close()
            except StayOpen:
                event.ignore()
                return
            if keep:
                event.ignore()
                self.save_geometry()
                self.hide()
                return
        self.save_geometry()
        super().closeEvent(event)
        if event.isAccepted():
            self.closed.emit()

    async def shutdown(self) -> None:
        """Stop background work before the loop goes away (called once the app is quitting)."""
        try:
            if self._jobs_panel is not None:  # never built: nothing to stop
                self._jobs_panel.shutdown()
            await self.live_panel.shutdown()
            if self.tray is not None:
                self.tray.shutdown()
            from desktop.platform.notify import DesktopNotifications

            if isinstance(self._notifier, DesktopNotifications):
                self._notifier.close()
            if self._captions is not None:
                self._captions.close()
        finally:
            await cancel_all()
