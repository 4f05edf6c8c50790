"""The history list's model and its row painter.

A row shows the title, a line of facts (date · duration · source · speakers · state) and, for a
search, the first matching passages with the matched words emphasised. Rows are painted with a
small rich-text document per visible row, in palette colours, so they read in light and dark
themes alike; only visible rows are ever laid out, which keeps a list of thousands smooth.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, replace
from typing import Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QAbstractTextDocumentLayout, QColor, QPainter, QPalette, QTextDocument
from PySide6.QtWidgets import QApplication, QStyle, QStyledItemDelegate, QStyleOptionViewItem, QWidget

from desktop.core.export import hms
from desktop.core.library.search import COUNT_CAP, MARK_END, MARK_START, SearchHit, SearchResult
from desktop.core.library.store import TranscriptInfo
from desktop.core.transcript import default_speaker_label
from desktop.ui.library.transcript_parts import meta_text

ItemRole = Qt.ItemDataRole.UserRole + 1
_Index = QModelIndex | QPersistentModelIndex


@dataclass(frozen=True)
class HistoryItem:
    info: TranscriptInfo
    hits: tuple[SearchHit, ...] = ()
    hit_count: int = 0
    title_match: bool = False

    @classmethod
    def from_result(cls, result: SearchResult) -> HistoryItem:
        return cls(result.info, result.hits, result.hit_count, result.title_match)


class HistoryModel(QAbstractListModel):
    """Rows of :class:`HistoryItem`; asks for more rows (``more_wanted``) when scrolled to the end."""

    more_wanted = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.items: list[HistoryItem] = []
        self.has_more = False

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008, N802 - Qt API
        return 0 if parent.isValid() else len(self.items)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.items):
            return None
        item = self.items[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return item.info.title
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return f"{item.info.title}. {meta_text(item.info)}"
        if role == Qt.ItemDataRole.ToolTipRole:
            return meta_text(item.info)
        if role == ItemRole:
            return item
        return None

    def canFetchMore(self, parent: _Index) -> bool:  # noqa: N802 - Qt API
        return not parent.isValid() and self.has_more

    def fetchMore(self, parent: _Index) -> None:  # noqa: N802 - Qt API
        if self.has_more:
            self.has_more = False  # until the page arrives
            self.more_wanted.emit()

    def set_items(self, items: list[HistoryItem], *, has_more: bool) -> None:
        self.beginResetModel()
        self.items = list(items)
        self.has_more = has_more
        self.endResetModel()

    def append_items(self, items: list[HistoryItem], *, has_more: bool) -> None:
        known = {i.info.id for i in self.items}
        new = [i for i in items if i.info.id not in known]
        if new:
            self.beginInsertRows(QModelIndex(), len(self.items), len(self.items) + len(new) - 1)
            self.items.extend(new)
            self.endInsertRows()
        self.has_more = has_more

    def replace_info(self, info: TranscriptInfo) -> bool:
        """Show new metadata for one listed transcript in place; False if it is not listed."""
        row = self.row_of(info.id)
        if row < 0:
            return False
        self.items[row] = replace(self.items[row], info=info)
        index = self.index(row, 0)
        self.dataChanged.emit(index, index)
        return True

    def item(self, row: int) -> HistoryItem | None:
        return self.items[row] if 0 <= row < len(self.items) else None

    def row_of(self, transcript_id: int) -> int:
        return next((i for i, item in enumerate(self.items) if item.info.id == transcript_id), -1)


def _mix(a: QColor, b: QColor, t: float) -> QColor:
    return QColor(
        round(a.red() * (1 - t) + b.red() * t),
        round(a.green() * (1 - t) + b.green() * t),
        round(a.blue() * (1 - t) + b.blue() * t),
    )


def snippet_html(snippet: str, mark: QColor) -> str:
    """Escape a snippet and turn the search marks into emphasis on a tinted background."""
    style = f"font-weight:600; background-color:rgba({mark.red()},{mark.green()},{mark.blue()},0.30)"
    text = html.escape(snippet.replace("\n", " "))
    return text.replace(MARK_START, f'<span style="{style}">').replace(MARK_END, "</span>")


def row_html(item: HistoryItem, palette: QPalette, *, selected: bool, names: dict[str, str] | None = None) -> str:
    text = palette.color(QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text)
    base = palette.color(QPalette.ColorRole.Highlight if selected else QPalette.ColorRole.Base)
    muted = _mix(text, base, 0.35)
    mark = palette.color(QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Highlight)
    info = item.info
    parts = [
        f'<div style="color:{text.name()}"><b>{html.escape(info.title)}</b>'
        + (" <small>(title)</small>" if item.title_match and not item.hits else "")
        + "</div>",
        f'<div style="color:{muted.name()}">{html.escape(meta_text(info))}</div>',
    ]
    for hit in item.hits:
        when = hms(hit.start_ms) if hit.start_ms is not None else ""
        who = (info.speaker_names.get(hit.speaker) or default_speaker_label(hit.speaker)) if hit.speaker else ""
        lead = " · ".join(p for p in (when, who) if p)
        lead_html = f'<span style="color:{muted.name()}">{html.escape(lead)}</span> ' if lead else ""
        parts.append(f'<div style="color:{text.name()}">{lead_html}{snippet_html(hit.snippet, mark)}</div>')
    more = item.hit_count - len(item.hits)
    if more > 0:
        plural = "es" if more > 1 else ""
        plus = "+" if item.hit_count >= COUNT_CAP else ""
        note = f"{more}{plus} more match{plural}"
        parts.append(f'<div style="color:{muted.name()}"><small>{note}</small></div>')
    return "".join(parts)


class HistoryDelegate(QStyledItemDelegate):
    """Paints a row as rich text; its height follows its content."""

    MARGIN = 6

    def _document(self, option: QStyleOptionViewItem, index: _Index, width: int) -> QTextDocument:
        item: HistoryItem = index.data(ItemRole)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        doc = QTextDocument()
        doc.setDocumentMargin(0)
        doc.setDefaultFont(option.font)
        doc.setHtml(row_html(item, option.palette, selected=selected))
        doc.setTextWidth(max(50, width - 2 * self.MARGIN))
        return doc

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: _Index) -> None:
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        opt.text = ""
        widget: QWidget | None = opt.widget  # None when painted outside a view (the stubs say otherwise)
        style = widget.style() if widget is not None else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, opt.widget)
        doc = self._document(option, index, option.rect.width())
        painter.save()
        painter.translate(option.rect.left() + self.MARGIN, option.rect.top() + self.MARGIN)
        context = QAbstractTextDocumentLayout.PaintContext()
        context.clip = QRectF(0, 0, option.rect.width(), option.rect.height())
        doc.documentLayout().draw(painter, context)
        painter.restore()

    def sizeHint(self, option: QStyleOptionViewItem, index: _Index) -> QSize:  # noqa: N802 - Qt API
        view = option.widget
        viewport = getattr(view, "viewport", None)
        width = viewport().width() if callable(viewport) else option.rect.width()
        width = width if width > 0 else 360
        doc = self._document(option, index, width)
        return QSize(width, int(doc.size().height()) + 2 * self.MARGIN)
