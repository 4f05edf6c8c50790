"""Live sessions kept in the library, end to end: the live panel with a fake microphone and the
emulator, the library on disk, the recording, the history panel, and the recovery offer."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import soundfile
from PySide6.QtCore import Qt

from desktop.audio import recording
from desktop.core.library.store import Library
from desktop.core.live.state import LiveState
from desktop.ui.library.history_panel import HistoryPanel
from desktop.ui.library.recovery import RecoveryDialog, offer_recovery
from desktop.ui.live.source_bar import SourceKind
from tests.a11y import assert_accessible
from tests.audio_helpers import FakeSoundDevice
from tests.library_helpers import spoken_tokens
from tests.live_helpers import DATA, RATE, make_panel, silence, speech


@pytest.fixture
def library(app_home: Path) -> Iterator[Library]:
    lib = Library.open(app_home / "data")
    yield lib
    lib.close()


def test_a_microphone_session_is_saved_as_it_runs_with_its_recording(
    qtbot,
    qloop,
    fake_soniox,
    live_ctx,
    library: Library,  # noqa: ANN001
) -> None:
    fake_soniox.set_script(
        [
            {"speaker": "1", "text": "Hello there how are you today"},
            {"speaker": "2", "text": "I am fine thank you"},
        ]
    )
    sd = FakeSoundDevice(np.concatenate([speech(2.2), silence(0.8), speech(1.8), silence(0.5)]), RATE, speed=4.0)
    panel = make_panel(qtbot, live_ctx, sd, library)
    panel.options_form.diarization_check.setChecked(True)
    history = HistoryPanel(live_ctx, library)
    qtbot.addWidget(history)
    panel.options_toggle.setChecked(True)  # "Keep audio" lives with the other options
    assert panel.record_check.isVisible() and panel.record_check.isChecked()
    assert_accessible(panel)
    panel.start()
    qtbot.waitUntil(lambda: panel.state is LiveState.RUNNING, timeout=5000)
    tid = panel.library_transcript_id
    assert tid is not None and library.info(tid).status == "active"
    # Final words reach the disk while the session still runs.
    qtbot.waitUntil(lambda: "Hello" in "".join(t.text for t in library.tokens(tid)), timeout=8000)
    assert library.info(tid).status == "active"
    qtbot.waitUntil(lambda: history.model.rowCount() == 1, timeout=5000)  # the history follows
    qtbot.waitUntil(lambda: panel.controller.source.stats.bytes >= 5.3 * RATE * 2, timeout=8000)
    panel.stop()
    qtbot.waitUntil(lambda: panel.state is LiveState.FINISHED, timeout=10000)
    info = library.info(tid)
    assert info.status == "complete" and info.end_reason == "finished"
    shown = [t for t in panel.view.transcript.final_tokens]
    assert library.tokens(tid) == shown  # exactly what the view shows, markers included
    assert info.speakers == ("1", "2") and info.title == "Microphone"
    # The recording: Ogg Opus next to the library, as long as the audio that was sent.
    assert info.audio_owned and info.audio_format == "ogg/opus"
    audio = Path(info.audio_path)
    assert audio.parent == library.recordings_dir and audio.suffix == ".opus"
    assert recording.wait_for_writers()  # the encoder may still be finishing its backlog
    sent_s = fake_soniox.realtime_sessions[0].audio_bytes / (2 * RATE)
    assert abs(soundfile.info(str(audio)).duration - sent_s) < 0.05
    assert abs(info.duration_ms / 1000 - sent_s) < 0.05
    # Renaming a speaker in the live view is kept too.
    panel.view.rename_speaker("2", "Bo")
    assert library.speaker_names(tid) == {"2": "Bo"}
    history.shutdown()


def test_without_keep_audio_nothing_is_recorded(qtbot, qloop, fake_soniox, live_ctx, library: Library) -> None:  # noqa: ANN001
    fake_soniox.set_script(["just words"])
    sd = FakeSoundDevice(np.concatenate([speech(1.5), silence(0.5)]), RATE, speed=4.0)
    panel = make_panel(qtbot, live_ctx, sd, library)
    panel.record_check.click()
    assert live_ctx.settings.keep_recordings is False
    panel.start()
    qtbot.waitUntil(lambda: panel.state is LiveState.RUNNING, timeout=5000)
    qtbot.waitUntil(lambda: panel.controller.source.stats.bytes >= 1.9 * RATE * 2, timeout=8000)
    panel.stop()
    qtbot.waitUntil(lambda: panel.state is LiveState.FINISHED, timeout=10000)
    info = library.info(panel.library_transcript_id)
    assert info.audio_path is None
    assert not library.recordings_dir.exists() or not any(library.recordings_dir.iterdir())


def test_hold_to_talk_pauses_are_not_recorded(qtbot, qloop, fake_soniox, live_ctx, library: Library) -> None:  # noqa: ANN001
    fake_soniox.set_script(["pressed words arrive here"])
    sd = FakeSoundDevice(speech(30.0), RATE, speed=1.0)
    panel = make_panel(qtbot, live_ctx, sd, library)
    panel.hold_check.setChecked(True)
    panel.start()
    qtbot.waitUntil(lambda: panel.state is LiveState.RUNNING, timeout=5000)
    qtbot.wait(500)
    panel.view.editor.setFocus()
    qtbot.keyPress(panel.view.editor, Qt.Key.Key_Space)
    qtbot.wait(1000)
    qtbot.keyRelease(panel.view.editor, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: "pressed" in panel.view.toPlainText(), timeout=5000)
    qtbot.wait(500)
    panel.stop()
    qtbot.waitUntil(lambda: panel.state.is_terminal, timeout=10000)
    info = library.info(panel.library_transcript_id)
    sent_s = fake_soniox.realtime_sessions[0].audio_bytes / (2 * RATE)
    assert recording.wait_for_writers()
    recorded_s = soundfile.info(info.audio_path).duration
    assert 0.5 < sent_s < 1.6
    assert abs(recorded_s - sent_s) < 0.05  # only what was held, so the words stay in sync


def test_a_file_session_links_the_file_instead_of_recording(
    qtbot,
    qloop,
    fake_soniox,
    live_ctx,
    library: Library,
    monkeypatch: pytest.MonkeyPatch,  # noqa: ANN001
) -> None:
    import desktop.audio.decoded_file as decoded_file  # the panel imports it from there on use

    monkeypatch.setattr(
        decoded_file, "DecodingFileSource", functools.partial(decoded_file.DecodingFileSource, speed=8.0)
    )
    fake_soniox.set_script(["streamed from a file"])
    panel = make_panel(qtbot, live_ctx, FakeSoundDevice(), library)
    panel.source_bar.set_kind(SourceKind.FILE)
    source = DATA / "two_way_translation.mp3"
    panel.source_bar.file_edit.setText(str(source))
    panel.start()
    qtbot.waitUntil(lambda: panel.state.is_terminal, timeout=30000)
    info = library.info(panel.library_transcript_id)
    assert info.title == "two_way_translation.mp3" and info.source_kind == "file"
    assert info.audio_path == str(source.resolve()) and not info.audio_owned
    assert info.token_count > 0
    assert not library.recordings_dir.exists() or not any(library.recordings_dir.iterdir())
    library.delete(info.id)
    assert source.exists()  # the user's file is never deleted


def test_a_session_that_failed_at_once_leaves_no_entry(qtbot, qloop, fake_soniox, live_ctx, library: Library) -> None:  # noqa: ANN001
    fake_soniox.inject_realtime(error_code=401, error_type="unauthenticated", after_audio_ms=0)
    sd = FakeSoundDevice(speech(3.0), RATE, speed=2.0)
    panel = make_panel(qtbot, live_ctx, sd, library)
    panel.start()
    qtbot.waitUntil(lambda: panel.state is LiveState.ERROR, timeout=10000)
    assert library.count() == 0


def test_interrupted_sessions_are_offered_back(qtbot, qloop, library: Library, tmp_path: Path) -> None:  # noqa: ANN001
    # A session another (crashed) app left active; this process is the primary instance.
    crashed = library.begin_live(title="Planning", source_kind="microphone")
    library.append_tokens(crashed, spoken_tokens(80))
    library._live.forget(crashed)  # as if that app had died: nothing in memory owns it
    other = library.begin_live(title="Also lost", source_kind="microphone")
    library.append_tokens(other, spoken_tokens(10, seed=2))
    library._live.forget(other)
    opened: list[int] = []
    dialog = offer_recovery(library, None, opened.append)
    assert isinstance(dialog, RecoveryDialog)
    qtbot.addWidget(dialog)
    assert_accessible(dialog)
    assert dialog.session_ids() == [other, crashed]
    assert "80 words" in dialog.list.item(1).text()
    dialog.list.setCurrentRow(1)
    qtbot.mouseClick(dialog.open_button, Qt.MouseButton.LeftButton)
    assert opened == [crashed]
    assert library.info(crashed).recovery_pending is False and library.info(crashed).status == "interrupted"
    dialog.list.setCurrentRow(0)
    dialog.delete_button.click()
    assert library.info(other) is None
    assert not dialog.isVisible()
    assert offer_recovery(library, None, opened.append) is None  # not offered twice


def test_a_library_closed_during_a_session_says_the_words_are_no_longer_saved(
    qtbot,
    qloop,
    fake_soniox,
    live_ctx,
    app_home: Path,  # noqa: ANN001
) -> None:
    """What the unusable-library dialog does when damage is found mid-session: close it under the run."""
    lib = Library.open(app_home / "data")
    fake_soniox.set_script(["first words then more words"], loop=True)
    sd = FakeSoundDevice(speech(1.0), RATE, speed=4.0, loop_for_s=30)
    panel = make_panel(qtbot, live_ctx, sd, lib)
    panel.start()
    qtbot.waitUntil(lambda: panel.state is LiveState.RUNNING, timeout=5000)
    panel.set_library(None)  # the host swaps the damaged library out…
    lib.close()  # …and closes it
    qtbot.waitUntil(lambda: "no longer saved" in panel.message_label.text(), timeout=8000)
    assert "export them" in panel.message_label.text()
    assert "retried" not in panel.message_label.text()
    panel.cancel()
    qtbot.waitUntil(lambda: panel.state is LiveState.CANCELED, timeout=5000)
