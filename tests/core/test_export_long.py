"""SRT/VTT of recordings longer than an hour: the hours field counts up and cues past 59:59 stay exact."""

from __future__ import annotations

import re

from desktop.core.export import export_transcript
from desktop.core.transcript import Token, Transcript

H = 3_600_000


def _tok(text: str, start: int, end: int) -> Token:
    return Token(text, start, end, 0.95, True, "1", "en", None, None)


def _long_transcript() -> Transcript:
    """Three sentences far apart: before the hour, just past it, and past ten hours."""
    t = Transcript()
    t.apply(
        [
            _tok("Before.", 59 * 60_000 + 58_000, 59 * 60_000 + 59_500),
            _tok("<end>", 59 * 60_000 + 59_500, 59 * 60_000 + 59_500),
            _tok("After.", H + 1_234, H + 2_345),
            _tok("<end>", H + 2_345, H + 2_345),
            _tok("Late.", 10 * H + 61_007, 10 * H + 62_500),
        ]
    )
    return t


def test_srt_hours_field() -> None:
    srt = export_transcript(_long_transcript(), "srt")
    stamps = re.findall(r"^(\S+) --> (\S+)$", srt, re.M)
    assert stamps[0][0] == "00:59:58,000"
    assert ("01:00:01,234", "01:00:02,345") in stamps
    assert ("10:01:01,007", "10:01:02,500") in stamps


def test_vtt_hours_field() -> None:
    vtt = export_transcript(_long_transcript(), "vtt")
    stamps = re.findall(r"^(\S+) --> (\S+)$", vtt, re.M)
    assert stamps[0][0] == "00:59:58.000"
    assert ("01:00:01.234", "01:00:02.345") in stamps
    assert ("10:01:01.007", "10:01:02.500") in stamps
