"""The two-column view of a two-way translated session: rows per turn, drawn from the deltas."""

from __future__ import annotations

from PySide6.QtCore import Qt

from desktop.core.transcript import Transcript
from desktop.ui.transcript.bilingual_view import BilingualView
from tests.core.captions.test_bilingual_rows import said, translated


def test_rows_follow_the_live_deltas_with_the_translation_beside_the_words(qtbot) -> None:  # noqa: ANN001
    view = BilingualView("sl", "en")
    qtbot.addWidget(view)
    view.resize(800, 300)
    view.show()
    t = Transcript()
    view.set_transcript(t)
    model = view.model()
    assert model.rowCount() == 0 and model.headerData(0, Qt.Orientation.Horizontal) == "SL"
    view.apply_delta(t.apply([said("Dober", 0, "1", "sl"), said(" dan", 200, "1", "sl", final=False)]))
    assert model.rowCount() == 1 and model.index(0, 0).data() == "Speaker 1: Dober dan …"
    view.apply_delta(
        t.apply([said(" dan", 200, "1", "sl"), said("<end>", 400, "1", "sl"), translated("Good day", "1", "en")])
    )
    assert [model.index(0, c).data() for c in (0, 1)] == ["Speaker 1: Dober dan", "Good day"]
    assert model.index(0, 1).data(Qt.ItemDataRole.FontRole).italic()
    view.apply_delta(t.apply([said("Thanks", 1000, "2", "en"), translated("Hvala", "2", "sl", final=False)]))
    assert model.rowCount() == 2
    assert [model.index(1, c).data() for c in (0, 1)] == ["Hvala …", "Speaker 2: Thanks"]
    assert model.index(1, 1).data(Qt.ItemDataRole.AccessibleTextRole) == "Speaker 2: said: Thanks"
    view.apply_delta(t.discard_tail())
    assert model.index(1, 0).data() == ""


def test_a_long_turn_gets_a_taller_row_than_a_short_one(qtbot) -> None:  # noqa: ANN001
    view = BilingualView("sl", "en")
    qtbot.addWidget(view)
    view.resize(500, 400)
    view.show()
    t = Transcript()
    view.set_transcript(t)
    view.apply_delta(t.apply([said("Kratko", 0, "1", "sl"), said("<end>", 200, "1", "sl")]))
    long_text = " ".join(f"beseda{i}" for i in range(40))
    view.apply_delta(t.apply([said(long_text, 1000, "2", "sl")]))
    assert view.rowHeight(1) > 2 * view.rowHeight(0)  # the long row wraps, measured when it changed
