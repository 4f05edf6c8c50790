"""Screenshots of every main screen, driven against the Soniox emulator.

    QT_QPA_PLATFORM=offscreen .venv/bin/python docs/screenshots/make_screenshots.py
    # or on a (virtual) X server:  xvfb-run -s "-screen 0 3840x2400x24" ... QT_QPA_PLATFORM=xcb

It starts the emulator of ``tests/fake_soniox`` (key "test-key"), runs the real main window with
a fake microphone (``tests/audio_helpers.FakeSoundDevice``) and saves, for each screen below, one
PNG per window size, scale (1×, 2× via ``QT_SCALE_FACTOR``) and theme (light, dark) into this
folder: ``<screen>-<W>x<H>@<scale>x-<theme>.png``. Each scale/theme pair runs in its own process,
because Qt reads the scale factor once, before the application exists.

``--scales 1`` / ``--themes dark`` / ``--sizes 1440x900`` limit the set; ``--two-x-sizes`` limits
the 2× shots to some sizes (to keep the folder small).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
SIZES = ((1000, 700), (1440, 900), (1920, 1080))
SCREENS = (
    "live-idle",
    "live-options",
    "live-running",
    "meeting-running",
    "jobs",
    "history-search",
    "transcript-window",
    "settings",
    "settings-dictation",
    "onboarding",
)

#: Two speakers, as the emulator will "recognise" them from the fake microphone's noise.
CONVERSATION = [
    {
        "speaker": "1",
        "language": "en",
        "text": "Good morning everyone, let's go through the budget for the next quarter.",
    },
    {
        "speaker": "2",
        "language": "en",
        "text": "Sure. Marketing asked for ten percent more, mostly for the autumn campaign.",
    },
    {"speaker": "1", "language": "en", "text": "That works if we move the launch event to October."},
    {"speaker": "2", "language": "en", "text": "I will check with the venue and send the numbers by Friday."},
]

#: Earlier sessions for the history (title, speakers' lines).
PAST_SESSIONS = [
    ("Weekly planning", ["Let's review the roadmap and the budget.", "The budget review is on Thursday."]),
    ("Customer interview — Ana", ["How do you export transcripts today?", "Mostly to SRT for our videos."]),
    ("Lecture notes: signal processing", ["A filter removes the frequencies we do not want.", "Questions?"]),
    ("Podcast draft", ["Welcome back to the show.", "Today we talk about the budget of a small studio."]),
]

JOBS = [  # (file name, final state)
    ("board-meeting-2026-11-28.m4a", "completed"),
    ("interview-ana-full.mp3", "completed"),
    ("lecture-week-12.mp4", "processing"),
    ("podcast-ep-41.wav", "queued"),
    ("voicemail-corrupt.ogg", "error"),
    ("town-hall.webm", "completed"),
]


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=HERE)
    parser.add_argument("--scales", default="1,2")
    parser.add_argument("--themes", default="light,dark")
    parser.add_argument("--sizes", default=",".join(f"{w}x{h}" for w, h in SIZES))
    parser.add_argument("--two-x-sizes", default="", help="sizes to shoot at 2× (default: all of --sizes)")
    parser.add_argument("--child", nargs=2, metavar=("SCALE", "THEME"), help=argparse.SUPPRESS)
    return parser.parse_args()


def main() -> int:
    args = _arguments()
    if args.child:
        return _child(args)
    args.out.mkdir(parents=True, exist_ok=True)
    status = 0
    for scale in args.scales.split(","):
        sizes = args.two_x_sizes if scale != "1" and args.two_x_sizes else args.sizes
        for theme_name in args.themes.split(","):
            env = dict(os.environ, QT_SCALE_FACTOR=scale, PYTHONPATH=str(ROOT))
            env.setdefault("QT_QPA_PLATFORM", "offscreen")
            command = [sys.executable, __file__, "--child", scale, theme_name, "--out", str(args.out), "--sizes", sizes]
            print(f"{scale}× {theme_name}: {sizes}", flush=True)
            status |= subprocess.call(command, env=env, cwd=ROOT)
    write_index(args.out)
    return status


DESCRIPTIONS = {
    "live-idle": "The first window: one primary action (Start), the source beside it, options folded away, "
    "and an empty transcript that says what to do. The jobs dock says how to add files.",
    "live-options": "Options one click away (Ctrl+Shift+P); the panel stays open or closed as the user left it.",
    "live-running": "A live session with two speakers: Stop carries the running time, Cancel and Finalize appear "
    "only now, each speaker has a colour readable on the theme.",
    "meeting-running": "A meeting: your microphone as You and the system audio diarized as Speaker 2, merged in "
    "time order; pickers say whose sound each is, the cost of two streams is said before starting.",
    "settings-dictation": "Settings → Dictation: the global hotkey's key-capture field, hold or toggle, how text "
    "is inserted, and what works on this system.",
    "jobs": "File transcriptions in several states (completed, failed, queued, processing) with the app's own icons.",
    "history-search": "History: full-text search across every transcript, matches highlighted.",
    "transcript-window": "A stored transcript in its own window, with the player bar.",
    "settings": "Settings over the main window.",
    "onboarding": "The first start, before there is an API key.",
}


def write_index(folder: Path) -> Path:
    """``README.md`` in ``folder``: every screen, light and dark side by side, links to every size."""
    shots = sorted(p.name for p in folder.glob("*.png"))
    lines = [
        "# Screenshots",
        "",
        "Every main screen of Soniox Desktop, made by `make_screenshots.py` in this folder against the",
        "Soniox emulator (`tests/fake_soniox`) with a fake microphone, at 1000×700, 1440×900 and",
        "1920×1080, at 1× and 2× (`QT_SCALE_FACTOR=2`), in the light and the dark theme.",
        "Regenerate with `QT_QPA_PLATFORM=offscreen .venv/bin/python docs/screenshots/make_screenshots.py`.",
        "",
    ]
    for screen in SCREENS:
        mine = [name for name in shots if name.startswith(screen + "-")]
        if not mine:
            continue
        lines += [f"## {screen.replace('-', ' ').capitalize()}", "", DESCRIPTIONS.get(screen, ""), ""]
        preview = [f"{screen}-1440x900@1x-{t}.png" for t in ("light", "dark")]
        cells = [
            f'<img src="{name}" width="420" alt="{screen} ({name.rsplit("-", 1)[1][:-4]})">'
            for name in preview
            if name in mine
        ]
        lines += ["| Light | Dark |", "| --- | --- |", "| " + " | ".join(cells) + " |", ""]
        lines += ["| Size | Light | Dark |", "| --- | --- | --- |"]
        for width, height in SIZES:
            row = [f"{width}×{height}"]
            for theme_name in ("light", "dark"):
                links = [
                    f"[{scale}×]({name})"
                    for scale in ("1", "2")
                    if (name := f"{screen}-{width}x{height}@{scale}x-{theme_name}.png") in mine
                ]
                row.append(" · ".join(links) or "—")
            lines.append("| " + " | ".join(row) + " |")
        lines.append("")
    path = folder / "README.md"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


# --------------------------------------------------------------------------- one process


def _child(args: argparse.Namespace) -> int:
    scale, theme_name = args.child
    home = Path(tempfile.mkdtemp(prefix="soniox-shots-"))
    os.environ["SONIOX_DESKTOP_HOME"] = str(home)
    os.environ.pop("SONIOX_API_KEY", None)
    sys.path.insert(0, str(ROOT))

    import keyring
    import qasync
    from PySide6.QtWidgets import QApplication

    from tests.fake_soniox import FakeSoniox
    from tests.memory_keyring import MemoryKeyring

    keyring.set_keyring(MemoryKeyring())
    emulator = FakeSoniox(api_keys={"test-key"}).start()
    app = QApplication(["soniox-desktop"])
    app.setQuitOnLastWindowClosed(False)
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    sizes = [tuple(int(n) for n in s.split("x")) for s in args.sizes.split(",")]
    shooter = Shooter(app, emulator, args.out, f"@{scale}x-{theme_name}", theme_name == "dark", sizes)
    try:
        with loop:
            loop.run_until_complete(shooter.run())
    finally:
        emulator.stop()
    return 0


class Shooter:
    def __init__(self, app, emulator, out: Path, suffix: str, dark: bool, sizes: list[tuple[int, int]]) -> None:  # noqa: ANN001
        self.app, self.emulator, self.out, self.suffix, self.dark, self.sizes = app, emulator, out, suffix, dark, sizes

    async def settle(self, seconds: float = 0.25) -> None:
        await asyncio.sleep(seconds)  # the qasync loop processes Qt's events meanwhile

    async def wait(self, condition, timeout: float = 20.0, what: str = "") -> None:  # noqa: ANN001
        end = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > end:
                raise TimeoutError(f"screenshot setup: {what} did not happen in {timeout} s")
            await asyncio.sleep(0.05)

    def save(self, pixmap, screen: str, size: tuple[int, int]) -> None:  # noqa: ANN001
        path = self.out / f"{screen}-{size[0]}x{size[1]}{self.suffix}.png"
        if not pixmap.save(str(path), "PNG", 0):  # 0: most compression Qt's PNG writer offers
            raise OSError(f"could not write {path}")
        print("  ", path.name, flush=True)

    async def each_size(self, window, screen: str, grab=None) -> None:  # noqa: ANN001
        for size in self.sizes:
            window.resize(*size)
            await self.settle(0.35)
            self.save((grab or window.grab)(), screen, size)

    def over(self, window, dialog):  # noqa: ANN001, ANN202
        """The main window with ``dialog`` centred on it, as the user sees a modal dialog."""
        from PySide6.QtGui import QColor, QPainter

        def grab():  # noqa: ANN202
            shot = window.grab()
            painter = QPainter(shot)
            painter.fillRect(window.rect(), QColor(0, 0, 0, 70))
            face = dialog.grab()
            x = (window.width() - dialog.width()) // 2
            y = max((window.height() - dialog.height()) // 3, 0)
            edge = QColor(255, 255, 255, 70) if self.dark else QColor(0, 0, 0, 90)
            painter.fillRect(x - 1, y - 1, dialog.width() + 2, dialog.height() + 2, edge)
            painter.drawPixmap(x, y, face)
            painter.end()
            return shot

        return grab

    async def meeting(self, window, emulator) -> None:  # noqa: ANN001
        from desktop.audio.capture import capture_factory
        from desktop.ui.live.source_bar import SourceKind
        from tests.audio_helpers import FakeSoundDevice
        from tests.fake_soniox.tones import duration_ms, pcm_to_float, speak
        from tests.ui.live.test_live_meeting import FakeSystemAudio, quiet

        hello = ["Hello", "everyone,", "thanks", "for", "joining", "the", "call", "today."]
        question = ["Shall", "we", "start", "with", "the", "quarterly", "numbers?"]
        answer = ["Sure.", "Revenue", "grew", "twelve", "percent"]
        mic = quiet(300) + speak(hello) + quiet(duration_ms(len(question)) + 600) + speak(answer) + quiet(3000)
        system = quiet(300 + duration_ms(len(hello)) + 300) + speak(question, speaker=2) + quiet(6000)
        emulator.set_acoustic(True)
        panel = window.live_panel
        panel.context.settings.meeting_echo_cancellation = False  # the test stand-in has no far end
        panel.source_bar.set_echo_cancellation(False)
        panel._capture_factory = capture_factory(FakeSoundDevice(pcm_to_float(mic), 16000, speed=4.0))
        panel.system_audio = FakeSystemAudio(system)
        panel.source_bar.set_kind(SourceKind.MEETING)
        panel.start()
        # (the view still shows the last session until this one's transcript replaces it)
        await self.wait(lambda: "twelve percent" in panel.view.toPlainText(), 40, "the meeting")
        await self.settle(1.2)
        await self.each_size(window, "meeting-running")
        panel.stop()
        await self.wait(lambda: not panel.state.is_active, 20, "the meeting's end")
        emulator.set_acoustic(False)
        panel.source_bar.set_kind(SourceKind.MICROPHONE)

    async def run(self) -> None:
        import numpy as np

        from desktop.audio import devices
        from desktop.audio.capture import capture_factory
        from desktop.core.context import AppContext, EndpointOverrides
        from desktop.core.library.store import Library
        from desktop.core.paths import AppPaths
        from desktop.core.secrets import KeySource
        from desktop.core.tokens import Token
        from desktop.ui import theme
        from desktop.ui.library import startup
        from desktop.ui.main_window import MainWindow
        from desktop.ui.onboarding import OnboardingDialog
        from desktop.ui.settings_dialog import SettingsDialog
        from tests.audio_helpers import FakeSoundDevice

        app, emulator = self.app, self.emulator
        theme.apply_theme(app)
        theme.force_scheme(app, self.dark)

        context = AppContext.create(
            AppPaths.default(), EndpointOverrides(emulator.api_base_url, emulator.websocket_url)
        )
        library = Library.open(context.paths.data_dir)
        window = MainWindow(context)
        startup.attach(window, library)
        rng = np.random.default_rng(7)
        speech = (rng.standard_normal(16000 * 120) * 0.2).astype(np.float32)
        sd = FakeSoundDevice(speech, 16000, speed=1.6)
        panel = window.live_panel
        panel._capture_factory = capture_factory(sd)
        panel.source_bar.device_picker._lister = lambda: devices.list_input_devices(sd)
        panel.source_bar.device_picker.reload()
        window.resize(*self.sizes[0])
        window.show()
        await self.settle(0.5)

        # Onboarding: the first start, before there is a key.
        onboarding = OnboardingDialog(context, window)
        onboarding.show()
        await self.settle()
        await self.each_size(window, "onboarding", self.over(window, onboarding))
        onboarding.close()

        context.set_key("test-key", KeySource.KEYRING)
        await window.check_connection()
        await self.settle(0.5)
        await self.each_size(window, "live-idle")
        panel.options_toggle.setChecked(True)  # the options, one click away
        await self.each_size(window, "live-options")
        panel.options_toggle.setChecked(False)

        settings = SettingsDialog(context, window)
        settings.show()
        await self.settle()
        await self.each_size(window, "settings", self.over(window, settings))
        for index in range(settings.tabs.count()):
            if "ctation" in settings.tabs.tabText(index):
                settings.tabs.setCurrentIndex(index)
        await self.settle()
        await self.each_size(window, "settings-dictation", self.over(window, settings))
        settings.close()

        # Live, two speakers.
        emulator.set_script(CONVERSATION, loop=False)
        panel.options_form.diarization_check.setChecked(True)
        panel.start()
        await self.wait(lambda: "Friday" in panel.view.toPlainText(), 40, "the conversation")
        await self.settle(1.2)
        await self.each_size(window, "live-running")
        panel.stop()
        await self.wait(lambda: not panel.state.is_active, 20, "the session's end")
        live_id = panel.library_transcript_id  # the transcript window below shows this one

        # A meeting: the microphone and the system audio, in the emulator's acoustic mode.
        await self.meeting(window, emulator)

        # Jobs in several states.
        for name, _state in JOBS:
            if _state == "error":
                emulator.script_job(name, "error", "unprocessable_audio", "The audio could not be decoded.")
        ids = {}
        for i, (name, state) in enumerate(JOBS):
            status = "queued" if state == "queued" else ("processing" if state == "processing" else state)
            [job_id] = emulator.seed_transcriptions(1, status=status)
            ids[job_id] = name
            with emulator.state.lock:
                job = emulator.state.jobs.by_id[job_id]
                job.filename = name
                job.audio_url = None
                job.audio_duration_ms = None if status == "queued" else 60_000 * (i + 3) + 17_000
        jobs_panel = window.jobs_panel
        window.side_dock.raise_()
        jobs_panel.setCurrentIndex(0)
        jobs_panel.refresh()
        await self.wait(lambda: jobs_panel.jobs_model.rowCount() >= len(JOBS), 20, "the jobs list")
        await self.settle(0.8)
        await self.each_size(window, "jobs")

        # History search: earlier sessions plus the one just recorded.
        now = time.time()
        for n, (title, lines) in enumerate(PAST_SESSIONS):
            tid = library.begin_live(title=title, source_kind="microphone", started_at=now - 86400 * (n + 1))
            tokens, at = [], 0
            for k, line in enumerate(lines):
                for word in line.split():
                    tokens.append(
                        Token(
                            text=(" " if tokens else "") + word,
                            start_ms=at,
                            end_ms=at + 300,
                            speaker=str(k % 2 + 1),
                            language="en",
                        )
                    )
                    at += 350
            library.append_tokens(tid, tokens)
            library.finish_live(tid, duration_ms=at)
        history = window.history_panel
        dock = history.parentWidget()
        while dock is not None and dock.objectName() != "historyDock":
            dock = dock.parentWidget()
        if dock is not None:
            dock.raise_()
        history.refresh()
        history.set_query("budget")
        await self.wait(lambda: not history.searching and history.model.rowCount() > 0, 20, "search results")
        await self.settle(0.5)
        await self.each_size(window, "history-search")

        # The transcript window of the live session.
        viewer = history.open_transcript(live_id) if live_id is not None else None
        if viewer is not None:
            await self.settle(0.5)
            await self.each_size(viewer, "transcript-window")
            viewer.close()
        window.close()
        await self.settle(0.3)
        library.close()
        await context.aclose()


if __name__ == "__main__":
    sys.exit(main())
