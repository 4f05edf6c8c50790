"""Cut the parts of a recording that a live session never got transcribed into files for a job.

When a network outage outlasts the live session's buffer, the audio it could not keep for sending
is still in the session's recording (the recording tap writes everything captured, connected or
not). Sending the *whole* recording again would transcribe, and bill, what the session already
has; these clips hold just the lost spans, with a little audio either side so a word cut by the
span's edge is heard whole. Ogg Opus, like the recordings: a 5-minute span is ~1 MB.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import soundfile

PAD_MS = 500
#: Rates libsndfile's Opus encoder takes; a clip of a file at another rate is written as FLAC.
OPUS_RATES = frozenset({8000, 12000, 16000, 24000, 48000})


class ClipError(Exception):
    """The recording could not be read or the clip not written; the message says which, in words."""


def write_lost_clips(recording: Path, spans_ms: Sequence[tuple[int, int]], *, pad_ms: int = PAD_MS) -> list[Path]:
    """Write one ``<recording stem> missing <start>-<end>.ogg`` (or ``.flac``) next to ``recording`` per span."""
    try:
        source = soundfile.SoundFile(str(recording))
    except (OSError, RuntimeError, soundfile.LibsndfileError) as exc:
        raise ClipError(f"The recording “{recording.name}” could not be read: {exc}.") from exc
    out: list[Path] = []
    with source:
        rate = source.samplerate
        for start_ms, end_ms in spans_ms:
            first = max(0, (start_ms - pad_ms) * rate // 1000)
            last = min(source.frames, (end_ms + pad_ms) * rate // 1000)
            if last <= first:
                continue
            source.seek(first)
            audio = source.read(last - first, dtype="int16", always_2d=True)
            opus = rate in OPUS_RATES
            name = f"{recording.stem} missing {_stamp(start_ms)}-{_stamp(end_ms)}.{'ogg' if opus else 'flac'}"
            target = recording.with_name(name)
            try:
                if opus:
                    soundfile.write(str(target), audio, rate, format="OGG", subtype="OPUS")
                else:
                    soundfile.write(str(target), audio, rate, format="FLAC", subtype="PCM_16")
            except (OSError, RuntimeError, soundfile.LibsndfileError) as exc:
                raise ClipError(f"The missing part could not be saved to “{target}”: {exc}.") from exc
            out.append(target)
    return out


def _stamp(ms: int) -> str:
    seconds = ms // 1000
    return f"{seconds // 3600:d}h{seconds // 60 % 60:02d}m{seconds % 60:02d}s"
