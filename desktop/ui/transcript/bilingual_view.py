"""Two columns for two-way translation: a table of turns, one column per language (see ``core/captions/bilingual``).

A view only: it redraws the rows :class:`~desktop.core.captions.bilingual.BilingualRows` says
changed. What was said is in the speaker's colour with their name, the translation beside it in
italics; a cell still holding provisional words ends in "…".
"""

from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QFont, QGuiApplication
from PySide6.QtWidgets import QHeaderView, QTableView, QWidget

from desktop.core.captions.bilingual import BilingualRows
from desktop.core.segments import TranscriptDelta
from desktop.core.transcript import Transcript
from desktop.ui.transcript.speaker_colors import speaker_color

_Index = QModelIndex | QPersistentModelIndex


class BilingualModel(QAbstractTableModel):
    def __init__(self, language_a: str, language_b: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows = BilingualRows(language_a, language_b)
        self.transcript = Transcript()

    def set_transcript(self, transcript: Transcript) -> None:
        self.beginResetModel()
        self.transcript = transcript
        self.rows.rebuild(transcript)
        self.endResetModel()

    def apply_delta(self, delta: TranscriptDelta) -> None:
        before = len(self.rows.rows)
        first = self.rows.update(self.transcript, delta)
        after = len(self.rows.rows)
        if after < before:
            self.beginRemoveRows(QModelIndex(), after, before - 1)
            self.endRemoveRows()
        elif after > before:
            self.beginInsertRows(QModelIndex(), before, after - 1)
            self.endInsertRows()
        last = min(before, after) - 1
        if first <= last:
            self.dataChanged.emit(self.index(first, 0), self.index(last, 1))

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: N802, B008 - Qt API
        return 0 if parent.isValid() else len(self.rows.rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: N802, B008 - Qt API
        return 0 if parent.isValid() else 2

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> object:  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.rows.languages[section].upper()
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid():
            return None
        row = self.rows.rows[index.row()]
        cell = row.cells[index.column()]
        translation = row.spoken is not None and row.spoken != index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            who = f"{row.speaker_label}: " if row.speaker_label and not translation and cell.text else ""
            return who + cell.text + (" …" if cell.provisional.strip() else "")
        if role == Qt.ItemDataRole.FontRole and translation:
            font = QFont()
            font.setItalic(True)
            return font
        if role == Qt.ItemDataRole.ForegroundRole and row.speaker is not None and not translation:
            return speaker_color(row.speaker, QGuiApplication.palette())
        if role == Qt.ItemDataRole.UserRole:
            return row
        if role == Qt.ItemDataRole.AccessibleTextRole:
            who = f"{row.speaker_label}: " if row.speaker_label else ""
            kind = "said" if row.spoken == index.column() else "translation"
            return f"{who}{kind}: {cell.text}"
        return None


class BilingualView(QTableView):
    def __init__(self, language_a: str, language_b: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("bilingualView")
        self.setAccessibleName("Two-way translation, one column per language")
        self.bilingual = BilingualModel(language_a, language_b, self)
        self.setModel(self.bilingual)
        self.setWordWrap(True)
        self.setShowGrid(False)
        self.setAlternatingRowColors(True)
        self.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.verticalHeader().setVisible(False)
        # Not ResizeToContents: that measures every row on each change (138 ms per response at
        # 1,000 rows, measured); only the rows a response touched are measured again.
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.horizontalHeader().sectionResized.connect(lambda *_: self.resizeRowsToContents())
        self.bilingual.dataChanged.connect(lambda top, bottom, *_: self._fit_rows(top.row(), bottom.row()))
        self.bilingual.rowsInserted.connect(lambda _parent, first, last: self._fit_rows(first, last))
        self.bilingual.rowsInserted.connect(lambda *_: self.scrollToBottom())
        self.bilingual.modelReset.connect(self.resizeRowsToContents)

    def _fit_rows(self, first: int, last: int) -> None:
        for row in range(first, last + 1):
            self.resizeRowToContents(row)

    def set_transcript(self, transcript: Transcript) -> None:
        self.bilingual.set_transcript(transcript)
        self.scrollToBottom()

    def apply_delta(self, delta: TranscriptDelta) -> None:
        self.bilingual.apply_delta(delta)
