"""What a live session tells its user during and after a network outage, in one place.

The session keeps reconnecting for as long as the outage lasts and holds the audio meanwhile
(``LiveStats.backlog_s`` of at most ``backlog_capacity_s``). The promise the user reads must be
the true one: while the buffer has room, nothing said is lost; when it is filling up, say how long
is left *before* anything goes; once something went, say which part and where it still is (the
recording), so it can be sent as a file job. Any front end (the Live panel, a tray tooltip, a
caption overlay) shows these same words.
"""

from __future__ import annotations

from desktop.core.durations import clock_text
from desktop.core.live.state import LiveStats

#: From this share of the buffer on, the reconnecting text warns that the oldest audio will go.
WARN_SHARE = 0.75


def clock(seconds: float) -> str:
    """0:07, 4:05, 1:02:03: the app's one duration format (``desktop.core.durations``)."""
    return clock_text(round(seconds * 1000))


def lost_seconds(spans: tuple[tuple[int, int], ...]) -> float:
    return sum(end - start for start, end in spans) / 1000


def reconnecting_text(attempt: int, delay_s: float, stats: LiveStats | None, *, recording: bool) -> str:
    """The status line while the session waits to reconnect."""
    head = f"Connection lost — reconnecting in {delay_s:.0f} s (attempt {attempt})."
    if stats is None or stats.backlog_capacity_s <= 0:
        return f"{head} Audio is kept meanwhile and sent when the connection is back."
    held, room = stats.backlog_s, stats.backlog_capacity_s
    if stats.lost_spans_ms:
        where = "it is in the recording" if recording else "“Keep audio” is off, so it is gone"
        return (
            f"{head} The connection has been down longer than {clock(room)}: the oldest "
            f"{clock(lost_seconds(stats.lost_spans_ms))} could not be kept for sending ({where})."
        )
    if held >= room * WARN_SHARE:
        then = "it stays in the recording" if recording else "it is lost, as “Keep audio” is off"
        return (
            f"{head} ⚠ {clock(held)} of audio is waiting; in {clock(room - held)} the oldest can no "
            f"longer be sent live ({then})."
        )
    return f"{head} {clock(held)} of audio is waiting and will be sent; nothing you say is lost."


def lost_text(spans: tuple[tuple[int, int], ...], *, recording: bool) -> str | None:
    """What to say after a session in which audio never reached Soniox; None when nothing was lost."""
    if not spans:
        return None
    parts = ", ".join(f"{clock(a / 1000)}–{clock(b / 1000)}" for a, b in spans)
    head = f"{clock(lost_seconds(spans))} of audio was never transcribed ({parts}): the connection was down too long."
    if recording:
        return f"{head} It is in the recording and can be sent as a file job."
    return f"{head} It was not recorded (“Keep audio” is off)."
