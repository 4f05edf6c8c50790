"""Pick the Soniox region, or custom base URLs (a proxy, a private deployment, the emulator)."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QFormLayout, QLabel, QLineEdit, QWidget

from desktop.core.regions import CUSTOM_REGION, REGIONS, Endpoints, resolve_endpoints, validate_url


class RegionForm(QWidget):
    changed = Signal()

    def __init__(self, parent: QWidget | None = None, *, show_custom: bool = True) -> None:
        super().__init__(parent)
        self.combo = QComboBox(self)
        self.combo.setObjectName("regionCombo")
        self.combo.setAccessibleName("Region")
        for code, (label, _endpoints) in REGIONS.items():
            self.combo.addItem(f"{label} ({code.upper()})", code)
        if show_custom:
            self.combo.addItem("Custom URLs", CUSTOM_REGION)
        self.combo.setToolTip("Your API key and data belong to the region of the Soniox project that made the key")

        self.api_edit = QLineEdit(self)
        self.api_edit.setObjectName("customApiUrlEdit")
        self.api_edit.setAccessibleName("Custom REST base URL")
        self.api_edit.setPlaceholderText("https://api.example.com/v1")
        self.ws_edit = QLineEdit(self)
        self.ws_edit.setObjectName("customWebsocketUrlEdit")
        self.ws_edit.setAccessibleName("Custom WebSocket URL")
        self.ws_edit.setPlaceholderText("wss://stt-rt.example.com/transcribe-websocket")
        self.error_label = QLabel(self)
        self.error_label.setObjectName("regionError")
        self.error_label.setWordWrap(True)

        layout = QFormLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        region_label = QLabel("&Region:", self)
        region_label.setBuddy(self.combo)
        layout.addRow(region_label, self.combo)
        self._api_label = QLabel("REST &base URL:", self)
        self._api_label.setBuddy(self.api_edit)
        self._ws_label = QLabel("&WebSocket URL:", self)
        self._ws_label.setBuddy(self.ws_edit)
        layout.addRow(self._api_label, self.api_edit)
        layout.addRow(self._ws_label, self.ws_edit)
        layout.addRow(self.error_label)
        self.combo.currentIndexChanged.connect(self._sync)
        self.api_edit.textChanged.connect(self._sync)
        self.ws_edit.textChanged.connect(self._sync)
        self._sync()

    def set_values(self, region: str, api_url: str = "", ws_url: str = "") -> None:
        index = self.combo.findData(region)
        self.combo.setCurrentIndex(index if index >= 0 else 0)
        self.api_edit.setText(api_url)
        self.ws_edit.setText(ws_url)
        self._sync()

    def region(self) -> str:
        return str(self.combo.currentData())

    def custom_urls(self) -> tuple[str, str]:
        return self.api_edit.text().strip(), self.ws_edit.text().strip()

    def endpoints(self) -> Endpoints:
        api, ws = self.custom_urls()
        return resolve_endpoints(self.region(), api, ws)

    def validation_error(self) -> str | None:
        if self.region() != CUSTOM_REGION:
            return None
        api, ws = self.custom_urls()
        problem = validate_url(api, ("https", "http"))
        if problem:
            return f"REST base URL: {problem}"
        problem = validate_url(ws, ("wss", "ws"))
        if problem:
            return f"WebSocket URL: {problem}"
        return None

    def _sync(self) -> None:
        custom = self.region() == CUSTOM_REGION
        for widget in (self.api_edit, self.ws_edit, self._api_label, self._ws_label):
            widget.setVisible(custom)
        problem = self.validation_error()
        self.error_label.setText(problem or "")
        self.error_label.setVisible(bool(problem))
        self.changed.emit()
