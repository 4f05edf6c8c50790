"""Start-up wiring: the library reaches the live panel and a History dock joins the main window."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from PySide6.QtWidgets import QDockWidget

from desktop.core.library.store import Library
from desktop.ui.library import startup
from desktop.ui.library.history_panel import HistoryPanel
from desktop.ui.main_window import MainWindow
from tests.library_helpers import spoken_tokens


def test_attach_adds_history_and_gives_the_live_panel_the_library(qtbot, qloop, make_context) -> None:  # noqa: ANN001
    ctx = make_context()
    library = startup.open_library(ctx)
    assert library is not None and library.path.is_relative_to(ctx.paths.data_dir)
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    try:
        panel = startup.attach(window, library)
        assert isinstance(panel, HistoryPanel) and window.history_panel is panel
        assert window.live_panel.library is library and window.live_panel.record_check.isVisibleTo(
            window.live_panel.options_box
        )
        dock = window.findChild(QDockWidget, "historyDock")
        assert dock is not None and dock.widget() is panel
        toggle = next(a for a in window.view_menu.actions() if a.objectName() == "toggleHistoryAction")
        assert toggle.shortcut().toString() == "Ctrl+H"
        assert startup.attach(window, library) is panel  # idempotent: no second dock
        assert len(window.findChildren(QDockWidget, "historyDock")) == 1
    finally:
        startup.shutdown(window, library)


def test_an_unopenable_library_leaves_the_app_running_without_it(qtbot, qloop, make_context) -> None:  # noqa: ANN001
    ctx = make_context()
    path = ctx.paths.data_dir / "library" / "library.sqlite3"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"garbage" * 200)
    assert startup.open_library(ctx) is None
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    assert startup.attach(window, None) is None
    assert window.live_panel.library is None and not window.live_panel.record_check.isVisibleTo(
        window.live_panel.options_box
    )


def test_recovery_report_opens_the_offered_session(qtbot, qloop, make_context, tmp_path: Path) -> None:  # noqa: ANN001
    ctx = make_context()
    crashed = Library.open(ctx.paths.data_dir)
    tid = crashed.begin_live(title="Lost call", source_kind="microphone")
    crashed.append_tokens(tid, spoken_tokens(30))
    crashed.close()  # never finished: like a crash
    library = startup.open_library(ctx)
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    startup.attach(window, library)
    report = tmp_path / "report.json"
    quit_requests: list[bool] = []
    coro = startup.after_show(
        window, library, argparse.Namespace(recovery_report=str(report)), lambda: quit_requests.append(True)
    )
    try:  # after_show awaits nothing here: run it to its end at once
        coro.send(None)
    except StopIteration:
        pass
    # The report waits for the transcript to be read off the UI thread, then asks to quit.
    qtbot.waitUntil(lambda: quit_requests == [True], timeout=5000)
    result = json.loads(report.read_text(encoding="utf-8"))
    assert [o["id"] for o in result["offered"]] == [tid] and quit_requests == [True]
    opened = result["opened"][0]
    assert opened["token_count"] == len(spoken_tokens(30)) and opened["status"] == "interrupted"
    assert window.history_panel.windows[tid].isVisible()
    startup.shutdown(window, library)
