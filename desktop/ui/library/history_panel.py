"""The history: every live session and fetched job transcript, newest first, with full-text
search across all of them, rename and delete.

Searching runs on a worker thread with the search's own database connection (see
:mod:`desktop.core.library.search`): each keystroke restarts a short debounce, a new query
interrupts the one still running, and only the answer to the latest query is shown, so typing
never waits for the database. Activating a result opens the transcript in its own window at the
first match (the window's find bar then walks through the others).

The panel follows the library: a session that starts, ends, is renamed or deleted anywhere
shows up here without a manual refresh.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEvent, QItemSelectionModel, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.core.context import AppContext
from desktop.core.library.search import LibrarySearch, SearchCanceled, SearchPage
from desktop.core.library.store import Change, Library
from desktop.ui.async_tools import spawn
from desktop.ui.library.history_model import HistoryDelegate, HistoryItem, HistoryModel
from desktop.ui.library.transcript_parts import TextPrompt, ask_text
from desktop.ui.library.transcript_window import LibraryTranscriptWindow
from desktop.ui.widgets.buttons import make_button
from desktop.ui.widgets.empty_state import EmptyState

log = logging.getLogger(__name__)

PAGE = 200
SEARCH_PAGE = 40
DEBOUNCE_MS = 120
REFRESH_MS = 400
#: A running live session changes its row (duration, words) constantly; redraw it this often.
LIVE_REFRESH_MS = 3000

#: ``confirm(parent, title, text, action) -> True to go ahead``.
Confirm = Callable[[QWidget, str, str, str], bool]


def confirm_dialog(parent: QWidget, title: str, text: str, action: str) -> bool:
    box = QMessageBox(QMessageBox.Icon.Warning, title, text, QMessageBox.StandardButton.Cancel, parent)
    box.setObjectName("historyConfirmDialog")
    go = box.addButton(action, QMessageBox.ButtonRole.DestructiveRole)
    go.setObjectName("historyConfirmButton")
    go.setAccessibleName(action)
    box.setDefaultButton(QMessageBox.StandardButton.Cancel)
    box.exec()
    return box.clickedButton() is go


class HistoryPanel(QWidget):
    """``HistoryPanel(context, library)``; see the module docstring."""

    #: A transcript window was opened (or raised): the window, for hosts that track them.
    transcript_opened = Signal(object)
    #: The list shows something new: ("list" | "search", number of rows).
    results_changed = Signal(str, int)

    def __init__(
        self,
        context: AppContext | None,
        library: Library,
        parent: QWidget | None = None,
        *,
        sd: Any = None,
        search: LibrarySearch | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("historyPanel")
        self.context = context
        self.library = library
        self.search = search or LibrarySearch(library.path)
        self._sd = sd
        self.text_prompt: TextPrompt = ask_text
        self.confirm: Confirm = confirm_dialog
        self.windows: dict[int, LibraryTranscriptWindow] = {}
        self._seq = 0
        self._query = ""
        self._next_cursor: int | None = None
        self._searching = False
        self._alive = True

        self.search_edit = QLineEdit(self)
        self.search_edit.setObjectName("historySearchEdit")
        self.search_edit.setAccessibleName("Search all transcripts")
        self.search_edit.setPlaceholderText("Search all transcripts (Ctrl+K)")
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.textChanged.connect(self._on_query_changed)
        self.search_edit.installEventFilter(self)

        self.model = HistoryModel(self)
        self.model.more_wanted.connect(self._load_more)
        self.list = QListView(self)
        self.list.setObjectName("historyList")
        self.list.setAccessibleName("Transcripts")
        self.list.setModel(self.model)
        self.list.setItemDelegate(HistoryDelegate(self.list))
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.list.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.list.setResizeMode(QListView.ResizeMode.Adjust)
        self.list.setUniformItemSizes(False)
        self.list.setWordWrap(True)
        self.list.activated.connect(lambda index: self.open_row(index.row()))
        self.list.selectionModel().selectionChanged.connect(self._update_buttons)
        self.list.installEventFilter(self)

        self.empty_state = EmptyState(
            self.list,
            "history",
            "No transcripts yet",
            "Every live session and every job transcript you open is kept here, to search and read again.",
            lambda: self.model.rowCount() == 0 and not self._searching,
            name="historyEmptyState",
        )

        self.status_label = QLabel(self)
        self.status_label.setObjectName("historyStatusLabel")
        self.status_label.setWordWrap(True)

        self.open_button = self._button(
            "&Open", "historyOpenButton", "Open transcript", "Open the selected transcript (Enter)"
        )
        self.open_button.clicked.connect(lambda: self.open_row(self.list.currentIndex().row()))
        self.rename_button = self._button(
            "Re&name…",
            "historyRenameButton",
            "Rename transcript",
            "Give the selected transcript a title (F2)",
        )
        self.rename_button.clicked.connect(self.rename_selected)
        self.delete_button = self._button(
            "&Delete…",
            "historyDeleteButton",
            "Delete transcripts",
            "Delete the selected transcripts and their recordings (Delete)",
        )
        self.delete_button.clicked.connect(self.delete_selected)

        buttons = QHBoxLayout()
        buttons.addWidget(self.open_button)
        buttons.addWidget(self.rename_button)
        buttons.addStretch(1)
        buttons.addWidget(self.delete_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.search_edit)
        layout.addWidget(self.status_label)
        layout.addWidget(self.list, 1)
        layout.addLayout(buttons)

        for keys, slot in (
            (QKeySequence("Ctrl+K"), self.focus_search),
            (QKeySequence(QKeySequence.StandardKey.Find), self.focus_search),
        ):
            shortcut = QShortcut(keys, self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(slot)

        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(DEBOUNCE_MS)
        self._debounce.timeout.connect(self._start_search)
        self._refresh_timer = QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.timeout.connect(self.refresh)
        self._changed_rows: set[int] = set()
        self._row_timer = QTimer(self)
        self._row_timer.setSingleShot(True)
        self._row_timer.timeout.connect(self._update_changed_rows)
        self._unsubscribe: Callable[[], None] | None = library.subscribe(self._on_library_change)

        self.refresh()

    def _button(self, text: str, name: str, accessible: str, tip: str) -> QPushButton:
        return make_button(text, name, accessible, self, tip=tip)

    # ------------------------------------------------------------------ listing
    @property
    def query(self) -> str:
        return self._query

    @property
    def searching(self) -> bool:
        return self._searching or self._debounce.isActive()

    def refresh(self) -> None:
        """Show the current list (all transcripts, or the current search) again from the top."""
        if not self._alive:
            return
        if self._query.strip():
            self._start_search(keep_selection=True)
            return
        selected = self.selected_ids()
        count = max(PAGE, len(self.model.items))
        infos = self.library.list_transcripts(limit=count)
        total = self.library.count()
        self.model.set_items([HistoryItem(i) for i in infos], has_more=len(infos) < total)
        self._restore_selection(selected)
        if total:
            self.status_label.setText(f"{total:,} transcript{'s' if total != 1 else ''}, newest first.")
        else:
            self.status_label.setText(
                "No transcripts yet. Every live session and every job transcript you open is kept here."
            )
        self._update_buttons()
        self.empty_state.set_text(
            "No transcripts yet",
            "Every live session and every job transcript you open is kept here, to search and read again.",
        )
        self.results_changed.emit("list", len(infos))

    def _load_more(self) -> None:
        if self._query.strip():
            if self._next_cursor is not None and not self._searching:
                spawn(
                    self._search(self._query, self._seq, before=self._next_cursor),
                    name="history-more",
                    owner=self,
                )
            return
        infos = self.library.list_transcripts(limit=PAGE, offset=len(self.model.items))
        total = self.library.count()
        self.model.append_items([HistoryItem(i) for i in infos], has_more=len(self.model.items) + len(infos) < total)

    def _on_library_change(self, change: Change) -> None:
        # A live session's batches and renames change one listed row: update just that row,
        # rather than re-reading and re-laying out the whole list every few seconds.
        if change.kind in ("tokens", "updated") and not self._query.strip():
            self._changed_rows.add(change.transcript_id)
            if not self._row_timer.isActive():
                self._row_timer.start(LIVE_REFRESH_MS if change.kind == "tokens" else REFRESH_MS)
            return
        if self._refresh_timer.isActive():
            return
        self._refresh_timer.start(LIVE_REFRESH_MS if change.kind == "tokens" else REFRESH_MS)

    def _update_changed_rows(self) -> None:
        ids, self._changed_rows = self._changed_rows, set()
        if not self._alive or self._query.strip():
            return
        infos = self.library.infos(sorted(ids))
        for tid in ids:
            info = infos.get(tid)
            if info is None or not self.model.replace_info(info):
                self._refresh_timer.start(REFRESH_MS)  # not listed (or gone): the list itself changed
                return
        self._update_buttons()

    # ------------------------------------------------------------------ searching
    def focus_search(self) -> None:
        self.search_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search_edit.selectAll()

    def set_query(self, text: str) -> None:
        self.search_edit.setText(text)

    def _on_query_changed(self, text: str) -> None:
        self._query = text
        self._seq += 1
        self.search.cancel()
        if not text.strip():
            self._debounce.stop()
            self.refresh()
            return
        self._debounce.start()

    def _start_search(self, keep_selection: bool = False) -> None:
        self._seq += 1
        self.search.cancel()
        self.status_label.setText("Searching…")
        self._searching = True  # from now, not from when the task first runs: ``searching`` has no gap
        spawn(
            self._search(self._query, self._seq, keep_selection=keep_selection),
            name="history-search",
            owner=self,
        )

    async def _search(self, query: str, seq: int, *, before: int | None = None, keep_selection: bool = False) -> None:
        self._searching = True
        try:
            page: SearchPage = await asyncio.to_thread(self.search.search, query, limit=SEARCH_PAGE, before=before)
        except SearchCanceled:
            return
        except Exception as exc:  # a damaged index must not break the panel
            log.exception("Search failed")
            if seq == self._seq:
                self.status_label.setText(f"Search failed: {exc}")
            return
        finally:
            if seq == self._seq:
                self._searching = False
        if seq != self._seq or not self._alive:
            return  # overtaken by a newer query
        items = [HistoryItem.from_result(r) for r in page.results]
        self._next_cursor = page.next_cursor
        if before is None:
            selected = self.selected_ids() if keep_selection else []
            self.model.set_items(items, has_more=page.next_cursor is not None)
            self._restore_selection(selected)
            if not keep_selection and items:
                self.list.setCurrentIndex(self.model.index(0))
        else:
            self.model.append_items(items, has_more=page.next_cursor is not None)
        shown = len(self.model.items)
        if shown:
            more = "+" if page.next_cursor is not None else ""
            self.status_label.setText(f"{shown}{more} transcript{'s' if shown != 1 else ''} match “{query.strip()}”.")
        else:
            self.status_label.setText(f"Nothing matches “{query.strip()}”.")
        self.empty_state.set_text(
            f"Nothing matches “{query.strip()}”",
            "Search looks for words in every transcript; try fewer or other words.",
        )
        self._update_buttons()
        self.results_changed.emit("search", shown)

    # ------------------------------------------------------------------ selection
    def selected_ids(self) -> list[int]:
        rows = sorted({i.row() for i in self.list.selectionModel().selectedRows()})
        return [self.model.items[r].info.id for r in rows if r < len(self.model.items)]

    def _restore_selection(self, ids: list[int]) -> None:
        selection = self.list.selectionModel()
        first = True
        for tid in ids:
            row = self.model.row_of(tid)
            if row < 0:
                continue
            flags = QItemSelectionModel.SelectionFlag.Select
            if first:
                self.list.setCurrentIndex(self.model.index(row))
                first = False
            selection.select(self.model.index(row), flags)

    def select_transcript(self, transcript_id: int) -> bool:
        row = self.model.row_of(transcript_id)
        if row >= 0:
            self.list.setCurrentIndex(self.model.index(row))
        return row >= 0

    def _update_buttons(self, *_args: object) -> None:
        count = len(self.selected_ids())
        self.open_button.setEnabled(count == 1)
        self.rename_button.setEnabled(count == 1)
        self.delete_button.setEnabled(count >= 1)

    # ------------------------------------------------------------------ actions
    def open_row(self, row: int) -> LibraryTranscriptWindow | None:
        item = self.model.item(row)
        if item is None:
            return None
        return self.open_transcript(item.info.id, hit=item.hits[0] if item.hits else None)

    def open_transcript(self, transcript_id: int, *, hit: Any = None) -> LibraryTranscriptWindow | None:
        """Open (or raise) a transcript's window, at ``hit`` (a SearchHit) when given."""
        window = self.windows.get(transcript_id)
        if window is None:
            if self.library.info(transcript_id) is None:
                return None
            window = LibraryTranscriptWindow(self.library, transcript_id, self, sd=self._sd, hit=hit)
            window.closed.connect(lambda tid: self.windows.pop(tid, None))
            self.windows[transcript_id] = window
        elif hit is not None:
            window.open_at_hit(hit)
        window.show()
        window.raise_()
        window.activateWindow()
        self.transcript_opened.emit(window)
        return window

    def rename_selected(self) -> None:
        ids = self.selected_ids()
        if len(ids) != 1:
            return
        info = self.library.info(ids[0])
        if info is None:
            return
        answer = self.text_prompt(self, "Rename transcript", "Title:", info.title)
        if answer is not None and answer.strip():
            self.library.rename(info.id, answer)

    def delete_selected(self) -> None:
        ids = self.selected_ids()
        if not ids:
            return
        infos = [i for i in (self.library.info(t) for t in ids) if i is not None]
        running = [i for i in infos if i.status == "active"]
        if running:
            self.status_label.setText(
                f"“{running[0].title}” is still recording: stop the live session before deleting it."
            )
            infos = [i for i in infos if i.status != "active"]
            if not infos:
                return
        what = f"“{infos[0].title}”" if len(infos) == 1 else f"these {len(infos)} transcripts"
        recordings = sum(1 for i in infos if i.audio_owned and i.audio_path)
        extra = (
            " and its recording"
            if recordings == 1 and len(infos) == 1
            else (f" and {recordings} recording{'s' if recordings != 1 else ''}" if recordings else "")
        )
        text = f"Delete {what}{extra}? This cannot be undone."
        if not self.confirm(self, "Delete transcripts", text, "Delete"):
            return
        for info in infos:
            window = self.windows.pop(info.id, None)
            if window is not None:
                window.close()
            self.library.delete(info.id)

    # ------------------------------------------------------------------ keys
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            key = event.key()
            moves = (Qt.Key.Key_Down, Qt.Key.Key_Return, Qt.Key.Key_Enter)
            if watched is self.search_edit and key in moves and self.model.rowCount():
                self.list.setFocus(Qt.FocusReason.OtherFocusReason)
                if not self.list.currentIndex().isValid():
                    self.list.setCurrentIndex(self.model.index(0))
                if key != Qt.Key.Key_Down:
                    self.open_row(self.list.currentIndex().row())
                return True
            if watched is self.list:
                if key == Qt.Key.Key_F2:
                    self.rename_selected()
                    return True
                if key in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
                    self.delete_selected()
                    return True
        return super().eventFilter(watched, event)

    # ------------------------------------------------------------------ lifetime
    def shutdown(self) -> None:
        """Close windows and the search connection (the app is quitting)."""
        self._alive = False
        self._debounce.stop()
        self._refresh_timer.stop()
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        for window in list(self.windows.values()):
            window.close()
        self.search.cancel()
        self.search.close()
