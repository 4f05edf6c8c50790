"""Dictation end to end on Linux: speech into the PulseAudio virtual microphone, the real capture,
the emulator, and the words typed (XTest) or pasted (clipboard + Ctrl+V) into another app's text
box under Xvfb, read back from that app. The focus never leaves the target, the indicator shows
while listening and goes, and a paste gives the user's clipboard back.

The probe and the target run in their own processes (this suite's Qt is offscreen; PortAudio must
start after the private PulseAudio daemon). The key press itself is the hotkey's tests' part: here
the host's begin/end stand for it.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fake_soniox import FakeSoniox
from tests.paths import ROOT
from tests.pulse import PulseDaemon, pulse  # noqa: F401 - fixture
from tests.ui.captions.test_caption_overlay_x11 import x_display  # noqa: F401 - fixture

pytestmark = [
    pytest.mark.pulse,
    pytest.mark.skipif(shutil.which("Xvfb") is None or shutil.which("xdotool") is None, reason="needs Xvfb, xdotool"),
]
SCRIPT = "hello Grüße from the dictation test"
USERS_CLIPBOARD = "what the user had copied"


class Target:
    def __init__(self, display: str, copied: str) -> None:
        env = {**os.environ, "DISPLAY": display, "QT_QPA_PLATFORM": "xcb"}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.ui.dictation.target_app", copied],
            cwd=ROOT,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        assert line.startswith("READY"), self.proc.stderr.read() if self.proc.stderr else line
        self.window = line.split()[1]

    def dump(self) -> dict[str, object]:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write("dump\n")
        self.proc.stdin.flush()
        return json.loads(self.proc.stdout.readline())

    def close(self) -> None:
        if self.proc.poll() is None:
            assert self.proc.stdin is not None
            self.proc.stdin.write("quit\n")
            self.proc.stdin.flush()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()


@pytest.fixture
def target(x_display: str) -> Iterator[Target]:  # noqa: F811
    app = Target(x_display, USERS_CLIPBOARD)
    yield app
    app.close()


class Probe:
    """The app's side in its own process; it stays up (owning the clipboard) until ``close()``."""

    def __init__(
        self, display: str, daemon: PulseDaemon, emu: FakeSoniox, method: str, home: Path, *flags: str
    ) -> None:
        env = {**daemon.env, "DISPLAY": display, "QT_QPA_PLATFORM": "xcb", "SONIOX_DESKTOP_HOME": str(home)}
        env["XDG_SESSION_TYPE"] = "x11"
        env.pop("WAYLAND_DISPLAY", None)
        args = [emu.api_base_url, emu.websocket_url, str(daemon.fifo), method, str(home), *flags]
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.ui.dictation.dictation_probe", *args],
            cwd=ROOT,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def result(self) -> dict[str, object]:
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line:
            self.proc.wait(timeout=10)
            pytest.fail(self.proc.stderr.read()[-3000:] if self.proc.stderr else "the probe died")
        return json.loads(line)

    def close(self) -> None:
        if self.proc.poll() is None:
            assert self.proc.stdin is not None
            self.proc.stdin.write("exit\n")
            self.proc.stdin.flush()
        try:
            code = self.proc.wait(timeout=20)
        finally:
            if self.proc.poll() is None:
                self.proc.kill()
        errors = self.proc.stderr.read()[-3000:] if self.proc.stderr else ""
        print(errors)
        assert code == 0, errors


@pytest.mark.parametrize(
    ("method", "flags"),
    [("type", ()), ("paste", ()), pytest.param("type", ("--hotkey",), id="type-hotkey")],
)
def test_dictation_reaches_the_focused_app(
    x_display: str,  # noqa: F811
    pulse: PulseDaemon,  # noqa: F811
    fake_soniox: FakeSoniox,
    target: Target,
    tmp_path: Path,
    method: str,
    flags: tuple[str, ...],
) -> None:
    """With ``--hotkey`` the dictation is held with Ctrl+Alt+Space (xdotool keydown/keyup) through
    the real global hotkey, not begun and ended by calls; the hotkey is grabbed, so the target
    does not also get it (Qt would type it as a space before the words)."""
    fake_soniox.set_script([SCRIPT])
    focus = subprocess.run(["xdotool", "getwindowfocus"], capture_output=True, text=True, env={"DISPLAY": x_display})
    assert focus.stdout.strip() == target.window  # the target has the keyboard
    probe = Probe(x_display, pulse, fake_soniox, method, tmp_path / "home", *flags)
    try:
        out = probe.result()
        seen = target.dump()
    finally:
        probe.close()
    snap = fake_soniox.wait_for_session(0, timeout=15)
    heard = " ".join(snap.final_words)
    assert heard and SCRIPT.startswith(heard), heard

    print(f"cold begin() with the PulseAudio microphone: {out['begin_ms']} ms")  # a figure, not asserted
    assert out["listening"] == {"state": "listening", "shown": True}
    assert out["words_shown"], "the indicator showed no words while listening"
    assert out["method"] == method and out["ok"] is True
    assert out["shown_after"] is False and out["state_after"] == "idle"
    # The focus stayed with the target the whole time: the indicator never took it.
    assert out["focus_before"] == out["focus_while_listening"] == out["focus_after"] == target.window
    assert out["app"] == "dictation-target"  # named from its WM_CLASS

    assert seen["text"] == "Dear Sam, " + heard, seen
    assert seen["focus"] is True
    assert seen["clipboard"] == USERS_CLIPBOARD  # a paste gave the user's clipboard back
    assert out["history"] == [f"Dictation → {out['app']}"]


LAUNCHER = "/usr/libexec/at-spi-bus-launcher"


@pytest.mark.skipif(
    not (Path(LAUNCHER).exists() and shutil.which("dbus-run-session")), reason="needs at-spi2-core, dbus-run-session"
)
def test_with_atspi_the_words_fit_the_text_before_the_cursor(
    x_display: str,  # noqa: F811
    pulse: PulseDaemon,  # noqa: F811
    fake_soniox: FakeSoniox,
    tmp_path: Path,
) -> None:
    """Over AT-SPI the app reads what is before the cursor: after a line break the words start
    with a capital and no space (without AT-SPI they would get a space and keep their case)."""
    fake_soniox.set_script([SCRIPT])
    home = tmp_path / "home"
    probe_args = " ".join(
        f'"{a}"' for a in (fake_soniox.api_base_url, fake_soniox.websocket_url, pulse.fifo, "type", home)
    )
    script = f"""
set -e
export DISPLAY={x_display} QT_QPA_PLATFORM=xcb QT_LINUX_ACCESSIBILITY_ALWAYS_ON=1
{LAUNCHER} --launch-immediately >/dev/null 2>&1 &
sleep 0.5
mkfifo "{tmp_path}/cmd"
"{sys.executable}" -m tests.ui.dictation.target_app --line-first "Dear Sam.
" < "{tmp_path}/cmd" > "{tmp_path}/target.out" 2> "{tmp_path}/target.err" &
exec 3> "{tmp_path}/cmd"
for i in $(seq 200); do grep -q READY "{tmp_path}/target.out" && break; sleep 0.05; done
SONIOX_DESKTOP_HOME="{home}" "{sys.executable}" -m tests.ui.dictation.dictation_probe {probe_args} --tab-first \\
    < /dev/null > "{tmp_path}/probe.out" 2> "{tmp_path}/probe.err"
echo dump >&3
for i in $(seq 100); do [ "$(wc -l < "{tmp_path}/target.out")" -ge 2 ] && break; sleep 0.05; done
echo quit >&3
"""
    env = {**pulse.env, "DISPLAY": x_display}
    result = subprocess.run(
        ["dbus-run-session", "--", "bash", "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=90
    )
    probe_out = (tmp_path / "probe.out").read_text()
    errors = (result.stderr[-1000:], (tmp_path / "probe.err").read_text()[-2000:])
    assert probe_out.strip(), errors
    out = json.loads(probe_out.strip().splitlines()[-1])
    seen = json.loads((tmp_path / "target.out").read_text().splitlines()[-1])
    heard = " ".join(fake_soniox.wait_for_session(0, timeout=15).final_words)
    assert out["atspi"] is True, errors
    assert out["ok"] is True and out["method"] == "type"
    assert seen["text"] == "Dear Sam.\n" + heard[0].upper() + heard[1:], (seen, errors)
