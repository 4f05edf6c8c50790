"""Live captions over any app: a frameless, always-on-top, translucent window that never gets in the way.

Locked (the default) it is click-through (``WindowTransparentForInput``: clicks reach the app
beneath) and never takes focus (``WindowDoesNotAcceptFocus``, shown without activating), so a
user can keep working in the window under it. Unlocked it can be dragged, resized from its corner,
and its lines, type size and opacity set from its context menu. Where it sits is remembered per
screen (:class:`~desktop.core.captions.prefs.CaptionPrefs`).

The text is in labels rather than painted, so screen readers (AT-SPI, UIA, VoiceOver) read it.
Translucency needs a compositor; without one (bare X servers) the background paints opaque.
On Wayland a client cannot keep itself on top of other apps: :attr:`on_top_supported` says so
and the main window tells the user.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Callable, Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import (
    QAction,
    QActionGroup,
    QColor,
    QGuiApplication,
    QPainter,
    QPaintEvent,
    QTextDocument,
)
from PySide6.QtWidgets import QLabel, QMenu, QSizeGrip, QVBoxLayout

from desktop.core.captions.lines import CaptionLine
from desktop.core.captions.prefs import FONT_RANGE, LINES_CHOICES, CaptionPrefs
from desktop.ui.theme import dark_palette
from desktop.ui.transcript.speaker_colors import speaker_color
from desktop.ui.widgets.drag_move import DragToMove

log = logging.getLogger(__name__)

_BASE_FLAGS = (
    Qt.WindowType.Tool
    | Qt.WindowType.FramelessWindowHint
    | Qt.WindowType.WindowStaysOnTopHint
    | Qt.WindowType.WindowDoesNotAcceptFocus
)
DEFAULT_WIDTH_SHARE = 0.6  # of the screen's width, centred near its bottom


class CaptionOverlay(DragToMove):
    prefs_changed = Signal()
    hide_requested = Signal()

    def __init__(self, prefs: CaptionPrefs, *, max_chars: Callable[[], int] | None = None) -> None:
        super().__init__(None)
        self.setObjectName("captionOverlay")
        self.setWindowTitle("Live captions")
        self.setAccessibleName("Live captions")
        self.prefs = prefs
        self.setAttribute(Qt.WidgetAttribute.WA_TranslucentBackground, True)
        self.setAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating, True)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self._palette = dark_palette()  # captions are light text on a dark band, in either theme
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(18, 10, 18, 10)
        self._layout.setSpacing(2)
        self.line_labels: list[QLabel] = []
        for i in range(max(LINES_CHOICES)):
            label = QLabel(self)
            label.setObjectName(f"captionLine{i + 1}")  # changing text: objectName only
            label.setWordWrap(True)
            label.setTextFormat(Qt.TextFormat.RichText)
            label.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents, True)
            self._layout.addWidget(label)
            self.line_labels.append(label)
        self.grip = QSizeGrip(self)
        self.grip.setObjectName("captionResizeGrip")
        self._layout.addWidget(self.grip, 0, Qt.AlignmentFlag.AlignBottom | Qt.AlignmentFlag.AlignRight)
        self._lines: list[CaptionLine] = []
        self._apply_flags()
        self._apply_style()

    # -- what it shows ------------------------------------------------------------------------
    @property
    def on_top_supported(self) -> bool:
        return QGuiApplication.platformName() != "wayland"

    def show_lines(self, lines: Sequence[CaptionLine]) -> None:
        """Show the last caption lines (final text, the provisional tail dimmed, the translation)."""
        self._lines = list(lines)[-self.prefs.lines :]
        for i, label in enumerate(self.line_labels):
            if i < len(self._lines):
                label.setText(self._line_html(self._lines[i]))
                label.show()
            elif i == 0:  # nothing said yet: say what this is, dimmed
                label.setText('<span style="color:#9a9a9a">Live captions will appear here.</span>')
                label.show()
            else:
                label.clear()
                label.hide()

    def text(self) -> str:
        """What the captions say now, as plain text (screen readers read the labels themselves)."""
        lines = []
        for label in self.line_labels:
            if not label.isHidden() and label.text():
                doc = QTextDocument()
                doc.setHtml(label.text())
                lines.append(doc.toPlainText())
        return "\n".join(lines)

    def _line_html(self, line: CaptionLine) -> str:
        size = self.prefs.font_pt
        name = ""
        if line.speaker is not None and line.speaker_label:
            color = speaker_color(line.speaker, self._palette).name()
            name = f'<span style="color:{color}; font-weight:600">{html.escape(line.speaker_label)}:</span> '
        final = html.escape(line.final)
        provisional = (
            f'<span style="color:#b8b8b8; font-style:italic">{html.escape(line.provisional)}</span>'
            if line.provisional
            else ""
        )
        original = f'<span style="font-size:{size}pt">{name}{final}{provisional}</span>'
        if not line.translation:
            return original
        translation = f'<span style="font-size:{size}pt; color:#ffe9a8">{html.escape(line.translation)}</span>'
        if not self.prefs.show_original:
            return f"{name}{translation}"
        smaller = max(FONT_RANGE[0], int(size * 0.7))
        original = f'<span style="font-size:{smaller}pt; color:#d0d0d0">{name}{final}{provisional}</span>'
        return f"{original}<br>{translation}"

    # -- placement ----------------------------------------------------------------------------
    def place(self) -> None:
        """Put the overlay where it was on this screen, or centred near the bottom."""
        screen = self.screen()
        area = screen.availableGeometry()
        was_locked = self.prefs.locked
        self.prefs.use_screen(screen.name())  # lines, type size, background and lock of this screen
        if self.prefs.locked != was_locked:
            self._apply_flags()
        self._apply_style()
        saved = self.prefs.geometry.get(screen.name())
        if saved is not None:
            x, y, w, h = saved
            if area.intersects(area.__class__(x, y, w, h)):
                self.setGeometry(x, y, max(200, w), max(40, h))
                return
        width = int(area.width() * DEFAULT_WIDTH_SHARE)
        height = self.sizeHint().height() + self.prefs.font_pt * 2 * self.prefs.lines
        self.setGeometry(area.x() + (area.width() - width) // 2, area.bottom() - height - 48, width, height)

    def _remember_geometry(self) -> None:
        screen = self.screen()
        g = self.geometry()
        self.prefs.geometry[screen.name()] = [g.x(), g.y(), g.width(), g.height()]
        self._remember_look()

    def _remember_look(self) -> None:
        self.prefs.remember_screen(self.screen().name())
        self.prefs_changed.emit()

    # -- locking ------------------------------------------------------------------------------
    def set_locked(self, locked: bool) -> None:
        if locked == self.prefs.locked:
            return
        self.prefs.locked = locked
        visible = self.isVisible()
        self._apply_flags()
        if visible:
            self.show()
        self._remember_look()

    def _apply_flags(self) -> None:
        flags = _BASE_FLAGS
        if QGuiApplication.platformName() == "xcb":
            # Without this a window manager frames the window and its frame catches clicks.
            flags |= Qt.WindowType.X11BypassWindowManagerHint
        if self.prefs.locked:
            flags |= Qt.WindowType.WindowTransparentForInput
        self.setWindowFlags(flags)
        self.grip.setVisible(not self.prefs.locked)
        self.setCursor(Qt.CursorShape.ArrowCursor if self.prefs.locked else Qt.CursorShape.SizeAllCursor)

    # -- look ---------------------------------------------------------------------------------
    def set_font_pt(self, size: int) -> None:
        self.prefs.font_pt = min(max(size, FONT_RANGE[0]), FONT_RANGE[1])
        self._apply_style()
        self.show_lines(self._lines)
        self._remember_look()

    def set_opacity(self, opacity: float) -> None:
        self.prefs.opacity = opacity
        self.update()
        self._remember_look()

    def set_show_original(self, on: bool) -> None:
        """With translation: the original above it, smaller (on), or the translation alone (off)."""
        self.prefs.show_original = on
        self.show_lines(self._lines)
        self.prefs_changed.emit()

    def set_line_count(self, lines: int) -> None:
        self.prefs.lines = lines
        self.show_lines(self._lines)
        self._remember_look()

    def _apply_style(self) -> None:
        for label in self.line_labels:
            label.setStyleSheet(f"color: white; font-size: {self.prefs.font_pt}pt;")

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt override
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(0, 0, 0, int(255 * self.prefs.opacity)))
        painter.drawRoundedRect(self.rect(), 12, 12)
        if not self.prefs.locked:
            painter.setPen(QColor(255, 255, 255, 140))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRoundedRect(self.rect().adjusted(1, 1, -1, -1), 12, 12)

    # -- moving (unlocked) ----------------------------------------------------------------------
    def drag_allowed(self) -> bool:
        return not self.prefs.locked

    def drag_ended(self) -> None:
        self._remember_geometry()

    def resizeEvent(self, event: object) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)  # type: ignore[arg-type]
        if self.isVisible() and not self.prefs.locked:
            self._remember_geometry()

    def contextMenuEvent(self, event: object) -> None:  # noqa: N802 - Qt override
        menu = self.build_menu()
        menu.exec(event.globalPos())  # type: ignore[attr-defined]

    def build_menu(self) -> QMenu:
        """Lock, lines, type size, opacity and hide: what the unlocked overlay offers on right-click."""
        menu = QMenu(self)
        menu.setObjectName("captionMenu")
        lock = menu.addAction("&Lock (clicks pass through)")
        lock.setObjectName("captionLockAction")
        lock.setCheckable(True)
        lock.setChecked(self.prefs.locked)
        lock.toggled.connect(self.set_locked)
        lines = menu.addMenu("Li&nes")
        group = QActionGroup(lines)
        for count in LINES_CHOICES:
            action = QAction(str(count), lines, checkable=True, checked=count == self.prefs.lines)
            action.setObjectName(f"captionLines{count}Action")
            action.triggered.connect(lambda _c=False, n=count: self.set_line_count(n))
            group.addAction(action)
            lines.addAction(action)
        bigger = menu.addAction("La&rger text")
        bigger.setObjectName("captionLargerAction")
        bigger.triggered.connect(lambda: self.set_font_pt(self.prefs.font_pt + 2))
        smaller = menu.addAction("&Smaller text")
        smaller.setObjectName("captionSmallerAction")
        smaller.triggered.connect(lambda: self.set_font_pt(self.prefs.font_pt - 2))
        opacity = menu.addMenu("&Background")
        for share in (0.4, 0.6, 0.75, 0.9):
            action = opacity.addAction(f"{int(share * 100)} %")
            action.setCheckable(True)
            action.setChecked(abs(share - self.prefs.opacity) < 0.01)
            action.triggered.connect(lambda _c=False, s=share: self.set_opacity(s))
        original = menu.addAction("Show the &original above the translation")
        original.setObjectName("captionShowOriginalAction")
        original.setCheckable(True)
        original.setChecked(self.prefs.show_original)
        original.toggled.connect(self.set_show_original)
        menu.addSeparator()
        hide = menu.addAction("&Hide captions")
        hide.setObjectName("captionHideAction")
        hide.triggered.connect(self.hide_requested)
        return menu
