from __future__ import annotations

from PySide6.QtCore import Qt

from desktop.ui.widgets.language_picker import LanguagePicker
from tests.a11y import assert_accessible

LANGS = [("en", "English"), ("de", "German"), ("sl", "Slovenian"), ("es", "Spanish")]


def test_the_list_shows_every_language_and_filters_as_you_type(qtbot) -> None:  # noqa: ANN001
    picker = LanguagePicker()
    qtbot.addWidget(picker)
    picker.set_languages(LANGS, ["de"])
    view_model = picker.list_view.model()
    assert view_model.rowCount() == 4, "the visible list must show the languages without typing first"
    qtbot.keyClicks(picker.filter_edit, "slo")
    assert view_model.rowCount() == 1
    assert view_model.index(0, 0).data() == "Slovenian (sl)"
    qtbot.keyClick(picker.filter_edit, Qt.Key.Key_Return)  # Enter checks the first match
    assert picker.selected() == ["de", "sl"]
    assert picker.filter_edit.text() == ""
    assert "de, sl" in picker.summary.text()
    assert_accessible(picker)


def test_selection_order_is_kept_and_refilling_keeps_known_codes(qtbot) -> None:  # noqa: ANN001
    picker = LanguagePicker()
    qtbot.addWidget(picker)
    picker.set_languages(LANGS)
    seen = []
    picker.selection_changed.connect(seen.append)
    picker.set_selected(["es", "en"])
    assert picker.selected() == ["es", "en"] and seen[-1] == ["es", "en"]
    picker.set_languages([("en", "English"), ("fr", "French")])
    assert picker.selected() == ["en"]
    assert picker.list_view.model().rowCount() == 2
