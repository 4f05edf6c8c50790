"""The global hotkey on a real X server: the X11 key grab gets XTest key events from xdotool and
the trigger asks the dictation target to begin and end exactly once each, through auto-repeat,
in toggle mode, with a modifier let go first, and with a press landing while the previous
dictation is still finishing. A combination another program holds is refused in words, and a
stopped or paused hotkey gives the combination back.

Each scenario runs ``hotkey_x11_probe.py`` in its own process under a private Xvfb. Skipped only
where Xvfb or xdotool are missing (CI installs both).
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator

import pytest

from tests.paths import ROOT
from tests.xvfb import HAVE_XVFB, private_xvfb, x11_env

pytestmark = pytest.mark.skipif(not HAVE_XVFB, reason="needs Xvfb and xdotool")


@pytest.fixture(scope="module")
def x_display() -> Iterator[str]:
    with private_xvfb(300, "640x480x24") as display:
        yield display


def probe(display: str, scenario: str) -> dict[str, object]:
    env = x11_env(display)
    result = subprocess.run(
        [sys.executable, "-m", "tests.platform.hotkey_x11_probe", scenario],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    out = json.loads(result.stdout.strip().splitlines()[-1])
    assert out["backend"] == "x11"
    return out


def test_hold_begins_and_ends_once_while_the_held_key_auto_repeats(x_display: str) -> None:
    out = probe(x_display, "hold")
    assert out["states"] == ["LISTENING"]
    assert out["calls"] == ["begin", "end"]
    assert isinstance(out["key_repeats"], int) and out["key_repeats"] > 3, "the X server did not auto-repeat"
    # XKB detectable auto-repeat: the repeats came as presses only, no release/press pairs to undo.
    assert out["repeats_ignored"] == 0
    assert out["final"] == "IDLE"


def test_release_press_pairs_while_held_are_auto_repeat_not_new_dictations(x_display: str) -> None:
    out = probe(x_display, "pairs")
    assert out["states"] == ["LISTENING"]
    assert out["calls"] == ["begin", "end"]
    assert out["repeats_ignored"] == 5


def test_toggle_press_starts_and_the_next_press_stops(x_display: str) -> None:
    out = probe(x_display, "toggle")
    assert out["states"] == ["LISTENING"]
    assert out["calls"] == ["begin", "end"]


def test_a_press_while_finishing_begins_again_once_the_finish_is_done(x_display: str) -> None:
    out = probe(x_display, "finishing")
    assert out["states"] == ["FINISHING", "FINISHING:2", "LISTENING"]
    assert out["calls"] == ["begin", "end", "begin", "end"]


def test_letting_go_of_a_modifier_first_ends_the_hold(x_display: str) -> None:
    out = probe(x_display, "modifier_first")
    assert out["states"] == ["IDLE"], "the dictation went on after Ctrl was released"
    assert out["calls"] == ["begin", "end"]


def test_a_combination_another_program_grabbed_is_refused_in_words(x_display: str) -> None:
    out = probe(x_display, "taken")
    assert out["error"] == "Ctrl+Alt+Space is taken by another program; choose another in Settings → Dictation."


def test_a_paused_hotkey_lets_the_keys_through_and_grabs_them_again(x_display: str) -> None:
    out = probe(x_display, "paused")
    assert out["states"] == ["other could grab: True"]
    assert out["calls"] == ["begin", "end"]  # only the press after resuming


def test_a_stopped_hotkey_hears_nothing_and_gives_the_combination_back(x_display: str) -> None:
    out = probe(x_display, "stopped")
    states = out["states"]
    assert isinstance(states, list) and states[0] == "thread ended", "the grab's thread outlived stop()"
    assert states[2] == "other could grab: True"
    print(states[1])  # how long stop() took: a figure, not asserted
    assert out["calls"] == []


def test_after_the_keyboard_map_changes_the_key_is_grabbed_where_it_now_is(x_display: str) -> None:
    """A layout change can move the hotkey's key to another key code; the grab follows it."""
    out = probe(x_display, "remapped")
    assert out["states"] == ["LISTENING"]
    assert out["calls"] == ["begin", "end"]
