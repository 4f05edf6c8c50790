"""End to end: a meeting on loudspeakers, through the app's live runs and the emulator's acoustic mode.

Not timed (the figures are in ``bench/bench_meeting_echo.py``): it checks that the echo path
really works. Without echo cancelling and the guard, the microphone's transcript repeats the other
side's words; with them, almost none come back, and none of yours are lost.
"""

from __future__ import annotations

import pytest

from tests.fake_soniox import FakeSoniox
from tests.meeting_audio import meeting_tracks
from tests.meeting_echo import apply_guard, run_meeting, score

pytestmark = pytest.mark.asyncio
ECHO_DB, ECHO_DELAY_MS = 18.0, 120.0


async def test_echo_cancelling_and_the_guard_keep_the_other_side_out_of_your_words(
    fake_soniox: FakeSoniox,
) -> None:
    meeting = meeting_tracks(7, seconds=40, echo_db=ECHO_DB, echo_delay_ms=ECHO_DELAY_MS, shared_words=True)
    raw = await run_meeting(fake_soniox, meeting, aec=False)
    treated = await run_meeting(fake_soniox, meeting, aec=True)

    untreated = score(meeting, raw.you, raw.others, ECHO_DELAY_MS)
    aec_only = score(meeting, treated.you, treated.others, ECHO_DELAY_MS)
    both = score(meeting, apply_guard(treated), treated.others, ECHO_DELAY_MS)

    # The problem is real: untreated, most of their words come back as yours.
    assert untreated.others_said >= 20
    assert untreated.duplicate_share > 0.5, untreated
    # Echo cancelling alone removes most of it; with the guard, below 2 %.
    assert aec_only.duplicate_share < 0.15, aec_only
    assert both.duplicate_share < 0.02, both
    # Your words and theirs are all still there.
    assert both.you_recall >= 0.95, both
    assert both.you_kept == aec_only.you_kept  # the guard dropped none of yours
    assert both.others_heard >= 0.95 * both.others_said, both
    assert "Echo cancellation is on" in treated.echo_status
    # Every byte captured was sent, on both sides.
    for result in (raw, treated):
        assert result.mic_sent == result.mic_captured > 0
        assert result.system_sent == result.system_captured > 0
