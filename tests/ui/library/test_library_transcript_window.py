"""A stored transcript's window: playback with the heard word highlighted and followed, click a
word to seek, speed, corrections that keep timing and reach exports, renames, missing audio."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCursor

from desktop.core.library.store import Library
from desktop.core.transcript import Token
from desktop.ui.library.transcript_window import PLAYBACK_PROPERTY, LibraryTranscriptWindow
from tests.a11y import assert_accessible
from tests.library_helpers import FakeOutputDevice, spoken_tokens, write_sine_ogg


@pytest.fixture
def library(tmp_path: Path) -> Iterator[Library]:
    lib = Library.open(tmp_path / "data")
    yield lib
    lib.close()


def _words() -> list[Token]:
    """Ten words (one drawn from two tokens) over 3.5 s, two speakers; the audio is 4 s long."""
    timed = [
        (" Hello", 0, 300),
        (" every", 400, 550),
        ("one", 550, 700),
        (" this", 800, 1100),
        (" is", 1200, 1500),
        (" the", 1600, 1900),
        (" weekly", 2000, 2300),
        (" review.", 2400, 2700),
        (" Thanks", 2800, 3100),
        (" all.", 3200, 3500),
    ]
    tokens = [Token(text, a, b, 0.9, True, "1" if a < 2800 else "2", "en") for text, a, b in timed]
    tokens.insert(8, Token("<end>", None, None, None, True, "1", None))
    return tokens


@pytest.fixture
def stored(library: Library, tmp_path: Path) -> int:
    tid = library.begin_live(title="Weekly review", source_kind="microphone")
    library.append_tokens(tid, _words())
    library.finish_live(tid, duration_ms=4000)
    audio = write_sine_ogg(library.recording_path(tid, "ogg"), 4.0)
    library.set_audio(tid, audio, owned=True, audio_format="ogg/vorbis")
    return tid


@pytest.fixture(autouse=True)
def _close_windows() -> Iterator[None]:
    yield
    for window in list(_OPEN):
        if shiboken6.isValid(window):
            window.close()
    _OPEN.clear()


_OPEN: list[LibraryTranscriptWindow] = []


def _window(qtbot, library: Library, tid: int, sd: FakeOutputDevice | None = None) -> LibraryTranscriptWindow:  # noqa: ANN001
    window = LibraryTranscriptWindow(library, tid, sd=sd or FakeOutputDevice(latency=0.05))
    _OPEN.append(window)  # not qtbot.addWidget: the window deletes itself on close
    window.show()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)  # window shortcuts (Space, Alt+arrows, Ctrl+E) need it
    qtbot.waitUntil(lambda: window.opening.done())  # the transcript is read off the UI thread
    return window


def _highlighted(window: LibraryTranscriptWindow) -> str:
    for selection in window.view.editor.extraSelections():
        if selection.format.hasProperty(PLAYBACK_PROPERTY):
            return selection.cursor.selectedText()
    return ""


def _click_word(qtbot, window: LibraryTranscriptWindow, word: str) -> None:  # noqa: ANN001
    start = window.view.toPlainText().index(word)
    cursor = QTextCursor(window.view.document())
    cursor.setPosition(start + 1)
    point = window.view.editor.cursorRect(cursor).center()
    qtbot.mouseClick(window.view.editor.viewport(), Qt.MouseButton.LeftButton, pos=point)


def test_playback_highlights_the_heard_word_and_follows_it(qtbot, qloop, library: Library, stored: int) -> None:  # noqa: ANN001
    sd = FakeOutputDevice(latency=0.05)
    window = _window(qtbot, library, stored, sd)
    assert window.player_bar.isVisible() and window.player_bar.play_button.isEnabled()
    assert_accessible(window)
    assert window.player_bar.time_label.text() == "0:00 / 0:04"
    qtbot.keyClick(window.view.editor, Qt.Key.Key_Space)  # Space plays
    assert window.player_bar.player.playing
    assert window.player_bar.play_button.text() == "Pause"
    stream = sd.stream
    stream.pump(8)  # 0.51 s decoded, 0.46 s heard: "every" (0.4 s), drawn with "one" as one word
    qtbot.waitUntil(lambda: _highlighted(window) == "everyone", timeout=2000)
    stream.pump(18)  # 1.61 s heard: "the" (1.6 s)
    qtbot.waitUntil(lambda: _highlighted(window) == "the", timeout=2000)
    qtbot.keyClick(window.view.editor, Qt.Key.Key_Space)  # Space pauses
    assert not window.player_bar.player.playing
    assert window.player_bar.play_button.text() == "Play"


def test_a_click_on_a_word_seeks_there(qtbot, qloop, library: Library, stored: int) -> None:  # noqa: ANN001
    window = _window(qtbot, library, stored)
    _click_word(qtbot, window, "weekly")
    assert window.player_bar.player.position_ms == 2000
    assert _highlighted(window) == "weekly"
    assert window.player_bar.slider.value() == 2000
    _click_word(qtbot, window, "Thanks")
    assert window.player_bar.player.position_ms == 2800
    assert _highlighted(window) == "Thanks"


def test_speed_and_skip_controls(qtbot, qloop, library: Library, stored: int) -> None:  # noqa: ANN001
    window = _window(qtbot, library, stored)
    bar = window.player_bar
    bar.speed_combo.setCurrentIndex(bar.speed_combo.findData(1.5))
    assert bar.player.speed == 1.5
    qtbot.keyClick(window.view.editor, Qt.Key.Key_Up, Qt.KeyboardModifier.AltModifier)
    assert bar.player.speed == 1.75
    qtbot.keyClick(window.view.editor, Qt.Key.Key_Right, Qt.KeyboardModifier.AltModifier)
    assert bar.player.position_ms == 4000  # clamped at the end
    qtbot.keyClick(window.view.editor, Qt.Key.Key_Left, Qt.KeyboardModifier.AltModifier)
    assert bar.player.position_ms == 0  # 4 s - 5 s, clamped


def test_a_correction_keeps_timing_and_reaches_exports_and_the_store(
    qtbot, qloop, library: Library, stored: int
) -> None:  # noqa: ANN001
    window = _window(qtbot, library, stored)
    text = window.view.toPlainText()
    start = text.index("everyone")  # one word drawn from two tokens
    cursor = QTextCursor(window.view.document())
    cursor.setPosition(start + 2)
    point = window.view.editor.cursorRect(cursor).center()
    window.text_prompt = lambda parent, title, label, current: "everybody" if current == "everyone" else None
    menu = window.view.build_context_menu(point)
    action = next(a for a in menu.actions() if a.objectName() == "correctWordAction")
    assert "everyone" in action.text()
    action.trigger()
    assert "Hello everybody this" in window.view.toPlainText()
    edit = library.edits(stored)[0]
    assert (edit.first_seq, edit.last_seq, edit.text) == (1, 2, "everybody")
    assert "everybody" in window.view.export_text("txt") and "everyone" not in window.view.export_text("srt")
    # The corrected word still plays at its time.
    window.highlight_time(500)
    assert _highlighted(window) == "everybody"
    assert window.revert_button.isVisible()
    # And it can be undone from the same menu.
    start = window.view.toPlainText().index("everybody")
    cursor.setPosition(start + 2)
    menu = window.view.build_context_menu(window.view.editor.cursorRect(cursor).center())
    next(a for a in menu.actions() if a.objectName() == "revertWordAction").trigger()
    assert "Hello everyone this" in window.view.toPlainText() and library.edits(stored) == []


def test_ctrl_e_corrects_the_word_at_the_caret(qtbot, qloop, library: Library, stored: int) -> None:  # noqa: ANN001
    window = _window(qtbot, library, stored)
    cursor = QTextCursor(window.view.document())
    cursor.setPosition(window.view.toPlainText().index("weekly") + 1)
    window.view.editor.setTextCursor(cursor)
    window.view.editor.setFocus()
    window.text_prompt = lambda parent, title, label, current: "monthly"
    qtbot.keyClick(window.view.editor, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    assert "the monthly review." in window.view.toPlainText()


def test_renames_are_kept(qtbot, qloop, library: Library, stored: int) -> None:  # noqa: ANN001
    window = _window(qtbot, library, stored)
    window.view.rename_speaker("1", "Ana")
    assert library.speaker_names(stored) == {"1": "Ana"}
    window.text_prompt = lambda parent, title, label, current: "Review, week 12"
    window.rename_button.click()
    assert library.info(stored).title == "Review, week 12"
    qtbot.waitUntil(lambda: window.title_label.text() == "Review, week 12")
    assert window.windowTitle().startswith("Review, week 12")
    # Reopened, everything is still there.
    window.close()
    again = _window(qtbot, library, stored)
    assert "Ana" in again.view.toPlainText()


def test_missing_audio_is_explained_and_deleting_closes_the_window(qtbot, qloop, library: Library, stored: int) -> None:  # noqa: ANN001
    Path(library.info(stored).audio_path).unlink()
    window = _window(qtbot, library, stored)
    assert not window.player_bar.play_button.isEnabled()
    assert "not found" in window.player_bar.message.text()
    with qtbot.waitSignal(window.closed):
        library.delete(stored)


def test_a_transcript_without_audio_has_no_player(qtbot, qloop, library: Library) -> None:  # noqa: ANN001
    tid = library.begin_live(title="t", source_kind="url")
    library.append_tokens(tid, spoken_tokens(20))
    library.finish_live(tid)
    window = _window(qtbot, library, tid)
    assert not window.player_bar.isVisible()
    _click_word(qtbot, window, window.view.toPlainText().split()[3])  # no audio: nothing to seek, no error
    assert window.player_bar.player.position_ms == 0


def test_the_view_follows_the_audio_unless_the_user_scrolled(qtbot, qloop, library: Library) -> None:  # noqa: ANN001
    tid = library.begin_live(title="long", source_kind="microphone")
    library.append_tokens(tid, spoken_tokens(700, words_per_turn=25))  # 210 s of words
    library.finish_live(tid)
    audio = write_sine_ogg(library.recording_path(tid, "ogg"), 200.0)
    library.set_audio(tid, audio, owned=True)
    sd = FakeOutputDevice(latency=0.05)
    window = _window(qtbot, library, tid, sd)
    window.resize(700, 400)
    editor = window.view.editor
    scroll = editor.verticalScrollBar()
    assert scroll.value() == 0
    window.player_bar.seek(150_000)
    window.player_bar.play()
    sd.stream.pump(4)
    qtbot.waitUntil(lambda: scroll.value() > 0, timeout=2000)

    def highlight_visible() -> bool:
        for selection in editor.extraSelections():
            if selection.format.hasProperty(PLAYBACK_PROPERTY):
                return editor.viewport().rect().contains(editor.cursorRect(selection.cursor).center())
        return False

    qtbot.waitUntil(highlight_visible, timeout=2000)
    # The user scrolls back to the top: playback goes on without pulling the view away.
    scroll.setValue(0)
    window.player_bar.seek(180_000)
    sd.stream.pump(4)
    qtbot.wait(200)
    assert scroll.value() == 0
    window.player_bar.pause()
