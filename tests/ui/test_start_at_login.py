"""Settings' "Start Soniox Desktop when I log in": off by default, writes the real XDG autostart
entry, shows what is on disk when opened again, and says in words when it cannot."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from desktop.platform.autostart.xdg import read_entry
from desktop.ui.main_window import MainWindow
from tests.a11y import assert_accessible


@pytest.fixture
def config_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    return tmp_path / "config"


def _open(qtbot, ctx):  # noqa: ANN001, ANN202
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    return window.open_settings()


def test_ticking_it_writes_the_autostart_entry_and_reopening_shows_the_real_state(
    qtbot,  # noqa: ANN001
    qloop,  # noqa: ANN001
    make_context,  # noqa: ANN001
    config_home: Path,
) -> None:
    ctx = make_context()
    entry = config_home / "autostart" / "soniox-desktop.desktop"
    dialog = _open(qtbot, ctx)
    check = dialog.start_at_login_check
    assert_accessible(dialog)
    assert not check.isChecked() and not ctx.settings.start_at_login  # off by default
    dialog.tabs.setCurrentIndex(2)
    check.setChecked(True)
    qtbot.mouseClick(dialog.buttons.button(dialog.buttons.StandardButton.Save), Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()
    values = read_entry(entry.read_text(encoding="utf-8"))
    assert values["Exec"].endswith(" -m desktop --autostart") and values["Path"]
    assert json.loads(ctx.paths.settings_file.read_text())["start_at_login"] is True

    assert _open(qtbot, ctx).start_at_login_check.isChecked()
    entry.unlink()  # removed outside the app (a tweak tool, by hand)
    again = _open(qtbot, ctx)
    assert not again.start_at_login_check.isChecked()  # what the next login will really do
    again.start_at_login_check.setChecked(True)
    again.save()
    assert entry.is_file()
    last = _open(qtbot, ctx)
    last.start_at_login_check.setChecked(False)
    last.save()
    assert not entry.exists() and ctx.settings.start_at_login is False


def test_a_login_entry_that_cannot_be_written_is_said_and_the_rest_is_saved(
    qtbot,  # noqa: ANN001
    qloop,  # noqa: ANN001
    make_context,  # noqa: ANN001
    config_home: Path,
) -> None:
    config_home.mkdir(parents=True)
    (config_home / "autostart").write_text("a file where the folder should be")
    ctx = make_context()
    dialog = _open(qtbot, ctx)
    dialog.keep_recordings_check.setChecked(not ctx.settings.keep_recordings)
    wanted_recordings = dialog.keep_recordings_check.isChecked()
    dialog.start_at_login_check.setChecked(True)
    dialog.save()
    assert dialog.isVisible() and "Could not write the login entry" in dialog.error_label.text()
    assert not dialog.start_at_login_check.isChecked()  # back to the real state
    assert ctx.settings.keep_recordings is wanted_recordings and ctx.settings.start_at_login is False
    dialog.save()  # nothing left to change: it closes
    assert not dialog.isVisible()
