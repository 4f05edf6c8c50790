"""An unusable library says so: the dialog at start (what, where, the way out), a new library in
the same run, and a History panel that explains instead of showing an empty or half-empty list."""

from __future__ import annotations

import argparse
import functools
import sqlite3
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from desktop.core.library.migrations import LATEST
from desktop.core.library.store import Library
from desktop.ui.library import startup
from desktop.ui.library.history_panel import HistoryPanel
from desktop.ui.library.unavailable import LibraryUnavailableDialog, LibraryUnavailablePanel
from desktop.ui.main_window import MainWindow
from tests.a11y import assert_accessible
from tests.core.library.broken_files import damage_a_page, library_with_transcripts, write_future_library
from tests.live_helpers import DATA

GARBAGE = b"\x00\x01 half a download, not a database " * 64


def library_file(ctx) -> Path:  # noqa: ANN001
    path = ctx.paths.data_dir / "library" / "library.sqlite3"
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def run_after_show(window: MainWindow, library: Library | None) -> None:
    coro = startup.after_show(window, library, argparse.Namespace(), lambda: None)
    try:  # awaits nothing when there is no library: runs to its end at once
        coro.send(None)
    except StopIteration:
        pass


def start_app(qtbot, ctx) -> tuple[MainWindow, LibraryUnavailableDialog | None]:  # noqa: ANN001
    """What ``desktop.app`` does at start, up to the first question to the user."""
    library, failure = startup.open_library_checked(ctx)
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    startup.attach(window, library, failure)
    window.show()
    run_after_show(window, library)
    return window, window.findChild(LibraryUnavailableDialog)


def history_widget(window: MainWindow):  # noqa: ANN201
    return window.history_dock.widget()


def test_a_damaged_library_is_reported_at_start_with_its_path(qtbot, qloop, make_context) -> None:  # noqa: ANN001
    ctx = make_context()
    path = library_file(ctx)
    path.write_bytes(GARBAGE)
    window, dialog = start_app(qtbot, ctx)
    try:
        assert dialog is not None and dialog.isVisible()
        assert dialog.title_label.text() == "The library file is damaged"
        assert "not a database" in dialog.message_label.text()
        assert dialog.path_edit.text() == str(path) and dialog.path_edit.isReadOnly()
        assert dialog.start_new_button.isVisible() and dialog.continue_button.isDefault()
        assert_accessible(dialog)
        # Until the user chooses, nothing pretends to be a history, and nothing was moved.
        assert isinstance(history_widget(window), LibraryUnavailablePanel)
        assert path.read_bytes() == GARBAGE
    finally:
        startup.shutdown(window, None)


def test_start_a_new_library_keeps_the_old_file_and_the_next_session_is_saved(
    qtbot,
    qloop,
    fake_soniox,
    live_ctx,
    monkeypatch: pytest.MonkeyPatch,  # noqa: ANN001
) -> None:
    import desktop.audio.decoded_file as decoded_file  # the panel imports it from there on use

    monkeypatch.setattr(
        decoded_file, "DecodingFileSource", functools.partial(decoded_file.DecodingFileSource, speed=8.0)
    )
    path = library_file(live_ctx)
    path.write_bytes(GARBAGE)
    window, dialog = start_app(qtbot, live_ctx)
    try:
        assert dialog is not None
        qtbot.mouseClick(dialog.start_new_button, Qt.MouseButton.LeftButton)
        assert not dialog.isVisible()
        aside = sorted(path.parent.glob("library-broken-*.sqlite3"))
        assert len(aside) == 1 and aside[0].read_bytes() == GARBAGE  # kept, renamed, next to it
        library = window.library_host.library
        assert library is not None and library.path == path and library.count() == 0
        assert window.live_panel.library is library
        assert isinstance(history_widget(window), HistoryPanel) and window.history_panel.library is library
        assert not window.library_host.notice.isVisibleTo(window)
        assert str(aside[0]) in window.status.currentMessage()

        fake_soniox.set_script(["kept in the new library"])
        startup.start_live_file(window, str(DATA / "two_way_translation.mp3"))
        qtbot.waitUntil(lambda: window.live_panel.state.is_terminal, timeout=30000)
        qtbot.waitUntil(lambda: window.history_panel.model.rowCount() == 1, timeout=5000)
        on_disk = sqlite3.connect(path)
        rows = on_disk.execute("SELECT title, token_count, status FROM transcripts").fetchall()
        on_disk.close()
        assert rows == [("two_way_translation.mp3", rows[0][1], "complete")] and rows[0][1] > 0
    finally:
        startup.shutdown(window, None)


def test_continue_without_explains_in_history_and_live(qtbot, qloop, make_context) -> None:  # noqa: ANN001
    ctx = make_context()
    path = library_file(ctx)
    path.write_bytes(GARBAGE)
    window, dialog = start_app(qtbot, ctx)
    try:
        assert dialog is not None
        qtbot.mouseClick(dialog.continue_button, Qt.MouseButton.LeftButton)
        assert not dialog.isVisible()
        panel = history_widget(window)
        assert isinstance(panel, LibraryUnavailablePanel) and panel.isVisibleTo(window)
        assert "History is unavailable" in panel.text and "The library file is damaged" in panel.text
        assert "live sessions are not saved" in panel.text
        assert panel.path_edit.text() == str(path)
        assert window.live_panel.library is None
        notice = window.library_host.notice
        assert notice is not None and notice.isVisibleTo(window)
        assert notice.text().startswith("Live sessions will not be saved: the library file is damaged")
        assert path.read_bytes() == GARBAGE and not list(path.parent.glob("library-broken-*"))
        assert_accessible(panel)
        # The panel keeps the way out: the same question again, and a new library from there.
        qtbot.mouseClick(panel.start_new_button, Qt.MouseButton.LeftButton)
        again = window.library_host.dialog
        assert again is not None and again.isVisible()
        qtbot.mouseClick(again.start_new_button, Qt.MouseButton.LeftButton)
        assert isinstance(history_widget(window), HistoryPanel) and window.live_panel.library is not None
    finally:
        startup.shutdown(window, None)


def test_a_library_from_a_newer_app_is_named_and_escape_leaves_it_alone(qtbot, qloop, make_context) -> None:  # noqa: ANN001
    ctx = make_context()
    path = library_file(ctx)
    write_future_library(path, LATEST + 1)
    before = path.read_bytes()
    window, dialog = start_app(qtbot, ctx)
    try:
        assert dialog is not None
        assert dialog.title_label.text() == "The library was written by a newer version of Soniox Desktop"
        qtbot.keyClick(dialog, Qt.Key.Key_Escape)  # the keyboard way to continue without
        assert not dialog.isVisible() and path.read_bytes() == before
        assert "newer version of Soniox Desktop" in history_widget(window).text
    finally:
        startup.shutdown(window, None)


def test_damage_met_while_reading_replaces_the_list_and_asks(qtbot, qloop, make_context) -> None:  # noqa: ANN001
    ctx = make_context()
    path = library_file(ctx)
    ids = library_with_transcripts(path)
    damage_a_page(path)
    library = Library(path, check_max_bytes=0)  # as a file too large to check at open
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    try:
        startup.attach(window, library)
        window.show()
        history = window.history_panel
        assert history.model.rowCount() == len(ids)  # the list alone looks fine
        for tid in ids:
            history.open_transcript(tid)
        qtbot.waitUntil(lambda: window.library_host.dialog is not None, timeout=5000)
        dialog = window.library_host.dialog
        assert dialog.title_label.text() == "The library file is damaged" and "malformed" in dialog.message_label.text()
        assert isinstance(history_widget(window), LibraryUnavailablePanel)
        assert dialog.path_edit.text() == str(path)
        qtbot.mouseClick(dialog.continue_button, Qt.MouseButton.LeftButton)
        assert window.library_host.library is None and window.live_panel.library is None
        with pytest.raises(sqlite3.ProgrammingError):  # closed: nothing more is written into it
            library.conn.execute("SELECT 1")
    finally:
        startup.shutdown(window, library)
        QApplication.processEvents()


def test_a_damaged_list_does_not_stop_the_start_and_is_reported(qtbot, qloop, make_context) -> None:  # noqa: ANN001
    ctx = make_context()
    path = library_file(ctx)
    library_with_transcripts(path, words=30)
    damage_a_page(path, table="transcripts")
    library = Library(path, check_max_bytes=0)
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    try:
        assert startup.attach(window, library) is None  # no history panel, and no exception
        window.show()
        assert isinstance(history_widget(window), LibraryUnavailablePanel)
        assert "The library file is damaged" in history_widget(window).text
        qtbot.waitUntil(lambda: window.library_host.dialog is not None, timeout=5000)
        qtbot.mouseClick(window.library_host.dialog.start_new_button, Qt.MouseButton.LeftButton)
        assert isinstance(history_widget(window), HistoryPanel) and window.library_host.library is not library
        assert sorted(p.name.startswith("library-broken-") for p in path.parent.glob("*.sqlite3")) == [False, True]
    finally:
        startup.shutdown(window, library)


def test_a_large_library_is_checked_after_the_window_shows(qtbot, qloop, make_context) -> None:  # noqa: ANN001
    ctx = make_context()
    path = library_file(ctx)
    library_with_transcripts(path)
    damage_a_page(path)
    library = Library(path, check_max_bytes=0)  # too large to check at open
    assert not library.checked
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    try:
        startup.attach(window, library)
        window.show()
        run_after_show(window, library)  # starts the background quick_check
        qtbot.waitUntil(lambda: window.library_host.dialog is not None, timeout=10000)
        dialog = window.library_host.dialog
        assert dialog.title_label.text() == "The library file is damaged"
        assert isinstance(history_widget(window), LibraryUnavailablePanel)
        dialog.activateWindow()
        qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog, timeout=3000)
        qtbot.keyClick(dialog, Qt.Key.Key_S, Qt.KeyboardModifier.AltModifier)  # Alt+S: Start a new library
        qtbot.waitUntil(lambda: isinstance(history_widget(window), HistoryPanel), timeout=3000)
        assert list(path.parent.glob("library-broken-*.sqlite3")) and window.library_host.library.count() == 0
    finally:
        startup.shutdown(window, library)
