"""The transcript view: what it shows after scripted responses, and every interaction on it."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QAction, QColor, QGuiApplication, QPalette, QTextCursor
from PySide6.QtWidgets import QApplication, QLabel, QLineEdit, QPushButton, QToolButton

from desktop.core.export import FORMATS, export_transcript
from desktop.core.transcript import Token, Transcript
from desktop.ui.theme import dark_palette
from desktop.ui.transcript import TranscriptView
from desktop.ui.transcript.document import END_MARKER
from desktop.ui.transcript.speaker_colors import (
    ROLE_PROPERTY,
    Role,
    contrast_ratio,
    speaker_color,
)
from tests.a11y import assert_accessible


def T(
    text: str,
    start: int | None = None,
    speaker: str | None = None,
    lang: str | None = None,
    status: str | None = None,
    *,
    final: bool = True,
) -> Token:
    end = None if start is None else start + 200
    source = "en" if status == "translation" else None
    return Token(text, start, end, 0.9, final, speaker, lang, status, source)


def NF(text: str, start: int, speaker: str | None = None, lang: str | None = None) -> Token:
    return T(text, start, speaker, lang, final=False)


SCRIPT: list[list[Token]] = [
    [NF("Good", 0, "1", "en")],
    [T("Good", 0, "1", "en"), T(" morning", 300, "1", "en"), NF(" every", 600, "1", "en")],
    [
        T(" everyone.", 600, "1", "en"),
        T("Bonjour", None, "1", "fr", "translation"),
        T(" à tous.", None, "1", "fr", "translation"),
        T("<end>", 900),
        NF("Hola", 1200, "2", "es"),
    ],
    [T("Hola", 1200, "2", "es"), T(" amigos.", 1500, "2", "es"), T("<fin>"), NF(" Yes", 2000, "1", "en")],
]


@pytest.fixture
def view(qtbot) -> TranscriptView:  # noqa: ANN001 - pytest-qt fixture
    widget = TranscriptView()
    qtbot.addWidget(widget)
    widget.resize(640, 400)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def feed(view: TranscriptView, responses: list[list[Token]], *, offset_ms: int = 0) -> None:
    for tokens in responses:
        view.apply_delta(view.transcript.apply(tokens, offset_ms=offset_ms))


def role_at(view: TranscriptView, position: int) -> Role | None:
    cursor = QTextCursor(view.document())
    cursor.setPosition(position + 1)  # the format of the character *before* the cursor
    value = cursor.charFormat().property(ROLE_PROPERTY)
    return None if value is None else Role(int(value))


def format_at(view: TranscriptView, position: int):  # noqa: ANN201 - QTextCharFormat
    cursor = QTextCursor(view.document())
    cursor.setPosition(position + 1)
    return cursor.charFormat()


def snapshot(view: TranscriptView) -> tuple[str, list[tuple[int, Role | None, str | None]]]:
    """The text and, per fragment, its role and speaker: what two drawings must agree on."""
    doc = view.document()
    frags = []
    block = doc.begin()
    while block.isValid():
        kind = block.blockFormat().property(0x100000 + 3)
        frags.append((block.position(), None, kind))
        for item in block:
            frag = item.fragment()
            role = frag.charFormat().property(ROLE_PROPERTY)
            frags.append((frag.position(), None if role is None else Role(int(role)), frag.text()))
        block = block.next()
    return doc.toPlainText(), frags


# ------------------------------------------------------------------------------- drawing
def test_final_words_then_styled_tail(view: TranscriptView) -> None:
    feed(view, SCRIPT[:2])
    text = view.toPlainText()
    assert text == "Speaker 1\n[EN] Good morning every"
    tail_pos = text.index("every")
    tail_fmt = format_at(view, tail_pos)
    assert role_at(view, tail_pos) == Role.TAIL
    assert tail_fmt.fontItalic()
    assert tail_fmt.foreground().color() == view.styles.tail
    final_fmt = format_at(view, text.index("morning"))
    assert not final_fmt.fontItalic() and role_at(view, text.index("morning")) == Role.FINAL
    assert view.renderer.tail_ranges == [(tail_pos - 1, len(" every"))]


def test_tail_is_replaced_on_every_response(view: TranscriptView) -> None:
    feed(view, [[NF("How", 0, "1")], [NF("How", 0, "1"), NF(" are", 100, "1")]])
    assert view.toPlainText() == "Speaker 1\nHow are"
    feed(view, [[NF("Who", 0, "1")]])
    assert view.toPlainText() == "Speaker 1\nWho"
    feed(view, [[T("Who", 0, "1"), T(" is", 100, "1")]])  # no tail any more
    assert view.toPlainText() == "Speaker 1\nWho is"
    assert view.renderer.tail_ranges == []
    feed(view, [[]])
    assert view.toPlainText() == "Speaker 1\nWho is"


def test_whole_script(view: TranscriptView) -> None:
    feed(view, SCRIPT)
    assert view.toPlainText() == (
        f"Speaker 1\n[EN] Good morning everyone. {END_MARKER}\nBonjour à tous.\n"
        "Speaker 2\n[ES] Hola amigos.\n"
        "Speaker 1\n[EN] Yes"
    )
    assert "<fin>" not in view.toPlainText() and "<end>" not in view.toPlainText()
    text = view.toPlainText()
    assert role_at(view, text.index(END_MARKER)) == Role.MARKER
    assert role_at(view, text.index("[ES]")) == Role.LANGUAGE
    # The translation sits in its own indented block under the original, in its own colour.
    block = view.document().findBlock(text.index("Bonjour"))
    assert block.blockFormat().leftMargin() > 0
    fmt = format_at(view, text.index("Bonjour"))
    assert fmt.fontItalic() and fmt.foreground().color() == view.styles.translation
    assert role_at(view, text.index("Yes")) == Role.TAIL


def test_speaker_labels_have_stable_distinct_colours(view: TranscriptView) -> None:
    feed(view, SCRIPT)
    feed(view, [[T("Right.", 2500, "1", "en"), T("Three", 3000, "3", "en")]])
    spans1 = view.renderer.label_spans("1")
    spans2 = view.renderer.label_spans("2")
    spans3 = view.renderer.label_spans("3")
    assert len(spans1) == 2 and len(spans2) == 1 and len(spans3) == 1
    colours = {
        sid: {format_at(view, p).foreground().color().name() for p, _n in spans}
        for sid, spans in (("1", spans1), ("2", spans2), ("3", spans3))
    }
    assert all(len(c) == 1 for c in colours.values())  # stable per speaker
    assert len({next(iter(c)) for c in colours.values()}) == 3  # distinct between speakers
    for pos, _n in spans1 + spans2 + spans3:
        assert format_at(view, pos).fontWeight() >= 600
        assert role_at(view, pos) == Role.LABEL


def test_palette_change_recolours_for_dark_theme(view: TranscriptView) -> None:
    feed(view, SCRIPT)
    label_pos = view.renderer.label_spans("1")[0][0]
    tail_pos = view.toPlainText().index("Yes")
    light_label = format_at(view, label_pos).foreground().color()
    view.setPalette(dark_palette())
    dark_label = format_at(view, label_pos).foreground().color()
    base = view.editor.palette().color(QPalette.ColorRole.Base)
    assert dark_label != light_label
    assert dark_label == speaker_color("1", view.editor.palette())
    assert contrast_ratio(dark_label, base) >= 4.5
    assert contrast_ratio(format_at(view, tail_pos).foreground().color(), base) >= 3.0
    assert format_at(view, tail_pos).fontItalic()


@pytest.mark.parametrize("palette_kind", ["light", "dark"])
def test_speaker_colours_are_readable_and_distinct(qapp: QApplication, palette_kind: str) -> None:
    if palette_kind == "dark":
        palette = dark_palette()
    else:
        palette = QPalette()
        palette.setColor(QPalette.ColorRole.Base, QColor(255, 255, 255))
        palette.setColor(QPalette.ColorRole.Text, QColor(20, 20, 20))
    base = palette.color(QPalette.ColorRole.Base)
    colours = [speaker_color(str(i), palette) for i in range(1, 13)]
    assert all(contrast_ratio(c, base) >= 4.5 for c in colours)
    assert len({c.name() for c in colours}) == 12
    assert speaker_color("1", palette) == speaker_color("1", palette)


def test_rename_by_clicking_a_label_updates_every_label(view: TranscriptView, qtbot) -> None:  # noqa: ANN001
    feed(view, SCRIPT)
    feed(view, [[T(" Yes.", 2000, "1", "en"), T("<end>", 2300), NF("And", 2500, "2", "es")]])
    asked: list[tuple[str, str]] = []

    def prompt(_parent: object, speaker_id: str, current: str) -> str:
        asked.append((speaker_id, current))
        return "Alice Longname"

    view.name_prompt = prompt
    label_pos = view.renderer.label_spans("1")[0][0]
    cursor = QTextCursor(view.document())
    cursor.setPosition(label_pos + 2)
    point = view.editor.cursorRect(cursor).center()
    with qtbot.waitSignal(view.speaker_renamed) as signal:
        qtbot.mouseClick(view.editor.viewport(), Qt.MouseButton.LeftButton, pos=point)
    assert asked == [("1", "Speaker 1")]
    assert signal.args == ["1", "Alice Longname"]
    text = view.toPlainText()
    assert text.count("Alice Longname") == 2 and "Speaker 1" not in text
    assert text.count("Speaker 2") == 2  # the other speaker, and the provisional tail's label
    for pos, length in view.renderer.label_spans("1"):
        assert text[pos : pos + length] == "Alice Longname"
        assert role_at(view, pos) == Role.LABEL
    # Positions after the renamed labels are still right: new text lands where it should.
    feed(view, [[T("And", 2500, "2", "es"), T(" more.", 2700, "2", "es"), NF(" still", 3000, "2", "es")]])
    assert view.toPlainText().endswith("Speaker 2\n[ES] And more. still")
    assert view.transcript.speaker_label("1") == "Alice Longname"


def test_rename_keyboard_path_and_cancel(view: TranscriptView, qtbot) -> None:  # noqa: ANN001
    feed(view, SCRIPT[:3])
    answers = iter([None, "Bob"])
    view.name_prompt = lambda *_args: next(answers)
    cursor = view.editor.textCursor()
    cursor.setPosition(view.toPlainText().index("morning"))
    view.editor.setTextCursor(cursor)
    view.editor.setFocus()
    qtbot.keyClick(view.editor, Qt.Key.Key_F2)
    assert "Speaker 1" in view.toPlainText()  # cancelled
    qtbot.keyClick(view.editor, Qt.Key.Key_F2)
    assert view.toPlainText().startswith("Bob\n")


def test_context_menu_offers_copy_all_rename_find_export(view: TranscriptView) -> None:
    feed(view, SCRIPT)
    cursor = QTextCursor(view.document())
    cursor.setPosition(view.toPlainText().index("Hola"))
    menu = view.build_context_menu(view.editor.cursorRect(cursor).center())
    names = {a.objectName() for a in menu.actions()}
    assert {"copyAllAction", "renameSpeakerAction", "findAction"} <= names
    rename = next(a for a in menu.actions() if a.objectName() == "renameSpeakerAction")
    assert "Speaker 2" in rename.text()
    next(a for a in menu.actions() if a.objectName() == "copyAllAction").trigger()
    copied = QGuiApplication.clipboard().text()
    assert copied.startswith("Speaker 1\n[EN] Good morning everyone.\nBonjour") and END_MARKER not in copied


def test_copy_selection_is_plain_text_without_markers(view: TranscriptView) -> None:
    feed(view, SCRIPT)
    view.select_all()
    view.editor.copy()
    clipboard = QGuiApplication.clipboard()
    assert clipboard.text() == view.toPlainText().replace(" " + END_MARKER, "")
    assert not clipboard.mimeData().hasHtml()
    view.copy_to_clipboard("txt")
    assert clipboard.text() == export_transcript(view.transcript, "txt")


def test_timestamps_flag(qtbot) -> None:  # noqa: ANN001
    view = TranscriptView(show_timestamps=True)
    qtbot.addWidget(view)
    view.set_transcript(Transcript.from_tokens([T("One", 61_000, "1"), T("Two", 3_725_000, "2")]))
    assert view.toPlainText() == "Speaker 1  00:01:01\nOne\nSpeaker 2  01:02:05\nTwo"
    assert role_at(view, view.toPlainText().index("00:01:01")) == Role.TIME
    view.set_show_timestamps(False)
    assert view.toPlainText() == "Speaker 1\nOne\nSpeaker 2\nTwo"


def test_offset_after_reconnect_shows_in_timestamps(qtbot) -> None:  # noqa: ANN001
    view = TranscriptView(show_timestamps=True)
    qtbot.addWidget(view)
    feed(view, [[T("Before", 0, "1")]])
    view.apply_delta(view.transcript.discard_tail())
    feed(view, [[T("After", 500, "2")]], offset_ms=120_000)
    assert view.toPlainText() == "Speaker 1  00:00:00\nBefore\nSpeaker 2  00:02:00\nAfter"


def test_no_diarization_shows_utterance_lines_without_labels(view: TranscriptView) -> None:
    feed(view, [[T("One.", 0), T("<end>", 100), T("Two.", 2200), NF(" Three", 2300)]])
    assert view.toPlainText() == f"One. {END_MARKER}\nTwo. Three"
    view.set_show_timestamps(True)  # then every utterance gets its time
    assert view.toPlainText() == f"00:00:00\nOne. {END_MARKER}\n00:00:02\nTwo. Three"


# ------------------------------------------------------------- incremental == full redraw
def _random_responses(rng: random.Random, count: int) -> list[list[Token]]:
    responses = []
    at = 0
    speaker, lang = "1", "en"
    for _ in range(count):
        tokens: list[Token] = []
        for _f in range(rng.randint(0, 4)):
            roll = rng.random()
            if roll < 0.1:
                speaker = rng.choice("123")
            elif roll < 0.15:
                lang = rng.choice(["en", "de", "sl"])
            if roll > 0.9:
                tokens.append(T("<end>", at))
            elif roll > 0.8:
                tokens.append(T(" trans" + str(at), None, rng.choice([speaker, "2"]), "fr", "translation"))
            else:
                tokens.append(T(rng.choice([" w", "x", " yy", "😀"]) + str(at), at, speaker, lang, "original"))
            at += 100
        if rng.random() < 0.1:
            tokens.append(T("<fin>"))
        tail_speaker = rng.choice([speaker, speaker, "2"])
        for i in range(rng.randint(0, 4)):
            if rng.random() < 0.2:
                tokens.append(T(" nt" + str(i), None, tail_speaker, "fr", "translation", final=False))
            else:
                tokens.append(NF(" t" + str(i), at + i * 10, tail_speaker, rng.choice([lang, lang, "it"])))
        responses.append(tokens)
    return responses


@pytest.mark.parametrize("seed", range(6))
def test_incremental_drawing_equals_a_full_redraw(qtbot, seed: int) -> None:  # noqa: ANN001
    """Any response sequence, drawn one delta at a time, gives the document a redraw gives."""
    rng = random.Random(seed)
    live = TranscriptView(show_timestamps=bool(seed % 2))
    qtbot.addWidget(live)
    for i, tokens in enumerate(_random_responses(rng, 120)):
        live.apply_delta(live.transcript.apply(tokens))
        if i % 40 == 20:
            live.rename_speaker(rng.choice("123"), rng.choice(["A", "Long name here", ""]))
    redrawn = TranscriptView(show_timestamps=bool(seed % 2))
    qtbot.addWidget(redrawn)
    redrawn.set_transcript(live.transcript)
    assert snapshot(live) == snapshot(redrawn)


def test_a_response_only_edits_the_end_of_a_long_document(qtbot) -> None:  # noqa: ANN001
    """The structural reason the cost stays flat: edits start near the end, never at the top."""
    tokens = []
    for i in range(20_000):
        tokens.append(T("<end>", i * 10) if i % 30 == 29 else T(" w", i * 10, str(1 + i // 90 % 3), "en"))
    view = TranscriptView()
    qtbot.addWidget(view)
    view.set_transcript(Transcript.from_tokens(tokens))
    edits: list[int] = []
    view.document().contentsChange.connect(lambda pos, _removed, _added: edits.append(pos))
    at = 200_000
    for r in range(20):
        feed(
            view,
            [
                [
                    T(" a", at + r * 50, "3", "en"),
                    T(" late", None, "3", "fr", "translation"),
                    NF(" b", at + r * 50 + 20, "3", "en"),
                    NF(" c", at + r * 50 + 30, "1", "en"),
                ]
            ],
        )
    size = view.document().characterCount()
    assert edits and min(edits) > size - 2_000


# ------------------------------------------------------------------------------ find bar
def test_find_bar_finds_counts_and_closes(view: TranscriptView, qtbot) -> None:  # noqa: ANN001
    feed(view, SCRIPT)
    feed(view, [[T(" Good", 2000, "1", "en"), T(" good", 2300, "1", "en"), T(" GOOD.", 2600, "1", "en")]])
    view.editor.setFocus()
    qtbot.keyClick(view.editor, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    bar = view.find_bar
    assert bar.isVisible()
    qtbot.keyClicks(bar.edit, "good")
    assert bar.match_count == 4
    assert bar.count_label.text() == "1 of 4"
    assert len(view.editor.extraSelections()) == 4
    qtbot.keyClick(bar.edit, Qt.Key.Key_Return)
    assert bar.count_label.text() == "2 of 4"
    start, _length = bar.matches[1]
    assert view.editor.textCursor().selectionStart() == start
    assert view.editor.textCursor().selectedText().lower() == "good"
    qtbot.mouseClick(bar.previous_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(bar.previous_button, Qt.MouseButton.LeftButton)
    assert bar.count_label.text() == "4 of 4"
    qtbot.keyClicks(bar.edit, "bye")
    assert bar.count_label.text() == "No matches" and view.editor.extraSelections() == []
    qtbot.keyClick(bar.edit, Qt.Key.Key_Escape)
    assert not bar.isVisible()
    assert view.editor.extraSelections() == []


def test_find_bar_follows_new_text(view: TranscriptView, qtbot) -> None:  # noqa: ANN001
    feed(view, SCRIPT)
    view.open_find_bar()
    qtbot.keyClicks(view.find_bar.edit, "amigos")
    assert view.find_bar.count_label.text() == "1 of 1"
    feed(view, [[T(" amigos", 2100, "1", "en")]])
    qtbot.waitUntil(lambda: view.find_bar.count_label.text() == "1 of 2")


# --------------------------------------------------------------------------- auto-scroll
def test_auto_scroll_follows_until_the_user_scrolls_up(view: TranscriptView, qtbot) -> None:  # noqa: ANN001
    scroll = view.editor.verticalScrollBar()
    at = 0
    for i in range(60):
        feed(
            view,
            [[T(f" line{i}", at, str(1 + i % 2), "en"), T("<end>", at + 100), NF(" more", at + 150, "1")]],
        )
        at += 200
    qtbot.waitUntil(lambda: scroll.maximum() > 0)
    assert view.is_following() and scroll.value() == scroll.maximum()
    assert not view.jump_button.isVisible()

    scroll.setValue(0)  # the user scrolls up (wheel, drag or keys all end up here)
    assert not view.is_following()
    qtbot.waitUntil(view.jump_button.isVisible)
    for i in range(10):
        feed(view, [[T(f" new{i}", at, "1", "en"), T("<end>", at + 100), NF(" more", at + 150, "2")]])
        at += 200
    assert scroll.value() == 0  # reading stays where it was
    assert view.jump_button.isVisible()
    assert view.editor.viewport().geometry().contains(view.jump_button.geometry().center())

    qtbot.mouseClick(view.jump_button, Qt.MouseButton.LeftButton)
    assert view.is_following() and not view.jump_button.isVisible()
    assert scroll.value() == scroll.maximum()
    feed(view, [[T(" latest", at, "2", "en"), T("<end>", at + 100)] * 5])
    qtbot.waitUntil(lambda: scroll.value() == scroll.maximum())
    assert view.is_following()


def test_scrolling_back_to_the_bottom_resumes_following(view: TranscriptView, qtbot) -> None:  # noqa: ANN001
    scroll = view.editor.verticalScrollBar()
    feed(view, [[T(f" l{i}", i * 100, str(1 + i % 3)), T("<end>", i * 100 + 50)] for i in range(60)])
    qtbot.waitUntil(lambda: scroll.maximum() > 0)
    scroll.setValue(scroll.maximum() // 2)
    assert not view.is_following()
    scroll.setValue(scroll.maximum())
    assert view.is_following() and not view.jump_button.isVisible()


# -------------------------------------------------------------------------------- export
@pytest.mark.parametrize("fmt", list(FORMATS))
def test_export_menu_writes_the_chosen_format(view: TranscriptView, tmp_path: Path, fmt: str) -> None:
    feed(view, SCRIPT)
    view.rename_speaker("2", "Bea")
    asked: list[tuple[str, str]] = []

    def choose(_parent: object, _caption: str, suggested: str, name_filter: str) -> str:
        asked.append((suggested, name_filter))
        return str(tmp_path / "meeting")  # no extension typed: the format's is added

    view.save_file_prompt = choose
    exported: list[tuple[str, str]] = []
    view.exported.connect(lambda path, key: exported.append((path, key)))
    name = f"export{fmt.title().replace('_', '')}Action"
    action = next(a for a in view.export_menu.actions() if a.objectName() == name)
    action.trigger()
    target = tmp_path / f"meeting.{FORMATS[fmt].extension}"
    assert target.read_text(encoding="utf-8") == export_transcript(view.transcript, fmt)
    assert asked[0][0].endswith(f"transcript.{FORMATS[fmt].extension}")
    assert asked[0][1] == FORMATS[fmt].filter
    assert exported == [(str(target), fmt)]
    if fmt != "json":
        assert "Yes" not in target.read_text(encoding="utf-8")  # the provisional tail is not exported


def test_bilingual_subtitles_are_offered_once_the_transcript_is_translated(view: TranscriptView) -> None:
    def offered() -> set[str]:
        view.export_menu.aboutToShow.emit()
        return {a.data() for a in view.export_menu.actions() if a.isVisible() and isinstance(a.data(), str)}

    feed(view, SCRIPT[:2])  # no translation yet
    assert offered() == {"txt", "srt", "vtt", "json", "md"}
    feed(view, SCRIPT[2:])  # "Bonjour à tous." arrives
    assert offered() == set(FORMATS)
    assert view.export_menu.findChild(QAction, "exportSrt2Action").text() == "Bilingual subtitles, SRT (.srt)"


def test_export_cancel_and_failure(view: TranscriptView, tmp_path: Path) -> None:
    feed(view, SCRIPT)
    view.save_file_prompt = lambda *_args: ""
    assert view.export_via_dialog("txt") is None
    errors: list[str] = []
    view.report_error = lambda _parent, title, message: errors.append(f"{title}: {message}")
    view.save_file_prompt = lambda *_args: str(tmp_path / "missing-dir" / "x.txt")
    assert view.export_via_dialog("txt") is None
    assert errors and errors[0].startswith("Export failed: Could not write x.txt")


# ------------------------------------------------------------------------- accessibility
def test_controls_have_object_and_accessible_names(view: TranscriptView) -> None:
    view.open_find_bar()
    view.jump_button.show()
    controls = [
        *view.findChildren(QToolButton),
        *view.findChildren(QPushButton),
        *view.findChildren(QLineEdit),
    ]
    for widget in controls:
        if isinstance(widget.parent(), QLineEdit):
            continue  # the line edit's own clear button, named by Qt
        if widget.objectName().startswith("qt_"):
            continue
        assert widget.objectName(), widget
        assert widget.accessibleName(), widget.objectName()
    for label in view.findChildren(QLabel):
        assert label.objectName() and not label.accessibleName()
    assert view.editor.objectName() == "transcriptText" and view.editor.accessibleName() == "Transcript"
    assert_accessible(view)
    for button in (view.find_bar.previous_button, view.find_bar.next_button, view.find_bar.close_button):
        assert button.toolTip()


def test_label_click_does_not_fire_after_a_drag_selection(view: TranscriptView, qtbot) -> None:  # noqa: ANN001
    feed(view, SCRIPT)
    view.name_prompt = lambda *_args: pytest.fail("a selection drag must not rename")  # type: ignore[assignment]
    cursor = QTextCursor(view.document())
    cursor.setPosition(view.renderer.label_spans("1")[0][0] + 1)
    start = view.editor.cursorRect(cursor).center()
    qtbot.mousePress(view.editor.viewport(), Qt.MouseButton.LeftButton, pos=start)
    qtbot.mouseMove(view.editor.viewport(), start + QPoint(0, 40))
    qtbot.mouseRelease(view.editor.viewport(), Qt.MouseButton.LeftButton, pos=start + QPoint(0, 40))
    assert view.toPlainText().startswith("Speaker 1")


def test_apply_response_takes_sdk_events(view: TranscriptView) -> None:
    from soniox.types.realtime import RealtimeEvent

    event = RealtimeEvent.validate_event(
        '{"tokens":[{"text":"Hi","start_ms":0,"end_ms":90,"confidence":0.9,"is_final":true,"speaker":"1"},'
        '{"text":"<end>","start_ms":90,"end_ms":90,"confidence":1,"is_final":true},'
        '{"text":" you","start_ms":100,"end_ms":200,"confidence":0.5,"is_final":false,"speaker":"1"}]}'
    )
    delta = view.apply_response(event.tokens, offset_ms=1000)
    assert delta.endpoints == 1 and delta.finals[0].token.start_ms == 1000
    assert view.toPlainText() == f"Speaker 1\nHi {END_MARKER}\nyou"


def test_export_and_find_wait_for_words(view: TranscriptView) -> None:
    assert not view.export_button.isEnabled() and not view.find_button.isEnabled()
    view.open_find_bar()  # Ctrl+F on an empty transcript does nothing
    assert not view.find_bar.isVisibleTo(view)
    feed(view, SCRIPT[:1])
    assert view.export_button.isEnabled() and view.find_button.isEnabled()
    view.clear()
    assert not view.export_button.isEnabled() and not view.find_button.isEnabled()


def test_you_in_a_meeting_has_a_colour_no_early_speaker_shares() -> None:
    from desktop.core.transcript import YOU_SPEAKER_ID
    from desktop.ui.transcript.speaker_colors import speaker_hue

    def distance(a: float, b: float) -> float:
        return min(abs(a - b), 360 - abs(a - b))

    you = speaker_hue(YOU_SPEAKER_ID)
    assert all(distance(you, speaker_hue(str(n))) >= 25 for n in range(1, 8))
