"""The status bar's connection indicator: what the app is connected to and whether it works."""

from __future__ import annotations

import enum

from PySide6.QtWidgets import QLabel, QStatusBar, QWidget


class Connection(enum.Enum):
    STARTING = "starting"  # the key has not been looked up yet (the first moment after start)
    NO_KEY = "no_key"
    CHECKING = "checking"
    READY = "ready"
    OFFLINE = "offline"
    KEY_REJECTED = "key_rejected"
    LIVE = "live"


_TEXT = {
    Connection.STARTING: "◌ Starting…",
    Connection.NO_KEY: "○ No API key — open Settings to add one",
    Connection.CHECKING: "◌ Connecting to Soniox…",
    Connection.READY: "● Connected",
    Connection.OFFLINE: "○ Cannot reach Soniox",
    Connection.KEY_REJECTED: "○ API key not accepted",
    Connection.LIVE: "● Live session running",
}


class ConnectionIndicator(QLabel):
    """A label with a changing value: objectName only, no accessible name (it would hide the text)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("connectionState")
        self.state = Connection.STARTING
        self.set_state(Connection.STARTING)

    def set_state(self, state: Connection, detail: str = "") -> None:
        self.state = state
        text = _TEXT[state]
        if detail:
            text = f"{text} · {detail}"
        self.setText(text)
        self.setToolTip(text)


class AppStatusBar(QStatusBar):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("statusBar")
        self.connection = ConnectionIndicator(self)
        self.addPermanentWidget(self.connection)
