"""Meetings and system audio in the live panel, as a user sees them.

The microphone is the real capture code fed by a fake sound device; the system audio is a test
source handed to the panel in place of ``desktop.audio.system`` (the real one is tested against a
private PulseAudio in tests/audio). The emulator runs in acoustic mode, so each side is heard
saying its own words.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt

from desktop.audio.system import OutputDevice
from desktop.core.audio_source import AudioSource
from desktop.core.live.state import LiveState
from desktop.core.meeting.run import COST_NOTE
from desktop.ui.live.source_bar import SourceKind
from tests.a11y import assert_accessible
from tests.audio_helpers import FakeSoundDevice
from tests.core.live.test_live_session_support import NumpySource
from tests.fake_soniox.tones import duration_ms, pcm_to_float, speak
from tests.live_helpers import RATE, make_panel


def quiet(ms: int) -> bytes:
    return bytes(ms * RATE * 2 // 1000)


class FakeSystemAudio:
    """Stands in for ``desktop.audio.system``: says whether it is available, opens a test source."""

    def __init__(self, pcm: bytes = b"", *, available: bool = True, message: str = "", url: str | None = None) -> None:
        self.pcm = pcm
        self.available = (available, message, url)
        self.opened: list[str | None] = []
        self.sources: list[NumpySource] = []

    def support(self) -> tuple[bool, str, str | None]:
        return self.available

    def outputs(self) -> list[OutputDevice]:
        return [OutputDevice("speakers", "Built-in speakers", True), OutputDevice("hdmi", "HDMI monitor", False)]

    def open(self, output_id: str | None) -> AudioSource:
        self.opened.append(output_id)
        source = NumpySource(self.pcm, pace_s=0.025, hold=True)  # 4x real time, like the microphone
        self.sources.append(source)
        return source

    def cancel_echo(self, mic: AudioSource, system: AudioSource) -> tuple[AudioSource, AudioSource]:
        raise AssertionError("echo cancellation is off in these tests")


HELLO, QUESTION, ANSWER = (
    ["Hello", "everyone,", "thanks", "for", "joining"],
    ["Shall", "we", "start"],
    ["yes", "please"],
)


def conversation() -> tuple[np.ndarray, bytes]:
    lead = 300
    mic = quiet(lead) + speak(HELLO) + quiet(duration_ms(len(QUESTION)) + 400) + speak(ANSWER) + quiet(2000)
    system = quiet(lead + duration_ms(len(HELLO)) + 200) + speak(QUESTION, speaker=2) + quiet(3000)
    return pcm_to_float(mic).astype(np.float32), system


def choose(panel, kind: SourceKind) -> None:  # noqa: ANN001
    panel.source_bar.set_kind(kind)


def test_a_meeting_reads_you_and_speaker_2_in_order_in_their_own_colours(qtbot, qloop, fake_soniox, live_ctx) -> None:  # noqa: ANN001
    fake_soniox.set_acoustic(True)
    mic, system = conversation()
    live_ctx.settings.meeting_echo_cancellation = False
    panel = make_panel(qtbot, live_ctx, FakeSoundDevice(mic, RATE, speed=4.0))
    panel.system_audio = FakeSystemAudio(system)
    choose(panel, SourceKind.MEETING)
    bar = panel.source_bar
    # Before starting: both pickers, the cost said up front, echo cancellation as set.
    assert bar.device_picker.isVisible() and bar.output_picker.isVisible()
    assert (
        bar.cost_note.isVisible() and bar.cost_note.text() == COST_NOTE == "Two streams: uses twice the audio minutes"
    )
    assert bar.echo_check.isVisible() and not bar.echo_check.isChecked()
    assert not bar.support_label.isVisible()
    assert_accessible(panel)
    qtbot.mouseClick(panel.start_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.state is LiveState.RUNNING, timeout=5000)
    assert len(fake_soniox.realtime_sessions) == 2  # two streams
    assert "Listening" in panel.state_label.text()
    qtbot.waitUntil(lambda: "yes please" in panel.view.toPlainText(), timeout=10000)
    qtbot.mouseClick(panel.stop_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.state is LiveState.FINISHED, timeout=10000)
    text = panel.view.toPlainText()
    you = text.index("You")
    them = text.index("Speaker 2")
    assert you < text.index("Hello everyone, thanks for joining") < them < text.index("Shall we start")
    assert text.index("Shall we start") < text.rindex("You") < text.index("yes please")
    renderer = panel.view.renderer
    assert len(renderer.label_spans("you")) == 2 and len(renderer.label_spans("2")) == 1
    assert _label_colour(panel, "you") != _label_colour(panel, "2")


def _label_colour(panel, speaker: str) -> str:  # noqa: ANN001
    from PySide6.QtGui import QTextCursor

    pos = panel.view.renderer.label_spans(speaker)[0][0]
    cursor = QTextCursor(panel.view.document())
    cursor.setPosition(pos + 1)
    return cursor.charFormat().foreground().color().name()


def test_unavailable_system_audio_says_why_and_offers_the_settings(qtbot, qloop, live_ctx) -> None:  # noqa: ANN001
    panel = make_panel(qtbot, live_ctx, FakeSoundDevice(np.zeros(RATE, np.float32), RATE))
    why = "Allow “System Audio Recording Only” for Soniox Desktop in System Settings › Privacy & Security."
    access = FakeSystemAudio(available=False, message=why, url="x-apple.systempreferences:privacy")
    panel.system_audio = access
    opened: list[str] = []
    panel.source_bar.open_url = lambda url: opened.append(url.toString())
    choose(panel, SourceKind.SYSTEM)
    bar = panel.source_bar
    assert bar.support_label.isVisible() and bar.support_label.text() == why
    assert bar.support_button.isVisible()
    qtbot.mouseClick(bar.support_button, Qt.MouseButton.LeftButton)
    assert opened == ["x-apple.systempreferences:privacy"]
    qtbot.mouseClick(panel.start_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(panel.message_label.isVisible, timeout=2000)
    assert panel.message_label.text() == why
    assert panel.state is LiveState.IDLE and access.opened == []
    choose(panel, SourceKind.MEETING)  # the meeting needs it too, and says so the same way
    assert bar.support_label.isVisible() and bar.cost_note.isVisible()
    choose(panel, SourceKind.MICROPHONE)
    assert not bar.support_label.isVisible()


def test_echo_cancellation_box_is_the_setting(qtbot, qloop, live_ctx) -> None:  # noqa: ANN001
    live_ctx.settings.meeting_echo_cancellation = True
    panel = make_panel(qtbot, live_ctx, FakeSoundDevice(np.zeros(RATE, np.float32), RATE))
    panel.system_audio = FakeSystemAudio()
    choose(panel, SourceKind.MEETING)
    box = panel.source_bar.echo_check
    assert box.isChecked()
    box.click()
    assert live_ctx.settings.meeting_echo_cancellation is False
    from desktop.core.settings import SettingsStore

    saved = SettingsStore(live_ctx.settings_store.path)
    assert saved.settings.meeting_echo_cancellation is False  # saved


def test_system_audio_alone_is_one_live_session(qtbot, qloop, fake_soniox, live_ctx) -> None:  # noqa: ANN001
    fake_soniox.set_acoustic(True)
    access = FakeSystemAudio(quiet(300) + speak(QUESTION, speaker=1) + quiet(2000))
    panel = make_panel(qtbot, live_ctx, FakeSoundDevice(np.zeros(RATE, np.float32), RATE))
    panel.system_audio = access
    choose(panel, SourceKind.SYSTEM)
    picker = panel.source_bar.output_picker
    assert not panel.source_bar.device_picker.isVisible() and picker.isVisible()
    assert not panel.source_bar.cost_note.isVisible()
    qtbot.waitUntil(lambda: picker.findData("hdmi") >= 0, timeout=5000)  # listed through the panel's access
    picker.setCurrentIndex(picker.findData("hdmi"))
    picker.activated.emit(picker.currentIndex())  # as a user's choice
    assert live_ctx.settings.system_output == "hdmi"
    panel.start()
    qtbot.waitUntil(lambda: panel.state is LiveState.RUNNING, timeout=5000)
    qtbot.waitUntil(lambda: "Shall we start" in panel.view.toPlainText(), timeout=10000)
    panel.stop()
    qtbot.waitUntil(lambda: panel.state is LiveState.FINISHED, timeout=10000)
    assert len(fake_soniox.realtime_sessions) == 1 and access.opened == ["hdmi"]


class CancellingSystemAudio(FakeSystemAudio):
    """Echo cancellation asked for, but (as without livekit) it cannot run: the real pass-through."""

    def __init__(self, pcm: bytes) -> None:
        super().__init__(pcm)
        self.cancelled: list[tuple[AudioSource, AudioSource]] = []

    def cancel_echo(self, mic: AudioSource, system: AudioSource) -> tuple[AudioSource, AudioSource]:
        from desktop.audio.echo import PassThroughMicrophone

        self.cancelled.append((mic, system))
        why = "Echo cancellation is off: the echo canceller could not be loaded (test). Use headphones."
        return PassThroughMicrophone(mic, why), system


def test_echo_cancellation_wraps_both_sources_and_says_when_it_cannot_run(
    qtbot,  # noqa: ANN001
    qloop,  # noqa: ANN001
    fake_soniox,  # noqa: ANN001
    live_ctx,  # noqa: ANN001
) -> None:
    from desktop.audio.capture import MicrophoneCapture

    fake_soniox.set_acoustic(True)
    mic, system = conversation()
    live_ctx.settings.meeting_echo_cancellation = True
    panel = make_panel(qtbot, live_ctx, FakeSoundDevice(mic, RATE, speed=4.0))
    access = CancellingSystemAudio(system)
    panel.system_audio = access
    choose(panel, SourceKind.MEETING)
    panel.start()
    qtbot.waitUntil(lambda: panel.state is LiveState.RUNNING, timeout=5000)
    ((given_mic, given_system),) = access.cancelled
    assert isinstance(given_mic, MicrophoneCapture) and given_system is access.sources[0]
    assert panel.message_label.isVisible() and "Echo cancellation is off" in panel.message_label.text()
    qtbot.waitUntil(lambda: "Shall we start" in panel.view.toPlainText(), timeout=10000)
    panel.cancel()
    qtbot.waitUntil(lambda: panel.state is LiveState.CANCELED, timeout=5000)


def test_a_meeting_has_no_hold_to_talk_and_support_is_asked_again(qtbot, qloop, live_ctx) -> None:  # noqa: ANN001
    panel = make_panel(qtbot, live_ctx, FakeSoundDevice(np.zeros(RATE, np.float32), RATE))
    access = FakeSystemAudio(available=False, message="No sound server is running.")
    panel.system_audio = access
    panel.hold_check.setChecked(True)
    choose(panel, SourceKind.MEETING)
    assert not panel.hold_check.isChecked() and not panel.hold_check.isEnabled()
    assert not panel.talk_button.isVisible()
    assert panel.source_bar.support_label.text() == "No sound server is running."
    choose(panel, SourceKind.MICROPHONE)
    assert panel.hold_check.isEnabled()
    access.available = (True, "", None)  # the user started the sound server meanwhile
    choose(panel, SourceKind.SYSTEM)
    assert not panel.source_bar.support_label.isVisible() and panel.source_bar.problem() is None


def test_each_picker_says_whose_sound_it_is(qtbot, qloop, live_ctx) -> None:  # noqa: ANN001
    """Two "System default" pickers side by side read alike: You (microphone), Others (output)."""
    panel = make_panel(qtbot, live_ctx, FakeSoundDevice(np.zeros(RATE, np.float32), RATE))
    panel.system_audio = FakeSystemAudio()
    panel.show()
    bar = panel.source_bar
    choose(panel, SourceKind.MEETING)
    row = bar.meeting_row
    order = [row.itemAt(i).widget() for i in range(row.count())]
    assert order.index(bar.you_label) + 1 == order.index(bar.device_picker)
    assert order.index(bar.others_label) + 1 == order.index(bar.output_picker)
    assert bar.you_label.isVisible() and bar.you_label.buddy() is bar.device_picker
    assert bar.others_label.buddy() is bar.output_picker
    choose(panel, SourceKind.SYSTEM)
    assert bar.output_label.isVisible() and bar.output_label.text() == "Plays on:"
    assert not bar.you_label.isVisible() and not bar.device_picker.isVisible()
    choose(panel, SourceKind.MEETING)  # and back: the microphone picker returns beside its label
    order = [row.itemAt(i).widget() for i in range(row.count())]
    assert order.index(bar.you_label) + 1 == order.index(bar.device_picker) and bar.device_picker.isVisible()


def test_the_output_picker_is_not_shown_on_the_microphone_page(qtbot, qloop, live_ctx) -> None:  # noqa: ANN001
    """Built by the panel, it used to float over Start at the top left until a meeting was chosen."""
    panel = make_panel(qtbot, live_ctx, FakeSoundDevice(np.zeros(RATE, np.float32), RATE))
    panel.show()
    bar = panel.source_bar
    assert bar.kind() is SourceKind.MICROPHONE
    assert not bar.output_picker.isVisible() and bar.output_picker.parent() is bar
    choose(panel, SourceKind.MEETING)
    assert bar.output_picker.isVisible()
    choose(panel, SourceKind.MICROPHONE)
    assert not bar.output_picker.isVisible()
