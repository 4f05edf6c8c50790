"""The library's part of start-up and shutdown, called from ``desktop/app.py``.

* :func:`open_library` opens (and migrates) the library in the data folder; a library that
  cannot be opened is logged and the app runs on without it (nothing else depends on it).
* :func:`attach` connects it to the main window: live sessions are saved from the first word,
  and the history panel is shown. If the main window already builds its own ``history_panel``
  this only hands the library to the live panel; otherwise it adds a "History" dock itself.
* :func:`after_show` offers interrupted sessions back and runs the hidden automation options
  (``--live-file``, ``--recovery-report``; see :mod:`desktop.core.library.cli`).
"""

from __future__ import annotations

import argparse
import json
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QDockWidget, QWidget

from desktop.audio import recording
from desktop.core.context import AppContext
from desktop.core.library.store import Library, LibraryError
from desktop.ui.async_tools import spawn
from desktop.ui.library.history_panel import HistoryPanel
from desktop.ui.library.recovery import RecoveryDialog, offer_recovery
from desktop.ui.library.transcript_window import LibraryTranscriptWindow

log = logging.getLogger(__name__)


def open_library(context: AppContext) -> Library | None:
    try:
        library = Library.open(context.paths.data_dir)
    except LibraryError as exc:
        log.error("The library is unavailable: %s", exc)
        return None
    except Exception:
        log.exception("Opening the library failed")
        return None
    log.info("Library open at %s (schema v%d)", library.path, library.schema_version)
    return library


def attach(window: Any, library: Library | None) -> HistoryPanel | None:
    """Give the main window the library; returns its history panel."""
    if library is None:
        return None
    for name in ("live_panel", "jobs_panel"):  # jobs: once it offers set_library (fetched transcripts)
        owner = getattr(window, name, None)
        if owner is not None and hasattr(owner, "set_library"):
            owner.set_library(library)
    panel = getattr(window, "history_panel", None)
    if isinstance(panel, HistoryPanel):
        return panel
    panel = HistoryPanel(window.context, library, window)
    dock = QDockWidget("History", window)
    dock.setObjectName("historyDock")
    dock.setWidget(panel)
    dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable | QDockWidget.DockWidgetFeature.DockWidgetClosable)
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
    window.history_panel = panel
    window.history_dock = dock
    return panel


def open_transcript(window: Any, library: Library, transcript_id: int) -> QWidget | None:
    """Open a stored transcript: through the history panel when there is one."""
    panel = getattr(window, "history_panel", None)
    if isinstance(panel, HistoryPanel):
        return panel.open_transcript(transcript_id)
    viewer = LibraryTranscriptWindow(library, transcript_id, window)
    viewer.show()
    return viewer


async def after_show(
    window: Any, library: Library | None, args: argparse.Namespace, request_quit: Callable[[], None]
) -> None:
    """Offer interrupted sessions back; then the hidden automation options.

    ``request_quit`` ends the app through its normal shutdown (``--recovery-report`` uses it).
    """
    if library is None:
        return
    opened: list[QWidget] = []

    def open_one(tid: int) -> None:
        viewer = open_transcript(window, library, tid)
        if viewer is not None:
            opened.append(viewer)

    dialog = offer_recovery(library, window, open_one)
    report = getattr(args, "recovery_report", None)
    if report:

        async def report_then_quit() -> None:
            try:
                await write_recovery_report(Path(report), dialog, opened)
            finally:
                request_quit()

        spawn(report_then_quit(), name="recovery report")
        return
    live_file = getattr(args, "live_file", None)
    if live_file:
        start_live_file(window, live_file)


async def write_recovery_report(path: Path, dialog: RecoveryDialog | None, opened: list[QWidget]) -> None:
    """Open every offered session as a user would, and record what the app shows."""
    offered: list[dict[str, Any]] = []
    if dialog is not None:
        for row in range(dialog.list.count()):
            offered.append({"id": dialog.session_ids()[row], "text": dialog.list.item(row).text()})
        while dialog.list.count():
            dialog.list.setCurrentRow(0)
            dialog.open_selected()
    windows = []
    for viewer in opened:
        if isinstance(viewer, LibraryTranscriptWindow):
            await viewer.opening  # the transcript is read off the UI thread
        if isinstance(viewer, LibraryTranscriptWindow) and viewer.loaded is not None:
            info = viewer.loaded.info
            windows.append(
                {
                    "id": info.id,
                    "title": info.title,
                    "status": info.status,
                    "end_reason": info.end_reason,
                    "token_count": info.token_count,
                    "audio_path": info.audio_path,
                    "view_text": viewer.view.toPlainText(),
                    "final_text": viewer.loaded.transcript.text(),
                    "tokens": [t.to_dict() for t in viewer.loaded.transcript.final_tokens],
                }
            )
    path.write_text(json.dumps({"offered": offered, "opened": windows}, ensure_ascii=False), encoding="utf-8")
    log.info("Recovery report written to %s (%d offered)", path, len(offered))


def start_live_file(window: Any, path: str) -> None:
    """Start a live session streaming ``path``, as choosing File and pressing Start does."""
    from desktop.ui.live.source_bar import SourceKind

    panel = getattr(window, "live_panel", None)
    if panel is None:
        return
    panel.source_bar.set_kind(SourceKind.FILE)
    panel.source_bar.file_edit.setText(str(Path(path).resolve()))
    log.info("Starting a live session from %s (--live-file)", path)
    panel.start()


def shutdown(window: Any, library: Library | None) -> None:
    panel = getattr(window, "history_panel", None)
    if isinstance(panel, HistoryPanel):
        panel.shutdown()
    if not recording.wait_for_writers():
        log.warning("A recording was still encoding at exit; its last moments may be missing")
    if library is not None:
        library.close()
