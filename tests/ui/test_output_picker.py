"""The system-audio output picker: default first, every output, an unplugged choice kept, refresh."""

from __future__ import annotations

import asyncio

from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from desktop.audio.system import OutputDevice
from desktop.core.audio_source import AudioSourceError
from desktop.ui.output_picker import OutputPicker
from tests.a11y import assert_accessible


class World:
    def __init__(self) -> None:
        self.outputs = [
            OutputDevice("alsa_output.pci.analog-stereo", "Built-in Audio Analog Stereo", True),
            OutputDevice("bluez_sink.AA_BB", "WH-1000XM4", False),
        ]
        self.error: AudioSourceError | None = None
        self.calls = 0

    def __call__(self) -> list[OutputDevice]:
        self.calls += 1
        if self.error is not None:
            raise self.error
        return list(self.outputs)


def items(picker: OutputPicker) -> list[str]:
    return [picker.itemText(i) for i in range(picker.count())]


def test_the_default_comes_first_named_then_every_output(qtbot: QtBot) -> None:
    picker = OutputPicker(lister=World(), list_now=True)
    qtbot.addWidget(picker)
    assert items(picker) == [
        "System default (Built-in Audio Analog Stereo)",
        "Built-in Audio Analog Stereo",
        "WH-1000XM4",
    ]
    assert picker.selected_output() == "" and picker.objectName() == "outputPicker"
    assert picker.accessibleName() == "System audio output"
    holder = QWidget()
    picker.setParent(holder)
    assert_accessible(holder)


def test_choosing_an_output_announces_its_id_and_restoring_one_does_not(qtbot: QtBot) -> None:
    picker = OutputPicker(lister=World(), list_now=True)
    qtbot.addWidget(picker)
    chosen: list[str] = []
    picker.output_changed.connect(chosen.append)
    picker.select_output("bluez_sink.AA_BB")
    assert picker.currentText() == "WH-1000XM4" and chosen == []
    picker.setCurrentIndex(0)
    picker.activated.emit(0)
    assert chosen == [""] and picker.selected_output() == ""


def test_an_unplugged_choice_stays_selected_as_unavailable_and_comes_back(
    qtbot: QtBot, qloop: asyncio.AbstractEventLoop
) -> None:
    world = World()
    picker = OutputPicker(lister=world, list_now=True)
    qtbot.addWidget(picker)
    picker.select_output("bluez_sink.AA_BB")
    world.outputs = world.outputs[:1]
    qloop.run_until_complete(picker.refresh())
    assert picker.currentText() == "WH-1000XM4 (unavailable)" and not picker.is_selected_available()
    assert picker.selected_output() == "bluez_sink.AA_BB"
    world.outputs.append(OutputDevice("bluez_sink.AA_BB", "WH-1000XM4", True))
    world.outputs[0] = OutputDevice(world.outputs[0].id, world.outputs[0].name, False)
    qloop.run_until_complete(picker.refresh())
    assert items(picker)[0] == "System default (WH-1000XM4)" and picker.currentText() == "WH-1000XM4"


def test_a_remembered_output_is_named_before_the_first_listing(qtbot: QtBot, qloop: asyncio.AbstractEventLoop) -> None:
    world = World()
    picker = OutputPicker(lister=world)
    qtbot.addWidget(picker)
    picker.select_output("hdmi-1", name="LG TV")
    assert items(picker) == ["System default", "LG TV"] and world.calls == 0
    picker.show()
    qtbot.waitUntil(lambda: world.calls == 1 and picker.currentText() == "LG TV (unavailable)", timeout=3000)


def test_no_sound_server_leaves_the_default_and_says_why(qtbot: QtBot) -> None:
    world = World()
    world.error = AudioSourceError("System audio needs the PulseAudio or PipeWire sound server.")
    picker = OutputPicker(lister=world, list_now=True)
    qtbot.addWidget(picker)
    assert items(picker) == ["System default (no output found)"]
    assert picker.toolTip() == "System audio needs the PulseAudio or PipeWire sound server."


def test_the_level_meter_follows_a_system_audio_capture_which_reports_its_end(
    qtbot: QtBot, qloop: asyncio.AbstractEventLoop
) -> None:
    from desktop.audio.system import open_system_audio
    from desktop.ui.level_meter import LevelMeter, MicrophoneMonitor
    from tests.audio.system_fakes import FakeBackend, Outputs
    from tests.audio_helpers import sine

    world = Outputs(OutputDevice("spk", "Speakers", True))
    world.play("spk", sine(440, 30.0, 48000, channels=2, amplitude=0.1))
    capture = open_system_audio(None, backend_factory=lambda: FakeBackend(world), consume=False, follow_poll_s=0.05)
    qloop.run_until_complete(capture.start())
    meter = LevelMeter()
    qtbot.addWidget(meter)
    monitor = MicrophoneMonitor(meter)
    monitor.follow(capture)
    qtbot.waitUntil(lambda: abs(meter.peak_db - -20.0) < 0.5, timeout=3000)  # a 0.1 sine peaks at -20 dBFS
    world.remove("spk")  # the follow-default capture has nothing left to play from
    qtbot.waitUntil(lambda: capture.error is not None, timeout=3000)
    assert str(capture.error) == "The output “Speakers” was removed and no other output is left."
    monitor.follow(None)
    qloop.run_until_complete(capture.stop())
