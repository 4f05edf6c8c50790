"""Follow the operating system's light or dark appearance.

Qt 6.5+ reports the OS colour scheme through ``QStyleHints.colorScheme``. Windows' native style
ignores dark mode, so there the app switches to Fusion with a dark palette; macOS and Linux
platform themes already hand Qt the right palette. Widgets derive their colours from the palette
(never hard-coded black/white), so a change at run time repaints correctly.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication

from desktop.ui.resources import app_icon, stylesheet


def is_dark(palette: QPalette | None = None) -> bool:
    hints = QGuiApplication.styleHints()
    scheme = hints.colorScheme() if hasattr(hints, "colorScheme") else Qt.ColorScheme.Unknown
    if scheme == Qt.ColorScheme.Dark:
        return True
    if scheme == Qt.ColorScheme.Light:
        return False
    pal = palette or QGuiApplication.palette()
    return pal.color(QPalette.ColorRole.Window).lightness() < 128


def dark_palette() -> QPalette:
    pal = QPalette()
    window, base, text = QColor(37, 37, 40), QColor(28, 28, 30), QColor(230, 230, 232)
    pal.setColor(QPalette.ColorRole.Window, window)
    pal.setColor(QPalette.ColorRole.WindowText, text)
    pal.setColor(QPalette.ColorRole.Base, base)
    pal.setColor(QPalette.ColorRole.AlternateBase, QColor(44, 44, 48))
    pal.setColor(QPalette.ColorRole.Text, text)
    pal.setColor(QPalette.ColorRole.Button, QColor(50, 50, 54))
    pal.setColor(QPalette.ColorRole.ButtonText, text)
    pal.setColor(QPalette.ColorRole.ToolTipBase, QColor(50, 50, 54))
    pal.setColor(QPalette.ColorRole.ToolTipText, text)
    pal.setColor(QPalette.ColorRole.PlaceholderText, QColor(150, 150, 155))
    pal.setColor(QPalette.ColorRole.Highlight, QColor(64, 110, 230))
    pal.setColor(QPalette.ColorRole.HighlightedText, QColor(255, 255, 255))
    pal.setColor(QPalette.ColorRole.Link, QColor(120, 160, 255))
    for role in (QPalette.ColorRole.Text, QPalette.ColorRole.WindowText, QPalette.ColorRole.ButtonText):
        pal.setColor(QPalette.ColorGroup.Disabled, role, QColor(120, 120, 125))
    return pal


def apply_theme(app: QApplication) -> None:
    app.setWindowIcon(app_icon())
    _apply_scheme(app)
    hints = QGuiApplication.styleHints()
    if hasattr(hints, "colorSchemeChanged"):
        hints.colorSchemeChanged.connect(lambda _scheme: _apply_scheme(app))
    app.setStyleSheet(stylesheet())


def _apply_scheme(app: QApplication) -> None:
    if sys.platform == "win32":
        if is_dark():
            app.setStyle("Fusion")
            app.setPalette(dark_palette())
        else:
            app.setPalette(app.style().standardPalette())
