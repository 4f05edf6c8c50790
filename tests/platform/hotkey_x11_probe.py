"""Run under a real X server by test_hotkey_x11.py: the real X11 key grab and the trigger, with
real XTest key events from xdotool, and what the dictation target was asked printed as JSON.

No Qt here: the hotkey path is asyncio + the grab's thread, as in the app before it reaches the UI.
"Another program" is a second python-xlib connection grabbing the same combination.
Usage: ``python -m tests.platform.hotkey_x11_probe <scenario>``.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import time

from Xlib import XK, X, error
from Xlib import display as xdisplay

from desktop.core.dictation.trigger import HotkeyTrigger
from desktop.platform.hotkeys import HotkeyError, create_global_hotkey, hotkey_support, parse_hotkey
from desktop.platform.hotkeys.x11_grab import X11GrabHotkey
from tests.core.dictation.fakes import FakeDictation

COMBO = "ctrl+alt+space"


async def xdotool(*args: str, settle_s: float = 0.3) -> None:
    proc = await asyncio.create_subprocess_exec("xdotool", *args)
    await proc.wait()
    await asyncio.sleep(settle_s)


class OtherProgram:
    """Another X client grabbing Ctrl+Alt+Space (exactly those modifiers) on the root window."""

    def __init__(self) -> None:
        self.display = xdisplay.Display()
        self.code = self.display.keysym_to_keycode(XK.string_to_keysym("space"))

    def grab(self) -> bool:
        catcher = error.CatchError(error.BadAccess)
        root = self.display.screen().root
        root.grab_key(self.code, X.ControlMask | X.Mod1Mask, False, X.GrabModeAsync, X.GrabModeAsync, onerror=catcher)
        self.display.sync()
        return catcher.get_error() is None

    def close(self) -> None:
        self.display.close()


class MovedKey:
    """Moves a keysym from its key code to an unused one (as a layout change may), and back."""

    def __init__(self, name: str) -> None:
        self.display = xdisplay.Display()
        self.keysym = XK.string_to_keysym(name)
        self.old = self.display.keysym_to_keycode(self.keysym)
        low, count = self.display.display.info.min_keycode, 0
        count = self.display.display.info.max_keycode - low + 1
        rows = self.display.get_keyboard_mapping(low, count)
        self.spare = next(low + i for i in range(count - 1, -1, -1) if not any(rows[i]))
        self.old_row = list(rows[self.old - low])
        self.width = len(self.old_row)

    def __enter__(self) -> MovedKey:
        self.display.change_keyboard_mapping(self.spare, [self.old_row])
        self.display.change_keyboard_mapping(self.old, [[X.NoSymbol] * self.width])
        self.display.sync()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.display.change_keyboard_mapping(self.old, [self.old_row])
        self.display.change_keyboard_mapping(self.spare, [[X.NoSymbol] * self.width])
        self.display.sync()
        self.display.close()


async def taken() -> dict[str, object]:
    other = OtherProgram()
    assert other.grab()
    hotkey = create_global_hotkey(hotkey_support(), asyncio.get_running_loop())
    spec = parse_hotkey("<ctrl>+<alt>+space")
    assert hotkey is not None and spec is not None
    try:
        hotkey.start(spec, lambda: None, lambda: None)
        message = None
    except HotkeyError as exc:
        message = str(exc)
    other.close()
    return {"backend": hotkey_support().backend, "error": message}


async def main(scenario: str) -> dict[str, object]:
    if scenario == "taken":
        return await taken()
    support = hotkey_support()
    target = FakeDictation(connect_s=0.05, finish_s=0.8 if scenario == "finishing" else 0.05)
    trigger = HotkeyTrigger(lambda: target, "toggle" if scenario == "toggle" else "hold", repeat_grace_s=0.05)
    hotkey = create_global_hotkey(support, asyncio.get_running_loop())
    assert hotkey is not None, support.message
    spec = parse_hotkey("<ctrl>+<alt>+z" if scenario == "remapped" else "<ctrl>+<alt>+space")
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
    elif scenario == "modifier_first":  # Ctrl let go while Space is still held, then the rest
        await xdotool("keydown", COMBO, settle_s=0.3)
        await xdotool("keyup", "ctrl", settle_s=0.3)
        states.append(target.state.name)
        await xdotool("keyup", "alt+space", settle_s=0.3)
    elif scenario == "paused":  # while Settings records a shortcut the keys pass, then are grabbed again
        other = OtherProgram()
        assert isinstance(hotkey, X11GrabHotkey)
        pause = hotkey.set_paused
        pause(True)
        await asyncio.sleep(0.2)
        states.append(f"other could grab: {other.grab()}")
        other.close()
        await asyncio.sleep(0.2)
        await xdotool("keydown", COMBO, settle_s=0.2)
        await xdotool("keyup", COMBO, settle_s=0.2)
        pause(False)
        await asyncio.sleep(0.2)
        await xdotool("keydown", COMBO, settle_s=0.2)
        await xdotool("keyup", COMBO, settle_s=0.3)
    elif scenario == "remapped":  # the keyboard map changes (another layout): Z moves to a spare key code
        with MovedKey("z"):
            await asyncio.sleep(0.3)
            await xdotool("keydown", "ctrl+alt+z", settle_s=0.3)
            states.append(target.state.name)
            await xdotool("keyup", "ctrl+alt+z", settle_s=0.3)
    elif scenario == "stopped":
        listener = getattr(hotkey, "thread", None)
        started = time.monotonic()
        hotkey.stop()
        states.append("thread ended" if listener is not None and not listener.is_alive() else "thread alive")
        states.append(f"stop took {time.monotonic() - started:.2f} s")
        other = OtherProgram()
        states.append(f"other could grab: {other.grab()}")
        other.close()
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
        "key_repeats": getattr(hotkey, "repeats", None),
    }


if __name__ == "__main__":
    try:
        print(json.dumps(asyncio.run(main(sys.argv[1]))))
    finally:
        subprocess.run(["xdotool", "keyup", COMBO], check=False)
