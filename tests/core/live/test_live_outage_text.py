"""What the user reads during and after an outage: true promises, warnings before loss, what went."""

from __future__ import annotations

from desktop.core.live.outage import clock, lost_text, reconnecting_text
from desktop.core.live.state import LiveStats


def test_clock_reads_like_a_player() -> None:
    assert [clock(s) for s in (0, 7.4, 65, 245, 3723)] == ["0:00", "0:07", "1:05", "4:05", "1:02:03"]


def test_while_the_buffer_has_room_nothing_is_lost_and_it_says_how_much_waits() -> None:
    text = reconnecting_text(3, 2.0, LiveStats(backlog_s=42, backlog_capacity_s=300), recording=True)
    assert text.startswith("Connection lost — reconnecting in 2 s (attempt 3).")
    assert "0:42 of audio is waiting and will be sent; nothing you say is lost." in text


def test_before_the_buffer_is_full_it_warns_how_long_is_left() -> None:
    stats = LiveStats(backlog_s=240, backlog_capacity_s=300)
    assert "⚠ 4:00 of audio is waiting; in 1:00 the oldest can no longer be sent live (it stays in the recording)." in (
        reconnecting_text(9, 8.0, stats, recording=True)
    )
    assert "it is lost, as “Keep audio” is off" in reconnecting_text(9, 8.0, stats, recording=False)
    assert "nothing you say is lost" not in reconnecting_text(9, 8.0, stats, recording=True)


def test_once_audio_went_it_says_how_much_and_where_it_still_is() -> None:
    stats = LiveStats(backlog_s=300, backlog_capacity_s=300, lost_spans_ms=((12_000, 42_500),))
    text = reconnecting_text(20, 8.0, stats, recording=True)
    assert "down longer than 5:00: the oldest 0:31 could not be kept for sending (it is in the recording)." in text
    assert "nothing you say is lost" not in text


def test_containers_without_a_time_mapping_keep_the_plain_promise() -> None:
    assert reconnecting_text(1, 0.5, LiveStats(), recording=False).endswith(
        "Audio is kept meanwhile and sent when the connection is back."
    )


def test_after_the_session_the_lost_spans_are_named() -> None:
    assert lost_text((), recording=True) is None
    text = lost_text(((12_000, 42_500), (90_000, 95_000)), recording=True)
    assert text == (
        "0:36 of audio was never transcribed (0:12–0:43, 1:30–1:35): the connection was down too long. "
        "It is in the recording and can be sent as a file job."
    )
    assert lost_text(((0, 1000),), recording=False).endswith("It was not recorded (“Keep audio” is off).")
