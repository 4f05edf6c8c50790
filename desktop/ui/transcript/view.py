"""The transcript widget: speaker-coloured live text, find, rename, copy and export.

Fed either incrementally (:meth:`TranscriptView.apply_delta`, once per realtime response) or all
at once (:meth:`TranscriptView.set_transcript`, for a finished file transcript). The drawing
itself lives in :class:`~desktop.ui.transcript.document.TranscriptDocument`, which keeps a
response's cost independent of the transcript's length; this module adds the interaction:
following new words (unless the user scrolled up), clicking a speaker label to rename it, Ctrl+F,
the context menu and the Export menu. The text area's own mouse and clipboard behaviour is
:class:`~desktop.ui.transcript.edit.TranscriptEdit` (re-exported here).

Dialogs are injectable attributes (``name_prompt``, ``save_file_prompt``, ``report_error``) so
tests and hosts can drive every action without a modal dialog.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, QObject, QPoint, Qt, Signal
from PySide6.QtGui import (
    QAction,
    QContextMenuEvent,
    QGuiApplication,
    QKeySequence,
    QResizeEvent,
    QShortcut,
    QTextCursor,
    QTextDocument,
)
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QMenu,
    QMessageBox,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop.core.export import FORMATS, export_transcript, formats_for
from desktop.core.transcript import Transcript, TranscriptDelta
from desktop.ui.transcript.document import TranscriptDocument, clean_text
from desktop.ui.transcript.edit import TranscriptEdit
from desktop.ui.transcript.export_notice import ExportNotice
from desktop.ui.transcript.find_bar import FindBar
from desktop.ui.transcript.rename import NamePrompt, ask_speaker_name
from desktop.ui.transcript.speaker_colors import (
    BLOCK_SPEAKER_PROPERTY,
    TranscriptStyles,
)
from desktop.ui.widgets.empty_state import EmptyState

#: ``prompt(parent, caption, suggested_path, name_filter) -> chosen path or "" when cancelled``.
SaveFilePrompt = Callable[[QWidget, str, str, str], str]
#: ``report(parent, title, message)``.
ErrorReporter = Callable[[QWidget, str, str], None]

#: Within this many pixels of the bottom counts as "at the bottom" (following new words).
_FOLLOW_SLACK_PX = 4


def _native_save_prompt(parent: QWidget, caption: str, suggested: str, name_filter: str) -> str:
    path, _selected = QFileDialog.getSaveFileName(parent, caption, suggested, name_filter)
    return path


def _message_box_error(parent: QWidget, title: str, message: str) -> None:
    QMessageBox.warning(parent, title, message)


class TranscriptView(QWidget):
    """Shows a :class:`Transcript`; see the module docstring."""

    speaker_renamed = Signal(str, str)  # speaker id, the label now shown
    exported = Signal(str, str)  # path, format key

    def __init__(
        self,
        parent: QWidget | None = None,
        *,
        show_timestamps: bool = False,
        show_toolbar: bool = True,
        export_title: str = "Transcript",
        follow_live: bool = True,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("transcriptView")
        # A live transcript follows its newest words; a finished one (a job, the history) is read
        # from the top and never pulled to its end.
        self._follow_live = follow_live
        self._transcript = Transcript()
        self.export_title = export_title
        self.export_basename = "transcript"
        self.export_directory: str = str(Path.home())
        self.name_prompt: NamePrompt = ask_speaker_name
        self.save_file_prompt: SaveFilePrompt = _native_save_prompt
        self.report_error: ErrorReporter = _message_box_error
        self._following = follow_live
        self._auto_scrolling = False

        self.editor = TranscriptEdit(self)
        self.editor.label_clicked.connect(self.prompt_rename)
        self.editor.context_menu_requested.connect(self._show_context_menu)
        self._styles = TranscriptStyles(self.editor.palette(), self.editor.font())
        self._renderer = TranscriptDocument(
            self.editor.document(), self._label, self._styles, show_timestamps=show_timestamps
        )

        self.find_bar = FindBar(self.editor, self._styles, self)
        self.find_bar.closed.connect(self._on_find_closed)

        self.toolbar = QWidget(self)
        self.toolbar.setObjectName("transcriptToolbar")
        self.export_button = QToolButton(self.toolbar)
        self.export_button.setObjectName("exportButton")
        self.export_button.setAccessibleName("Export transcript")
        self.export_button.setAccessibleDescription("Opens a menu of file formats (Ctrl+Shift+E)")
        self.export_button.setText("Export…")
        self.export_button.setToolTip("Save the transcript as TXT, SRT, VTT, JSON or Markdown (Ctrl+Shift+E)")
        self.export_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.export_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.export_button.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # Tab reaches it; Space opens
        self.export_menu = self._build_export_menu()
        self.export_button.setMenu(self.export_menu)
        self.find_button = QToolButton(self.toolbar)
        self.find_button.setObjectName("findButton")
        self.find_button.setAccessibleName("Find in transcript")
        self.find_button.setText("Find…")
        self.find_button.setToolTip("Find in the transcript (Ctrl+F)")
        self.find_button.clicked.connect(self.open_find_bar)
        bar = QHBoxLayout(self.toolbar)
        bar.setContentsMargins(0, 0, 0, 0)
        bar.addWidget(self.export_button)
        bar.addWidget(self.find_button)
        bar.addStretch(1)
        self._show_toolbar = show_toolbar
        self.toolbar.setVisible(show_toolbar)

        self.jump_button = QPushButton("Jump to latest ↓", self.editor)
        self.jump_button.setObjectName("jumpToLatestButton")
        self.jump_button.setAccessibleName("Jump to latest")
        self.jump_button.setToolTip("Scroll to the newest words and keep following them")
        self.jump_button.setCursor(Qt.CursorShape.PointingHandCursor)
        self.jump_button.clicked.connect(self.jump_to_latest)
        self.jump_button.hide()
        self.editor.installEventFilter(self)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.toolbar)
        self.export_notice = ExportNotice(self)
        layout.addWidget(self.export_notice)
        layout.addWidget(self.editor, 1)
        layout.addWidget(self.find_bar)

        self._add_shortcut(QKeySequence.StandardKey.Find, self.open_find_bar)
        self._add_shortcut(QKeySequence(Qt.Key.Key_F2), self.rename_speaker_at_cursor)
        self._add_shortcut(QKeySequence("Ctrl+Shift+E"), self.open_export_menu)

        scroll = self.editor.verticalScrollBar()
        scroll.rangeChanged.connect(self._on_range_changed)
        scroll.valueChanged.connect(self._on_scrolled)
        self._has_text: bool | None = None
        self.empty_state: EmptyState | None = None
        self._sync_text_actions()

    def set_empty_state(self, icon: str, title: str, body: str) -> EmptyState:
        """Say what to do (``title``, ``body``) in the text area while it has no words yet."""
        if self.empty_state is None:
            self.empty_state = EmptyState(
                self.editor, icon, title, body, lambda: not self._has_text, name="transcriptEmptyState"
            )
        else:
            self.empty_state.set_text(title, body)
        self._has_text = None  # re-evaluate the toolbar and the empty state now
        self._sync_text_actions()
        return self.empty_state

    def _add_shortcut(self, keys: QKeySequence | QKeySequence.StandardKey, slot: Callable[[], object]) -> None:
        shortcut = QShortcut(keys, self)
        shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        shortcut.activated.connect(slot)

    def open_export_menu(self) -> None:
        """Ctrl+Shift+E: the Export button's menu, from the keyboard (once there are words)."""
        if self.export_button.isEnabled():
            self.export_button.showMenu()

    def _build_export_menu(self) -> QMenu:
        menu = QMenu("Export", self)
        menu.setObjectName("exportMenu")
        # Screen readers announce the popup by these: say what the list is and what picking does.
        menu.setAccessibleName("Export formats")
        menu.setAccessibleDescription("Choose a format; a save dialog asks where to write the file")
        for key, fmt in FORMATS.items():
            action = QAction(fmt.label, menu)
            action.setObjectName(f"export{key.title().replace('_', '')}Action")
            action.setData(key)
            action.setToolTip(f"Save the transcript as {fmt.label}")
            action.setStatusTip(f"Save the transcript as {fmt.label}")
            action.triggered.connect(lambda _checked=False, k=key: self.export_via_dialog(k))
            menu.addAction(action)
        menu.addSeparator()
        copy = QAction("Copy to clipboard", menu)
        copy.setObjectName("copyTranscriptAction")
        copy.setToolTip("Copy the final transcript as plain text with speakers and times")
        copy.triggered.connect(lambda _checked=False: self.copy_to_clipboard("txt"))
        menu.addAction(copy)
        # Bilingual subtitles only make sense once the transcript holds a translation.
        menu.aboutToShow.connect(lambda: self._offer_formats(menu))
        return menu

    def _offer_formats(self, menu: QMenu) -> None:
        offered = formats_for(self.transcript)
        for action in menu.actions():
            key = action.data()
            if isinstance(key, str) and key in FORMATS:
                action.setVisible(key in offered)

    # ---------------------------------------------------------------------------- content
    @property
    def transcript(self) -> Transcript:
        return self._transcript

    @property
    def renderer(self) -> TranscriptDocument:
        return self._renderer

    def document(self) -> QTextDocument:
        return self.editor.document()

    def toPlainText(self) -> str:  # noqa: N802 - mirrors QTextEdit for callers and tests
        return self.editor.toPlainText()

    def set_transcript(self, transcript: Transcript) -> None:
        """Show ``transcript`` from scratch (a file transcript, or a live one joined late)."""
        self._transcript = transcript
        self._edit(transcript.replay())
        if not self._follow_live:
            self.editor.moveCursor(QTextCursor.MoveOperation.Start)
            self.editor.verticalScrollBar().setValue(0)

    def apply_delta(self, delta: TranscriptDelta) -> None:
        """Draw what one response changed; ``delta`` must come from :attr:`transcript`."""
        if not delta.is_empty:
            self._edit(delta)

    def apply_response(self, tokens: Iterable[Any], *, offset_ms: int = 0) -> TranscriptDelta:
        """Convenience for live use: apply a response's tokens to the transcript and draw them."""
        delta = self._transcript.apply(tokens, offset_ms=offset_ms)
        self.apply_delta(delta)
        return delta

    def clear(self) -> None:
        self.set_transcript(Transcript())

    @property
    def show_timestamps(self) -> bool:
        return self._renderer.show_timestamps

    def set_show_timestamps(self, show: bool) -> None:
        if show != self._renderer.show_timestamps:
            self._renderer.show_timestamps = show
            self._edit(self._transcript.replay())

    def _edit(self, delta: TranscriptDelta) -> None:
        scroll = self.editor.verticalScrollBar()
        kept = scroll.value()
        self._auto_scrolling = True  # the document shrinks for a moment while the tail is redrawn
        try:
            self._renderer.apply(delta)
        finally:
            self._auto_scrolling = False
        self._sync_text_actions()
        if self._following:
            self._scroll_to_bottom()
        elif scroll.value() != kept:
            self._auto_scrolling = True
            scroll.setValue(kept)
            self._auto_scrolling = False
        self.find_bar.schedule_refresh()

    # ------------------------------------------------------------------------- following
    def is_following(self) -> bool:
        return self._following

    def jump_to_latest(self) -> None:
        self._set_following(True)
        self._scroll_to_bottom()
        self.editor.setFocus(Qt.FocusReason.OtherFocusReason)

    def _scroll_to_bottom(self) -> None:
        scroll = self.editor.verticalScrollBar()
        self._auto_scrolling = True
        try:
            scroll.setValue(scroll.maximum())
        finally:
            self._auto_scrolling = False

    def _on_range_changed(self, _minimum: int, _maximum: int) -> None:
        if self._following:
            self._scroll_to_bottom()

    def _on_scrolled(self, value: int) -> None:
        if self._auto_scrolling:
            return
        scroll = self.editor.verticalScrollBar()
        self._set_following(value >= scroll.maximum() - _FOLLOW_SLACK_PX)

    def _set_following(self, following: bool) -> None:
        if not self._follow_live:
            self._following = False
            self.jump_button.hide()
            return
        self._following = following
        self.jump_button.setVisible(not following)
        if not following:
            self._place_jump_button()
            self.jump_button.raise_()

    def _place_jump_button(self) -> None:
        self.jump_button.adjustSize()
        viewport = self.editor.viewport().geometry()
        size = self.jump_button.sizeHint()
        self.jump_button.move(
            viewport.right() - size.width() - 12,
            viewport.bottom() - size.height() - 10,
        )

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.editor:
            kind = event.type()
            if kind == QEvent.Type.Resize and self.jump_button.isVisible():
                self._place_jump_button()
            elif kind in (QEvent.Type.PaletteChange, QEvent.Type.FontChange):
                # The editor's own palette: a palette set on this view reaches it after this view.
                self._restyle()
        return super().eventFilter(watched, event)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        if self.jump_button.isVisible():
            self._place_jump_button()

    # -------------------------------------------------------------------------- speakers
    def _label(self, speaker_id: str | None) -> str:
        return self._transcript.speaker_label(speaker_id)

    def speaker_at(self, position: int) -> str | None:
        """The speaker of the turn holding document ``position`` (None without diarization)."""
        block = self.editor.document().findBlock(position)
        speaker = block.blockFormat().property(BLOCK_SPEAKER_PROPERTY) if block.isValid() else None
        return str(speaker) if speaker is not None else None

    def rename_speaker_at_cursor(self) -> None:
        speaker = self.speaker_at(self.editor.textCursor().position())
        if speaker is not None:
            self.prompt_rename(speaker)

    def prompt_rename(self, speaker_id: str) -> None:
        name = self.name_prompt(self, speaker_id, self._transcript.speaker_label(speaker_id))
        if name is not None:
            self.rename_speaker(speaker_id, name)

    def rename_speaker(self, speaker_id: str, name: str) -> None:
        """Rename for the whole transcript: every label of that speaker is rewritten in place."""
        self._transcript.rename_speaker(speaker_id, name)
        self.refresh_speaker_labels(speaker_id)
        self.speaker_renamed.emit(speaker_id, self._transcript.speaker_label(speaker_id))

    def refresh_speaker_labels(self, speaker_id: str) -> None:
        """Redraw ``speaker_id``'s labels after its name changed in the model by someone else."""
        scroll = self.editor.verticalScrollBar()
        kept = scroll.value()
        self._auto_scrolling = True
        try:
            self._renderer.relabel(speaker_id)
            self._renderer.redraw_tail(self._transcript.tail_placements)
        finally:
            self._auto_scrolling = False
        if self._following:
            self._scroll_to_bottom()
        else:
            scroll.setValue(kept)
        self.find_bar.schedule_refresh()

    # ------------------------------------------------------------------------------ find
    def _sync_text_actions(self) -> None:
        """Export and Find mean nothing on an empty transcript: enabled once there are words."""
        has_text = not self.editor.document().isEmpty()
        if has_text != self._has_text:
            self._has_text = has_text
            self.export_button.setEnabled(has_text)
            self.find_button.setEnabled(has_text)
            if self.empty_state is not None:
                self.empty_state.refresh()
                # Export and Find over a text area that says "nothing yet" are noise: shown with words.
                self.toolbar.setVisible(self._show_toolbar and has_text)

    def open_find_bar(self) -> None:
        if self._has_text:
            self.find_bar.open()

    def _on_find_closed(self) -> None:
        self.editor.setFocus(Qt.FocusReason.OtherFocusReason)

    # -------------------------------------------------------------------- copy and export
    def selected_text(self) -> str:
        return clean_text(self.editor.textCursor().selection().toPlainText())

    def copy_all(self) -> None:
        """Everything shown, as plain text (what Ctrl+A, Ctrl+C gives)."""
        QGuiApplication.clipboard().setText(clean_text(self.editor.toPlainText()))

    def export_text(self, fmt: str) -> str:
        return export_transcript(self._transcript, fmt, title=self.export_title)

    def copy_to_clipboard(self, fmt: str = "txt") -> None:
        QGuiApplication.clipboard().setText(self.export_text(fmt))

    def export_to_file(self, path: str | Path, fmt: str) -> bool:
        """Write the export; a failure is reported to the user and returns False."""
        target = Path(path)
        try:
            target.write_text(self.export_text(fmt), encoding="utf-8", newline="\n")
        except OSError as exc:
            self.report_error(self, "Export failed", f"Could not write {target.name}: {exc.strerror or exc}.")
            return False
        self.export_directory = str(target.parent)
        self.export_notice.show_saved(target.resolve())
        self.exported.emit(str(target), fmt)
        return True

    def export_via_dialog(self, fmt: str) -> str | None:
        """Ask where to save (through :attr:`save_file_prompt`) and write; returns the path."""
        info = FORMATS[fmt]
        suggested = str(Path(self.export_directory) / f"{self.export_basename}.{info.extension}")
        path = self.save_file_prompt(self, f"Export transcript as {info.label}", suggested, info.filter)
        if not path:
            return None
        if not Path(path).suffix:
            path = f"{path}.{info.extension}"
        return path if self.export_to_file(path, fmt) else None

    # ------------------------------------------------------------------------ context menu
    def build_context_menu(self, pos: QPoint) -> QMenu:
        """The editor's standard menu plus Copy all, Rename and Find (``pos`` in viewport pixels)."""
        menu = self.editor.createStandardContextMenu(pos)
        menu.setObjectName("transcriptContextMenu")
        menu.addSeparator()
        copy_all = menu.addAction("Copy &all")
        copy_all.setObjectName("copyAllAction")
        copy_all.triggered.connect(self.copy_all)
        speaker = self.speaker_at(self.editor.cursorForPosition(pos).position())
        if speaker is not None:
            rename = menu.addAction(f"&Rename {self._label(speaker)}…")
            rename.setObjectName("renameSpeakerAction")
            rename.setShortcut(QKeySequence(Qt.Key.Key_F2))
            rename.triggered.connect(lambda _checked=False, s=speaker: self.prompt_rename(s))
        find = menu.addAction("&Find…")
        find.setObjectName("findAction")
        find.setShortcut(QKeySequence.StandardKey.Find)
        find.triggered.connect(self.open_find_bar)
        menu.addSeparator()
        menu.addMenu(self.export_menu).setText("&Export")
        return menu

    def _show_context_menu(self, event: QContextMenuEvent) -> None:
        pos = event.pos()
        if event.reason() == QContextMenuEvent.Reason.Keyboard:
            pos = self.editor.cursorRect().center()
        menu = self.build_context_menu(pos)
        menu.exec(event.globalPos())
        menu.deleteLater()

    # ----------------------------------------------------------------------------- styling
    def _restyle(self) -> None:
        self._styles = TranscriptStyles(self.editor.palette(), self.editor.font())
        self._renderer.restyle(self._styles)
        self.find_bar.set_styles(self._styles)

    @property
    def styles(self) -> TranscriptStyles:
        return self._styles

    def select_all(self) -> None:
        cursor = self.editor.textCursor()
        cursor.select(QTextCursor.SelectionType.Document)
        self.editor.setTextCursor(cursor)


# TranscriptEdit moved to edit.py; re-exported so `from desktop.ui.transcript.view import TranscriptEdit` keeps working.
__all__ = ["ErrorReporter", "SaveFilePrompt", "TranscriptEdit", "TranscriptView"]
