"""The shell: menus with keyboard paths, remembered geometry, accessible names, logs folder."""

from __future__ import annotations

from PySide6.QtCore import QRect
from PySide6.QtWidgets import QDockWidget, QMessageBox

from desktop.ui.main_window import MainWindow
from tests.a11y import assert_accessible


def test_menus_have_keyboard_paths(qtbot, qloop, make_context) -> None:
    window = MainWindow(make_context())
    qtbot.addWidget(window)
    menus = {a.menu().objectName(): a.text() for a in window.menuBar().actions() if a.menu()}
    assert {"fileMenu", "viewMenu", "helpMenu"} <= set(menus)
    assert all("&" in text for text in menus.values())
    assert not window.settings_action.shortcut().isEmpty()
    assert not window.quit_action.shortcut().isEmpty()
    names = {a.objectName() for a in window.actions()}
    assert {"settingsAction", "quitAction", "openLogsAction", "aboutAction"} <= names
    assert_accessible(window)


def test_window_remembers_its_geometry(qtbot, qloop, make_context) -> None:
    ctx = make_context()
    first = MainWindow(ctx)
    qtbot.addWidget(first)
    first.show()
    first.setGeometry(QRect(10, 20, 760, 540))
    qtbot.waitUntil(lambda: first.width() == 760, timeout=2000)
    first.side_dock.hide()
    first.close()
    second = MainWindow(make_context())
    qtbot.addWidget(second)
    second.restore_geometry()
    second.show()
    assert (second.width(), second.height()) == (760, 540)
    assert second.side_dock.isHidden()


def test_open_logs_folder_opens_the_log_dir(qtbot, qloop, make_context) -> None:
    ctx = make_context()
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    opened = []
    window.open_url = lambda url: opened.append(url.toLocalFile()) or True
    window.logs_action.trigger()
    assert opened == [str(ctx.paths.log_dir)]


def test_about_shows_versions(qtbot, qloop, make_context) -> None:
    window = MainWindow(make_context())
    qtbot.addWidget(window)
    window.about_action.trigger()
    box = window.findChild(QMessageBox, "aboutDialog")
    assert box is not None
    assert "Soniox SDK" in box.text() and "Qt" in box.text()
    box.close()


def test_side_panel_is_a_dock_with_jobs_and_files(qtbot, qloop, make_context) -> None:
    window = MainWindow(make_context())
    qtbot.addWidget(window)
    assert isinstance(window.side_dock, QDockWidget)
    tabs = [window.side_tabs.tabText(i) for i in range(window.side_tabs.count())]
    assert any(t.startswith("Jobs") for t in tabs) and any(t.startswith("Files") for t in tabs)


def test_quit_closes_the_window_and_asks_the_app_to_wind_down(qtbot, qloop, make_context) -> None:  # noqa: ANN001
    ctx = make_context()
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    with qtbot.waitSignal(window.closed, timeout=2000):
        window.quit_action.trigger()
    assert not window.isVisible()
    assert "main_window_geometry" in ctx.paths.settings_file.read_text()


def test_jobs_load_after_the_connection_check_and_a_bad_key_is_reported_once(
    qtbot,
    qloop,
    fake_soniox,
    make_context,  # noqa: ANN001
) -> None:
    from desktop.ui.status import Connection

    fake_soniox.seed_transcriptions(3)
    good = MainWindow(make_context(fake_soniox, key="test-key"))
    qtbot.addWidget(good)
    good.start_up()
    qtbot.waitUntil(lambda: good.jobs_panel.jobs_model.rowCount() == 3, timeout=5000)

    bad = MainWindow(make_context(fake_soniox, key="wrong-key-123"))
    qtbot.addWidget(bad)
    bad.start_up()
    qtbot.waitUntil(lambda: bad.status.connection.state is Connection.KEY_REJECTED, timeout=5000)
    qtbot.wait(300)
    assert bad.jobs_panel.notices.texts() == [], "the status bar says it; the panel does not repeat it"
    assert bad.jobs_panel.jobs_model.rowCount() == 0
