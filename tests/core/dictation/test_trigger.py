"""The hotkey trigger: raw presses/releases -> exactly one begin and one end per dictation.

Driven against a fake dictation target that goes through the service's states with real (short)
delays, so a press can land while it connects or finishes, as it does in the app.
"""

from __future__ import annotations

import asyncio

import pytest

from desktop.core.dictation.trigger import HotkeyTrigger, parse_mode
from tests.core.dictation.fakes import FakeDictation, State


async def settle(trigger: HotkeyTrigger, extra_s: float = 0.0) -> None:
    await asyncio.sleep(trigger.repeat_grace_s + 0.01 + extra_s)
    for _ in range(200):
        if not trigger.busy:
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the trigger never settled")


def make(target: FakeDictation, mode: str = "hold", **kw: float) -> HotkeyTrigger:
    return HotkeyTrigger(lambda: target, parse_mode(mode), repeat_grace_s=kw.pop("grace", 0.03), **kw)


@pytest.mark.asyncio
async def test_hold_begins_on_press_and_ends_on_release() -> None:
    target = FakeDictation()
    trigger = make(target)
    trigger.press()
    await settle(trigger)
    assert target.calls == ["begin"] and target.state is State.LISTENING
    trigger.release()
    await settle(trigger)
    assert target.calls == ["begin", "end"] and target.state is State.IDLE


@pytest.mark.asyncio
async def test_repeated_presses_without_releases_do_not_retrigger() -> None:
    target = FakeDictation()
    trigger = make(target)
    for _ in range(10):  # pynput on X11: the held key repeats as presses only
        trigger.press()
        await asyncio.sleep(0.005)
    await settle(trigger)
    trigger.release()
    await settle(trigger)
    assert target.calls == ["begin", "end"]
    assert trigger.repeats_ignored == 9


@pytest.mark.asyncio
async def test_release_press_pairs_of_autorepeat_do_not_end_or_restart() -> None:
    target = FakeDictation()
    trigger = make(target, grace=0.05)
    trigger.press()
    await settle(trigger)
    for _ in range(8):  # X11 auto-repeat as release/press pairs while the key is held
        trigger.release()
        await asyncio.sleep(0.002)
        trigger.press()
        await asyncio.sleep(0.01)
    await settle(trigger)
    assert target.calls == ["begin"] and target.state is State.LISTENING
    trigger.release()
    await settle(trigger)
    assert target.calls == ["begin", "end"]
    assert trigger.repeats_ignored == 8


@pytest.mark.asyncio
async def test_toggle_press_begins_next_press_ends_releases_do_nothing() -> None:
    target = FakeDictation()
    trigger = make(target, "toggle")
    trigger.press()
    trigger.press()  # repeat while held
    trigger.release()
    await settle(trigger)
    assert target.calls == ["begin"] and target.state is State.LISTENING
    trigger.press()
    trigger.release()
    await settle(trigger)
    assert target.calls == ["begin", "end"] and target.state is State.IDLE


@pytest.mark.asyncio
async def test_toggle_stops_a_dictation_started_elsewhere() -> None:
    target = FakeDictation()
    target.state = State.LISTENING  # started from the tray's Dictate item
    trigger = make(target, "toggle")
    trigger.press()
    trigger.release()
    await settle(trigger)
    assert target.calls == ["end"]


@pytest.mark.asyncio
async def test_press_while_finishing_is_queued_and_begins_after_the_finish() -> None:
    target = FakeDictation(finish_s=0.3)
    trigger = make(target)
    trigger.press()
    await settle(trigger)
    trigger.release()
    await asyncio.sleep(0.1)
    assert target.state is State.FINISHING
    trigger.press()  # the user speaks again while the last words are still being finalized
    await asyncio.sleep(0.05)
    assert target.calls == ["begin", "end"], "began before the previous dictation finished"
    await settle(trigger, 0.3)
    assert target.calls == ["begin", "end", "begin"] and target.state is State.LISTENING
    trigger.release()
    await settle(trigger)
    assert target.calls == ["begin", "end", "begin", "end"]


@pytest.mark.asyncio
async def test_a_tap_during_finishing_is_withdrawn_and_starts_nothing() -> None:
    target = FakeDictation(finish_s=0.3)
    trigger = make(target)
    trigger.press()
    await settle(trigger)
    trigger.release()
    await asyncio.sleep(0.1)
    trigger.press()
    await asyncio.sleep(0.02)
    trigger.release()
    await settle(trigger, 0.3)
    assert target.calls == ["begin", "end"] and target.state is State.IDLE


@pytest.mark.asyncio
async def test_toggle_second_press_during_finishing_withdraws_the_queued_begin() -> None:
    target = FakeDictation(finish_s=0.3)
    trigger = make(target, "toggle")
    trigger.press()
    trigger.release()
    await settle(trigger)
    trigger.press()
    trigger.release()
    await asyncio.sleep(0.1)
    assert target.calls == ["begin", "end"] and target.state is State.FINISHING
    trigger.press()  # during finishing: queued begin
    trigger.release()
    await asyncio.sleep(0.05)
    trigger.press()  # changed my mind: withdrawn
    trigger.release()
    await settle(trigger, 0.3)
    assert target.calls == ["begin", "end"] and target.state is State.IDLE


@pytest.mark.asyncio
async def test_a_finish_started_elsewhere_is_waited_for_then_given_up_on_with_a_reason() -> None:
    target = FakeDictation()
    target.state = State.FINISHING  # finishing, but not through us: it never ends in this test
    trigger = make(target, finish_wait_s=0.2, poll_s=0.01)
    trigger.press()
    await settle(trigger, 0.25)
    assert target.calls == []
    assert "still finishing" in trigger.last_ignored
    trigger.release()
    target.state = State.IDLE
    await settle(trigger)
    assert target.calls == []


@pytest.mark.asyncio
async def test_release_during_connecting_ends_once_connected() -> None:
    target = FakeDictation(connect_s=0.2)
    trigger = make(target)
    trigger.press()
    await asyncio.sleep(0.05)
    trigger.release()
    await settle(trigger, 0.2)
    assert target.calls == ["begin", "end"] and target.state is State.IDLE


@pytest.mark.asyncio
async def test_failed_begin_is_not_retried_until_the_next_press() -> None:
    target = FakeDictation(fail_begin=True)
    trigger = make(target)
    trigger.press()
    await settle(trigger)
    assert target.calls == ["begin"] and target.state is State.ERROR
    trigger.release()
    await settle(trigger)
    assert target.calls == ["begin"]
    target.fail_begin = False
    trigger.press()
    await settle(trigger)
    assert target.calls == ["begin", "begin"] and target.state is State.LISTENING


@pytest.mark.asyncio
async def test_suspended_presses_never_fire_but_a_held_dictation_still_ends() -> None:
    target = FakeDictation()
    trigger = make(target)
    trigger.suspended = True
    trigger.press()
    trigger.release()
    await settle(trigger)
    assert target.calls == []
    assert "recorded in Settings" in trigger.last_ignored

    trigger.suspended = False
    trigger.press()
    await settle(trigger)
    trigger.suspended = True  # the user tabs into the shortcut field while holding the hotkey
    trigger.release()
    await settle(trigger)
    assert target.calls == ["begin", "end"]


@pytest.mark.asyncio
async def test_release_all_ends_a_held_dictation_when_the_hotkey_stops() -> None:
    target = FakeDictation()
    trigger = make(target)
    trigger.press()
    await settle(trigger)
    trigger.release_all()
    await settle(trigger)
    assert target.calls == ["begin", "end"] and not trigger.is_down


@pytest.mark.asyncio
async def test_the_target_is_made_on_first_press_only() -> None:
    made: list[FakeDictation] = []

    def factory() -> FakeDictation:
        made.append(FakeDictation())
        return made[-1]

    trigger = HotkeyTrigger(factory, "hold", repeat_grace_s=0.01)
    assert made == []
    trigger.press()
    trigger.release()
    await settle(trigger)
    trigger.press()
    await settle(trigger)
    assert len(made) == 1 and made[0].calls == ["begin", "end", "begin"]


def test_unknown_mode_values_fall_back_to_hold() -> None:
    assert parse_mode("toggle") == "toggle"
    assert parse_mode("hold") == "hold"
    assert parse_mode("sometimes") == "hold"
