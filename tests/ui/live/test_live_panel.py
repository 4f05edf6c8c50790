"""A whole live session as a user runs it: the panel, the real capture code fed by a fake
microphone, the real SDK, and the emulator over real sockets. Assertions are on what the view
shows and on what reached the emulator."""

from __future__ import annotations

import functools
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import numpy as np
import pytest
import soundfile
from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCursor

from desktop.core.live.state import LiveState
from desktop.ui.live.source_bar import SourceKind
from tests.a11y import assert_accessible
from tests.audio_helpers import FakeSoundDevice
from tests.live_helpers import DATA, RATE, ended_session, make_panel, played_s, silence, speech, wav_bytes


def test_microphone_session_shows_words_and_stop_keeps_the_last_ones(qtbot, qloop, fake_soniox, live_ctx) -> None:  # noqa: ANN001
    fake_soniox.set_script(["Hello there how are you today", "I am fine thank you"])
    sd = FakeSoundDevice(np.concatenate([speech(2.2), silence(0.8), speech(1.8)]), RATE, speed=4.0)
    panel = make_panel(qtbot, live_ctx, sd)
    assert_accessible(panel)
    qtbot.mouseClick(panel.start_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.state is LiveState.RUNNING, timeout=5000)
    assert not panel.start_button.isEnabled() and panel.stop_button.isEnabled()
    assert "Listening" in panel.state_label.text()
    qtbot.waitUntil(lambda: "Hello there" in panel.view.toPlainText(), timeout=8000)
    qtbot.waitUntil(lambda: played_s(panel) > 4.5, timeout=8000)  # the signal has played
    qtbot.mouseClick(panel.stop_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.state is LiveState.FINISHED, timeout=10000)
    text = panel.view.toPlainText()
    assert "Hello there how are you today" in text
    assert "I am fine thank you" in text
    assert panel.view.transcript.tail_tokens == ()  # nothing left provisional after Stop
    session = ended_session(qtbot, fake_soniox)
    assert session.config["audio_format"] == "pcm_s16le"
    assert session.config["sample_rate"] == 16000 and session.config["num_channels"] == 1
    assert session.finished
    # Every byte the capture produced reached the service, in order.
    assert session.audio_bytes == panel.controller.source.stats.bytes
    assert panel.controller.source.stats.overflows == 0
    assert panel.start_button.isEnabled()


def test_provisional_words_are_shown_apart_then_turn_final(qtbot, qloop, fake_soniox, live_ctx) -> None:  # noqa: ANN001
    fake_soniox.set_script(["one two three four five six seven eight"])
    sd = FakeSoundDevice(speech(3.0), RATE, speed=1.5)
    panel = make_panel(qtbot, live_ctx, sd)
    panel.start()
    qtbot.waitUntil(
        lambda: panel.view.transcript.tail_tokens != () and len(panel.view.transcript.final_tokens) >= 2,
        timeout=8000,
    )
    start, _length = panel.view.renderer.tail_ranges[0]
    assert start > 1, "final words come before the provisional tail"
    cursor = QTextCursor(panel.view.document())
    cursor.setPosition(start + 1)
    assert cursor.charFormat().fontItalic(), "provisional words are drawn in italics"
    final_cursor = QTextCursor(panel.view.document())
    final_cursor.setPosition(start - 1)
    assert not final_cursor.charFormat().fontItalic(), "final words are not"
    qtbot.waitUntil(lambda: "three" in " ".join(t.text for t in panel.view.transcript.final_tokens), timeout=8000)
    qtbot.waitUntil(lambda: played_s(panel) > 2.9, timeout=8000)
    panel.stop()
    qtbot.waitUntil(lambda: panel.state is LiveState.FINISHED, timeout=10000)
    assert "one two three four five six seven eight" in panel.view.toPlainText()


def test_finalize_button_waits_for_fin_and_is_throttled(qtbot, qloop, fake_soniox, live_ctx) -> None:  # noqa: ANN001
    fake_soniox.set_script(["alpha beta gamma delta epsilon zeta eta theta"])
    sd = FakeSoundDevice(speech(1.2), RATE, speed=2.0)
    panel = make_panel(qtbot, live_ctx, sd)
    panel.start()
    qtbot.waitUntil(lambda: panel.view.transcript.tail_tokens != (), timeout=8000)
    qtbot.mouseClick(panel.finalize_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.view.transcript.finalize_seen, timeout=5000)
    qtbot.waitUntil(lambda: panel.finalize_button.isEnabled(), timeout=5000)
    assert panel.finalize_button.text() == "Fina&lize"
    assert "<fin>" not in panel.view.toPlainText()
    assert panel.view.transcript.tail_tokens == ()
    panel.stop()
    qtbot.waitUntil(lambda: panel.state is LiveState.FINISHED, timeout=10000)
    kinds = [c.type for c in ended_session(qtbot, fake_soniox).controls]
    assert kinds.count("finalize") == 1


def test_hold_to_talk_sends_audio_only_while_held(qtbot, qloop, fake_soniox, live_ctx) -> None:  # noqa: ANN001
    fake_soniox.set_script(["pressed words arrive here"])
    sd = FakeSoundDevice(speech(30.0), RATE, speed=1.0)
    panel = make_panel(qtbot, live_ctx, sd)
    panel.hold_check.setChecked(True)
    assert panel.talk_button.isVisible() and panel.key_edit.keySequence().toString() == "Space"
    panel.start()
    qtbot.waitUntil(lambda: panel.state is LiveState.RUNNING, timeout=5000)
    qtbot.wait(700)
    assert fake_soniox.realtime_sessions[0].audio_bytes == 0, "no audio before the key is held"
    panel.view.editor.setFocus()
    qtbot.keyPress(panel.view.editor, Qt.Key.Key_Space)
    qtbot.wait(1200)
    qtbot.keyRelease(panel.view.editor, Qt.Key.Key_Space)
    # Release sends finalize after the last audio frame: once the emulator has it, the count is final.
    qtbot.waitUntil(lambda: "finalize" in [c.type for c in fake_soniox.realtime_sessions[0].controls], timeout=5000)
    sent = fake_soniox.realtime_sessions[0].audio_bytes
    assert sent > 0
    qtbot.wait(900)  # released: keepalives, no audio
    snap = fake_soniox.realtime_sessions[0]
    assert snap.audio_bytes == sent
    kinds = [c.type for c in snap.controls]
    assert "finalize" in kinds and "keepalive" in kinds
    qtbot.waitUntil(lambda: "pressed" in panel.view.toPlainText(), timeout=5000)
    panel.cancel()
    qtbot.waitUntil(lambda: panel.state is LiveState.CANCELED, timeout=3000)


def test_cancel_drops_at_once(qtbot, qloop, fake_soniox, live_ctx) -> None:  # noqa: ANN001
    sd = FakeSoundDevice(speech(20.0), RATE, speed=1.0)
    panel = make_panel(qtbot, live_ctx, sd)
    panel.start()
    qtbot.waitUntil(lambda: panel.state is LiveState.RUNNING, timeout=5000)
    qtbot.mouseClick(panel.cancel_button, Qt.MouseButton.LeftButton)
    assert panel.state is LiveState.CANCELED
    assert panel.state_label.text() == "Canceled"
    snap = ended_session(qtbot, fake_soniox)
    assert not snap.finished and "finish" not in [c.type for c in snap.controls]


def test_speakers_are_coloured_blocks(qtbot, qloop, fake_soniox, live_ctx) -> None:  # noqa: ANN001
    fake_soniox.set_script(
        [
            {"speaker": "1", "language": "en", "text": "good morning to you"},
            {"speaker": "2", "language": "en", "text": "and good morning back"},
        ]
    )
    sd = FakeSoundDevice(np.concatenate([speech(1.5), silence(0.7), speech(1.5)]), RATE, speed=4.0)
    panel = make_panel(qtbot, live_ctx, sd)
    panel.options_form.diarization_check.setChecked(True)
    panel.start()
    qtbot.waitUntil(lambda: played_s(panel) > 3.8, timeout=8000)
    panel.stop()
    qtbot.waitUntil(lambda: panel.state is LiveState.FINISHED, timeout=10000)
    text = panel.view.toPlainText()
    assert "Speaker 1" in text and "Speaker 2" in text
    assert ended_session(qtbot, fake_soniox).config["enable_speaker_diarization"] is True
    styles = panel.view.styles
    assert styles.speaker_color("1") != styles.speaker_color("2")
    panel.view.rename_speaker("2", "Maria")
    assert "Maria" in panel.view.toPlainText() and "Speaker 2" not in panel.view.toPlainText()


def test_file_source_streams_the_file(qtbot, qloop, fake_soniox, live_ctx, monkeypatch) -> None:  # noqa: ANN001
    import desktop.audio.decoded_file as decoded_file  # the panel imports it from there on use

    monkeypatch.setattr(
        decoded_file, "DecodingFileSource", functools.partial(decoded_file.DecodingFileSource, speed=8.0)
    )
    fake_soniox.set_script(["streamed from a file"])
    panel = make_panel(qtbot, live_ctx, FakeSoundDevice())
    panel.source_bar.set_kind(SourceKind.FILE)
    panel.source_bar.file_edit.setText(str(DATA / "two_way_translation.mp3"))
    panel.start()
    qtbot.waitUntil(lambda: panel.state is LiveState.FINISHED or panel.state is LiveState.ERROR, timeout=30000)
    snap = ended_session(qtbot, fake_soniox)
    # Decoded to PCM, so that a reconnect can replay exactly what was not finalised.
    assert snap.config["audio_format"] == "pcm_s16le" and snap.config["sample_rate"] == 16000
    duration = soundfile.info(str(DATA / "two_way_translation.mp3")).duration
    assert len(snap.audio) / 32000 == pytest.approx(duration, abs=0.1)
    assert panel.state is LiveState.FINISHED


def test_missing_file_is_refused_with_a_message(qtbot, qloop, fake_soniox, live_ctx) -> None:  # noqa: ANN001
    panel = make_panel(qtbot, live_ctx, FakeSoundDevice())
    panel.source_bar.set_kind(SourceKind.FILE)
    panel.source_bar.file_edit.setText("/no/such/file.mp3")
    panel.start()
    qtbot.waitUntil(lambda: panel.message_label.isVisible(), timeout=3000)
    assert "does not exist" in panel.message_label.text()
    assert fake_soniox.realtime_sessions == []


def test_injected_503_reconnects_without_losing_words(qtbot, qloop, fake_soniox, live_ctx) -> None:  # noqa: ANN001
    fake_soniox.set_script(["first part before the fault", "second part after reconnecting"])
    fake_soniox.inject_realtime(503, "service_unavailable", after_audio_ms=1500)
    sd = FakeSoundDevice(np.concatenate([speech(2.2), silence(0.8), speech(2.4)]), RATE, speed=3.0)
    panel = make_panel(qtbot, live_ctx, sd)
    seen_states = []
    panel.controller.state_changed.connect(lambda state, _d: seen_states.append(state))
    panel.start()
    qtbot.waitUntil(lambda: LiveState.RECONNECTING in seen_states, timeout=8000)
    qtbot.waitUntil(lambda: panel.state is LiveState.RUNNING and len(fake_soniox.realtime_sessions) >= 2, timeout=8000)
    qtbot.waitUntil(lambda: played_s(panel) > 5.5, timeout=10000)
    panel.stop()
    qtbot.waitUntil(lambda: panel.state is LiveState.FINISHED, timeout=10000)
    text = panel.view.toPlainText()
    assert "first part before the fault" in text
    assert "second part after reconnecting" in text
    assert panel.stats_label.text().count("reconnect") == 1


@pytest.mark.parametrize(
    ("code", "etype", "expected"),
    [
        (401, "unauthenticated", "did not accept"),
        (402, "organization_balance_exhausted", "balance"),
        (429, "limit_exceeded", "limit"),
    ],
)
def test_fatal_errors_stop_with_a_message_and_keep_the_transcript(
    qtbot,
    qloop,
    fake_soniox,
    live_ctx,
    code,
    etype,
    expected,  # noqa: ANN001
) -> None:
    fake_soniox.set_script(["words said before the error"])
    fake_soniox.inject_realtime(code, etype, after_audio_ms=2500)
    sd = FakeSoundDevice(np.concatenate([speech(2.0), silence(2.0)]), RATE, speed=2.0)
    panel = make_panel(qtbot, live_ctx, sd)
    panel.options_form.endpoint_check.setChecked(True)
    panel.start()
    qtbot.waitUntil(lambda: panel.state is LiveState.ERROR, timeout=10000)
    assert expected in panel.message_label.text().lower()
    assert "words said before" in panel.view.toPlainText()
    assert len(fake_soniox.realtime_sessions) == 1, "no reconnect on a fatal error"
    assert panel.start_button.isEnabled()


def test_options_are_remembered(qtbot, qloop, fake_soniox, live_ctx, make_context) -> None:  # noqa: ANN001
    live_ctx.set_models(())
    panel = make_panel(qtbot, live_ctx, FakeSoundDevice(speech(1.0), RATE, speed=4.0))
    panel.options_form.endpoint_check.setChecked(True)
    panel.options_form.language_id_check.setChecked(True)
    panel.start()
    qtbot.waitUntil(lambda: panel.state is LiveState.RUNNING, timeout=5000)
    panel.cancel()
    config = ended_session(qtbot, fake_soniox).config
    assert config["enable_endpoint_detection"] is True and config["enable_language_identification"] is True
    assert config["model"] == "stt-rt-v5"
    again = make_panel(qtbot, make_context(fake_soniox), FakeSoundDevice())
    assert again.options_form.endpoint_check.isChecked() and again.options_form.language_id_check.isChecked()


@pytest.fixture
def audio_server():  # noqa: ANN201
    """A local HTTP server playing one WAV "stream" at /live.wav, like an internet radio."""
    body = wav_bytes(np.concatenate([speech(2.5), silence(0.5)]))

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server API
            if self.path != "/live.wav":
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Type", "audio/wav")
            self.end_headers()
            for start in range(0, len(body), 8000):
                self.wfile.write(body[start : start + 8000])

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", body
    server.shutdown()
    server.server_close()


def test_url_source_streams_through_the_same_session(
    qtbot,
    qloop,
    fake_soniox,
    live_ctx,
    audio_server,
    monkeypatch,  # noqa: ANN001
) -> None:
    import desktop.audio.url_source as url_source  # the panel imports it from there on use

    monkeypatch.setattr(url_source, "UrlSource", functools.partial(url_source.UrlSource, speed=6.0))
    base, body = audio_server
    fake_soniox.set_script(["words from the radio stream"])
    panel = make_panel(qtbot, live_ctx, FakeSoundDevice())
    panel.source_bar.set_kind(SourceKind.URL)
    panel.source_bar.url_edit.setText(f"{base}/live.wav")
    panel.start()
    qtbot.waitUntil(lambda: panel.state is LiveState.FINISHED, timeout=20000)
    snap = ended_session(qtbot, fake_soniox)
    assert snap.config["audio_format"] == "auto"
    assert snap.audio == body
    assert "words from the radio stream" in panel.view.toPlainText()


def test_url_that_is_not_audio_gives_a_clear_message(qtbot, qloop, fake_soniox, live_ctx, audio_server) -> None:  # noqa: ANN001
    base, _body = audio_server
    panel = make_panel(qtbot, live_ctx, FakeSoundDevice())
    panel.source_bar.set_kind(SourceKind.URL)
    panel.source_bar.url_edit.setText(f"{base}/missing.mp3")
    panel.start()
    qtbot.waitUntil(lambda: panel.message_label.isVisible(), timeout=10000)
    assert panel.message_label.text().startswith("Cannot start: The server answered 404")
    assert panel.state is LiveState.IDLE  # refused up front: no session was started
    assert fake_soniox.realtime_sessions == []


def test_microphone_that_disappears_finishes_cleanly_and_keeps_the_words(
    qtbot,
    qloop,
    fake_soniox,
    live_ctx,  # noqa: ANN001
) -> None:
    fake_soniox.set_script(["these words survive the unplugged microphone"])
    sd = FakeSoundDevice(speech(6.0), RATE, speed=2.0)
    sd.disconnect_after_blocks = 150  # 3 s of 20 ms blocks, then the device is gone
    panel = make_panel(qtbot, live_ctx, sd)
    panel.start()
    qtbot.waitUntil(lambda: panel.state.is_terminal, timeout=15000)
    # The session ends in the error state (something went wrong and the user must hear it), but
    # only after finishing gracefully: the last words arrived and nothing was dropped.
    assert panel.state is LiveState.ERROR
    assert "disconnected" in panel.message_label.text()
    assert "transcript so far is kept" in panel.message_label.text()
    text = panel.view.toPlainText()
    assert "these words survive" in text
    snap = ended_session(qtbot, fake_soniox)
    assert snap.finished, "the session was finished gracefully, not dropped"


def test_context_edited_in_the_dialog_reaches_the_service(qtbot, qloop, fake_soniox, live_ctx) -> None:  # noqa: ANN001
    panel = make_panel(qtbot, live_ctx, FakeSoundDevice(speech(1.0), RATE, speed=4.0))
    dialog = panel.options_form.edit_context()
    assert_accessible(dialog)
    dialog.editor.add_row("domain", "Healthcare")
    dialog.editor.add_row("half-filled", "")
    dialog.editor.terms_edit.setPlainText("Celebrex\n\nZyrtec")
    dialog.editor.text_edit.setPlainText("A cardiology consult.")
    dialog.accept()
    assert "(3)" in panel.options_form.context_button.text()
    panel.start()
    qtbot.waitUntil(lambda: panel.state is LiveState.RUNNING, timeout=5000)
    panel.cancel()
    context = ended_session(qtbot, fake_soniox).config["context"]
    assert context["general"] == [{"key": "domain", "value": "Healthcare"}]
    assert context["terms"] == ["Celebrex", "Zyrtec"]
    assert context["text"] == "A cardiology consult."


def test_dropped_connection_reconnects_and_sends_the_gap(qtbot, qloop, fake_soniox, live_ctx) -> None:  # noqa: ANN001
    fake_soniox.set_script(["before the drop we said this", "and after the drop this"])
    fake_soniox.inject_realtime(abrupt_close=True, after_audio_ms=1800)
    sd = FakeSoundDevice(np.concatenate([speech(2.2), silence(0.8), speech(2.0), silence(0.3)]), RATE, speed=3.0)
    panel = make_panel(qtbot, live_ctx, sd)
    panel.start()
    seen_states: list[LiveState] = []
    panel.controller.state_changed.connect(lambda state, _detail: seen_states.append(state))
    qtbot.waitUntil(lambda: len(fake_soniox.realtime_sessions) >= 2, timeout=10000)
    qtbot.waitUntil(lambda: LiveState.RECONNECTING in seen_states and panel.state is LiveState.RUNNING, timeout=5000)
    qtbot.waitUntil(lambda: played_s(panel) > 5.2, timeout=10000)
    panel.stop()
    qtbot.waitUntil(lambda: panel.state is LiveState.FINISHED, timeout=10000)
    first, second = fake_soniox.realtime_sessions[0], ended_session(qtbot, fake_soniox, 1)
    assert first.close_code in (None, 1006) and not first.finished
    # Everything the microphone produced reached the service: the second connection got the audio
    # the first did not finalize (replayed) plus everything captured during and after the gap.
    produced = panel.controller.source.stats.bytes
    replayed = panel.controller.session.stats.replayed_bytes
    assert first.audio_bytes + second.audio_bytes == produced + replayed
    text = panel.view.toPlainText()
    assert "before the drop we said this" in text and "after the drop this" in text


def test_endpoints_show_a_marker_and_start_a_new_utterance(qtbot, qloop, fake_soniox, live_ctx) -> None:  # noqa: ANN001
    fake_soniox.set_script(["first utterance here", "second utterance there"])
    # Three words take ~0.9 s of speech in the emulator; each burst is one utterance.
    sd = FakeSoundDevice(np.concatenate([speech(0.9), silence(2.4), speech(0.9), silence(2.4)]), RATE, speed=4.0)
    panel = make_panel(qtbot, live_ctx, sd)
    panel.options_form.endpoint_check.setChecked(True)
    panel.options_form.delay_spin.setValue(1000)
    panel.start()
    qtbot.waitUntil(lambda: panel.view.transcript.endpoint_count >= 2, timeout=10000)
    panel.stop()
    qtbot.waitUntil(lambda: panel.state is LiveState.FINISHED, timeout=10000)
    config = ended_session(qtbot, fake_soniox).config
    assert config["enable_endpoint_detection"] is True and config["max_endpoint_delay_ms"] == 1000
    lines = [line for line in panel.view.toPlainText().splitlines() if line.strip()]
    first = next(i for i, line in enumerate(lines) if "first utterance here" in line)
    second = next(i for i, line in enumerate(lines) if "second utterance there" in line)
    assert second > first, "the next utterance starts on a new line"
    assert "⏎" in lines[first] and "<end>" not in panel.view.toPlainText()


def test_the_chosen_microphone_is_remembered(qtbot, qloop, fake_soniox, live_ctx, make_context) -> None:  # noqa: ANN001
    from tests.audio_helpers import mic_device

    sd = FakeSoundDevice(speech(1.0), RATE, devices=[mic_device("Desk Mic", index=0), mic_device("Headset", index=1)])
    panel = make_panel(qtbot, live_ctx, sd)
    picker = panel.source_bar.device_picker
    index = next(i for i in range(picker.count()) if "Headset" in picker.itemText(i))
    picker.setCurrentIndex(index)
    picker.activated.emit(index)  # what a user's pick in the popup does
    assert json.loads(live_ctx.paths.settings_file.read_text())["input_device"] == picker.selected_device()
    again = make_panel(qtbot, make_context(fake_soniox), sd)
    assert "Headset" in again.source_bar.device_picker.currentText()


def test_cancel_removes_the_provisional_words(qtbot, qloop, fake_soniox, live_ctx) -> None:  # noqa: ANN001
    fake_soniox.set_script(["one two three four five six seven eight nine ten"])
    panel = make_panel(qtbot, live_ctx, FakeSoundDevice(speech(20.0), RATE, speed=1.5))
    panel.start()
    qtbot.waitUntil(lambda: panel.view.transcript.tail_tokens != (), timeout=8000)
    panel.cancel()
    assert panel.view.transcript.tail_tokens == ()
    assert panel.view.renderer.tail_ranges == []
    tail_words = {t.text.strip() for t in panel.view.transcript.final_tokens}
    assert all(word in tail_words for word in panel.view.toPlainText().split() if word.isalpha())


@pytest.mark.parametrize(
    ("fault", "expected"),
    [
        ("key", "did not accept"),  # a wrong key: the service refused it
        ("server", "soniox"),  # the model list answered 500
    ],
)
def test_starting_on_first_use_names_the_real_cause_not_the_model(
    qtbot,
    qloop,
    fake_soniox,
    make_context,
    fault,
    expected,  # noqa: ANN001
) -> None:
    ctx = make_context(fake_soniox, key="wrong-key" if fault == "key" else "test-key")
    ctx.set_models(())  # first use: the model list was never loaded
    if fault == "server":
        fake_soniox.fail_next("GET", r"^/v1/models$", 500, times=10)
    panel = make_panel(qtbot, ctx, FakeSoundDevice(speech(1.0), RATE, speed=4.0))
    panel.start()
    qtbot.waitUntil(lambda: panel.message_label.isVisible() and panel.start_button.isEnabled(), timeout=10000)
    text = panel.message_label.text().lower()
    assert "no model chosen" not in text
    assert expected in text
    assert fake_soniox.realtime_sessions == []


def test_the_endpoint_sensitivity_box_has_a_label_that_follows_it(qtbot, qloop, live_ctx) -> None:  # noqa: ANN001
    panel = make_panel(qtbot, live_ctx, FakeSoundDevice(speech(1.0), RATE, speed=4.0))
    form = panel.options_form
    assert form.sensitivity_label.buddy() is form.sensitivity_spin
    assert form.sensitivity_label.text().replace("&", "") == "Sensitivity:"
    form.endpoint_check.setChecked(True)
    assert form.sensitivity_label.isVisibleTo(form) == form.sensitivity_spin.isVisibleTo(form)
    assert form.sensitivity_label.isEnabled() == form.sensitivity_spin.isEnabled()


def test_a_program_renamed_mp3_is_refused_before_soniox_or_the_history_see_it(
    qtbot,
    qloop,
    fake_soniox,
    live_ctx,
    app_home,
    tmp_path,  # noqa: ANN001
) -> None:
    from desktop.core.library.store import Library

    song = tmp_path / "song.mp3"
    song.write_bytes(b"MZ\x90\x00" + bytes(300) + (DATA / "two_way_translation.mp3").read_bytes())
    library = Library.open(app_home / "data")
    try:
        panel = make_panel(qtbot, live_ctx, FakeSoundDevice(), library)
        panel.source_bar.set_kind(SourceKind.FILE)
        panel.source_bar.file_edit.setText(str(song))
        panel.start()
        qtbot.waitUntil(lambda: panel.message_label.isVisible(), timeout=5000)
        assert panel.message_label.text() == "Cannot start: “song.mp3”: this is a program, not audio or video."
        assert panel.message_label.property("severity") == "error"
        assert panel.state is LiveState.IDLE and panel.start_button.isEnabled()
        assert fake_soniox.realtime_sessions == []
        assert library.count() == 0
    finally:
        library.close()


def test_a_folder_picked_as_the_file_is_not_a_file(qtbot, qloop, fake_soniox, live_ctx, tmp_path) -> None:  # noqa: ANN001
    panel = make_panel(qtbot, live_ctx, FakeSoundDevice())
    panel.source_bar.set_kind(SourceKind.FILE)
    panel.source_bar.file_edit.setText(str(tmp_path))
    panel.start()
    qtbot.waitUntil(lambda: panel.message_label.isVisible(), timeout=3000)
    assert panel.message_label.text() == f"“{tmp_path}”: this is a folder, not a file."
    assert fake_soniox.realtime_sessions == []
