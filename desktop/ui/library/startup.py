"""The library's part of start-up and shutdown, called from ``desktop/app.py``.

* :func:`open_library_checked` opens (and migrates) the library in the data folder, or says why
  it cannot be used (damaged, written by a newer app, no access: a ``LibraryFailure``).
* :func:`attach` connects it to the main window through a :class:`LibraryHost`: live sessions
  are saved from the first word and the "History" dock shows the history panel; without a
  library the dock says why, and the live panel that sessions are not saved.
* :func:`after_show` asks what to do about a library that cannot be used (start a new one or
  continue without), else offers interrupted sessions back and runs the hidden automation
  options (``--live-file``, ``--recovery-report``; see :mod:`desktop.core.library.cli`).
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import QWidget

from desktop.core.context import AppContext
from desktop.core.library.health import LibraryFailure, classify
from desktop.core.library.store import DATABASE_NAME, LIBRARY_FOLDER, Library, LibraryError
from desktop.ui.async_tools import spawn
from desktop.ui.library.availability import LibraryHost

if TYPE_CHECKING:  # the History panel and transcript windows are imported when first opened
    from desktop.ui.library.history_panel import HistoryPanel
    from desktop.ui.library.recovery import RecoveryDialog

log = logging.getLogger(__name__)


def open_library_checked(context: AppContext) -> tuple[Library | None, LibraryFailure | None]:
    """The library, or why it cannot be used (shown to the user by :func:`attach`/:func:`after_show`)."""
    try:
        library = Library.open(context.paths.data_dir)
    except LibraryError as exc:
        log.error("The library is unavailable: %s", exc)
        return None, exc.failure or classify(exc, context.paths.data_dir / LIBRARY_FOLDER / DATABASE_NAME)
    except Exception as exc:
        log.exception("Opening the library failed")
        return None, classify(exc, context.paths.data_dir / LIBRARY_FOLDER / DATABASE_NAME)
    log.info("Library open at %s (schema v%d)", library.path, library.schema_version)
    return library, None


def open_library(context: AppContext) -> Library | None:
    return open_library_checked(context)[0]


def attach(
    window: Any, library: Library | None, failure: LibraryFailure | None = None, *, lazy: bool = False
) -> HistoryPanel | None:
    """Give the main window the library, or say in its History dock why there is none.

    Returns the history panel; with ``lazy`` (start-up) it is built after the window's first
    paint instead, and this returns None (see :meth:`LibraryHost.install`). The window's
    :class:`LibraryHost` (``window.library_host``) keeps track of which library is in use from
    then on: a new one may replace it in this run.
    """
    host = getattr(window, "library_host", None)
    if isinstance(host, LibraryHost) and host.library is library and library is not None:
        return host.history_panel()
    context = window.context
    host = LibraryHost(window, library, failure, lambda: Library.open(context.paths.data_dir))
    window.library_host = host
    return host.install(lazy=lazy)


def open_transcript(window: Any, library: Library, transcript_id: int) -> QWidget | None:
    """Open a stored transcript: through the history panel when there is one."""
    from desktop.ui.library.transcript_window import LibraryTranscriptWindow

    panel: HistoryPanel | None = getattr(window, "history_panel", None)
    if panel is not None:
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
    host = getattr(window, "library_host", None)
    if isinstance(host, LibraryHost):
        if host.library is None:
            host.ask()  # the library could not be opened: say so, offer a new one
            return
        library = host.library
        host.history_panel()  # built now if start-up left it for after the first paint
    if library is None:
        return
    if not library.checked:
        library.check_in_background()  # too large to check at open without a visible wait
    opened: list[QWidget] = []

    def open_one(tid: int) -> None:
        viewer = open_transcript(window, library, tid)
        if viewer is not None:
            opened.append(viewer)

    from desktop.ui.library.recovery import offer_recovery

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
    from desktop.ui.library.transcript_window import LibraryTranscriptWindow

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
    panel: HistoryPanel | None = getattr(window, "history_panel", None)
    if panel is not None:
        panel.shutdown()
    # Recordings are written by ``desktop.audio.recording``, imported by the first one: if it
    # never was, there is nothing to wait for (and numpy need not be loaded just to say so).
    recording = sys.modules.get("desktop.audio.recording")
    if recording is not None and not recording.wait_for_writers():
        log.warning("A recording was still encoding at exit; its last moments may be missing")
    host = getattr(window, "library_host", None)
    if isinstance(host, LibraryHost):
        host.close()
    if library is not None:
        library.close()  # closing twice is harmless; the host may have replaced it
