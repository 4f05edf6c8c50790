"""The one way the app makes a push button, so every button is named for tests and screen readers.

Each button gets an objectName (tests and stylesheets find it by that) and an accessible name
(what a screen reader says); the tooltip, shortcut and click handler are optional.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QPushButton, QWidget


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
