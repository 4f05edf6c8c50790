"""The main window paints before the app loads what that first picture does not need (issue 14).

A child process starts the real app (``desktop.app.main``) and reports which heavy modules were
loaded when the main window painted for the first time, then what the window holds a moment
later. How fast that is belongs to ``bench/bench_startup.py``; this only checks the order.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.paths import ROOT

#: Not needed for the first picture: the SDK (and its httpx/pydantic), audio and sessions, and
#: the panels of the docks that are built after it.
DEFERRED = (
    "soniox",
    "httpx",
    "numpy",
    "sounddevice",
    "keyring",
    "importlib.metadata",
    "soundfile",
    "desktop.core.live.session",
    "desktop.audio.capture",
    "desktop.audio.recording",
    "desktop.ui.jobs.side_panel",
    "desktop.ui.library.history_panel",
    "desktop.ui.settings_dialog",
    "desktop.ui.onboarding",
)

CHILD = """
import json, os, sys, time
import desktop.app
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QDockWidget, QMainWindow

app = QApplication(sys.argv[:1])
WATCHED = json.loads(os.environ["WATCHED"])
report = {}

def later(window):
    docks = {d.objectName(): type(d.widget()).__name__ for d in window.findChildren(QDockWidget)}
    picker = window.live_panel.source_bar.device_picker
    items = [picker.itemText(i) for i in range(picker.count())]
    done = docks.get("sidePanelDock") == "JobsSidePanel" and docks.get("historyDock") == "HistoryPanel"
    if not done and time.monotonic() < report["deadline"]:
        QTimer.singleShot(20, lambda: later(window))
        return
    report.update(docks=docks, devices=items, loaded_later=sorted(m for m in WATCHED if m in sys.modules))
    del report["deadline"]
    print("REPORT " + json.dumps(report), flush=True)
    os._exit(0)

class Probe(QObject):
    def eventFilter(self, obj, event):
        if "at_first_paint" not in report and event.type() == QEvent.Type.Paint and isinstance(obj, QMainWindow):
            report["at_first_paint"] = sorted(m for m in WATCHED if m in sys.modules)
            report["deadline"] = time.monotonic() + 20
            QTimer.singleShot(0, lambda: later(obj))
        return False

probe = Probe(app)
app.installEventFilter(probe)
sys.exit(desktop.app.main(sys.argv[1:]))
"""


def test_the_window_paints_first_and_the_docks_fill_in_after(app_home: Path) -> None:
    (app_home / "config").mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "SONIOX_DESKTOP_HOME": str(app_home),
        "QT_QPA_PLATFORM": "offscreen",
        "SONIOX_API_KEY": "test-key",
        "WATCHED": json.dumps(DEFERRED),
    }
    closed = "http://127.0.0.1:9"  # the connection check after the paint fails at once, offline
    result = subprocess.run(
        [sys.executable, "-c", CHILD, "--api-base-url", f"{closed}/v1", "--websocket-url", "ws://127.0.0.1:9/ws"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=90,
    )
    lines = [line for line in result.stdout.splitlines() if line.startswith("REPORT ")]
    assert lines, f"no report (exit {result.returncode}):\n{result.stdout}\n{result.stderr}"
    report = json.loads(lines[0].removeprefix("REPORT "))
    assert report["at_first_paint"] == [], "loaded before the first paint, though it shows none of it"
    assert report["docks"] == {"sidePanelDock": "JobsSidePanel", "historyDock": "HistoryPanel"}
    assert "desktop.ui.jobs.side_panel" in report["loaded_later"]
    assert "desktop.ui.library.history_panel" in report["loaded_later"]
    assert report["devices"] and report["devices"][0].startswith("System default")
