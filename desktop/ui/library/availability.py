"""Which library the main window works with, and what happens when it cannot be used.

:class:`LibraryHost` hands the library to the panels that keep things in it (live, jobs) and puts
the History panel in its dock. When the library cannot be used, at start or because damage turns
up later (a read, a search or the background ``quick_check`` meets a malformed page), it:

* puts :class:`~.unavailable.LibraryUnavailablePanel` in the History dock, never an empty list;
* shows a notice above the live panel that sessions will not be saved;
* asks the user (:class:`~.unavailable.LibraryUnavailableDialog`) to start a new library, which
  sets the old file aside (:func:`desktop.core.library.health.set_aside`) and opens a fresh one
  in this same run, so History and crash recovery work again, or to continue without.

Damage is reported from whatever thread met it; a queued signal brings it to the UI thread.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QDockWidget, QLabel, QWidget

from desktop.core.library.health import LibraryFailure, LibraryProblem, classify, set_aside
from desktop.core.library.store import Library, LibraryError
from desktop.ui.library.unavailable import Choice, LibraryUnavailableDialog, LibraryUnavailablePanel

if TYPE_CHECKING:  # built (and imported) after the window's first paint when start-up asks for it
    from desktop.ui.library.history_panel import HistoryPanel

log = logging.getLogger(__name__)


class LibraryHost(QObject):
    """``LibraryHost(window, library, failure, open_library)``; see the module docstring."""

    #: A LibraryFailure, from any thread (queued to this one).
    damaged = Signal(object)
    #: The library in use changed (a new one was started, or it was given up): Library | None.
    library_changed = Signal(object)

    def __init__(
        self,
        window: Any,
        library: Library | None,
        failure: LibraryFailure | None,
        open_library: Callable[[], Library],
    ) -> None:
        super().__init__(window)
        self.setObjectName("libraryHost")
        self.window = window
        self.library = library
        self.failure = failure
        self._open_library = open_library
        self.dialog: LibraryUnavailableDialog | None = None
        self.notice: QLabel | None = None
        self._stop_watching: Callable[[], None] | None = None
        self._pending: Library | None = None  # a History panel is due for it (``lazy``)
        self.damaged.connect(self._on_damaged, Qt.ConnectionType.QueuedConnection)

    # ------------------------------------------------------------------ showing a library
    def install(self, *, lazy: bool = False) -> HistoryPanel | None:
        """Show the current state: the library's History, or why there is none.

        ``lazy`` (start-up, before the window shows): the History panel, which the first paint
        does not need (its dock is a tab behind the jobs panel), is built after the window's
        first paint, or by :meth:`history_panel`; until then this returns None.
        """
        if self.library is not None:
            return self._use(self.library, lazy=lazy)
        if self.failure is not None:
            self._show_unavailable(self.failure)
        return None

    def history_panel(self) -> HistoryPanel | None:
        """The History panel; one that is due (``install(lazy=True)``) is built now."""
        library, self._pending = self._pending, None
        if library is not None and library is self.library:
            return self._build(library)
        panel: HistoryPanel | None = getattr(self.window, "history_panel", None)
        return panel

    def _use(self, library: Library, *, lazy: bool = False) -> HistoryPanel | None:
        self.library = library
        self.failure = None
        self._stop_watching = library.on_damage(self.damaged.emit)
        try:  # the list the History panel shows first: damage there must not stop the app starting
            library.count()
            library.list_transcripts(limit=1)
        except sqlite3.DatabaseError as exc:
            log.error("The library's list cannot be read: %s", exc)
            # Damage was reported by the library itself (and is asked about once the loop runs).
            self.failure = library.damage or classify(exc, library.path)
            self._show_unavailable(self.failure)
            return None
        self._give_library(library)
        self._set_notice(None)
        panel: HistoryPanel | None = getattr(self.window, "history_panel", None)
        if panel is not None and panel.library is library:
            return panel
        self._dock()
        self.library_changed.emit(library)
        first_painted = getattr(self.window, "first_painted", None)
        if lazy and first_painted is not None:
            self._pending = library
            first_painted.connect(self.history_panel, Qt.ConnectionType.QueuedConnection)
            return None
        return self._build(library)

    def _build(self, library: Library) -> HistoryPanel:
        from desktop.core.library.search import LibrarySearch
        from desktop.ui.library.history_panel import HistoryPanel

        search = LibrarySearch(library.path, on_error=library.report_error)
        panel = HistoryPanel(self.window.context, library, self.window, search=search)
        self._dock().setWidget(panel)
        self.window.history_panel = panel
        return panel

    def _give_library(self, library: Library | None) -> None:
        """Hand the library to the window's panels that keep things in it (``set_library``)."""
        give = getattr(self.window, "set_library", None)
        if give is not None:
            give(library)

    def _dock(self) -> QDockWidget:
        window = self.window
        dock = getattr(window, "history_dock", None)
        if isinstance(dock, QDockWidget):
            return dock
        dock = QDockWidget("History", window)
        dock.setObjectName("historyDock")
        dock.setFeatures(
            QDockWidget.DockWidgetFeature.DockWidgetMovable | QDockWidget.DockWidgetFeature.DockWidgetClosable
        )
        window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
        side = getattr(window, "side_dock", None)
        if side is not None:
            window.tabifyDockWidget(side, dock)
            side.raise_()
        toggle = dock.toggleViewAction()
        toggle.setText("&History")
        toggle.setObjectName("toggleHistoryAction")
        toggle.setShortcut(QKeySequence("Ctrl+H"))
        menu = getattr(window, "view_menu", None)
        if menu is not None:
            menu.addAction(toggle)
        window.history_dock = dock
        return dock

    # ------------------------------------------------------------------ giving it up
    def _drop_library(self) -> None:
        """Stop every use of the current library and close it (before its file is moved)."""
        library, self.library = self.library, None
        self._pending = None
        if self._stop_watching is not None:
            self._stop_watching()
            self._stop_watching = None
        self._give_library(None)
        panel: HistoryPanel | None = getattr(self.window, "history_panel", None)
        if panel is not None:
            panel.shutdown()  # closes its transcript windows and its search connection
            self.window.history_panel = None
            panel.hide()
            panel.deleteLater()
        if library is not None:
            library.close()
            self.library_changed.emit(None)

    def _show_unavailable(self, failure: LibraryFailure) -> None:
        self._pending = None
        panel: HistoryPanel | None = getattr(self.window, "history_panel", None)
        if panel is not None:
            panel.shutdown()
            self.window.history_panel = None
            panel.hide()
            panel.deleteLater()
        shown = getattr(self.window, "history_unavailable", None)
        if not (isinstance(shown, LibraryUnavailablePanel) and shown.failure == failure):
            if shown is not None:
                shown.hide()
                shown.deleteLater()
            shown = LibraryUnavailablePanel(failure)
            shown.start_new_requested.connect(self.ask)
            self._dock().setWidget(shown)
            self.window.history_unavailable = shown
        owner = getattr(self.window, "live_panel", None)
        if owner is not None and hasattr(owner, "set_library") and self.library is None:
            owner.set_library(None)
        self._set_notice(failure)

    def _set_notice(self, failure: LibraryFailure | None) -> None:
        """A line above the live panel while sessions are not being saved."""
        layout = getattr(self.window, "live_layout", None)
        if failure is None:
            if self.notice is not None:
                self.notice.hide()
            return
        if self.notice is None:
            self.notice = QLabel(self.window)
            self.notice.setObjectName("liveLibraryUnavailableNotice")
            self.notice.setAccessibleName("Live sessions will not be saved")
            self.notice.setWordWrap(True)
            self.notice.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.notice.setStyleSheet("QLabel { border: 1px solid palette(mid); padding: 4px; }")
            if layout is not None:
                layout.insertWidget(0, self.notice)
        title = failure.user_error.title
        self.notice.setText(
            f"Live sessions will not be saved: {title[:1].lower()}{title[1:]}. "
            "There is no History and no crash recovery in this run (see the History panel)."
        )
        self.notice.show()

    # ------------------------------------------------------------------ the user's choice
    def ask(self) -> LibraryUnavailableDialog | None:
        """Show the dialog (window-modal, not blocking the loop); returns it."""
        failure = self.failure
        if failure is None:
            return None
        if self.dialog is not None:
            self.dialog.raise_()
            self.dialog.activateWindow()
            return self.dialog
        dialog = LibraryUnavailableDialog(failure, self.window if isinstance(self.window, QWidget) else None)
        dialog.chosen.connect(self._on_choice)
        dialog.finished.connect(self._on_dialog_finished)
        self.dialog = dialog
        dialog.open()
        return dialog

    def _on_dialog_finished(self, _result: int) -> None:
        dialog, self.dialog = self.dialog, None
        if dialog is not None:
            dialog.deleteLater()

    def _on_choice(self, choice: Choice) -> None:
        dialog = self.dialog
        if choice is Choice.CONTINUE:
            self.continue_without()
            if dialog is not None and dialog.isVisible():
                dialog.accept()
            return
        error = self.start_new()
        if dialog is None:
            return
        if error:
            dialog.show_error(error)
        else:
            dialog.accept()

    def continue_without(self) -> None:
        """Run on without a library (a damaged one found in use is closed: writing on could
        damage it further)."""
        if self.failure is None:
            return
        if self.library is not None:
            self._drop_library()
        self._show_unavailable(self.failure)

    def start_new(self) -> str:
        """Set the file aside and open a fresh library; returns "" or why it failed, in words."""
        failure = self.failure
        if failure is None:
            return ""
        self._drop_library()
        try:
            aside = set_aside(failure.path, failure.problem)
        except OSError as exc:
            log.error("Could not set the library aside: %s", exc)
            self._show_unavailable(failure)
            return (
                f"The old file could not be moved aside ({exc.strerror or exc}). Check that its folder "
                "is writable, or continue without the library."
            )
        try:
            library = self._open_library()
        except LibraryError as exc:
            log.error("The new library could not be opened either: %s", exc)
            if exc.failure is not None:
                self.failure = exc.failure
            self._show_unavailable(self.failure or failure)
            return f"A new library could not be started: {exc}"
        self._use(library)
        unavailable = getattr(self.window, "history_unavailable", None)
        if unavailable is not None:
            unavailable.hide()
            unavailable.deleteLater()
            self.window.history_unavailable = None
        status = getattr(self.window, "status", None)
        if status is not None and hasattr(status, "showMessage"):
            status.showMessage(f"A new library was started. The old file was kept as {aside}", 20000)
        log.info("Started a new library at %s; the old one is kept as %s", library.path, aside)
        return ""

    # ------------------------------------------------------------------ damage found in use
    def _on_damaged(self, failure: LibraryFailure) -> None:
        if self.library is None or failure.problem is not LibraryProblem.DAMAGED:
            return
        self.failure = failure
        self._show_unavailable(failure)
        self.ask()

    def close(self) -> None:
        """The app is quitting: close the library in use."""
        if self.dialog is not None:
            self.dialog.done(0)
        self._drop_library()
