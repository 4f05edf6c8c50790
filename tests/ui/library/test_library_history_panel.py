"""The history panel: every transcript newest first, search while typing with snippets, open at
the match, rename and delete (with confirmation), and live updates from the library."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest
from PySide6.QtCore import Qt

from desktop.core.library.store import Library
from desktop.core.transcript import Token
from desktop.ui.library.history_model import ItemRole
from desktop.ui.library.history_panel import HistoryPanel
from tests.a11y import assert_accessible
from tests.library_helpers import spoken_tokens


@pytest.fixture
def library(tmp_path: Path) -> Iterator[Library]:
    lib = Library.open(tmp_path / "data")
    yield lib
    lib.close()


@pytest.fixture
def panel(qtbot, qloop, library: Library) -> Iterator[HistoryPanel]:  # noqa: ANN001
    widget = HistoryPanel(None, library)
    qtbot.addWidget(widget)
    widget.resize(420, 600)
    widget.show()
    yield widget
    widget.shutdown()


def _add(library: Library, title: str, tokens: list[Token], *, names: dict[str, str] | None = None) -> int:
    tid = library.begin_live(title=title, source_kind="microphone")
    library.append_tokens(tid, tokens)
    library.finish_live(tid)
    for speaker, name in (names or {}).items():
        library.set_speaker_name(tid, speaker, name)
    return tid


def _titles(panel: HistoryPanel) -> list[str]:
    return [panel.model.data(panel.model.index(r)) for r in range(panel.model.rowCount())]


def test_lists_everything_newest_first_with_facts(qtbot, panel: HistoryPanel, library: Library) -> None:  # noqa: ANN001
    assert "No transcripts yet" in panel.status_label.text()
    _add(library, "Monday stand-up", spoken_tokens(40, words_per_turn=20), names={"1": "Ana"})
    job = SimpleNamespace(
        id="job-7",
        filename="interview.mp3",
        audio_url=None,
        file_id="f",
        created_at=4e9,
        audio_duration_ms=5_000,
    )
    library.save_job_transcript(job, spoken_tokens(5, speakers=1))
    qtbot.waitUntil(lambda: panel.model.rowCount() == 2)  # the panel follows the library
    assert _titles(panel) == ["interview.mp3", "Monday stand-up"]  # the job is dated later
    standup = panel.model.index(1).data(ItemRole).info
    assert standup.speaker_labels == ["Ana", "Speaker 2"]
    tooltip = panel.model.index(1).data(Qt.ItemDataRole.ToolTipRole)
    assert "Microphone" in tooltip and "Ana, Speaker 2" in tooltip
    assert "2 transcripts" in panel.status_label.text()
    assert_accessible(panel)


def test_search_while_typing_shows_snippets_and_opens_at_the_match(
    qtbot, panel: HistoryPanel, library: Library
) -> None:  # noqa: ANN001
    tokens = spoken_tokens(300, seed=3, vocabulary=["alpha", "beta", "gamma"])
    tokens[200] = Token(" zeppelin", 60_000, 60_250, 0.9, True, "1", "en")
    target = _add(library, "Airships", tokens)
    _add(library, "Other", spoken_tokens(50, seed=4, vocabulary=["delta"]))
    panel.refresh()
    qtbot.keyClicks(panel.search_edit, "zepp")
    qtbot.waitUntil(lambda: not panel.searching and _titles(panel) == ["Airships"], timeout=5000)
    item = panel.model.index(0).data(ItemRole)
    assert item.hit_count == 1 and "zeppelin" in item.hits[0].snippet
    assert "1 transcript match" in panel.status_label.text()
    # Enter in the search box opens the first result at the match.
    qtbot.keyClick(panel.search_edit, Qt.Key.Key_Return)
    window = panel.windows[target]
    qtbot.waitUntil(lambda: window.isVisible() and window.opening.done())
    cursor = window.view.editor.textCursor()
    block_text = cursor.block().text()
    assert "zeppelin" in block_text  # the caret is in the passage of the hit
    assert window.view.find_bar.isVisible() and window.view.find_bar.edit.text() == "zeppelin"
    assert window.view.find_bar.match_count == 1
    # Clearing the search shows every transcript again.
    panel.search_edit.clear()
    qtbot.waitUntil(lambda: len(_titles(panel)) == 2)
    window.close()


def test_no_match_says_so(qtbot, panel: HistoryPanel, library: Library) -> None:  # noqa: ANN001
    _add(library, "a", spoken_tokens(20))
    panel.set_query("xylophone ")
    qtbot.waitUntil(lambda: "Nothing matches" in panel.status_label.text(), timeout=5000)
    assert panel.model.rowCount() == 0


def test_a_newer_query_wins_over_a_slower_older_one(qtbot, panel: HistoryPanel, library: Library) -> None:  # noqa: ANN001
    _add(library, "fox talk", [Token(" the fox", 0, 500, 0.9, True, "1")])
    _add(library, "dog talk", [Token(" the dog", 0, 500, 0.9, True, "1")])
    panel.refresh()
    for text in ("f", "fo", "fox", "fox ", "do", "dog"):
        panel.set_query(text)
    qtbot.waitUntil(lambda: not panel.searching and _titles(panel) == ["dog talk"], timeout=5000)


def test_rename_and_delete_with_confirmation(qtbot, panel: HistoryPanel, library: Library) -> None:  # noqa: ANN001
    recorded = _add(library, "Session", spoken_tokens(10))
    recording = library.recording_path(recorded, "opus")
    recording.write_bytes(b"OggS")
    library.set_audio(recorded, recording, owned=True)
    panel.refresh()
    panel.select_transcript(recorded)
    panel.text_prompt = lambda parent, title, label, current: "Board meeting"
    panel.list.setFocus()
    qtbot.keyClick(panel.list, Qt.Key.Key_F2)
    assert library.info(recorded).title == "Board meeting"
    qtbot.waitUntil(lambda: _titles(panel) == ["Board meeting"])

    asked: list[str] = []
    panel.confirm = lambda parent, title, text, action: asked.append(text) or False
    panel.select_transcript(recorded)
    qtbot.keyClick(panel.list, Qt.Key.Key_Delete)
    assert "and its recording" in asked[0] and library.info(recorded) is not None  # declined
    panel.confirm = lambda parent, title, text, action: True
    panel.delete_button.click()
    assert library.info(recorded) is None and not recording.exists()
    qtbot.waitUntil(lambda: panel.model.rowCount() == 0)


def test_pages_through_a_long_history(qtbot, panel: HistoryPanel, library: Library) -> None:  # noqa: ANN001
    for i in range(230):
        tid = library.begin_live(title=f"t{i:03d}", source_kind="microphone")
        library.finish_live(tid)
    panel.refresh()
    assert panel.model.rowCount() == 200 and panel.model.canFetchMore(panel.list.rootIndex())
    panel.list.scrollToBottom()
    qtbot.waitUntil(lambda: panel.model.rowCount() == 230)
    assert _titles(panel)[-1] == "t000"


def test_a_session_still_recording_is_not_deleted(qtbot, panel: HistoryPanel, library: Library) -> None:  # noqa: ANN001
    running = library.begin_live(title="Now", source_kind="microphone")
    library.append_tokens(running, spoken_tokens(5))
    panel.refresh()
    panel.select_transcript(running)
    panel.confirm = lambda parent, title, text, action: True
    panel.delete_selected()
    assert library.info(running) is not None
    assert "still recording" in panel.status_label.text()


def test_a_recording_session_updates_its_row_without_rebuilding_the_list(
    qtbot,
    panel: HistoryPanel,
    library: Library,  # noqa: ANN001
) -> None:
    for i in range(5):
        _add(library, f"older {i}", spoken_tokens(3))
    running = library.begin_live(title="Now", source_kind="microphone")
    qtbot.waitUntil(lambda: "Now" in _titles(panel), timeout=5000)
    # let the set-up's own notifications (sessions added and finished) be shown first
    qtbot.waitUntil(lambda: not panel._row_timer.isActive() and not panel._refresh_timer.isActive(), timeout=5000)
    resets: list[int] = []
    panel.model.modelReset.connect(lambda: resets.append(1))
    changed: list[int] = []
    panel.model.dataChanged.connect(lambda top, _bottom: changed.append(top.row()))
    library.append_tokens(running, spoken_tokens(7))
    row = panel.model.row_of(running)
    qtbot.waitUntil(lambda: panel.model.item(row).info.token_count == 7, timeout=10_000)
    assert changed == [row] and resets == [], "one row updated in place, the list not rebuilt"
