"""The replay buffer: exact byte/ms mapping, trimming at finalised audio, rebasing, and its size bound."""

from __future__ import annotations

import pytest

from desktop.core.backoff import Backoff
from desktop.core.live.gap_buffer import ReplayBuffer
from desktop.core.live.reconnect import default_reconnect_backoff

BPS = 32000  # PCM16 mono 16 kHz: 32 bytes per ms


def pcm_buffer(max_bytes: int = 10 * BPS) -> ReplayBuffer:
    return ReplayBuffer(max_bytes, bytes_per_second=BPS, frame_bytes=2)


def send_all(buf: ReplayBuffer) -> bytes:
    out = b""
    while piece := buf.next_unsent(1000):
        buf.mark_sent(len(piece))
        out += piece
    return out


def test_sent_audio_is_kept_until_finalised_then_replayed_from_there() -> None:
    buf = pcm_buffer()
    audio = bytes(range(256)) * 25  # 6400 bytes = 200 ms
    buf.append(audio)
    assert send_all(buf) == audio
    buf.confirm_ms(120)  # the service finalised 120 ms
    assert buf.start == 120 * 32 and buf.held_bytes == 80 * 32
    buf.append(b"\x01\x02" * 100)  # captured while disconnected
    start, replay = buf.rebase()
    assert (start, replay) == (120 * 32, 80 * 32)
    assert send_all(buf) == audio[120 * 32 :] + b"\x01\x02" * 100


def test_confirm_never_trims_audio_the_connection_has_not_received() -> None:
    buf = pcm_buffer()
    buf.append(b"\x00" * 3200)
    buf.mark_sent(1600)
    buf.confirm_ms(100)  # more than was sent (cannot happen, but must not lose unsent audio)
    assert buf.start == 1600 and buf.unsent_bytes == 1600


def test_positions_are_frame_aligned_for_rates_without_whole_bytes_per_ms() -> None:
    bps = 44100 * 2
    buf = ReplayBuffer(10 * bps, bytes_per_second=bps, frame_bytes=2)
    assert buf.ms_to_position(1) == 88  # 88.2 bytes, floored to a whole sample
    assert buf.ms_to_position(3) % 2 == 0
    assert buf.position_to_ms(bps) == 1000


def test_size_bound_drops_oldest_and_counts_unsent_loss() -> None:
    buf = pcm_buffer(max_bytes=1000)
    buf.append(b"a" * 600)
    buf.mark_sent(600)
    buf.append(b"b" * 600)  # 200 over: unconfirmed sent audio goes first
    assert (buf.dropped_unconfirmed_bytes, buf.dropped_bytes) == (200, 0)
    buf.append(b"c" * 900)  # now unsent audio must go as well
    assert buf.held_bytes == 1000 and buf.dropped_bytes == 500
    assert buf.sent == buf.start  # nothing of what is held was sent
    assert send_all(buf) == b"b" * 100 + b"c" * 900


def test_container_audio_is_not_kept_once_sent() -> None:
    buf = ReplayBuffer(1000, bytes_per_second=None)
    assert not buf.replayable
    buf.append(b"x" * 300)
    send_all(buf)
    assert buf.held_bytes == 0
    buf.confirm_ms(10_000)  # meaningless for containers
    buf.append(b"y" * 50)
    assert buf.rebase() == (300, 0)
    assert send_all(buf) == b"y" * 50
    with pytest.raises(ValueError):
        buf.ms_to_position(10)


def test_backoff_doubles_to_its_cap_and_bounds_attempts() -> None:
    backoff = Backoff(initial=0.5, cap=2, jitter=0, max_attempts=4)
    assert [backoff.delay(n) for n in (1, 2, 3, 4)] == [0.5, 1, 2, 2]
    assert not backoff.exhausted(4) and backoff.exhausted(5)


def test_reconnects_default_to_half_a_second_doubling_to_eight_then_give_up_after_eight() -> None:
    backoff = default_reconnect_backoff()
    assert [backoff.base(n) for n in range(1, 7)] == [0.5, 1, 2, 4, 8, 8]
    assert all(0.45 <= backoff.delay(1) <= 0.55 for _ in range(50))
    assert not backoff.exhausted(8) and backoff.exhausted(9)


def test_a_raised_bound_keeps_a_full_replay_whole_while_audio_keeps_arriving() -> None:
    """What the session does on reconnecting with a full buffer: the replay is not sent yet when
    more audio arrives; with the connected bound (twice the outage bound) none of it is dropped."""
    buf = pcm_buffer(max_bytes=1000)
    buf.append(b"r" * 1000)  # the outage filled the buffer
    buf.rebase()
    buf.set_limit(2000)
    buf.append(b"n" * 300)  # arrives before the sender has run
    assert (buf.dropped_bytes, buf.start) == (0, 0)
    assert send_all(buf) == b"r" * 1000 + b"n" * 300
    buf.set_limit(1000)  # connection lost again: back to the outage bound on the next append
    buf.append(b"x" * 100)
    assert buf.held_bytes <= 1000
