"""Level meter, device picker and microphone monitor, driven by the fake sounddevice."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage
from pytestqt.qtbot import QtBot

from desktop.audio import devices as devmod
from desktop.audio.capture import capture_factory
from desktop.ui.device_picker import DevicePicker
from desktop.ui.level_meter import GREEN, RED, LevelMeter, MicrophoneMonitor, _frac
from tests.audio_helpers import FakeSoundDevice, mic_device, sine


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def bar_pixel(meter: LevelMeter, db: float) -> QColor:
    """Colour in the middle of the bar at the given dB position."""
    bar = meter.findChild(type(meter._bar), "levelMeterBar")
    image: QImage = bar.grab().toImage()
    inner_w = bar.width() - 4
    x = int(2 + inner_w * _frac(db))
    return image.pixelColor(x, 7)


def close_to(c: QColor, ref: QColor, tol: int = 40) -> bool:
    return abs(c.red() - ref.red()) + abs(c.green() - ref.green()) + abs(c.blue() - ref.blue()) < tol


def test_meter_paints_rms_in_zone_colours_and_keeps_a_peak_hold(qtbot: QtBot) -> None:
    clock = Clock()
    meter = LevelMeter(clock=clock)
    qtbot.addWidget(meter)
    meter.resize(400, meter.sizeHint().height())
    meter.set_levels(-3.0, -20.0)
    assert close_to(bar_pixel(meter, -30), GREEN)  # below the RMS level: solid green
    assert not close_to(bar_pixel(meter, -1.5), RED)  # the red zone is only tinted
    meter.set_levels(-2.0, -2.5)
    assert close_to(bar_pixel(meter, -4), RED)
    # The hold tick stays at the loudest peak, then falls.
    meter.set_levels(-40.0, -45.0)
    assert meter.hold_db == -2.0
    clock.now += 1.0
    meter.set_levels(-40.0, -45.0)
    assert meter.hold_db == -2.0
    clock.now += 1.5
    meter.set_levels(-40.0, -45.0)
    assert meter.hold_db == pytest.approx(-2.0 - 20.0, abs=0.01)
    clock.now += 5
    meter.set_levels(-40.0, -45.0)
    assert meter.hold_db == -40.0


def test_meter_warns_about_dropped_audio_and_keeps_its_accessible_name(qtbot: QtBot) -> None:
    meter = LevelMeter()
    qtbot.addWidget(meter)
    meter.show()
    assert meter.objectName() == "levelMeter" and meter.accessibleName() == "Microphone level"
    assert meter.warning_text == ""
    meter.set_counters(3, 1)
    assert meter.warning_text == "⚠ 4 dropped"
    label = meter.findChild(type(meter._warning), "levelMeterOverflow")
    assert "3 audio chunks" in label.toolTip() and "1 overrun" in label.toolTip()
    assert label.accessibleName() == ""  # a changing value: objectName only
    for db in range(-60, 0, 3):
        meter.set_levels(db, db - 3)
    assert meter.accessibleName() == "Microphone level"
    meter.set_counters(0, 0)
    assert meter.warning_text == ""


def test_meter_shows_a_message_instead_of_levels(qtbot: QtBot) -> None:
    meter = LevelMeter()
    qtbot.addWidget(meter)
    meter.set_message("Microphone disconnected")
    assert meter.message == "Microphone disconnected"
    assert meter.accessibleDescription() == "Microphone disconnected"
    meter.set_levels(-10, -20)
    assert meter.message == ""


@pytest.fixture
def fake() -> Iterator[FakeSoundDevice]:
    fake = FakeSoundDevice(
        sine(440, 30, 16000, amplitude=0.5),
        16000,
        devices=[mic_device("Headset", index=0), mic_device("Webcam", index=1)],
        default_input=1,
    )
    yield fake
    for s in fake.streams:
        s.stop()


def make_picker(fake: FakeSoundDevice, **kwargs: object) -> DevicePicker:
    async def rescan() -> bool:
        return devmod.refresh_devices(fake)

    return DevicePicker(lister=lambda: devmod.list_input_devices(fake), rescanner=rescan, **kwargs)


def items(picker: DevicePicker) -> list[str]:
    return [picker.itemText(i) for i in range(picker.count())]


def test_picker_lists_default_first_and_reports_user_choices(
    qtbot: QtBot, qloop: asyncio.AbstractEventLoop, fake: FakeSoundDevice
) -> None:
    picker = make_picker(fake)
    qtbot.addWidget(picker)
    assert picker.objectName() == "devicePicker" and picker.accessibleName() == "Microphone"
    assert items(picker) == ["System default (Webcam)", "Headset", "Webcam"]
    assert picker.selected_device() == ""
    picker.show()
    picker.setFocus()
    with qtbot.waitSignal(picker.device_changed, timeout=2000) as sig:
        qtbot.keyClick(picker, Qt.Key.Key_Down)  # the keyboard path
    assert sig.args == ["Headset"]
    assert picker.selected_device() == "Headset"


def test_picker_keeps_a_vanished_device_as_unavailable(
    qtbot: QtBot, qloop: asyncio.AbstractEventLoop, fake: FakeSoundDevice
) -> None:
    picker = make_picker(fake)
    qtbot.addWidget(picker)
    changes: list[str] = []
    picker.device_changed.connect(changes.append)
    picker.select_device("Headset")
    assert picker.currentText() == "Headset"
    fake.replug([mic_device("Webcam", index=0)], default_input=0)
    qloop.run_until_complete(picker.rescan())
    assert items(picker) == ["System default (Webcam)", "Webcam", "Headset (unavailable)"]
    assert picker.currentText() == "Headset (unavailable)"
    assert picker.selected_device() == "Headset" and not picker.is_selected_available()
    fake.replug([mic_device("Webcam", index=0), mic_device("Headset", index=1)])
    qloop.run_until_complete(picker.rescan())
    assert picker.currentText() == "Headset" and picker.is_selected_available()
    assert changes == []  # nothing switched behind the user's back


def test_picker_polls_for_new_devices_while_visible(
    qtbot: QtBot, qloop: asyncio.AbstractEventLoop, fake: FakeSoundDevice
) -> None:
    picker = make_picker(fake, poll_ms=50)
    qtbot.addWidget(picker)
    picker.show()
    fake.replug([*fake.devices, mic_device("USB Mic", index=2)])
    qtbot.waitUntil(lambda: "USB Mic" in items(picker), timeout=3000)


def test_monitor_feeds_the_meter_before_a_session(
    qtbot: QtBot, qloop: asyncio.AbstractEventLoop, fake: FakeSoundDevice
) -> None:
    meter = LevelMeter()
    qtbot.addWidget(meter)
    monitor = MicrophoneMonitor(meter, capture_factory=capture_factory(fake))
    monitor.set_device("Headset")
    monitor.start()
    assert monitor.capture is not None and not monitor.capture.consume
    qtbot.waitUntil(lambda: abs(meter.peak_db - -6.02) < 0.5, timeout=3000)
    assert abs(meter.rms_db - -9.03) < 0.5
    assert fake.stream.device == 0  # the chosen device, not the default

    # A session takes the device over: the monitor lets go, then follows the session's capture.
    qloop.run_until_complete(monitor.release())
    assert monitor.capture is None and not fake.streams[0].active
    session = capture_factory(fake)("Headset")
    qloop.run_until_complete(session.start())
    monitor.follow(session)
    qtbot.waitUntil(lambda: abs(meter.peak_db - -6.02) < 0.5, timeout=3000)
    qloop.run_until_complete(session.stop())
    monitor.follow(None)
    assert monitor.capture is not None and len(fake.streams) == 3  # monitoring resumed
    qloop.run_until_complete(monitor.stop())
    assert not any(s.active for s in fake.streams)


def test_monitor_shows_a_disconnect_and_an_open_failure(
    qtbot: QtBot, qloop: asyncio.AbstractEventLoop, fake: FakeSoundDevice
) -> None:
    meter = LevelMeter()
    qtbot.addWidget(meter)
    monitor = MicrophoneMonitor(meter, capture_factory=capture_factory(fake))
    errors: list[str] = []
    monitor.error.connect(errors.append)
    fake.disconnect_after_blocks = 10
    monitor.start()
    qtbot.waitUntil(lambda: bool(errors), timeout=4000)
    assert errors == ["The microphone “System default (Webcam)” was disconnected."]
    assert meter.message == "The microphone “System default (Webcam)” was disconnected"
    fake.fail_open = "Device unavailable"
    monitor.set_device("Headset")
    qtbot.waitUntil(lambda: len(errors) == 2, timeout=2000)
    assert meter.message == "Could not open the microphone “Headset”"
    assert "Privacy → Microphone" in errors[1]


def test_rescan_pauses_the_monitor_stream_and_resumes_it(
    qtbot: QtBot, qloop: asyncio.AbstractEventLoop, fake: FakeSoundDevice
) -> None:
    meter = LevelMeter()
    qtbot.addWidget(meter)
    monitor = MicrophoneMonitor(
        meter, capture_factory=capture_factory(fake), refresher=lambda: devmod.refresh_devices(fake)
    )
    picker = make_picker(fake)
    qtbot.addWidget(picker)
    picker.set_rescanner(monitor.rescan_devices)
    monitor.start()
    assert devmod.refresh_devices(fake) is False  # a stream is open: refused
    fake.replug([*fake.devices, mic_device("USB Mic", index=2)])
    qloop.run_until_complete(picker.rescan())
    assert "USB Mic" in items(picker)
    assert fake.terminate_calls == 1
    assert monitor.capture is not None and monitor.capture.running and len(fake.streams) == 2
    qloop.run_until_complete(monitor.stop())
    qloop.run_until_complete(asyncio.sleep(0))
