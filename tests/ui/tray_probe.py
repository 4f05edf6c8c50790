"""Run by test_tray_x11.py under Xvfb with a tray (trayer): real clicks on the app's tray icon."""

from __future__ import annotations

import json

from PySide6.QtWidgets import QApplication

from desktop.core.context import AppContext
from desktop.core.paths import AppPaths
from desktop.ui.main_window import MainWindow
from tests.ui.x11_probe import spin, xdotool


def main() -> None:
    app = QApplication(["trayprobe"])
    window = MainWindow(AppContext.create(AppPaths.default()))
    window.show()
    spin(app, 0.5)
    tray = window.install_tray()
    spin(app, 1.0)
    if tray is None:
        print(json.dumps({"available": False}))
        return
    window.hide()
    centre = tray.icon.geometry().center()
    x, y = str(centre.x()), str(centre.y())
    xdotool(app, "mousemove", x, y, "click", "1")
    shown_by_click = window.isVisible()
    xdotool(app, "mousemove", x, y, "click", "3")
    menu_open = tray.menu.isVisible()
    names = [a.text() for a in tray.menu.actions() if a.isVisible() and a.text()]
    print(json.dumps({"available": True, "shown_by_click": shown_by_click, "menu_open": menu_open, "menu": names}))
    window.quit_app()


if __name__ == "__main__":
    main()
