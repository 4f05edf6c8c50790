"""The floating dictation indicator: a small dark pill near the bottom of the screen.

It shows that the microphone is live (a red dot, "Listening", the level), the provisional words
as they come, then "Finishing…", and goes away once the text is in. Errors and "copied to the
clipboard" messages stay a few seconds. It must never take the keyboard focus from the app the
words go to, so it is a frameless tool window that does not accept focus and is shown without
activating (on X11 it also bypasses the window manager, which would otherwise frame it and could
focus it). It can be dragged; where it was left is remembered in ``ui_state``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QPoint, QRect, QRectF, Qt, QTimer
from PySide6.QtGui import (
    QColor,
    QGuiApplication,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QRegion,
    QResizeEvent,
)
from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

from desktop.audio.levels import FLOOR_DB
from desktop.core.dictation.types import DictationState
from desktop.core.settings import SettingsStore
from desktop.ui.widgets.drag_move import DragToMove

#: ui_state key: "x,y" of the indicator's top-left where the user dragged it.
POSITION_KEY = "dictation_indicator_pos"
MESSAGE_S = 4.0  # how long an error or a clipboard notice stays
WORDS_CHARS = 90  # the provisional words shown: the end of what was said
MIN_DB = -60.0
STALE_S = 0.5

_FLAGS = (
    Qt.WindowType.Tool
    | Qt.WindowType.FramelessWindowHint
    | Qt.WindowType.WindowStaysOnTopHint
    | Qt.WindowType.WindowDoesNotAcceptFocus
)
_DOT = {
    DictationState.CONNECTING: QColor(222, 155, 20),
    DictationState.LISTENING: QColor(229, 57, 53),
    DictationState.FINISHING: QColor(120, 144, 156),
    DictationState.ERROR: QColor(255, 183, 77),
    DictationState.IDLE: QColor(76, 175, 80),
}
_TEXT = {
    DictationState.CONNECTING: "Connecting…",
    DictationState.LISTENING: "Listening",
    DictationState.FINISHING: "Finishing…",
}


class _Level(QWidget):
    """A thin level bar (rms solid, peak translucent) that follows the microphone."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("dictationLevel")
        self.setFixedSize(64, 6)
        self.peak_db = FLOOR_DB
        self.rms_db = FLOOR_DB

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt override
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QColor(255, 255, 255, 40))
        p.drawRoundedRect(QRectF(self.rect()), 3, 3)
        for db, alpha in ((self.peak_db, 110), (self.rms_db, 255)):
            frac = min(1.0, max(0.0, (db - MIN_DB) / -MIN_DB))
            if frac > 0:
                p.setBrush(QColor(129, 199, 132, alpha))
                p.drawRoundedRect(QRectF(0, 0, self.width() * frac, self.height()), 3, 3)
        p.end()


class DictationIndicator(DragToMove):
    def __init__(self, settings_store: SettingsStore | None = None, *, clock: Callable[[], float] = time.monotonic):
        super().__init__(None)
        self.setObjectName("dictationIndicator")
        self.setWindowTitle("Dictation")
        self.setAccessibleName("Dictation")
        self._store = settings_store
        self._clock = clock
        flags = _FLAGS
        if QGuiApplication.platformName() == "xcb":
            flags |= Qt.WindowType.X11BypassWindowManagerHint
        self.setWindowFlags(flags)
        self.setAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating, True)
        self.setAttribute(Qt.WidgetAttribute.WA_TranslucentBackground, True)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setCursor(Qt.CursorShape.SizeAllCursor)
        self.setToolTip("Dictation: drag to move")

        self.state = DictationState.IDLE
        self._dot = _DOT[DictationState.IDLE]
        self.status_label = QLabel(self)
        self.status_label.setObjectName("dictationStatus")
        self.level = _Level(self)
        self.words_label = QLabel(self)
        self.words_label.setObjectName("dictationWords")
        self.words_label.setWordWrap(False)
        self.words_label.setTextFormat(Qt.TextFormat.RichText)
        for label in (self.status_label, self.words_label):
            label.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents, True)
        self.status_label.setStyleSheet("color: white; font-weight: 600;")
        self.words_label.setStyleSheet("color: #e0e0e0;")

        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.setSpacing(10)
        top.addSpacing(14)  # the state dot is painted here
        top.addWidget(self.status_label, 1)
        top.addWidget(self.level, 0, Qt.AlignmentFlag.AlignVCenter)
        box = self._box = QVBoxLayout(self)
        box.setContentsMargins(16, 10, 16, 10)
        box.setSpacing(4)
        box.addLayout(top)
        box.addWidget(self.words_label)
        self.setFixedWidth(420)

        self._source: Any = None
        self._meter = QTimer(self)
        self._meter.setInterval(33)
        self._meter.timeout.connect(self._poll_levels)
        self._hide_timer = QTimer(self)
        self._hide_timer.setSingleShot(True)
        self._hide_timer.timeout.connect(self.hide)
        self._placed = False
        self._set_words("", "")

    # -- what it shows ------------------------------------------------------------------------
    def show_state(self, state: DictationState, detail: str = "") -> None:
        """Follow the service: shown while busy, hidden when idle, an error stays a few seconds."""
        self.state = state
        self._dot = _DOT[state]
        if state in _TEXT:
            self._hide_timer.stop()
            self.status_label.setText(_TEXT[state])
            self.setAccessibleDescription(_TEXT[state])
            if state is DictationState.CONNECTING:
                self._set_words("", "")
            self.level.setVisible(state is not DictationState.FINISHING)
            self._appear()
        elif state is DictationState.ERROR:
            self.show_message(detail or "Dictation stopped.", error=True)
        else:  # idle: the text is in
            self.follow_levels(None)
            if not self._hide_timer.isActive():
                self.hide()
        self.update()

    def show_message(self, text: str, *, error: bool = False) -> None:
        """A notice that stays ``MESSAGE_S`` (an error, or "copied to the clipboard")."""
        self._dot = _DOT[DictationState.ERROR] if error else QColor(100, 181, 246)
        self.status_label.setText("Dictation stopped" if error else "Dictation")
        self.words_label.setWordWrap(True)
        self.words_label.setText(_escape(text))
        self.setAccessibleDescription(text)
        self.level.hide()
        self.follow_levels(None)
        self._appear()
        self._hide_timer.start(int(MESSAGE_S * 1000))
        self.update()

    def set_words(self, final: str, provisional: str) -> None:
        if self.state in (DictationState.LISTENING, DictationState.FINISHING, DictationState.CONNECTING):
            self._set_words(final, provisional)

    def _set_words(self, final: str, provisional: str) -> None:
        self.words_label.setWordWrap(False)
        text = (final + (" " if final and provisional else "") + provisional).strip()
        self.words_text = text
        if not text:
            self.words_label.setText('<span style="color:#9e9e9e">Speak now…</span>')
            return
        if len(text) > WORDS_CHARS:  # the end of what was said is what matters
            cut = len(text) - WORDS_CHARS
            final, provisional = final[cut:] if cut < len(final) else "", provisional[max(0, cut - len(final)) :]
            final = "…" + final if final else final
            provisional = provisional if final else "…" + provisional
        sep = " " if final and provisional else ""
        self.words_label.setText(f"{_escape(final)}{sep}<i style='color:#bdbdbd'>{_escape(provisional)}</i>")

    # -- level ----------------------------------------------------------------------------------
    def follow_levels(self, source: Any) -> None:
        """Follow a microphone capture's ``levels()`` (None: stop)."""
        self._source = source if source is not None and hasattr(source, "levels") else None
        if self._source is not None:
            self._meter.start()
        else:
            self._meter.stop()
            self.level.peak_db = self.level.rms_db = FLOOR_DB
            self.level.update()

    def _poll_levels(self) -> None:
        levels = getattr(self._source, "levels", None)
        reading = levels() if callable(levels) else levels  # MicrophoneCapture: a property
        if reading is None or time.monotonic() - reading.at > STALE_S:
            peak, rms = FLOOR_DB, FLOOR_DB
        else:
            peak, rms = reading.peak_db, reading.rms_db
        self.level.peak_db, self.level.rms_db = peak, rms
        self.level.update()

    # -- placing ---------------------------------------------------------------------------------
    def _appear(self) -> None:
        self._fit()
        if not self._placed or not self.isVisible():
            self.place()
        if not self.isVisible():
            self.show()  # WA_ShowWithoutActivating: the focused app keeps the keyboard
        self.raise_()

    def _fit(self) -> None:
        """Height for the text now (a wrapped message is taller), keeping the bottom edge where it
        was, so the pill grows upwards from where the user looks."""
        layout = self._box
        layout.activate()
        height = layout.totalHeightForWidth(self.width())
        if height <= 0:
            height = layout.totalSizeHint().height()
        if height == self.height():
            return
        bottom = self.geometry().bottom()
        self.setFixedHeight(height)
        if self.isVisible():
            self.move(self.x(), bottom - height + 1)

    def place(self) -> None:
        """Where the user left it (if that is still on a screen), else bottom centre."""
        self._placed = True
        screen = QGuiApplication.screenAt(self._cursor_pos()) or QGuiApplication.primaryScreen()
        area = screen.availableGeometry()
        saved = self._store.ui_str(POSITION_KEY) if self._store is not None else ""
        try:
            x, y = (int(v) for v in saved.split(","))
            if any(s.availableGeometry().intersects(QRect(x, y, self.width(), self.height())) for s in _screens()):
                self.move(x, y)
                return
        except ValueError:
            pass
        self.move(area.x() + (area.width() - self.width()) // 2, area.bottom() - self.height() - 72)

    @staticmethod
    def _cursor_pos() -> QPoint:
        from PySide6.QtGui import QCursor

        return QCursor.pos()

    def drag_ended(self) -> None:
        self._remember_position()

    def _remember_position(self) -> None:
        if self._store is None:
            return
        self._store.settings.ui_state[POSITION_KEY] = f"{self.x()},{self.y()}"
        try:
            self._store.save()
        except OSError:
            pass

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        # Without a compositing window manager the translucent corners would show black: shape
        # the window itself to the pill.
        path = QPainterPath()
        path.addRoundedRect(QRectF(self.rect()), 14, 14)
        self.setMask(QRegion(path.toFillPolygon().toPolygon()))

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt override
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QColor(28, 28, 30, 235))
        p.drawRoundedRect(QRectF(self.rect()), 14, 14)
        p.setPen(QColor(255, 255, 255, 50))
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.drawRoundedRect(QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5), 14, 14)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(self._dot)
        centre_y = self.status_label.geometry().center().y()
        p.drawEllipse(QRectF(16, centre_y - 5, 10, 10))
        p.end()


def _screens() -> list[Any]:
    return list(QGuiApplication.screens())


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
