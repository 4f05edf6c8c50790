"""Every Alt+letter on the main window does one thing.

Two visible controls with the same mnemonic make Alt+letter only move the focus between them
(Qt cycles ambiguous mnemonics), so "Alt+F" reached neither the File menu nor Finalize. This
walks what the user sees, in the idle window (options folded and open) and after a file source
is chosen, and in the dock.
"""

from __future__ import annotations

import re
from collections import defaultdict

from PySide6.QtWidgets import QAbstractButton, QGroupBox, QLabel, QWidget

from desktop.core.live.state import LiveState
from desktop.ui.live.source_bar import SourceKind
from desktop.ui.main_window import MainWindow

_MNEMONIC = re.compile(r"&([^&\s])")


def _letter(text: str) -> str | None:
    match = _MNEMONIC.search(text.replace("&&", ""))
    return match.group(1).lower() if match else None


def mnemonics(window: MainWindow) -> dict[str, list[str]]:
    seen: dict[str, list[str]] = defaultdict(list)
    for action in window.menuBar().actions():
        if action.isVisible() and (letter := _letter(action.text())):
            seen[letter].append(f"menu {action.text()}")
    for widget in window.findChildren(QWidget):
        if not widget.isVisible() or not widget.isEnabled() or widget.window() is not window:
            continue
        text = ""
        if isinstance(widget, QAbstractButton) or (isinstance(widget, QLabel) and widget.buddy() is not None):
            text = widget.text()
        elif isinstance(widget, QGroupBox):
            text = widget.title()
        if letter := _letter(text):
            seen[letter].append(f"{widget.objectName()} {text}")
    return seen


def test_no_two_visible_controls_share_an_alt_key(qtbot, qloop, make_context) -> None:  # noqa: ANN001
    window = MainWindow(make_context())
    qtbot.addWidget(window)
    window.resize(1440, 900)
    window.show()
    qtbot.waitExposed(window)
    for setup in ("microphone", "options", "file", "system", "meeting", "running"):
        if setup == "options":  # the options panel open: its check boxes have Alt keys too
            window.live_panel.options_toggle.setChecked(True)
        if setup == "file":
            window.live_panel.source_bar.set_kind(SourceKind.FILE)
        if setup == "system":  # as when system audio cannot be captured: the settings button shows
            window.live_panel.source_bar.set_system_support(False, "Not allowed", "x-apple.systempreferences:privacy")
            window.live_panel.source_bar.set_kind(SourceKind.SYSTEM)
        if setup == "meeting":
            window.live_panel.source_bar.set_kind(SourceKind.MEETING)
        if setup == "running":  # Stop, Cancel and Finalize enabled, as during a session
            window.live_panel._update_buttons(LiveState.RUNNING)
        clashes = {k: v for k, v in mnemonics(window).items() if len(v) > 1}
        assert clashes == {}, f"{setup}: {clashes}"
