"""Small builders for the jobs panel's context-menu actions and icon buttons.

Kept out of the panel so it holds layout and wiring only; each builder names what it makes
(objectName, accessible name) so tests and screen readers can find it.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QToolButton, QWidget

from desktop.ui import icons


def make_action(
    text: str,
    name: str,
    slot: Callable[[], object],
    shortcut: QKeySequence | QKeySequence.StandardKey | Qt.Key | str | None,
    owner: QWidget,
) -> QAction:
    """An action on ``owner`` (its context menu), with a shortcut that works while it has focus."""
    action = QAction(text, owner)
    action.setObjectName(name)
    if shortcut is not None:
        action.setShortcut(QKeySequence(shortcut))
        action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
    action.triggered.connect(slot)
    owner.addAction(action)
    return action


def make_icon_button(icon: str, tip: str, name: str, action: QAction, parent: QWidget) -> QToolButton:
    """A flat icon-only button that triggers ``action``; its accessible name is the tip's first part.

    ``icon`` names one of the app's SVG icons (``resources/icons/ui``), tinted to the palette.
    """
    button = QToolButton(parent)
    button.setObjectName(name)
    action.setToolTip(tip)
    button.setDefaultAction(action)
    icons.set_icon(button, icon)
    button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonIconOnly)
    button.setAccessibleName(tip.split(" (")[0])
    button.setAutoRaise(True)
    return button


def add_separator(owner: QWidget) -> None:
    separator = QAction(owner)
    separator.setSeparator(True)
    owner.addAction(separator)
