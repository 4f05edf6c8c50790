"""Run under a real X server (xcb) by test_caption_overlay_x11.py: clicks through the locked overlay,
drags the unlocked one, and prints what happened as JSON. Real XTest input, through xdotool."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from PySide6.QtCore import QRect
from PySide6.QtWidgets import QApplication, QPushButton, QWidget

from desktop.core.captions.lines import CaptionLine
from desktop.core.captions.prefs import CaptionPrefs
from desktop.ui.captions.overlay import CaptionOverlay
from tests.ui.x11_probe import spin, xdotool


def main() -> None:
    prefs_file = Path(sys.argv[2])
    app = QApplication(["probe"])
    if sys.argv[1] == "restart":
        overlay = CaptionOverlay(CaptionPrefs.from_json(prefs_file.read_text()))
        overlay.place()
        overlay.show()
        spin(app, 0.5)
        g = overlay.geometry()
        print(json.dumps({"geometry": [g.x(), g.y(), g.width(), g.height()]}))
        return

    target = QWidget()
    target.setWindowTitle("Target app")
    button = QPushButton("Under the captions", target)
    clicks: list[int] = []
    button.clicked.connect(lambda: clicks.append(1))
    target.setGeometry(100, 100, 800, 500)
    button.setGeometry(0, 0, 800, 500)
    target.show()
    target.activateWindow()
    spin(app, 0.5)

    overlay = CaptionOverlay(CaptionPrefs())
    overlay.show_lines([CaptionLine("1", "Speaker 1", "Locked captions let clicks through", " to the app")])
    overlay.setGeometry(QRect(200, 300, 600, 180))
    overlay.show()
    spin(app, 0.5)
    centre = overlay.geometry().center()
    x, y = str(centre.x()), str(centre.y())

    xdotool(app, "mousemove", x, y, "click", "1")
    locked = {"clicks": len(clicks), "active": app.activeWindow() is target, "overlay_active": overlay.isActiveWindow()}

    overlay.set_locked(False)
    spin(app, 0.5)
    before = overlay.geometry().topLeft()
    xdotool(app, "mousemove", x, y, "mousedown", "1")
    xdotool(app, "mousemove", str(centre.x() + 120), str(centre.y() - 60))
    xdotool(app, "mouseup", "1")
    after = overlay.geometry().topLeft()
    prefs_file.write_text(overlay.prefs.to_json())
    print(
        json.dumps(
            {
                "locked": locked,
                "moved": [after.x() - before.x(), after.y() - before.y()],
                "clicks_after_drag": len(clicks),
                "saved": overlay.prefs.geometry,
                "text": overlay.text(),
            }
        )
    )


if __name__ == "__main__":
    main()
