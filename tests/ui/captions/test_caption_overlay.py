"""The caption overlay follows a live session, stays out of the way, and remembers how it was set."""

from __future__ import annotations

import asyncio

import numpy as np
from PySide6.QtCore import Qt

from desktop.core.captions.prefs import CaptionPrefs
from desktop.core.live.state import LiveState
from desktop.ui.main_window import MainWindow
from tests.audio_helpers import FakeSoundDevice
from tests.live_helpers import FAST, RATE, silence, speech


def test_captions_show_the_live_words_and_never_take_input_while_locked(
    qtbot,
    qloop,
    fake_soniox,
    live_ctx,  # noqa: ANN001
) -> None:
    fake_soniox.set_script([{"speaker": "1", "text": "Captions follow the speaker"}])
    window = MainWindow(live_ctx)
    qtbot.addWidget(window)
    panel = window.live_panel
    panel._capture_factory = __import__("desktop.audio.capture", fromlist=["capture_factory"]).capture_factory(
        FakeSoundDevice(np.concatenate([speech(2.0), silence(1.0)]), RATE, speed=4.0)
    )
    panel._session_options = FAST
    panel.options_form.diarization_check.setChecked(True)
    window.show()
    window.captions_action.trigger()  # Ctrl+Shift+C
    captions = window.captions
    overlay = captions.overlay
    assert overlay is not None and overlay.isVisible() and window.captions_action.isChecked()
    assert "Live captions will appear here." in overlay.text()
    flags = overlay.windowFlags()
    for flag in (
        Qt.WindowType.WindowStaysOnTopHint,
        Qt.WindowType.FramelessWindowHint,
        Qt.WindowType.WindowDoesNotAcceptFocus,
        Qt.WindowType.WindowTransparentForInput,  # locked: clicks pass through to the app beneath
    ):
        assert flags & flag, flag
    assert overlay.testAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating)

    panel.start()
    qtbot.waitUntil(lambda: "Captions follow the speaker" in overlay.text(), timeout=10000)
    assert overlay.text().startswith("Speaker 1: ")
    panel.stop()
    qtbot.waitUntil(lambda: panel.state is LiveState.FINISHED, timeout=10000)
    assert overlay.text() == "Speaker 1: Captions follow the speaker"  # final, the tail gone

    window.lock_captions_action.setChecked(False)  # unlocked: movable, takes the mouse
    assert not overlay.windowFlags() & Qt.WindowType.WindowTransparentForInput
    assert overlay.grip.isVisible()
    overlay.set_font_pt(34)
    overlay.set_line_count(3)
    captions.close()  # saves at once what the timer would save a moment later
    saved = CaptionPrefs.from_json(live_ctx.settings_store.ui_str("captions"))
    assert (saved.locked, saved.font_pt, saved.lines) == (False, 34, 3)
    window.captions_action.setChecked(False)


def test_bad_saved_caption_settings_fall_back_to_defaults() -> None:
    prefs = CaptionPrefs.from_json(
        '{"lines": 9, "font_pt": "big", "opacity": 3, "locked": "no", "geometry": {"a": [1]}}'
    )
    assert (prefs.lines, prefs.font_pt, prefs.opacity, prefs.locked, prefs.geometry) == (2, 26, 1.0, True, {})
    assert CaptionPrefs.from_json("not json").lines == 2


def _window_with_fake_mic(qtbot, live_ctx, seconds: float = 2.0) -> MainWindow:  # noqa: ANN001
    from desktop.audio.capture import capture_factory

    window = MainWindow(live_ctx)
    qtbot.addWidget(window)
    panel = window.live_panel
    panel._capture_factory = capture_factory(
        FakeSoundDevice(np.concatenate([speech(seconds), silence(1.0)]), RATE, speed=4.0)
    )
    panel._session_options = FAST
    window.show()
    return window


def test_the_caption_file_follows_final_words_and_is_remembered(
    qtbot,
    qloop,
    fake_soniox,
    live_ctx,
    tmp_path,  # noqa: ANN001
) -> None:
    fake_soniox.set_script(["words for the stream overlay"])
    window = _window_with_fake_mic(qtbot, live_ctx)
    target = tmp_path / "obs" / "captions.txt"
    window.captions.set_caption_file(target)
    assert target.read_text() == ""  # created at once, empty until words are final
    seen: set[str] = set()
    window.live_panel.controller.delta_ready.connect(lambda _d: seen.add(target.read_text()))
    window.live_panel.start()
    qtbot.waitUntil(lambda: "overlay" in target.read_text(), timeout=10000)
    window.live_panel.stop()
    qtbot.waitUntil(lambda: window.live_panel.state is LiveState.FINISHED, timeout=10000)
    assert target.read_text() == "words for the stream overlay\n"
    assert all("words for the stream overlay\n".startswith(text.rstrip("\n")) for text in seen)  # only finals
    assert live_ctx.settings_store.ui_str("caption_file") == str(target)


def test_presentation_mode_shows_the_live_words_full_screen_in_large_type(
    qtbot,
    qloop,
    fake_soniox,
    live_ctx,  # noqa: ANN001
) -> None:
    fake_soniox.set_script(["the room reads this"])
    window = _window_with_fake_mic(qtbot, live_ctx)
    shown = window.open_presentation()  # F11
    assert shown.isFullScreen() and shown.view.editor.font().pointSize() == 40
    window.live_panel.start()
    qtbot.waitUntil(lambda: "the room reads this" in shown.view.toPlainText(), timeout=10000)
    assert shown.view.toPlainText() == window.live_panel.view.toPlainText()
    shown.set_font_pt(200)
    assert shown.view.editor.font().pointSize() == 120  # bounded
    qtbot.keyClick(shown, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not shown.isVisible(), timeout=2000)
    window.live_panel.cancel()


def test_with_translation_the_original_can_go(qtbot) -> None:  # noqa: ANN001
    from desktop.core.captions.lines import CaptionLine
    from desktop.ui.captions.overlay import CaptionOverlay

    overlay = CaptionOverlay(CaptionPrefs())
    qtbot.addWidget(overlay)
    overlay.show_lines([CaptionLine("1", "Ana", "Dober dan", "", "Good day", "en")])
    assert overlay.text() == "Ana: Dober dan\nGood day"
    menu = overlay.build_menu()
    menu.findChild(type(menu.actions()[0]), "captionShowOriginalAction").setChecked(False)
    assert overlay.text() == "Ana: Good day" and overlay.prefs.show_original is False


def test_a_two_way_session_shows_one_column_per_language(qtbot, qloop, fake_soniox, live_ctx) -> None:  # noqa: ANN001
    from desktop.core.live.config_builder import LiveOptions, TranslationMode, TranslationOptions

    fake_soniox.set_script(
        [
            {"speaker": "1", "language": "en", "text": "Good morning everyone", "translation": "Dober dan vsem"},
            {"speaker": "2", "language": "sl", "text": "Hvala lepa", "translation": "Thank you"},
        ]
    )
    window = _window_with_fake_mic(qtbot, live_ctx, seconds=4.0)
    panel = window.live_panel
    loading = asyncio.ensure_future(live_ctx.load_models())  # the language lists come with the models
    qtbot.waitUntil(loading.done, timeout=5000)
    panel.models_changed()
    options = panel.options_form.options()
    options = LiveOptions(**{**options.__dict__, "enable_speaker_diarization": True})
    options.translation = TranslationOptions(mode=TranslationMode.TWO_WAY, language_a="en", language_b="sl")
    panel.options_form.set_options(options)
    assert panel.options_form.options().translation.mode is TranslationMode.TWO_WAY
    panel.start()
    area = panel.transcript_area
    qtbot.waitUntil(lambda: area.columns is not None and area.columns.isVisible(), timeout=5000)
    model = area.columns.model()
    qtbot.waitUntil(lambda: model.rowCount() >= 2 and "Thank you" in model.index(1, 0).data(), timeout=15000)
    assert [model.headerData(c, Qt.Orientation.Horizontal) for c in (0, 1)] == ["EN", "SL"]
    assert model.index(0, 0).data().startswith("Speaker 1: Good morning everyone")
    assert model.index(0, 1).data().startswith("Dober dan vsem")
    assert model.index(1, 1).data().startswith("Speaker 2: Hvala lepa")
    panel.cancel()


def test_the_live_panel_has_a_captions_button_that_follows_the_shortcut(qtbot, qloop, make_context) -> None:  # noqa: ANN001
    from tests.a11y import assert_accessible

    window = MainWindow(make_context())
    qtbot.addWidget(window)
    window.show()
    button = window.live_panel.captions_button
    assert button.isVisible() and not button.isChecked()
    button.click()
    assert window.captions_action.isChecked() and window.captions.visible
    window.captions_action.setChecked(False)  # Ctrl+Shift+C, the View menu or the overlay's Hide
    assert not button.isChecked() and not window.captions.visible
    assert_accessible(window.live_panel)


def test_each_screen_keeps_its_own_look(qtbot) -> None:  # noqa: ANN001
    from desktop.ui.captions.overlay import CaptionOverlay

    prefs = CaptionPrefs()
    prefs.font_pt, prefs.lines, prefs.locked = 48, 1, False
    prefs.remember_screen("Projector")
    prefs.font_pt, prefs.lines, prefs.locked = 24, 3, True
    prefs.remember_screen("Laptop")
    restored = CaptionPrefs.from_json(prefs.to_json())
    restored.use_screen("Projector")
    assert (restored.font_pt, restored.lines, restored.locked) == (48, 1, False)
    restored.use_screen("Nowhere")  # a screen never seen keeps what is current
    assert restored.font_pt == 48

    overlay = CaptionOverlay(CaptionPrefs())
    qtbot.addWidget(overlay)
    screen = overlay.screen().name()
    overlay.prefs.screens[screen] = {"lines": 1, "font_pt": 40, "opacity": 0.5, "locked": False}
    overlay.place()
    assert (overlay.prefs.font_pt, overlay.prefs.lines, overlay.prefs.locked) == (40, 1, False)
    assert overlay.grip.isVisibleTo(overlay)  # unlocked on this screen
    overlay.set_font_pt(30)
    assert overlay.prefs.screens[screen]["font_pt"] == 30


def test_the_last_words_reach_the_caption_file_even_when_nothing_follows(qtbot, qloop, make_context, tmp_path) -> None:  # noqa: ANN001
    window = MainWindow(make_context())
    qtbot.addWidget(window)
    captions, live = window.captions, window.live_panel.controller
    target = tmp_path / "captions.txt"
    captions.set_caption_file(target)
    final = {"is_final": True, "start_ms": 0, "end_ms": 100}
    live.delta_ready.emit(live.transcript.apply([{"text": "First", **final}]))
    live.delta_ready.emit(live.transcript.apply([{"text": " last", **final}]))  # within the interval
    assert target.read_text() == ""  # held back for a moment (the file was just created)…
    qtbot.waitUntil(lambda: target.read_text() == "First last\n", timeout=2000)  # …then written by itself
