"""Paste, test and choose where to keep an API key; shared by onboarding and Settings.

"Test" lists models through the SDK against the chosen region, which proves both the key and the
endpoint. When the system has no keyring the form says so and offers the two safe choices
(this run only, or a file only the user's account can read) instead of a silent plaintext write.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop.core.regions import Endpoints
from desktop.core.secrets import KeySource
from desktop.core.service import KeyCheck, check_key
from desktop.ui.async_tools import spawn


class ApiKeyForm(QWidget):
    checked = Signal(object)  # KeyCheck

    def __init__(
        self,
        endpoints: Callable[[], Endpoints],
        *,
        keyring_available: bool,
        key_file_hint: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._endpoints = endpoints
        self.last_check: KeyCheck | None = None
        self._checked_key = ""

        self.key_edit = QLineEdit(self)
        self.key_edit.setObjectName("apiKeyEdit")
        self.key_edit.setAccessibleName("API key")
        self.key_edit.setPlaceholderText("Paste your Soniox API key")
        self.key_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.key_edit.setClearButtonEnabled(True)
        self.reveal_button = QToolButton(self)
        self.reveal_button.setObjectName("revealKeyButton")
        self.reveal_button.setAccessibleName("Show key")
        self.reveal_button.setText("Show")
        self.reveal_button.setCheckable(True)
        self.reveal_button.setToolTip("Show or hide the key")
        self.reveal_button.toggled.connect(self._on_reveal)
        self.key_edit.textChanged.connect(self._on_key_edited)

        self.test_button = QPushButton("&Test key", self)
        self.test_button.setObjectName("testKeyButton")
        self.test_button.setAccessibleName("Test key")
        self.test_button.setToolTip("List models with this key to check that it works")
        self.test_button.clicked.connect(self.start_check)

        self.result_label = QLabel(self)
        self.result_label.setObjectName("keyCheckResult")
        self.result_label.setWordWrap(True)

        row = QHBoxLayout()
        row.addWidget(self.key_edit, 1)
        row.addWidget(self.reveal_button)
        row.addWidget(self.test_button)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        form = QFormLayout()
        label = QLabel("API &key:", self)
        label.setBuddy(self.key_edit)
        form.addRow(label, row)
        layout.addLayout(form)
        layout.addWidget(self.result_label)

        self.keyring_available = keyring_available
        self.storage_box = QGroupBox("Where to keep the key", self)
        self.storage_box.setObjectName("keyStorageBox")
        box_layout = QVBoxLayout(self.storage_box)
        self.no_keyring_label = QLabel(
            "This system has no keyring (password store) the app can use, so the key cannot be "
            "stored securely there. Choose how to keep it:",
            self.storage_box,
        )
        self.no_keyring_label.setObjectName("noKeyringNotice")
        self.no_keyring_label.setWordWrap(True)
        self.session_radio = QRadioButton("For this &run only (you paste it again next time)", self.storage_box)
        self.session_radio.setObjectName("storeSessionRadio")
        self.session_radio.setAccessibleName("Keep the key for this run only")
        self.file_radio = QRadioButton(f"In a &file only your account can read ({key_file_hint})", self.storage_box)
        self.file_radio.setObjectName("storeFileRadio")
        self.file_radio.setAccessibleName("Keep the key in a file only your account can read")
        self.session_radio.setChecked(True)
        group = QButtonGroup(self.storage_box)
        group.addButton(self.session_radio)
        group.addButton(self.file_radio)
        box_layout.addWidget(self.no_keyring_label)
        box_layout.addWidget(self.session_radio)
        box_layout.addWidget(self.file_radio)
        layout.addWidget(self.storage_box)
        self.storage_box.setVisible(not keyring_available)

    def key(self) -> str:
        return self.key_edit.text().strip()

    def set_key(self, key: str) -> None:
        self.key_edit.setText(key)

    def chosen_storage(self) -> KeySource:
        if self.keyring_available:
            return KeySource.KEYRING
        return KeySource.FILE if self.file_radio.isChecked() else KeySource.SESSION

    def check_is_current(self) -> bool:
        return self.current_check() is not None

    def current_check(self) -> KeyCheck | None:
        """The last check if it was made for the key now in the field; None means test again.

        Returned as one value (not a bool plus ``last_check``) so callers get a non-optional check.
        """
        return self.last_check if self.last_check is not None and self._checked_key == self.key() else None

    def start_check(self) -> None:
        spawn(self.run_check(), name="key-check", owner=self)

    async def run_check(self) -> KeyCheck:
        key = self.key()
        self.test_button.setEnabled(False)
        self._show("Checking the key with Soniox…", "busy")
        try:
            result = await check_key(key, self._endpoints())
        finally:
            self.test_button.setEnabled(True)
        self.last_check = result
        self._checked_key = key
        self._show(("✓ " if result.ok else "✗ ") + result.summary, "ok" if result.ok else "error")
        self.checked.emit(result)
        return result

    def _show(self, text: str, state: str) -> None:
        self.result_label.setText(text)
        self.result_label.setProperty("state", state)
        self.result_label.style().unpolish(self.result_label)
        self.result_label.style().polish(self.result_label)

    def _on_key_edited(self) -> None:
        if self.last_check is not None and self._checked_key != self.key():
            self._show("", "")

    def _on_reveal(self, shown: bool) -> None:
        self.key_edit.setEchoMode(QLineEdit.EchoMode.Normal if shown else QLineEdit.EchoMode.Password)
        self.reveal_button.setText("Hide" if shown else "Show")
        self.reveal_button.setAccessibleName("Hide key" if shown else "Show key")
