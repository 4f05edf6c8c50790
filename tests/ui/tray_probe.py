"""Run by test_tray_x11.py under Xvfb with a tray (trayer): real clicks on the app's tray icon and
its menu, with a library holding a few transcripts for "Recent transcripts".

With TRAY_PROBE_SHOTS=<folder> it also saves screenshots of the screen (menu, submenu, icon).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from PySide6.QtWidgets import QApplication

from desktop.core.context import AppContext
from desktop.core.paths import AppPaths
from desktop.core.transcript import Token
from desktop.ui.library import startup
from desktop.ui.main_window import MainWindow
from tests.ui.x11_probe import spin, xdotool

TALKS = [
    ("Microphone", "so the budget review moves to friday afternoon"),
    ("interview.mp3", "thank you for having me today"),
    ("Dictation", "please send the minutes to the whole team"),
    ("Weekly sync", "next item is the release checklist"),
]


def _fill(library) -> None:  # noqa: ANN001
    for title, words in TALKS:
        tid = library.begin_live(title=title, source_kind="microphone")
        library.append_tokens(tid, [Token(f" {w}", i * 300, i * 300 + 200) for i, w in enumerate(words.split())])
        library.finish_live(tid)


def main() -> None:
    shots = os.environ.get("TRAY_PROBE_SHOTS")
    app = QApplication(["trayprobe"])

    def shot(name: str) -> None:
        if shots:
            app.primaryScreen().grabWindow(0).save(str(Path(shots) / f"{name}.png"))

    context = AppContext.create(AppPaths.default())
    library = startup.open_library(context)
    window = MainWindow(context)
    startup.attach(window, library)
    _fill(library)
    window.show()
    spin(app, 0.5)
    tray = window.install_tray()
    spin(app, 1.0)
    if tray is None:
        print(json.dumps({"available": False}))
        return
    dictated: list[int] = []
    tray.set_dictate(lambda: dictated.append(1))
    window.hide()
    centre = tray.icon.geometry().center()
    x, y = str(centre.x()), str(centre.y())
    xdotool(app, "mousemove", x, y, "click", "1")
    shown_by_click = window.isVisible()
    window.hide()
    spin(app, 0.3)
    xdotool(app, "mousemove", x, y, "click", "3")
    menu_open = tray.menu.isVisible()
    names = [a.text() for a in tray.menu.actions() if a.isVisible() and a.text()]
    shot("tray-menu")
    # Hover "Recent transcripts": its submenu opens, filled from the library.
    item = tray.menu.actionGeometry(tray.recent_menu.menuAction()).center()
    spot = tray.menu.mapToGlobal(item)
    xdotool(app, "mousemove", str(spot.x()), str(spot.y()), settle_s=1.0)
    recent_open = tray.recent_menu.isVisible()
    recent = [a.text() for a in tray.recent_menu.actions()]
    shot("tray-recent")
    # Click the oldest listed ("Microphone"): its transcript window opens, the main window stays hidden.
    last = tray.recent_menu.actions()[-1]
    target = tray.recent_menu.mapToGlobal(tray.recent_menu.actionGeometry(last).center())
    xdotool(app, "mousemove", str(target.x()), str(target.y()), settle_s=0.3)
    xdotool(app, "click", "1", settle_s=1.0)
    panel = window.history_panel
    opened = [w.windowTitle() for w in panel.windows.values() if w.isVisible()] if panel is not None else []
    for viewer in list(panel.windows.values()) if panel is not None else []:
        viewer.close()
    spin(app, 0.3)
    tray.follow_dictation(True)
    spin(app, 0.5)
    shot("tray-dictating")
    print(
        json.dumps(
            {
                "available": True,
                "shown_by_click": shown_by_click,
                "menu_open": menu_open,
                "menu": names,
                "recent_open": recent_open,
                "recent": recent,
                "opened": opened,
                "window_hidden": not window.isVisible(),
            }
        )
    )
    window.quit_app()
    startup.shutdown(window, library)


if __name__ == "__main__":
    main()
