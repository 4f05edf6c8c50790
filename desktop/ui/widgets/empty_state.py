"""A calm "nothing here yet — here is what to do" message drawn over an empty list or text area.

An :class:`EmptyState` (icon, title, one or two lines) sits on top of a scroll area's viewport
and shows only while the owner says the content is empty, so the user sees what to do instead
of a blank white box. It lets mouse events and drops through to the view underneath (the
transcript still takes dropped files) and is never focusable: the view keeps the keyboard, and
screen readers get the same words as the view's accessible description.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QAbstractScrollArea, QLabel, QVBoxLayout, QWidget

from desktop.ui import icons, theme


class EmptyState(QWidget):
    """``EmptyState(view, icon, title, body, is_empty)``; call :meth:`refresh` when the content changes."""

    def __init__(
        self,
        view: QAbstractScrollArea,
        icon: str,
        title: str,
        body: str,
        is_empty: Callable[[], bool],
        *,
        name: str = "emptyState",
    ) -> None:
        super().__init__(view.viewport())
        self.setObjectName(name)
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self._view = view
        self._is_empty = is_empty
        self.icon_label = QLabel(self)
        self.icon_label.setObjectName("emptyStateIcon")
        self.icon_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        icons.set_pixmap(self.icon_label, icon, theme.ICON_SIZE_LARGE)
        self.title_label = QLabel(title, self)
        self.title_label.setObjectName("emptyStateTitle")
        self.title_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.title_label.setWordWrap(True)
        self.body_label = QLabel(body, self)
        self.body_label.setObjectName("emptyStateBody")
        self.body_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.body_label.setWordWrap(True)
        self.body_label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(theme.SPACE_XL, theme.SPACE_XL, theme.SPACE_XL, theme.SPACE_XL)
        layout.setSpacing(theme.SPACE_M)
        layout.addStretch(2)
        layout.addWidget(self.icon_label)
        layout.addWidget(self.title_label)
        layout.addWidget(self.body_label)
        layout.addStretch(3)
        view.viewport().installEventFilter(self)
        self._fit()
        self.refresh()

    def set_text(self, title: str, body: str) -> None:
        self.title_label.setText(title)
        self.body_label.setText(body)
        self.refresh()

    def refresh(self) -> None:
        """Show or hide according to ``is_empty()``; the view's description follows."""
        empty = self._is_empty()
        self.setVisible(empty)
        text = f"{self.title_label.text()} {self.body_label.text()}" if empty else ""
        if self._view.accessibleDescription() != text:
            self._view.setAccessibleDescription(text)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if watched is self._view.viewport() and event.type() == QEvent.Type.Resize:
            self._fit()
        return False

    def _fit(self) -> None:
        self.setGeometry(self._view.viewport().rect())
