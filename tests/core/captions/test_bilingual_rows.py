"""Two-way translation in two columns: each turn in its language's column, its translation beside it."""

from __future__ import annotations

from typing import Any

from desktop.core.captions.bilingual import BilingualRows
from desktop.core.transcript import Transcript


def said(text: str, start: int, speaker: str, lang: str, *, final: bool = True) -> dict[str, Any]:
    return {
        "text": text,
        "is_final": final,
        "start_ms": start,
        "end_ms": start + 200,
        "speaker": speaker,
        "language": lang,
        "translation_status": "original",
    }


def translated(text: str, speaker: str, lang: str, *, final: bool = True) -> dict[str, Any]:
    return {"text": text, "is_final": final, "speaker": speaker, "language": lang, "translation_status": "translation"}


def test_each_turn_sits_in_its_language_column_with_the_translation_beside_it() -> None:
    t = Transcript()
    rows = BilingualRows("sl", "en")
    rows.update(t, t.apply([said("Dober", 0, "1", "sl"), said(" dan", 200, "1", "sl"), said("<end>", 400, "1", "sl")]))
    rows.update(t, t.apply([translated("Good day", "1", "en")]))
    rows.update(t, t.apply([said("Hello", 1000, "2", "en"), said(" there", 1200, "2", "en", final=False)]))
    rows.update(t, t.apply([said(" there", 1200, "2", "en"), translated("Živjo", "2", "sl", final=False)]))

    assert [(r.speaker_label, r.cells[0].text, r.cells[1].text, r.spoken) for r in rows.rows] == [
        ("Speaker 1", "Dober dan", "Good day", 0),
        ("Speaker 2", "Živjo", "Hello there", 1),
    ]
    second = rows.rows[1]
    assert second.cells[0].final == "" and second.cells[0].provisional == "Živjo"  # still provisional


def test_only_rows_from_the_first_touched_segment_are_rebuilt() -> None:
    t = Transcript()
    rows = BilingualRows("sl", "en")
    for i in range(50):
        rows.update(
            t,
            t.apply(
                [
                    said(f"beseda{i}", i * 1000, str(i % 2 + 1), "sl"),
                    said("<end>", i * 1000 + 500, str(i % 2 + 1), "sl"),
                ]
            ),
        )
    first = rows.update(t, t.apply([said("zadnja", 60_000, "1", "sl", final=False)]))
    assert first >= len(rows.rows) - 2
    assert rows.rows[-1].cells[0].text == "zadnja"
    assert len(rows.rows) == 51 and rows.rebuild(t) == 0 and len(rows.rows) == 51
