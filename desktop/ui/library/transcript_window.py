"""A stored transcript in its own window: read, search, play back with the words following the
audio, correct words, rename speakers and the transcript, export (with the corrections).

The text is drawn by the shared :class:`TranscriptView`; this window adds what only a stored
transcript has:

* a :class:`PlayerBar` when audio was kept (a live recording, or the user's own file). The word
  being heard is highlighted (an extra selection, so the find bar's highlights stay), the view
  keeps it in sight unless the user scrolled elsewhere in the last few seconds, and a click on a
  word seeks there;
* corrections: right-click a word (or Ctrl+E at the caret) → "Correct…". The library keeps the
  edit beside the original tokens; the transcript is redrawn from the edited display list, so
  exports and search use the corrected text while the timing stays the original words' timing;
* opening at a search hit: the view scrolls to the passage and the find bar is seeded with the
  matched word, so F3 walks through the other matches.

It is one class of ~470 lines because playback following, corrections and hit navigation all
work on the same word map and display list; the non-window pieces are in ``transcript_parts``.
"""

from __future__ import annotations

import bisect
import logging
import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEvent, QObject, QPoint, Qt, QTimer, Signal
from PySide6.QtGui import (
    QCloseEvent,
    QColor,
    QKeySequence,
    QMouseEvent,
    QTextCharFormat,
    QTextCursor,
)
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMenu,
    QPushButton,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from desktop.core.library.search import MARK_END, MARK_START, SearchHit
from desktop.core.library.store import Change, Library, LibraryTranscript, TranscriptInfo
from desktop.ui.async_tools import spawn
from desktop.ui.library.player_bar import PlayerBar
from desktop.ui.library.transcript_parts import (
    LibraryTranscriptView,
    TextPrompt,
    ask_text,
    file_stem,
    meta_text,
)
from desktop.ui.library.word_map import Word, WordMap
from desktop.ui.transcript.speaker_colors import SPEAKER_HREF_PREFIX
from desktop.ui.transcript.window import TranscriptWindowBase

log = logging.getLogger(__name__)

#: Marks our extra selection among the find bar's.
PLAYBACK_PROPERTY = 0x100000 + 40
#: After the user scrolls, the view stops following the audio for this long.
FOLLOW_PAUSE_S = 4.0


class LibraryTranscriptWindow(TranscriptWindowBase):
    closed = Signal(int)  # transcript id

    def __init__(
        self,
        library: Library,
        transcript_id: int,
        parent: QWidget | None = None,
        *,
        sd: Any = None,
        hit: SearchHit | None = None,
    ) -> None:
        super().__init__(
            parent, object_name="libraryTranscriptWindow", times_object_name="libraryShowTimes", size=(860, 680)
        )
        self.library = library
        self.transcript_id = transcript_id
        self.text_prompt: TextPrompt = ask_text
        self.loaded: LibraryTranscript | None = None
        self.word_map: WordMap | None = None
        self._display_first: list[int] = []
        self._current_word: Word | None = None
        self._user_scrolled_at = 0.0
        self._auto_scrolling = False

        self.title_label = QLabel(self)
        self.title_label.setObjectName("libraryTitleLabel")
        font = self.title_label.font()
        font.setPointSizeF(font.pointSizeF() * 1.25)
        font.setBold(True)
        self.title_label.setFont(font)
        self.title_label.setTextFormat(Qt.TextFormat.PlainText)
        self.meta_label = QLabel(self)
        self.meta_label.setObjectName("libraryMetaLabel")
        self.meta_label.setTextFormat(Qt.TextFormat.PlainText)
        self.meta_label.setWordWrap(True)
        self.rename_button = QPushButton("&Rename…", self)
        self.rename_button.setObjectName("libraryRenameButton")
        self.rename_button.setAccessibleName("Rename transcript")
        self.rename_button.setToolTip("Give this transcript a title")
        self.rename_button.clicked.connect(self.prompt_rename)
        self.revert_button = QPushButton("&Undo corrections", self)
        self.revert_button.setObjectName("libraryRevertButton")
        self.revert_button.setAccessibleName("Undo all corrections")
        self.revert_button.setToolTip("Show the words as they were recognised")
        self.revert_button.clicked.connect(self.revert_all)

        self.view: LibraryTranscriptView = LibraryTranscriptView(self, show_timestamps=True)
        self.set_view(self.view)
        self.view.menu_extender = self._extend_menu
        self.view.name_prompt = lambda parent, sid, current: self.text_prompt(
            parent, "Rename speaker", f"Name for {current} (leave empty for the default):", current
        )
        self.view.speaker_renamed.connect(self._on_speaker_renamed)
        self.view.editor.viewport().installEventFilter(self)
        self.view.editor.verticalScrollBar().valueChanged.connect(self._on_scrolled)

        self.player_bar = PlayerBar(self, sd=sd)
        self.player_bar.position_changed.connect(self.highlight_time)
        self.player_bar.playing_changed.connect(self._on_playing_changed)

        self.hint = QLabel(self)
        self.hint.setObjectName("libraryHintLabel")
        self.hint.setWordWrap(True)

        header = QHBoxLayout()
        titles = QVBoxLayout()
        titles.addWidget(self.title_label)
        titles.addWidget(self.meta_label)
        header.addLayout(titles, 1)
        header.addWidget(self.timestamps_check)
        header.addWidget(self.revert_button)
        header.addWidget(self.rename_button)
        layout = QVBoxLayout(self.body)
        layout.addLayout(header)
        layout.addWidget(self.player_bar)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.hint)

        self.add_shortcut(QKeySequence(Qt.Key.Key_Space), self._space)
        self.add_shortcut(QKeySequence("Alt+Left"), lambda: self.player_bar.skip(-5000))
        self.add_shortcut(QKeySequence("Alt+Right"), lambda: self.player_bar.skip(5000))
        self.add_shortcut(QKeySequence("Alt+Up"), lambda: self.player_bar.change_speed(1))
        self.add_shortcut(QKeySequence("Alt+Down"), lambda: self.player_bar.change_speed(-1))
        self.add_shortcut(QKeySequence("Ctrl+E"), self.correct_at_caret)

        self._reload_timer = QTimer(self)
        self._reload_timer.setSingleShot(True)
        self._reload_timer.setInterval(2000)
        self._reload_timer.timeout.connect(lambda: spawn(self._reload_async(), name="reload a transcript", owner=self))
        self._unsubscribe: Callable[[], None] | None = library.subscribe(self._on_library_change)
        self._closing = False

        # The tokens are read on the library's worker thread (a 3-hour transcript takes ~170 ms);
        # the window shows its title and "Loading…" at once and fills in when the read is done.
        info = library.info(transcript_id)
        if info is not None:
            self._show_info(info)
        self.hint.setText("Loading the transcript…")
        self.player_bar.hide()
        self.revert_button.hide()  # shown once the transcript is read, if it has corrections
        self.opening = spawn(self._open(hit), name="open a transcript", owner=self)

    async def _open(self, hit: SearchHit | None) -> None:
        loaded = await self.library.load_async(self.transcript_id)
        if self._closing:
            return
        if not self._apply(loaded, keep_scroll=False):
            return
        audio = loaded.info.audio_path if loaded else None
        # A meeting's recording holds one side per channel: both are heard in both ears.
        self.player_bar.load(audio, mix_tracks=loaded is not None and loaded.info.source_kind == "meeting")
        self.player_bar.setVisible(bool(audio))
        if hit is not None:
            self.open_at_hit(hit)

    async def _reload_async(self) -> None:
        loaded = await self.library.load_async(self.transcript_id)
        if not self._closing:
            self._apply(loaded, keep_scroll=True)

    # ------------------------------------------------------------------ content
    def reload(self, *, keep_scroll: bool = False) -> bool:
        """Read the transcript again at once (after a correction the user is looking at)."""
        return self._apply(self.library.load(self.transcript_id), keep_scroll=keep_scroll)

    def _apply(self, loaded: LibraryTranscript | None, *, keep_scroll: bool) -> bool:
        if loaded is None:
            self.close()
            return False
        scroll = self.view.editor.verticalScrollBar()
        kept = scroll.value()
        self.loaded = loaded
        self._display_first = [d.first_seq for d in loaded.display]
        self._auto_scrolling = True
        try:
            self.view.set_transcript(loaded.transcript)
            # Drawing leaves the editor's caret at the end, and Qt scrolls a caret into view when
            # the window shows: put it where the reader is (the top, or what was on screen).
            self.view.editor.setTextCursor(QTextCursor(self.view.document()))
            scroll.setValue(kept if keep_scroll else 0)
            if keep_scroll:
                self.view.editor.setTextCursor(self.view.editor.cursorForPosition(QPoint(4, 4)))
        finally:
            self._auto_scrolling = False
        self.word_map = WordMap.build(self.view.document(), loaded.transcript)
        self._current_word = None
        self._show_info(loaded.info)
        self.revert_button.setVisible(bool(loaded.edits))
        if self.player_bar.available:
            self.highlight_time(self.player_bar.player.position_ms)
        return True

    def _show_info(self, info: TranscriptInfo) -> None:
        self.setWindowTitle(f"{info.title} — Transcript")
        self.title_label.setText(info.title)
        self.meta_label.setText(meta_text(info))
        self.view.export_title = info.title
        self.view.export_basename = file_stem(info.title)
        tips = ["Right-click a word (or press Ctrl+E) to correct it.", "Click a speaker to rename them."]
        if info.audio_path:
            tips.insert(0, "Click a word to play from there; Space plays and pauses.")
        if info.status == "active":
            tips.insert(0, "This session is still recording: new words appear every few seconds.")
        self.hint.setText(" ".join(tips))

    def _on_library_change(self, change: Change) -> None:
        if change.transcript_id != self.transcript_id:
            return
        if change.kind == "deleted":
            self.close()
        elif change.kind == "tokens":
            if not self._reload_timer.isActive():
                self._reload_timer.start()
        elif change.kind == "updated":
            info = self.library.info(self.transcript_id)
            if info is not None:
                self._show_info(info)

    def _on_show_times(self, on: bool) -> None:
        super()._on_show_times(on)
        self.word_map = WordMap.build(self.view.document(), self.view.transcript)
        self._current_word = None

    # ------------------------------------------------------------------ navigation
    def display_index(self, seq: int) -> int:
        """The display token standing for original token ``seq``."""
        i = bisect.bisect_right(self._display_first, seq) - 1
        return max(0, i)

    def word_for_seq(self, seq: int) -> Word | None:
        if self.word_map is None or self.loaded is None:
            return None
        index = self.display_index(seq)
        # A marker or a translation has no drawn word: take the next word that has one.
        for i in range(index, min(index + 50, len(self.loaded.display))):
            word = self.word_map.token_word(i)
            if word is not None:
                return word
        return None

    def open_at_hit(self, hit: SearchHit) -> None:
        """Scroll to a search hit, put the caret on it and seed the find bar with the matched word."""
        word = self.word_for_seq(hit.first_seq)
        matched = hit.snippet.split(MARK_START, 1)[1].split(MARK_END, 1)[0] if MARK_START in hit.snippet else ""
        if word is not None and self.word_map is not None:
            start, _end = self.word_map.position(word)
            cursor = QTextCursor(self.view.document())
            cursor.setPosition(start)
            self.view.editor.setTextCursor(cursor)
            self._scroll_to(start, force=True)
        if matched:
            self.view.find_bar.show()
            self.view.find_bar.edit.setText(matched)
        if hit.start_ms is not None and self.player_bar.available:
            self.player_bar.seek(hit.start_ms)

    def _scroll_to(self, position: int, *, force: bool = False) -> None:
        """Bring ``position`` into view (a third from the top) unless it is already visible."""
        editor = self.view.editor
        cursor = QTextCursor(self.view.document())
        cursor.setPosition(position)
        rect = editor.cursorRect(cursor)
        viewport = editor.viewport().rect()
        if not force and viewport.top() + 20 <= rect.top() and rect.bottom() <= viewport.bottom() - 20:
            return
        scroll = editor.verticalScrollBar()
        self._auto_scrolling = True
        try:
            scroll.setValue(scroll.value() + rect.top() - viewport.height() // 3)
        finally:
            self._auto_scrolling = False

    def _on_scrolled(self, _value: int) -> None:
        if not self._auto_scrolling:
            self._user_scrolled_at = time.monotonic()

    # ------------------------------------------------------------------ playback
    def highlight_time(self, ms: int) -> None:
        """Highlight the word being heard at ``ms`` and, while playing, keep it in view."""
        if self.word_map is None:
            return
        word = self.word_map.at_time(ms)
        editor = self.view.editor
        current = editor.extraSelections()
        ours = any(s.format.hasProperty(PLAYBACK_PROPERTY) for s in current)
        # The find bar replaces all extra selections when it searches: put ours back then too.
        if word != self._current_word or (word is not None and not ours):
            self._current_word = word
            selections = [s for s in current if not s.format.hasProperty(PLAYBACK_PROPERTY)]
            if word is not None:
                start, end = self.word_map.position(word)
                selection = QTextEdit.ExtraSelection()
                cursor = QTextCursor(self.view.document())
                cursor.setPosition(start)
                cursor.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
                selection.cursor = cursor
                selection.format = self._playback_format()
                selections.append(selection)
            editor.setExtraSelections(selections)
        following = time.monotonic() - self._user_scrolled_at > FOLLOW_PAUSE_S
        if word is not None and self.player_bar.player.playing and following:
            self._scroll_to(self.word_map.position(word)[0])

    def _playback_format(self) -> QTextCharFormat:
        palette = self.view.editor.palette()
        fmt = QTextCharFormat()
        background = QColor(palette.color(palette.ColorRole.Highlight))
        background.setAlpha(90)
        fmt.setBackground(background)
        fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.SingleUnderline)
        fmt.setUnderlineColor(palette.color(palette.ColorRole.Highlight))
        fmt.setProperty(PLAYBACK_PROPERTY, True)
        return fmt

    @property
    def current_word(self) -> Word | None:
        return self._current_word

    def word_text(self, word: Word) -> str:
        if self.loaded is None:
            return ""
        tokens = self.view.transcript.final_tokens[word.first_token : word.last_token + 1]
        return "".join(t.text for t in tokens).strip()

    def seek_to_word(self, word: Word) -> None:
        if word.start_ms is None or not self.player_bar.available:
            return
        self._user_scrolled_at = 0.0
        self.player_bar.seek(word.start_ms)

    def _on_playing_changed(self, playing: bool) -> None:
        if playing:
            self._user_scrolled_at = 0.0

    def _space(self) -> None:
        if self.player_bar.available:
            self.player_bar.toggle()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            watched is self.view.editor.viewport()
            and event.type() == QEvent.Type.MouseButtonRelease
            and isinstance(event, QMouseEvent)
            and event.button() == Qt.MouseButton.LeftButton
            and not self.view.editor.textCursor().hasSelection()
            and self.word_map is not None
        ):
            point = event.position().toPoint()
            if not self.view.editor.anchorAt(point).startswith(SPEAKER_HREF_PREFIX):
                word = self.word_map.at_position(self.view.editor.cursorForPosition(point).position())
                if word is not None:
                    self.seek_to_word(word)
        return super().eventFilter(watched, event)

    # ------------------------------------------------------------------ corrections
    def _seq_span(self, word: Word) -> tuple[int, int]:
        assert self.loaded is not None
        display = self.loaded.display
        return display[word.first_token].first_seq, display[word.last_token].last_seq

    def is_corrected(self, word: Word) -> bool:
        if self.loaded is None:
            return False
        return any(d.edited for d in self.loaded.display[word.first_token : word.last_token + 1])

    def _extend_menu(self, menu: QMenu, position: int) -> None:
        word = self.word_map.at_position(position) if self.word_map is not None else None
        if word is None:
            return
        first = menu.actions()[0] if menu.actions() else None
        text = self.word_text(word)
        items: list[tuple[str, str, Callable[[], object], str | None]] = [
            (f"&Correct “{text}”…", "correctWordAction", lambda: self.prompt_correction(word), "Ctrl+E"),
        ]
        if self.is_corrected(word):
            items.append(("Undo this correction", "revertWordAction", lambda: self.revert_word(word), None))
        if self.player_bar.available and word.start_ms is not None:
            items.append(("&Play from here", "playFromHereAction", lambda: self._play_from(word), None))
        for label, name, slot, keys in items:
            action = menu.addAction(label)
            action.setObjectName(name)
            if keys:
                action.setShortcut(QKeySequence(keys))
            action.triggered.connect(lambda _checked=False, s=slot: s())
            if first is not None:
                menu.removeAction(action)
                menu.insertAction(first, action)
        if first is not None:
            menu.insertSeparator(first)

    def _play_from(self, word: Word) -> None:
        self.seek_to_word(word)
        self.player_bar.play()

    def correct_at_caret(self) -> None:
        if self.word_map is None:
            return
        cursor = self.view.editor.textCursor()
        word = self.word_map.at_position(cursor.selectionStart())
        if word is not None:
            self.prompt_correction(word)

    def prompt_correction(self, word: Word) -> None:
        current = self.word_text(word)
        answer = self.text_prompt(self, "Correct word", "Replace the recognised word with:", current)
        if answer is not None and answer.strip() != current:
            self.correct(word, answer.strip())

    def correct(self, word: Word, text: str) -> None:
        first, last = self._seq_span(word)
        self.library.edit(self.transcript_id, first, last, text)
        self.reload(keep_scroll=True)

    def revert_word(self, word: Word) -> None:
        first, _last = self._seq_span(word)
        if self.library.revert_edit(self.transcript_id, first):
            self.reload(keep_scroll=True)

    def revert_all(self) -> None:
        if self.library.revert_all_edits(self.transcript_id):
            self.reload(keep_scroll=True)

    # ------------------------------------------------------------------ names
    def prompt_rename(self) -> None:
        if self.loaded is None:
            return
        answer = self.text_prompt(self, "Rename transcript", "Title:", self.loaded.info.title)
        if answer is not None and answer.strip():
            self.library.rename(self.transcript_id, answer)

    def _on_speaker_renamed(self, speaker_id: str, label: str) -> None:
        self.library.set_speaker_name(self.transcript_id, speaker_id, label)

    # ------------------------------------------------------------------ closing
    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt override
        self._closing = True
        self.player_bar.shutdown()
        self._reload_timer.stop()
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        self.closed.emit(self.transcript_id)
        super().closeEvent(event)
