"""Run under a real X server by test_hotkey_x11.py: the real pynput listener and the trigger, with
real XTest key events from xdotool, and what the dictation target was asked printed as JSON.

No Qt here: the hotkey path is asyncio + pynput's thread, as in the app before it reaches the UI.
Usage: ``python -m tests.platform.hotkey_x11_probe <scenario>``.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys

from desktop.core.dictation.trigger import HotkeyTrigger
from desktop.platform.hotkeys import create_global_hotkey, hotkey_support, parse_hotkey
from tests.core.dictation.fakes import FakeDictation

COMBO = "ctrl+alt+space"


async def xdotool(*args: str, settle_s: float = 0.3) -> None:
    proc = await asyncio.create_subprocess_exec("xdotool", *args)
    await proc.wait()
    await asyncio.sleep(settle_s)


async def main(scenario: str) -> dict[str, object]:
    support = hotkey_support()
    target = FakeDictation(connect_s=0.05, finish_s=0.8 if scenario == "finishing" else 0.05)
    trigger = HotkeyTrigger(lambda: target, "toggle" if scenario == "toggle" else "hold", repeat_grace_s=0.05)
    hotkey = create_global_hotkey(support, asyncio.get_running_loop())
    assert hotkey is not None, support.message
    spec = parse_hotkey("<ctrl>+<alt>+space")
    assert spec is not None
    hotkey.start(spec, trigger.press, trigger.release)
    await asyncio.sleep(0.2)
    states: list[str] = []
    if scenario == "hold":
        # Held for 1.2 s: past the X server's auto-repeat delay, so the space key repeats.
        await xdotool("keydown", COMBO, settle_s=1.2)
        states.append(target.state.name)
        await xdotool("keyup", COMBO, settle_s=0.4)
    elif scenario == "pairs":
        await xdotool("keydown", COMBO)
        for _ in range(5):  # auto-repeat as release/press pairs with the modifiers held
            await xdotool("keyup", "space", "keydown", "space", settle_s=0.02)
        await asyncio.sleep(0.2)
        states.append(target.state.name)
        await xdotool("keyup", COMBO, settle_s=0.4)
    elif scenario == "toggle":
        await xdotool("keydown", COMBO, settle_s=0.1)
        await xdotool("keyup", COMBO, settle_s=0.5)
        states.append(target.state.name)
        await xdotool("keydown", COMBO, settle_s=0.1)
        await xdotool("keyup", COMBO, settle_s=0.5)
    elif scenario == "finishing":
        await xdotool("keydown", COMBO, settle_s=0.3)
        await xdotool("keyup", COMBO, settle_s=0.2)
        states.append(target.state.name)  # FINISHING for 0.8 s
        await xdotool("keydown", COMBO, settle_s=0.1)
        states.append(f"{target.state.name}:{len(target.calls)}")  # still finishing, begin queued
        await asyncio.sleep(0.9)
        states.append(target.state.name)
        await xdotool("keyup", COMBO, settle_s=0.5)
    elif scenario == "stopped":
        listener = getattr(hotkey, "listener", None)
        hotkey.stop()
        await asyncio.sleep(0.3)
        states.append("thread ended" if listener is not None and not listener.is_alive() else "thread alive")
        await xdotool("keydown", COMBO, settle_s=0.2)
        await xdotool("keyup", COMBO, settle_s=0.3)
    hotkey.stop()
    for _ in range(100):
        if not trigger.busy:
            break
        await asyncio.sleep(0.02)
    return {
        "backend": support.backend,
        "calls": target.calls,
        "states": states,
        "final": target.state.name,
        "repeats_ignored": trigger.repeats_ignored,
        "key_repeats": getattr(getattr(hotkey, "matcher", None), "repeats", None),
    }


if __name__ == "__main__":
    try:
        print(json.dumps(asyncio.run(main(sys.argv[1]))))
    finally:
        subprocess.run(["xdotool", "keyup", COMBO], check=False)
