"""A tiny app to dictate into (run in its own process on an X server): a text box holding
"Dear Sam," with the cursor at its end, and, optionally, text the "user" copied.

Reads commands on stdin: ``dump`` prints one JSON line (the box's text, the clipboard, whether it
has the focus), ``quit`` exits. Prints ``READY <window id>`` once its window is shown and focused.
"""

from __future__ import annotations

import json
import sys

from PySide6.QtCore import QSocketNotifier, QTimer
from PySide6.QtGui import QGuiApplication, QTextCursor
from PySide6.QtWidgets import QApplication, QTextEdit


def main() -> int:
    app = QApplication(sys.argv[:1])
    app.setApplicationName("dictation-target")
    app.setDesktopFileName("dictation-target")
    edit = QTextEdit()
    edit.setObjectName("targetEdit")
    edit.setWindowTitle("Dictation target")
    edit.setPlainText("Dear Sam,")
    edit.moveCursor(QTextCursor.MoveOperation.End)
    edit.resize(700, 300)
    edit.move(300, 150)
    edit.show()
    edit.activateWindow()
    edit.setFocus()
    copied = sys.argv[1] if len(sys.argv) > 1 else ""

    def ready() -> None:
        if copied:
            QGuiApplication.clipboard().setText(copied)
        print(f"READY {int(edit.winId())}", flush=True)

    QTimer.singleShot(300, ready)

    def command() -> None:
        line = sys.stdin.readline().strip()
        if line == "dump":
            print(
                json.dumps(
                    {
                        "text": edit.toPlainText(),
                        "clipboard": QGuiApplication.clipboard().text(),
                        "focus": edit.hasFocus() and edit.isActiveWindow(),
                    }
                ),
                flush=True,
            )
        elif line in ("quit", ""):
            app.quit()

    notifier = QSocketNotifier(sys.stdin.fileno(), QSocketNotifier.Type.Read)
    notifier.activated.connect(command)
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
