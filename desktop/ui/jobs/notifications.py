"""In-panel notices: job finished or failed, retries in progress, files refused, errors.

Notices stack at the top of the panel (newest first, a few at most). Information fades after a
while; errors stay until dismissed, because an error the user did not see is an error dropped.
Each notice may carry one action ("Open", "Retry"). Colours come from the palette's tooltip
roles and the level is shown by the platform's standard icon, so light and dark themes both
read well.
"""

from __future__ import annotations

import enum
from collections.abc import Callable

from PySide6.QtCore import QTimer, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QStyle,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop.core.errors import UserError

MAX_NOTICES = 4


class Level(enum.Enum):
    INFO = "info"
    WARNING = "warning"
    ERROR = "error"


_ICONS = {
    Level.INFO: QStyle.StandardPixmap.SP_MessageBoxInformation,
    Level.WARNING: QStyle.StandardPixmap.SP_MessageBoxWarning,
    Level.ERROR: QStyle.StandardPixmap.SP_MessageBoxCritical,
}


class Notice(QFrame):
    """One notice: icon, text, an optional action button and a close button."""

    closed = Signal()

    def __init__(
        self,
        text: str,
        level: Level,
        parent: QWidget | None = None,
        *,
        key: str = "",
        action: tuple[str, Callable[[], None]] | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("jobsNotice")
        self.setProperty("level", level.value)
        self.level = level
        self.key = key
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAutoFillBackground(True)
        self.setBackgroundRole(self.palette().ColorRole.ToolTipBase)
        self.setForegroundRole(self.palette().ColorRole.ToolTipText)

        icon = QLabel(self)
        icon.setObjectName("jobsNoticeIcon")
        size = self.style().pixelMetric(QStyle.PixelMetric.PM_SmallIconSize)
        icon.setPixmap(self.style().standardIcon(_ICONS[level]).pixmap(size, size))
        self.label = QLabel(text, self)
        self.label.setObjectName("jobsNoticeText")
        self.label.setWordWrap(True)
        self.label.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.label.setForegroundRole(self.palette().ColorRole.ToolTipText)

        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 4, 4, 4)
        layout.addWidget(icon)
        layout.addWidget(self.label, 1)
        self.action_button: QPushButton | None = None
        if action is not None:
            label, callback = action
            self.action_button = QPushButton(label, self)
            self.action_button.setObjectName("jobsNoticeAction")
            self.action_button.setAccessibleName(label.replace("&", ""))
            self.action_button.clicked.connect(lambda _checked=False: callback())
            self.action_button.clicked.connect(self.dismiss)
            layout.addWidget(self.action_button)
        self.close_button = QToolButton(self)
        self.close_button.setObjectName("jobsNoticeClose")
        self.close_button.setAccessibleName("Dismiss notice")
        self.close_button.setToolTip("Dismiss")
        self.close_button.setText("×")
        self.close_button.setAutoRaise(True)
        self.close_button.clicked.connect(self.dismiss)
        layout.addWidget(self.close_button)

    @property
    def text(self) -> str:
        return self.label.text()

    def resizeEvent(self, event: QResizeEvent) -> None:
        # A wrapped label in a narrow dock is laid out from its one-line size hint and gets
        # clipped; pinning its minimum to the height it needs at its real width fixes that.
        super().resizeEvent(event)
        needed = self.label.heightForWidth(self.label.width())
        if needed > 0 and needed != self.label.minimumHeight():
            self.label.setMinimumHeight(needed)

    def set_text(self, text: str) -> None:
        self.label.setText(text)

    def dismiss(self) -> None:
        self.hide()
        self.closed.emit()
        self.deleteLater()


class NotificationArea(QWidget):
    """A stack of :class:`Notice` s; ``post`` with a ``key`` replaces the earlier notice of that key."""

    posted = Signal(str, str)  # level, text — for a status bar or tray to mirror
    posted_with_action = Signal(str, str, object)  # and the notice's (label, callback) or None

    def __init__(self, parent: QWidget | None = None, *, info_timeout_ms: int = 10_000) -> None:
        super().__init__(parent)
        self.setObjectName("jobsNotifications")
        self.info_timeout_ms = info_timeout_ms
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setSpacing(4)
        self._notices: list[Notice] = []
        self.hide()

    @property
    def notices(self) -> list[Notice]:
        return [n for n in self._notices if not n.isHidden()]

    def texts(self) -> list[str]:
        return [n.text for n in self.notices]

    def post(
        self,
        text: str,
        level: Level = Level.INFO,
        *,
        key: str = "",
        action: tuple[str, Callable[[], None]] | None = None,
        timeout_ms: int | None = None,
    ) -> Notice:
        if key:
            for old in list(self._notices):
                if old.key == key:
                    self._remove(old)
                    old.dismiss()
        notice = Notice(text, level, self, key=key, action=action)
        notice.closed.connect(lambda n=notice: self._remove(n))
        self._notices.insert(0, notice)
        self._layout.insertWidget(0, notice)
        while len(self._notices) > MAX_NOTICES:
            oldest = self._notices[-1]
            self._remove(oldest)
            oldest.dismiss()
        self.show()
        timeout = timeout_ms if timeout_ms is not None else (self.info_timeout_ms if level is Level.INFO else 0)
        if timeout > 0:
            QTimer.singleShot(timeout, notice, notice.dismiss)
        self.posted.emit(level.value, text)
        self.posted_with_action.emit(level.value, text, action)
        return notice

    def post_error(
        self,
        error: UserError,
        *,
        context: str = "",
        key: str = "",
        action: tuple[str, Callable[[], None]] | None = None,
    ) -> Notice:
        """An error as the user reads it: what failed, the service's words, what to do."""
        lead = f"{context}: " if context else ""
        text = f"{lead}{error.title}. {error.message} {error.action}".strip()
        return self.post(text, Level.ERROR, key=key, action=action)

    def clear_key(self, key: str) -> None:
        for notice in list(self._notices):
            if notice.key == key:
                self._remove(notice)
                notice.dismiss()

    def _remove(self, notice: Notice) -> None:
        if notice in self._notices:
            self._notices.remove(notice)
        if not self._notices:
            self.hide()
