"""Start-up: time to the first painted main window, beside a bare PySide6 window in the same run.

Issue 14 asks for the app's first painted window within 3× a bare PySide6 window. Each run is a
fresh Python process (imports are what we measure, so nothing may be cached in this one), and
the two kinds of run alternate so that both see the same machine load. Each child prints:

* ``script``: seconds from the first line of its script to the end of the window's first paint
  (an event filter on the window sees its first ``Paint`` event and posts itself an event,
  delivered once that paint pass, children included, is done, and before anything the app
  queued from its own paint handler, e.g. building the docks' panels);
* ``spawn``: the same moment measured from just before this process started the child, so the
  interpreter's own start-up is included too (``perf_counter`` is the system-wide monotonic clock).

The app child starts the real app through ``desktop.app.main`` as a returning user would: an
API key (looked up in the keyring, here keyring's empty ``null`` backend so the real one is
never touched, then found in the user-only key file), an existing settings folder and library
(one unmeasured warm-up run creates them), the connection check after the window shows
(pointed at a closed local port, so it fails at once without a network). The only difference to
``python -m desktop`` is that the child creates the ``QApplication`` itself (after importing
``desktop.app``, as ``desktop.app`` would: PySide6 checks the source of every module imported
after it, so the order matters) to install the event filter; ``desktop.app`` then uses it.

``python -m bench.bench_startup [--runs 9] [--platform offscreen|xcb]``
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# What both children share: catch the first Paint of a QMainWindow, let that paint pass finish,
# report and leave at once (shutting down is not part of starting).
_PROBE = """
def _install_probe(app, t0):
    from PySide6.QtCore import QCoreApplication, QEvent, QObject
    from PySide6.QtWidgets import QMainWindow

    def _done():
        now = time.perf_counter()
        print(f"PAINTED {now - t0:.6f} {now:.6f}", flush=True)
        os._exit(0)

    class _FirstPaint(QObject):
        seen = False

        def eventFilter(self, obj, event):
            if not self.seen and event.type() == QEvent.Type.Paint:
                self.seen = True
                # Delivered once this paint pass (children included) is over, and before what
                # the app queues from its own paint handler (which runs after this filter).
                QCoreApplication.postEvent(self, QEvent(QEvent.Type.User))
            return False

        def customEvent(self, event):
            _done()

    class _FindWindow(QObject):
        # Watches the whole app only until the main window gets its first event (in its
        # constructor), then only the window: a filter on every event of every widget would
        # cost the app, which has many more widgets than the bare window, tens of ms.
        def eventFilter(self, obj, event):
            if isinstance(obj, QMainWindow):
                app.removeEventFilter(self)
                obj.installEventFilter(paint)
            return False

    paint = _FirstPaint(app)
    finder = _FindWindow(app)
    app.installEventFilter(finder)
    return paint, finder
"""

BARE = (
    "import time\nT0 = time.perf_counter()\nimport os, sys\n"
    + _PROBE
    + """
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QMainWindow

QGuiApplication.setHighDpiScaleFactorRoundingPolicy(Qt.HighDpiScaleFactorRoundingPolicy.PassThrough)
app = QApplication(sys.argv[:1])
_probe = _install_probe(app, T0)
window = QMainWindow()
window.setWindowTitle("bare")
window.resize(1200, 760)
window.show()
sys.exit(app.exec())
"""
)

APP = (
    "import time\nT0 = time.perf_counter()\nimport os, sys\n"
    + _PROBE
    + """
import desktop.app  # first, as ``python -m desktop`` does: its imports run before PySide6's

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication

QGuiApplication.setHighDpiScaleFactorRoundingPolicy(Qt.HighDpiScaleFactorRoundingPolicy.PassThrough)
app = QApplication(sys.argv[:1])
_probe = _install_probe(app, T0)
sys.exit(desktop.app.main(sys.argv[1:]))
"""
)


def closed_port() -> int:
    """A local port nobody listens on: the app's connection check fails at once, offline."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def run_child(source: str, args: list[str], env: dict[str, str]) -> tuple[float, float]:
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-c", source, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    for line in result.stdout.splitlines():
        if line.startswith("PAINTED "):
            _, script_s, at = line.split()
            return float(script_s), float(at) - started
    raise RuntimeError(f"no paint reported (exit {result.returncode}):\n{result.stdout}\n{result.stderr}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--platform", default="offscreen", help="QT_QPA_PLATFORM for the children")
    opts = parser.parse_args(argv)

    port = closed_port()
    with tempfile.TemporaryDirectory(prefix="bench-startup-") as home:
        env = dict(os.environ)
        env.update(
            QT_QPA_PLATFORM=opts.platform,
            SONIOX_DESKTOP_HOME=home,
            PYTHON_KEYRING_BACKEND="keyring.backends.null.Keyring",
        )
        env.pop("PYTHONPATH", None)
        env.pop("SONIOX_API_KEY", None)
        key_file = Path(home) / "config" / "api-key"
        key_file.parent.mkdir(parents=True)
        key_file.write_text("bench-startup-key", encoding="utf-8")
        key_file.chmod(0o600)
        # An installed app has its bytecode compiled; so must the source tree measured here (the
        # warm-up run writes it), else every run compiles ~130 modules (~140 ms) that users never do.
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        app_args = ["--api-base-url", f"http://127.0.0.1:{port}/v1", "--websocket-url", f"ws://127.0.0.1:{port}/ws"]
        run_child(APP, app_args, env)  # warm-up: creates settings and library, fills the OS file cache
        run_child(BARE, [], env)
        bare: list[tuple[float, float]] = []
        app: list[tuple[float, float]] = []
        for _ in range(opts.runs):
            bare.append(run_child(BARE, [], env))
            app.append(run_child(APP, app_args, env))

    def median_ms(values: list[tuple[float, float]], index: int) -> float:
        return statistics.median(v[index] for v in values) * 1000

    print(f"Time to the first painted main window, QT_QPA_PLATFORM={opts.platform}, {opts.runs} runs each")
    print(f"{'measured from':<22}{'bare (ms)':>12}{'app (ms)':>12}{'ratio':>8}{'app min..max (ms)':>22}")
    for index, label in ((0, "script's first line"), (1, "process spawn")):
        b, a = median_ms(bare, index), median_ms(app, index)
        low, high = min(v[index] for v in app) * 1000, max(v[index] for v in app) * 1000
        print(f"{label:<22}{b:>12.0f}{a:>12.0f}{a / b:>8.2f}{f'{low:.0f}..{high:.0f}':>22}")
    print("goal (issue 14): app ≤ 3× bare, medians")
    return 0


if __name__ == "__main__":
    sys.exit(main())
