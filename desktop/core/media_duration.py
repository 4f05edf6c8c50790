"""How long an audio or video file plays, read from its headers without decoding it.

One reader for the whole app, so the upload checks and the file player agree on a file's length.
mutagen knows the common containers (mp3, m4a/mp4, ogg/opus, flac, wav, aiff, asf, ...) and
reads only headers, so it is cheap enough for a folder drop. soundfile (libsndfile) is the
fallback for PCM formats mutagen does not parse; it is optional here so ``desktop.core`` keeps
no hard dependency on the audio stack.
"""

from __future__ import annotations

import logging
from pathlib import Path

log = logging.getLogger(__name__)


def media_duration_s(path: Path | str) -> float | None:
    """Seconds of playback, or None when no reader knows the file (the caller then decides)."""
    try:
        import mutagen

        info = mutagen.File(str(path))
        length = getattr(getattr(info, "info", None), "length", None)
        if isinstance(length, (int, float)) and length > 0:
            return float(length)
    except Exception as exc:  # MutagenError, struct errors on truncated headers, ...: not readable
        log.debug("mutagen cannot read %s: %s", path, exc)
    try:
        import soundfile

        duration = soundfile.info(str(path)).duration
        if isinstance(duration, (int, float)) and duration > 0:
            return float(duration)
    except Exception as exc:  # ImportError, or libsndfile does not know the format
        log.debug("soundfile cannot read %s: %s", path, exc)
    return None
