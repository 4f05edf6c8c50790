"""The calmer main window (issue 14): one primary action with the session's time on it, options one
click away and remembered, empty states that say what to do, tinted SVG icons, one stylesheet,
and speaker colours readable on both themes' text background."""

from __future__ import annotations

import re

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QKeySequence, QPalette
from PySide6.QtWidgets import QApplication

from desktop.core.live.state import LiveState
from desktop.core.tokens import Token
from desktop.ui import icons, theme
from desktop.ui.library.history_panel import HistoryPanel
from desktop.ui.live.panel import OPTIONS_OPEN_KEY
from desktop.ui.transcript.speaker_colors import contrast_ratio, speaker_color
from tests.audio_helpers import FakeSoundDevice
from tests.live_helpers import RATE, make_panel, speech


def _plain(text: str) -> str:
    return text.replace("&", "")


def test_start_is_the_one_action_then_stop_shows_the_running_time(qtbot, qloop, fake_soniox, live_ctx) -> None:  # noqa: ANN001
    fake_soniox.set_script(["one two three four five six seven eight nine ten"])
    sd = FakeSoundDevice(speech(20.0), RATE, speed=1.0)
    panel = make_panel(qtbot, live_ctx, sd)
    assert panel.start_button.isVisible() and not panel.stop_button.isVisible()
    assert not panel.cancel_button.isVisible() and not panel.finalize_button.isVisible()
    panel.start()
    qtbot.waitUntil(lambda: panel.state is LiveState.RUNNING, timeout=5000)
    assert panel.stop_button.isVisible() and not panel.start_button.isVisible()
    assert panel.cancel_button.isVisible() and panel.finalize_button.isVisible()
    qtbot.waitUntil(lambda: _plain(panel.stop_button.text()) in ("Stop · 0:01", "Stop · 0:02"), timeout=4000)
    assert re.fullmatch(r"S&top · 0:0\d", panel.stop_button.text())
    assert "for 0:0" in panel.stop_button.accessibleDescription()
    # The label changes every second; the keys stay.
    assert panel.stop_button.shortcut() == QKeySequence("Ctrl+.")
    panel.stop()
    qtbot.waitUntil(lambda: panel.state is LiveState.FINISHED, timeout=10000)
    assert panel.start_button.isVisible() and not panel.stop_button.isVisible()
    assert panel.elapsed_s() == 0.0


def test_finalizing_keeps_the_finalize_key(qtbot, qloop, fake_soniox, live_ctx) -> None:  # noqa: ANN001
    """Relabelling Finalize to "Finalizing…" used to replace its Ctrl+Return with an Alt key."""
    fake_soniox.set_script(["alpha beta gamma delta epsilon zeta eta theta"])
    sd = FakeSoundDevice(speech(6.0), RATE, speed=1.0)
    panel = make_panel(qtbot, live_ctx, sd)
    panel.start()
    qtbot.waitUntil(lambda: panel.state is LiveState.RUNNING, timeout=5000)
    panel._on_finalize_pending(True)
    assert panel.finalize_button.text() == "Finalizing…"
    assert panel.finalize_button.shortcut() == QKeySequence("Ctrl+Return")
    panel._on_finalize_pending(False)
    assert panel.finalize_button.shortcut() == QKeySequence("Ctrl+Return")
    panel.cancel()
    qtbot.waitUntil(lambda: not panel.state.is_active, timeout=10000)


def test_options_fold_away_and_the_choice_is_remembered(qtbot, qloop, live_ctx) -> None:  # noqa: ANN001
    panel = make_panel(qtbot, live_ctx, FakeSoundDevice(np.zeros(RATE, np.float32), RATE))
    toggle = panel.options_toggle
    assert not panel.options_box.isVisible(), "a first start shows the calm window"
    assert toggle.accessibleName() == "Show options"
    qtbot.mouseClick(toggle, Qt.MouseButton.LeftButton)
    assert panel.options_box.isVisible() and panel.options_form.model_combo.isVisible()
    assert toggle.accessibleName() == "Hide options"
    assert live_ctx.settings.ui_state[OPTIONS_OPEN_KEY] == "1"
    again = make_panel(qtbot, live_ctx, FakeSoundDevice(np.zeros(RATE, np.float32), RATE))
    assert again.options_box.isVisible(), "the next window opens the way the user left it"
    toggle.setChecked(False)
    assert not panel.options_box.isVisible() and live_ctx.settings.ui_state[OPTIONS_OPEN_KEY] == "0"
    assert toggle.shortcut() == QKeySequence("Ctrl+Shift+P")


def test_the_empty_transcript_says_what_to_do_until_words_arrive(qtbot, qloop, live_ctx) -> None:  # noqa: ANN001
    panel = make_panel(qtbot, live_ctx, FakeSoundDevice(np.zeros(RATE, np.float32), RATE))
    empty = panel.view.empty_state
    assert empty is not None and empty.isVisible()
    words = f"{empty.title_label.text()} {empty.body_label.text()}"
    assert "Start" in words and "source" in words and "drop" in words
    assert "press Start" in panel.view.editor.accessibleDescription()
    assert not panel.view.export_button.isVisible(), "no Export/Find over an empty area"
    panel.view.apply_response([Token(text="Hello", start_ms=0, end_ms=300, speaker="1")])
    assert not empty.isVisible()
    assert panel.view.export_button.isVisible() and panel.view.export_button.isEnabled()
    assert panel.view.editor.accessibleDescription() == ""


def test_history_says_what_it_holds_when_empty_and_when_nothing_matches(qtbot, qloop, tmp_path) -> None:  # noqa: ANN001
    from desktop.core.library.store import Library

    library = Library.open(tmp_path)
    panel = None
    try:
        panel = HistoryPanel(None, library)
        qtbot.addWidget(panel)
        panel.resize(400, 500)
        panel.show()
        assert panel.empty_state.isVisible() and panel.empty_state.title_label.text() == "No transcripts yet"
        tid = library.begin_live(title="Planning", source_kind="microphone")
        library.append_tokens(tid, [Token(text="budget", start_ms=0, end_ms=300)])
        library.finish_live(tid, duration_ms=300)
        panel.refresh()
        assert not panel.empty_state.isVisible()
        panel.set_query("zebra")
        qtbot.waitUntil(lambda: not panel.searching, timeout=5000)
        assert panel.empty_state.isVisible()
        assert panel.empty_state.title_label.text() == "Nothing matches “zebra”"
        panel.set_query("")
        assert not panel.empty_state.isVisible()
    finally:
        if panel is not None:
            panel.shutdown()  # its refresh timers must not reach the closed library later
        library.close()


@pytest.mark.parametrize("dark", [False, True])
def test_icons_take_the_palette_text_colour(qapp: QApplication, dark: bool) -> None:
    palette = theme.dark_palette() if dark else theme.light_palette()
    colour = palette.color(QPalette.ColorRole.ButtonText)
    for name in icons.ICON_NAMES:
        image = icons.icon(name, palette).pixmap(24, 24).toImage()
        inked = {
            image.pixelColor(x, y).name()
            for x in range(image.width())
            for y in range(image.height())
            if image.pixelColor(x, y).alpha() == 255
        }
        assert inked == {colour.name()}, f"{name}: {inked}"
    disabled = icons.icon("mic", palette).pixmap(24, 24, icons.QIcon.Mode.Disabled).toImage()
    solid = [disabled.pixelColor(x, 12) for x in range(24) if disabled.pixelColor(x, 12).alpha() == 255]
    assert solid and all(c.name() != colour.name() for c in solid), "the disabled state is dimmed"


def test_self_test_renders_every_icon(qapp: QApplication) -> None:
    from desktop.ui.resources import load_all_resources

    loaded = load_all_resources()
    assert all(f"icons/ui/{name}.svg" in loaded for name in icons.ICON_NAMES)


def test_the_bundle_keeps_what_draws_the_icons() -> None:
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "packaging"))
    import bundle_rules

    assert "PySide6.QtSvg" not in bundle_rules.python_excludes(["QtCore", "QtSvg", "QtNetwork"])
    assert bundle_rules.drop_reason("PySide6/Qt/lib/libQt6Svg.so.6") is None
    root = Path(__file__).resolve().parents[2]
    bundled = {Path(src).name for src, _dest in bundle_rules.resource_datas(root)}
    assert {f"{name}.svg" for name in icons.ICON_NAMES} <= bundled


def test_one_stylesheet_with_every_size_filled_in(qapp: QApplication) -> None:
    sheet = theme.stylesheet()
    assert "$" not in sheet
    assert f"min-height: {theme.PRIMARY_HEIGHT}px" in sheet
    assert contrast_ratio(QColor(theme.DANGER_TEXT), QColor(theme.DANGER)) >= 4.5


@pytest.mark.parametrize("dark", [False, True])
def test_speaker_colours_are_readable_on_the_app_themes(qapp: QApplication, dark: bool) -> None:
    palette = theme.dark_palette() if dark else theme.light_palette()
    for background in (palette.color(QPalette.ColorRole.Base), palette.color(QPalette.ColorRole.AlternateBase)):
        view = QPalette(palette)
        view.setColor(QPalette.ColorRole.Base, background)
        for speaker in range(1, 17):
            ratio = contrast_ratio(speaker_color(str(speaker), view), background)
            assert ratio >= 4.5, f"speaker {speaker} on {background.name()}: {ratio:.2f}"


def test_a_narrow_window_gives_the_source_its_own_row(qtbot, qloop, live_ctx) -> None:  # noqa: ANN001
    panel = make_panel(qtbot, live_ctx, FakeSoundDevice(np.zeros(RATE, np.float32), RATE))
    panel.resize(1400, 600)
    qtbot.waitUntil(lambda: not panel.source_on_own_row(), timeout=2000)
    bar = panel.source_bar
    assert bar.device_picker.width() >= bar.device_picker.sizeHint().width() - 1, "the device name is not squeezed"
    panel.resize(760, 600)
    qtbot.waitUntil(panel.source_on_own_row, timeout=2000)
    qtbot.waitUntil(lambda: bar.geometry().top() > panel.start_button.geometry().bottom(), timeout=2000)
    assert bar.device_picker.width() >= bar.device_picker.sizeHint().width() - 1
    panel.resize(1400, 600)
    qtbot.waitUntil(lambda: not panel.source_on_own_row(), timeout=2000)
    qtbot.waitUntil(
        lambda: abs(bar.geometry().center().y() - panel.start_button.geometry().center().y()) < 8, timeout=2000
    )


def test_the_stylesheet_follows_a_switch_to_dark(qapp: QApplication) -> None:
    light_sheet = theme.stylesheet(theme.light_palette())
    dark_sheet = theme.stylesheet(theme.dark_palette())
    light_frame = theme.frame_color(theme.light_palette()).name()
    dark_frame = theme.frame_color(theme.dark_palette()).name()
    assert light_frame in light_sheet and dark_frame in dark_sheet and light_frame != dark_frame
    for palette in (theme.light_palette(), theme.dark_palette()):
        frame = theme.frame_color(palette)
        assert contrast_ratio(frame, palette.color(QPalette.ColorRole.Window)) >= 1.3, "a border one can see"


def test_an_empty_jobs_tab_shows_a_picture_and_words_not_an_empty_table(qtbot, qloop, make_context) -> None:  # noqa: ANN001
    from desktop.ui.jobs.side_panel import JobsSidePanel

    panel = JobsSidePanel(make_context())  # no key yet: nothing can be listed
    qtbot.addWidget(panel)
    panel.resize(380, 600)
    panel.show()
    qtbot.waitExposed(panel)
    assert panel.jobs_empty.isVisible() and panel.jobs_empty_icon.isVisible()
    assert "API key" in panel.jobs_empty.text()
    assert not panel.jobs_table.isVisible()
    assert panel.jobs_empty_icon.pixmap() is not None and not panel.jobs_empty_icon.pixmap().isNull()
    icon_box, text_box = panel.jobs_empty_icon.geometry(), panel.jobs_empty.geometry()
    assert icon_box.bottom() < text_box.top() + 4, "the picture sits right above the words"
    panel.shutdown()


def test_a_new_job_brings_the_hidden_table_back_at_once(qtbot, qloop, fake_soniox, make_context, tmp_path) -> None:  # noqa: ANN001
    from desktop.core.jobs.job_options import JobOptions
    from desktop.core.jobs.submissions import Submission
    from tests.ui.jobs.test_jobs_support import panel_host, wav_file

    host_iter = panel_host(qtbot, fake_soniox, make_context)
    host = next(host_iter)
    panel = host.panel
    qtbot.waitUntil(lambda: not panel.jobs_model.loading and panel.jobs_empty.isVisible(), timeout=5000)
    assert not panel.jobs_table.isVisible()
    panel.queue.add(Submission(JobOptions(model="stt-async-v5"), None, path=wav_file(tmp_path, "new.wav")))
    qtbot.waitUntil(lambda: panel.jobs_model.rowCount() == 1, timeout=5000)
    assert panel.jobs_table.isVisible() and not panel.jobs_empty.isVisible() and not panel.jobs_empty_icon.isVisible()
    for _ in host_iter:  # the helper's own teardown
        pass
