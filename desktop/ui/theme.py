"""Follow the operating system's light or dark appearance, with one stylesheet and named sizes.

Qt 6.5+ reports the OS colour scheme through ``QStyleHints.colorScheme``. Windows' native style
ignores dark mode, so there the app switches to Fusion with a dark palette; macOS and Linux
platform themes already hand Qt the right palette. Widgets derive their colours from the palette
(never hard-coded black/white), so a change at run time repaints correctly.

Spacing and type sizes are the few named constants below, used by the layouts in code and
substituted into ``resources/style.qss`` (``$name`` placeholders), so every panel uses the same
steps instead of each picking its own numbers.
"""

from __future__ import annotations

import sys
from string import Template

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication

from desktop.ui.resources import app_icon
from desktop.ui.resources import stylesheet as raw_stylesheet

#: Spacing steps (pixels): between related controls, between groups, around a panel's content.
SPACE_S = 4
SPACE_M = 8
SPACE_L = 16
SPACE_XL = 24
#: Corner radius of buttons and panels that draw their own frame.
RADIUS = 6
#: Type sizes relative to the platform's default font (points added to it).
TITLE_DELTA_PT = 5
HEADING_DELTA_PT = 2
SMALL_DELTA_PT = -1
#: Icon sizes (logical pixels): in buttons, and large in empty states.
ICON_SIZE = 16
ICON_SIZE_LARGE = 40
#: The primary action's height, so Start/Stop reads as *the* button of the window.
PRIMARY_HEIGHT = 34
#: Stop's colour: a red that keeps white text readable (contrast 5.4:1) on light and dark windows.
DANGER = "#c0392b"
DANGER_TEXT = "#ffffff"


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
    pal.setColor(QPalette.ColorRole.Light, QColor(70, 70, 75))
    pal.setColor(QPalette.ColorRole.Midlight, QColor(60, 60, 64))
    pal.setColor(QPalette.ColorRole.Mid, QColor(45, 45, 48))
    pal.setColor(QPalette.ColorRole.Dark, QColor(20, 20, 22))
    pal.setColor(QPalette.ColorRole.Shadow, QColor(0, 0, 0))
    for role in (QPalette.ColorRole.Text, QPalette.ColorRole.WindowText, QPalette.ColorRole.ButtonText):
        pal.setColor(QPalette.ColorGroup.Disabled, role, QColor(120, 120, 125))
    pal.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Button, QColor(44, 44, 48))
    return pal


def light_palette() -> QPalette:
    """Fusion's light palette with the same accent as the dark one (used where the app picks Fusion)."""
    pal = QPalette(QColor(239, 239, 241), QColor(246, 246, 248))
    pal.setColor(QPalette.ColorRole.Base, QColor(255, 255, 255))
    pal.setColor(QPalette.ColorRole.AlternateBase, QColor(245, 245, 247))
    pal.setColor(QPalette.ColorRole.Text, QColor(28, 28, 30))
    pal.setColor(QPalette.ColorRole.WindowText, QColor(28, 28, 30))
    pal.setColor(QPalette.ColorRole.ButtonText, QColor(28, 28, 30))
    pal.setColor(QPalette.ColorRole.PlaceholderText, QColor(110, 110, 115))
    pal.setColor(QPalette.ColorRole.Highlight, QColor(45, 95, 215))
    pal.setColor(QPalette.ColorRole.HighlightedText, QColor(255, 255, 255))
    pal.setColor(QPalette.ColorRole.Link, QColor(35, 85, 200))
    for role in (QPalette.ColorRole.Text, QPalette.ColorRole.WindowText, QPalette.ColorRole.ButtonText):
        pal.setColor(QPalette.ColorGroup.Disabled, role, QColor(150, 150, 155))
    return pal


def sizes() -> dict[str, str]:
    """The named sizes as stylesheet values (``$space_m`` → ``8px``)."""
    return {
        "space_s": f"{SPACE_S}px",
        "space_m": f"{SPACE_M}px",
        "space_l": f"{SPACE_L}px",
        "space_xl": f"{SPACE_XL}px",
        "radius": f"{RADIUS}px",
        "primary_height": f"{PRIMARY_HEIGHT}px",
        "danger": DANGER,
        "danger_text": DANGER_TEXT,
    }


def font_size(delta_pt: int) -> str:
    """An absolute point size ``delta_pt`` away from the application's default font."""
    base = QGuiApplication.font().pointSizeF() if QGuiApplication.instance() is not None else 10.0
    return f"{max(base + delta_pt, 6.0):g}pt"


def frame_color(palette: QPalette | None = None, t: float = 0.22) -> QColor:
    """Panel borders: the text colour ``t`` of the way over the window, visible in light and dark."""
    pal = palette or QGuiApplication.palette()
    window, text = pal.color(QPalette.ColorRole.Window), pal.color(QPalette.ColorRole.WindowText)
    return QColor.fromRgbF(
        window.redF() + (text.redF() - window.redF()) * t,
        window.greenF() + (text.greenF() - window.greenF()) * t,
        window.blueF() + (text.blueF() - window.blueF()) * t,
    )


def stylesheet(palette: QPalette | None = None) -> str:
    """``resources/style.qss`` with the named sizes (and the palette's frame colour) filled in."""
    values = sizes() | {
        "frame": frame_color(palette).name(),
        "muted": frame_color(palette, 0.5).name(),
        "title_pt": font_size(TITLE_DELTA_PT),
        "heading_pt": font_size(HEADING_DELTA_PT),
        "small_pt": font_size(SMALL_DELTA_PT),
    }
    return Template(raw_stylesheet()).substitute(values)


def apply_theme(app: QApplication) -> None:
    app.setWindowIcon(app_icon())
    _apply_scheme(app)
    hints = QGuiApplication.styleHints()
    if hasattr(hints, "colorSchemeChanged"):
        hints.colorSchemeChanged.connect(lambda _scheme: _apply_scheme(app))
    app.paletteChanged.connect(lambda _palette: _restyle(app))  # the platform theme's own switch
    app.setStyleSheet(stylesheet())


def _restyle(app: QApplication) -> None:
    """The frame colour follows the palette: re-fill the stylesheet after a light/dark switch."""
    sheet = stylesheet(app.palette())
    if app.styleSheet() != sheet:
        app.setStyleSheet(sheet)


def _apply_scheme(app: QApplication) -> None:
    if sys.platform == "win32":
        if is_dark():
            app.setStyle("Fusion")
            app.setPalette(dark_palette())
        else:
            app.setPalette(app.style().standardPalette())
    if app.styleSheet():
        _restyle(app)


def force_scheme(app: QApplication, dark: bool) -> None:
    """Show the app in Fusion's light or dark palette whatever the OS says (screenshots, tests)."""
    app.setStyle("Fusion")
    hints = QGuiApplication.styleHints()
    if hasattr(hints, "setColorScheme"):
        hints.setColorScheme(Qt.ColorScheme.Dark if dark else Qt.ColorScheme.Light)
    app.setPalette(dark_palette() if dark else light_palette())
    _restyle(app)
