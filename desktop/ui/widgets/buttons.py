"""The one way the app makes a push button, so every button is named for tests and screen readers.

Each button gets an objectName (tests and stylesheets find it by that) and an accessible name
(what a screen reader says); the tooltip, shortcut and click handler are optional.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QAbstractButton, QPushButton, QWidget


def make_button(
    text: str,
    name: str,
    accessible: str,
    parent: QWidget,
    *,
    tip: str = "",
    slot: Callable[[], object] | None = None,
    shortcut: str = "",
    auto_default: bool | None = None,
) -> QPushButton:
    button = QPushButton(text, parent)
    button.setObjectName(name)
    button.setAccessibleName(accessible)
    if tip:
        button.setToolTip(tip)
    if shortcut:
        button.setShortcut(QKeySequence(shortcut))
    if slot is not None:
        button.clicked.connect(slot)
    if auto_default is not None:
        button.setAutoDefault(auto_default)
    return button


def set_text_keeping_shortcut(button: QAbstractButton, text: str) -> None:
    """Change a button's label without losing its shortcut.

    ``QAbstractButton.setText`` replaces the shortcut with the new text's Alt+letter, so a
    button whose label changes (Stop's running time, "Finalizing…") would silently drop its
    Ctrl+key; this puts that key back.
    """
    shortcut = button.shortcut()
    button.setText(text)
    if not shortcut.isEmpty() and shortcut != QKeySequence.mnemonic(text):
        button.setShortcut(shortcut)
