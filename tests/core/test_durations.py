"""One duration format: the same milliseconds always read the same."""

from __future__ import annotations

import pytest

from desktop.core.durations import clock_text, duration_text


@pytest.mark.parametrize(
    ("ms", "text"),
    [
        (None, ""),
        (0, ""),
        (499, "0:00"),
        (500, "0:01"),  # halves go up, never to even
        (1_500, "0:02"),
        (2_500, "0:03"),
        (118_600, "1:59"),  # the job that read "1:59" in jobs and "01:58" in the history
        (3_599_499, "59:59"),
        (3_599_500, "1:00:00"),
        (36_000_000, "10:00:00"),
    ],
)
def test_duration_text(ms: int | None, text: str) -> None:
    assert duration_text(ms) == text


def test_clock_text_shows_zero_and_can_force_hours() -> None:
    assert clock_text(0) == "0:00"
    assert clock_text(4_000, hours=True) == "0:00:04"
    assert clock_text(-5) == "0:00"
