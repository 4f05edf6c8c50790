"""A picker asked to list later (the main window's) shows the remembered microphone at once and
the full list once it is shown, without loading PortAudio before then (issue 14, start-up)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from pytestqt.qtbot import QtBot

from desktop.audio import devices as devmod
from desktop.ui.device_picker import DevicePicker
from tests.audio_helpers import FakeSoundDevice, mic_device


@pytest.fixture
def fake() -> Iterator[FakeSoundDevice]:
    yield FakeSoundDevice(devices=[mic_device("Headset", index=0), mic_device("Webcam", index=1)], default_input=1)


def items(picker: DevicePicker) -> list[str]:
    return [picker.itemText(i) for i in range(picker.count())]


def test_a_later_listing_shows_the_remembered_choice_then_every_device_once_shown(
    qtbot: QtBot, qloop: asyncio.AbstractEventLoop, fake: FakeSoundDevice
) -> None:
    listed: list[int] = []

    def lister() -> list[devmod.InputDevice]:
        listed.append(1)
        return devmod.list_input_devices(fake)

    picker = DevicePicker(lister=lister, list_now=False)
    qtbot.addWidget(picker)
    picker.select_device("Headset")
    assert listed == [], "nothing is listed before the picker shows"
    assert items(picker) == ["Headset"], "the remembered choice, not marked unavailable before a listing"
    picker.show()
    qtbot.waitUntil(lambda: items(picker) == ["System default (Webcam)", "Headset", "Webcam"], timeout=3000)
    assert picker.currentText() == "Headset" and picker.is_selected_available()
    assert len(listed) == 1


def test_a_later_listing_starts_on_the_system_default(
    qtbot: QtBot, qloop: asyncio.AbstractEventLoop, fake: FakeSoundDevice
) -> None:
    picker = DevicePicker(lister=lambda: devmod.list_input_devices(fake), list_now=False)
    qtbot.addWidget(picker)
    assert items(picker) == ["System default"] and picker.selected_device() == ""
    picker.show()
    qtbot.waitUntil(lambda: items(picker)[0] == "System default (Webcam)", timeout=3000)
