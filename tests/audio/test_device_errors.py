"""PortAudio errors become words: the cause and what to do, never "Error querying device -1"."""

from __future__ import annotations

import pytest

from desktop.audio.capture import MicrophoneCapture
from desktop.audio.device_errors import explain_device_error
from desktop.audio.devices import microphone_name
from desktop.core.audio_source import AudioSourceError
from tests.audio_helpers import FakeSoundDevice, PortAudioError, sine


@pytest.mark.parametrize(
    ("error", "words"),
    [
        (PortAudioError("Error querying device -1"), "no microphone is available"),
        (PortAudioError("Error opening InputStream: Device unavailable", -9985), "in use by another program"),
        (PortAudioError("Error opening InputStream: Invalid device", -9996), "no longer there"),
        (PortAudioError("Error querying device 7"), "no longer there"),
        (PortAudioError("Error opening InputStream: Invalid number of channels", -9998), "no usable input"),
        (PortAudioError("Invalid sample rate", -9997), "none of the sample rates"),
        (PortAudioError("Unanticipated host error", -9999), "sound system refused it (Unanticipated host error)"),
        (PortAudioError("Something new", -10000), "Something new. Check that it is connected"),
    ],
)
def test_portaudio_errors_are_explained(error: Exception, words: str) -> None:
    text = explain_device_error(error)
    assert words in text
    assert "PaErrorCode" not in text and "-1" not in text
    assert text.endswith(".")


@pytest.mark.asyncio
async def test_a_missing_default_microphone_reads_as_words_when_opening() -> None:
    """Opened on a running loop, as the live panel does (the capture hands audio to it)."""
    fake = FakeSoundDevice(sine(440, 1, 16000), 16000)
    fake.fail_open = "Error querying device -1"
    with pytest.raises(AudioSourceError) as info:
        MicrophoneCapture(sd=fake).open()
    msg = str(info.value)
    assert msg.startswith("Could not open the microphone “System default (Fake USB Mic)”: no microphone is available")
    assert "Error querying" not in msg


def test_the_default_microphone_has_one_name() -> None:
    assert microphone_name("", is_default=True) == "System default"
    assert microphone_name("default", is_default=True) == "System default"
    assert microphone_name("Webcam", is_default=True) == "System default (Webcam)"
    assert microphone_name("Webcam", is_default=False) == "Webcam"
    assert MicrophoneCapture(sd=FakeSoundDevice()).label == "Microphone “System default”"
