"""PortAudio's errors, said in words: what happened to the microphone and what to do.

sounddevice raises ``PortAudioError`` with PortAudio's own text and, usually, its error code
(``"Error opening InputStream: Device unavailable [PaErrorCode -9985]"``, or just
``"Error querying device -1"`` when there is no default input). Those mean nothing to a user;
:func:`explain_device_error` turns them into a sentence naming the cause and the remedy. No Qt
here: the capture, the level meter and the live session all show the same text.
"""

from __future__ import annotations

PRIVACY_HINT = "check that the app may use the microphone (on macOS: System Settings → Privacy → Microphone)"

# PortAudio error codes (portaudio.h, PaErrorCode).
PA_INVALID_CHANNEL_COUNT = -9998
PA_INVALID_SAMPLE_RATE = -9997
PA_INVALID_DEVICE = -9996
PA_UNANTICIPATED_HOST_ERROR = -9999
PA_DEVICE_UNAVAILABLE = -9985
PA_BAD_IO_DEVICE_COMBINATION = -9993

NO_DEVICE = (
    "no microphone is available (the system has no default input device). Connect a microphone, "
    f"or choose one in the list; also {PRIVACY_HINT}."
)
UNAVAILABLE = (
    "it is in use by another program or was unplugged. Close the program using it, reconnect it, "
    f"or choose another microphone; also {PRIVACY_HINT}."
)
GONE = f"it is no longer there. Reconnect it or choose another microphone; also {PRIVACY_HINT}."
NO_INPUT = "it offers no usable input channels (it may be a speaker). Choose another microphone."
NO_RATE = "it accepts none of the sample rates the app can use. Choose another microphone."
HOST = "the sound system refused it ({detail}). Reconnect it or choose another microphone; also {hint}."
OTHER = "{detail}. Check that it is connected, or choose another microphone; also {hint}."


def portaudio_code(exc: BaseException) -> int | None:
    """PortAudio's error code carried by the exception (its second argument), if any."""
    args: tuple[object, ...] = tuple(getattr(exc, "args", ()))
    code = args[1] if len(args) > 1 else None
    return code if isinstance(code, int) else None


def explain_device_error(exc: BaseException) -> str:
    """Why a microphone could not be opened or queried, and what to do, as one sentence tail.

    Meant to follow "Could not open the microphone “X”: ". Unknown errors keep PortAudio's text
    (it helps support) but still say what to try.
    """
    code = portaudio_code(exc)
    raw = str(exc.args[0]) if getattr(exc, "args", None) else str(exc)
    text = raw.lower()
    if "querying device -1" in text or ("device -1" in text and "invalid" in text):
        return NO_DEVICE
    if code == PA_DEVICE_UNAVAILABLE or "device unavailable" in text:
        return UNAVAILABLE
    if code == PA_INVALID_DEVICE or "invalid device" in text or "error querying device" in text:
        return GONE
    if code in (PA_INVALID_CHANNEL_COUNT, PA_BAD_IO_DEVICE_COMBINATION) or "number of channels" in text:
        return NO_INPUT
    if code == PA_INVALID_SAMPLE_RATE or "sample rate" in text:
        return NO_RATE
    detail = raw.strip().rstrip(".") or type(exc).__name__
    if code == PA_UNANTICIPATED_HOST_ERROR or "host error" in text:
        return HOST.format(detail=detail, hint=PRIVACY_HINT)
    return OTHER.format(detail=detail, hint=PRIVACY_HINT)
