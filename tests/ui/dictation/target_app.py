"""A tiny app to dictate into (run in its own process on an X server): a text box holding
"Dear Sam," with the cursor at its end, and, optionally, text the "user" copied.

``--line-first TEXT``: a one-line field above the box has the focus at start (Tab moves it to the
box, which then holds TEXT), so a focus change happens while the dictating app watches.

Reads commands on stdin: ``dump`` prints one JSON line (the box's text, the clipboard, whether it
has the focus), ``quit`` exits. Prints ``READY <window id>`` once its window is shown and focused.
"""

from __future__ import annotations

import json
import sys

from PySide6.QtCore import QSocketNotifier, QTimer
from PySide6.QtGui import QGuiApplication, QTextCursor
from PySide6.QtWidgets import QApplication, QLineEdit, QTextEdit, QVBoxLayout, QWidget


def main() -> int:
    app = QApplication(sys.argv[:1])
    app.setApplicationName("dictation-target")
    app.setDesktopFileName("dictation-target")
    args = sys.argv[1:]
    line_first = args[:1] == ["--line-first"]
    if line_first:
        args = args[1:]
    window = QWidget()
    window.setWindowTitle("Dictation target")
    layout = QVBoxLayout(window)
    line = QLineEdit(window)
    line.setObjectName("targetLine")
    line.setAccessibleName("Subject")
    edit = QTextEdit(window)
    edit.setObjectName("targetEdit")
    edit.setAccessibleName("Message")
    edit.setTabChangesFocus(True)
    layout.addWidget(line)
    layout.addWidget(edit)
    edit.setPlainText(args.pop(0) if line_first else "Dear Sam,")
    edit.moveCursor(QTextCursor.MoveOperation.End)
    line.setVisible(line_first)
    window.resize(700, 300)
    window.move(300, 150)
    window.show()
    window.activateWindow()
    (line if line_first else edit).setFocus()
    copied = args[0] if args else ""

    def ready() -> None:
        if copied:
            QGuiApplication.clipboard().setText(copied)
        print(f"READY {int(window.winId())}", flush=True)

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
