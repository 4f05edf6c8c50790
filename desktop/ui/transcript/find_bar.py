"""The Ctrl+F bar of the transcript: search box, previous/next, "3 of 12", Escape closes.

Matching runs on the document's plain text (one character per QTextDocument position, block
separators included), with Python's case-insensitive regex, which folds case character by
character and so keeps positions aligned. Highlights are QTextEdit extra selections: they are
painted, not written into the document, so the transcript's own formats stay untouched.
"""

from __future__ import annotations

import re

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut, QTextCharFormat, QTextCursor, QTextDocument
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QTextEdit, QToolButton, QWidget

from desktop.ui.transcript.speaker_colors import TranscriptStyles

#: More highlights than this are not painted (the count stays exact); painting is per frame.
MAX_HIGHLIGHTS = 2000


class FindBar(QWidget):
    """Searches a QTextEdit; the owner shows it with :meth:`open` and refreshes it on new text."""

    closed = Signal()

    def __init__(self, editor: QTextEdit, styles: TranscriptStyles, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("transcriptFindBar")
        self._editor = editor
        self._styles = styles
        self._matches: list[tuple[int, int]] = []
        self._current = -1

        self.edit = QLineEdit(self)
        self.edit.setObjectName("findEdit")
        self.edit.setAccessibleName("Find in transcript")
        self.edit.setPlaceholderText("Find in transcript")
        self.edit.setClearButtonEnabled(True)
        self.edit.textChanged.connect(self._on_query_changed)
        self.edit.installEventFilter(self)

        self.previous_button = self._tool_button("findPreviousButton", "▲", "Previous match (Shift+F3)")
        self.previous_button.clicked.connect(self.find_previous)
        self.next_button = self._tool_button("findNextButton", "▼", "Next match (F3)")
        self.next_button.clicked.connect(self.find_next)

        self.count_label = QLabel(self)
        self.count_label.setObjectName("findCountLabel")
        self.count_label.setMinimumWidth(self.fontMetrics().horizontalAdvance("9999 of 9999"))

        self.close_button = self._tool_button("findCloseButton", "✕", "Close the find bar (Esc)")
        self.close_button.clicked.connect(self.close_bar)

        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 2, 4, 2)
        layout.addWidget(self.edit, 1)
        layout.addWidget(self.previous_button)
        layout.addWidget(self.next_button)
        layout.addWidget(self.count_label)
        layout.addWidget(self.close_button)

        for keys, slot in (
            (QKeySequence.StandardKey.FindNext, self.find_next),
            (QKeySequence.StandardKey.FindPrevious, self.find_previous),
        ):
            shortcut = QShortcut(keys, self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(slot)

        # New transcript text arrives many times a second; re-search at most a few times a second.
        self._refresh_timer = QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.setInterval(250)
        self._refresh_timer.timeout.connect(self.refresh)
        self.hide()

    def _tool_button(self, name: str, text: str, tip: str) -> QToolButton:
        button = QToolButton(self)
        button.setObjectName(name)
        button.setText(text)
        button.setToolTip(tip)
        button.setAccessibleName(tip.split(" (")[0])
        button.setAutoRaise(True)
        return button

    # ------------------------------------------------------------------------------ public
    @property
    def match_count(self) -> int:
        return len(self._matches)

    @property
    def current_index(self) -> int:
        return self._current

    @property
    def matches(self) -> list[tuple[int, int]]:
        return list(self._matches)

    def open(self) -> None:
        """Show the bar, seeded with the editor's selection if it is a single line."""
        selected = self._editor.textCursor().selectedText()
        if selected and "\u2029" not in selected and len(selected) < 100:
            self.edit.setText(selected)
        self.show()
        self.edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.edit.selectAll()
        self.refresh()

    def close_bar(self) -> None:
        self.hide()
        self._matches = []
        self._current = -1
        self._editor.setExtraSelections([])
        self._editor.setFocus(Qt.FocusReason.OtherFocusReason)
        self.closed.emit()

    def schedule_refresh(self) -> None:
        if self.isVisible() and self.edit.text() and not self._refresh_timer.isActive():
            self._refresh_timer.start()

    def set_styles(self, styles: TranscriptStyles) -> None:
        self._styles = styles
        self._highlight()

    def refresh(self) -> None:
        """Search again, keeping the current match where it was if it still exists."""
        previous = self._matches[self._current][0] if 0 <= self._current < len(self._matches) else None
        self._search()
        if previous is not None and self._matches:
            self._current = next(
                (i for i, (start, _n) in enumerate(self._matches) if start >= previous),
                len(self._matches) - 1,
            )
        self._highlight(move=False)

    def find_next(self) -> None:
        self._step(1)

    def find_previous(self) -> None:
        self._step(-1)

    # ----------------------------------------------------------------------------- internals
    def _on_query_changed(self, _text: str) -> None:
        self._search()
        if self._matches:
            # Start from the caret so typing jumps to the nearest following match.
            caret = self._editor.textCursor().selectionStart()
            self._current = next((i for i, (s, _n) in enumerate(self._matches) if s >= caret), 0)
        self._highlight(move=True)

    def _search(self) -> None:
        query = self.edit.text()
        self._current = -1
        if not query:
            self._matches = []
            return
        text = self._editor.document().toPlainText()
        pattern = re.compile(re.escape(query), re.IGNORECASE)
        self._matches = [(m.start(), m.end() - m.start()) for m in pattern.finditer(text)]
        if self._matches:
            self._current = 0

    def _step(self, direction: int) -> None:
        if not self.isVisible():
            self.open()
            return
        if not self._matches:
            self._search()
        if not self._matches:
            self._highlight()
            return
        self._current = (self._current + direction) % len(self._matches)
        self._highlight(move=True)

    def _highlight(self, *, move: bool = False) -> None:
        styles = self._styles
        selections: list[QTextEdit.ExtraSelection] = []
        doc = self._editor.document()
        all_fmt = QTextCharFormat()
        all_fmt.setBackground(styles.match_bg)
        current_fmt = QTextCharFormat()
        current_fmt.setBackground(styles.current_match_bg)
        current_fmt.setForeground(styles.current_match_fg)
        shown = self._matches[:MAX_HIGHLIGHTS]
        for i, (start, length) in enumerate(shown):
            if i == self._current:
                continue
            selections.append(self._selection(doc, start, length, all_fmt))
        if 0 <= self._current < len(self._matches):
            start, length = self._matches[self._current]
            selections.append(self._selection(doc, start, length, current_fmt))
            if move:
                cursor = QTextCursor(doc)
                cursor.setPosition(start)
                cursor.setPosition(start + length, QTextCursor.MoveMode.KeepAnchor)
                self._editor.setTextCursor(cursor)
                self._editor.ensureCursorVisible()
        self._editor.setExtraSelections(selections)
        if not self.edit.text():
            self.count_label.setText("")
        elif not self._matches:
            self.count_label.setText("No matches")
        else:
            self.count_label.setText(f"{self._current + 1} of {len(self._matches)}")

    @staticmethod
    def _selection(doc: QTextDocument, start: int, length: int, fmt: QTextCharFormat) -> QTextEdit.ExtraSelection:
        selection = QTextEdit.ExtraSelection()
        cursor = QTextCursor(doc)
        cursor.setPosition(start)
        cursor.setPosition(start + length, QTextCursor.MoveMode.KeepAnchor)
        selection.cursor = cursor
        selection.format = fmt
        return selection

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.edit and event.type() == QEvent.Type.KeyPress:
            key_event: QKeyEvent = event  # type: ignore[assignment]
            key = key_event.key()
            if key == Qt.Key.Key_Escape:
                self.close_bar()
                return True
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                if key_event.modifiers() & Qt.KeyboardModifier.ShiftModifier:
                    self.find_previous()
                else:
                    self.find_next()
                return True
        return super().eventFilter(watched, event)
