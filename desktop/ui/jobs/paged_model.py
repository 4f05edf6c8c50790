"""A table model that loads a cursor-paginated Soniox list one page at a time as the view scrolls.

Qt asks ``canFetchMore``/``fetchMore`` when the user scrolls near the end; ``fetchMore`` starts
an async page load and returns at once, and the rows are inserted when the page arrives. So the
first page shows as soon as it is fetched, and an account with 10,000 jobs costs only the pages
the user actually scrolls through.

Each row's display strings are computed once when the row arrives (or changes), so painting
10,000 rows never formats a date or a duration in ``data()``.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal

from desktop.core.jobs.jobs_repo import Page
from desktop.ui.async_tools import spawn

log = logging.getLogger(__name__)

ItemT = TypeVar("ItemT")
Index = QModelIndex | QPersistentModelIndex

ItemRole = Qt.ItemDataRole.UserRole
KeyRole = Qt.ItemDataRole.UserRole + 1
_DISPLAY = Qt.ItemDataRole.DisplayRole


class _Row(Generic[ItemT]):
    __slots__ = ("cells", "item")

    def __init__(self, item: ItemT, cells: tuple[str, ...]) -> None:
        self.item = item
        self.cells = cells


class PagedTableModel(QAbstractTableModel, Generic[ItemT]):
    """Rows of ``ItemT`` loaded page by page through ``loader(cursor)``."""

    #: Emitted after a page arrived (rows inserted); the argument is the number of rows added.
    page_loaded = Signal(int)
    #: A page could not be loaded; the argument is the exception (described by the owner).
    load_failed = Signal(object)
    loading_changed = Signal(bool)

    HEADERS: tuple[str, ...] = ()
    #: Roles answered besides DisplayRole; subclasses add what ``extra_data`` serves.
    EXTRA_ROLES: frozenset[int] = frozenset({ItemRole, KeyRole})

    def __init__(self, loader: Callable[[str | None], Awaitable[Page[ItemT]]], parent: Any = None) -> None:
        super().__init__(parent)
        self._loader = loader
        self._rows: list[_Row[ItemT]] = []
        self._index: dict[str, int] | None = {}
        self._cursor: str | None = None
        self._has_more = False  # nothing is fetched until reload(): the owner decides when to load
        self._loading = False
        self._generation = 0
        self.pages_loaded = 0

    # -- subclass hooks ------------------------------------------------------------------------
    def key(self, item: ItemT) -> str:
        return getattr(item, "id")  # noqa: B009

    def cells(self, item: ItemT) -> tuple[str, ...]:
        raise NotImplementedError

    def extra_data(self, item: ItemT, column: int, role: int) -> Any:
        return None

    # -- Qt model interface --------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        horizontal = orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole
        if horizontal and 0 <= section < len(self.HEADERS):
            return self.HEADERS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        # Painting asks for a dozen roles per cell; answering the unused ones without touching
        # the row keeps a screenful of a 10,000-row table cheap to paint.
        if role == _DISPLAY:
            return self._rows[index.row()].cells[index.column()]
        if role not in self.EXTRA_ROLES:
            return None
        row = self._rows[index.row()]
        if role == ItemRole:
            return row.item
        if role == KeyRole:
            return self.key(row.item)
        return self.extra_data(row.item, index.column(), role)

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and self._has_more and not self._loading

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: B008
        if parent.isValid() or not self._has_more or self._loading:
            return
        self._set_loading(True)
        spawn(self._load_page(self._generation, self._cursor), name=f"{type(self).__name__}-page")

    # -- loading -------------------------------------------------------------------------------
    @property
    def loading(self) -> bool:
        return self._loading

    @property
    def has_more(self) -> bool:
        return self._has_more

    def reload(self) -> None:
        """Forget every row and load the first page again (refresh, key or region change)."""
        self._generation += 1
        self.beginResetModel()
        self._rows = []
        self._index = {}
        self._cursor = None
        self._has_more = True
        self.pages_loaded = 0
        self.endResetModel()
        self._set_loading(False)
        self.fetchMore()

    def clear(self) -> None:
        """Empty the model without loading (no API key yet)."""
        self._generation += 1
        self.beginResetModel()
        self._rows, self._index, self._cursor, self._has_more = [], {}, None, False
        self.endResetModel()
        self._set_loading(False)

    async def _load_page(self, generation: int, cursor: str | None) -> None:
        try:
            page = await self._loader(cursor)
        except Exception as exc:
            if generation == self._generation:
                self._set_loading(False)
                self._has_more = False  # until the user refreshes; avoids a retry storm while scrolling
                self.load_failed.emit(exc)
            return
        if generation != self._generation:
            return  # a reload happened meanwhile; this page belongs to the old list
        self._cursor = page.next_cursor
        self._has_more = page.next_cursor is not None
        self.pages_loaded += 1
        added = self._append([item for item in page.items if self.key(item) not in self._lookup()])
        self._set_loading(False)
        self.page_loaded.emit(added)

    def _set_loading(self, loading: bool) -> None:
        if loading != self._loading:
            self._loading = loading
            self.loading_changed.emit(loading)

    def _append(self, items: Sequence[ItemT]) -> int:
        if not items:
            return 0
        first = len(self._rows)
        self.beginInsertRows(QModelIndex(), first, first + len(items) - 1)
        index = self._lookup()
        for offset, item in enumerate(items):
            self._rows.append(_Row(item, self.cells(item)))
            index[self.key(item)] = first + offset
        self.endInsertRows()
        return len(items)

    # -- row access and edits ------------------------------------------------------------------
    def _lookup(self) -> dict[str, int]:
        if self._index is None:
            self._index = {self.key(r.item): i for i, r in enumerate(self._rows)}
        return self._index

    def row_of(self, key: str) -> int:
        return self._lookup().get(key, -1)

    def item_at(self, row: int) -> ItemT | None:
        return self._rows[row].item if 0 <= row < len(self._rows) else None

    def items(self) -> list[ItemT]:
        return [r.item for r in self._rows]

    def get(self, key: str) -> ItemT | None:
        row = self.row_of(key)
        return self._rows[row].item if row >= 0 else None

    def prepend(self, item: ItemT) -> None:
        """Put a new item at the top (a job just created is the newest)."""
        if self.row_of(self.key(item)) >= 0:
            self.update(item)
            return
        self.beginInsertRows(QModelIndex(), 0, 0)
        self._rows.insert(0, _Row(item, self.cells(item)))
        self._index = None
        self.endInsertRows()

    def update(self, item: ItemT) -> bool:
        """Replace the row with the same key; False when it is not loaded."""
        row = self.row_of(self.key(item))
        if row < 0:
            return False
        self._rows[row] = _Row(item, self.cells(item))
        self.dataChanged.emit(self.index(row, 0), self.index(row, self.columnCount() - 1))
        return True

    def remove(self, key: str) -> bool:
        row = self.row_of(key)
        if row < 0:
            return False
        self.beginRemoveRows(QModelIndex(), row, row)
        del self._rows[row]
        self._index = None
        self.endRemoveRows()
        return True
