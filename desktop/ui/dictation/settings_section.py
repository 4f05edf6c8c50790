"""Settings → Dictation: the hotkey, hold or toggle, how the words reach the app, what works here.

A self-contained page the Settings dialog adds as a tab and saves with :meth:`apply`. It reads
``hotkey_support()`` (or the running host's status, which also says what went wrong) so the user
learns *here* that the hotkey works only while the app is focused (Wayland without the portal) or
that macOS is still waiting for a permission, with a button to the pane that grants it.
"""

from __future__ import annotations

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.core.settings import Settings
from desktop.platform.hotkeys import HotkeySupport, hotkey_support
from desktop.ui.dictation.hotkey_edit import HotkeyEdit
from desktop.ui.dictation.hotkey_host import HotkeyHost, find_hotkey_host

MODES = (("hold", "Hold to talk"), ("toggle", "Toggle: press to start, press again to stop"))
INSERT_METHODS = (
    ("auto", "Automatic"),
    ("type", "Type the text"),
    ("paste", "Paste from the clipboard"),
)


class DictationSettings(QWidget):
    def __init__(
        self,
        settings: Settings,
        host: HotkeyHost | None = None,
        parent: QWidget | None = None,
        *,
        support: HotkeySupport | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("dictationSettings")
        self.host = host
        self.support = support or (host.support if host is not None else hotkey_support())
        group = QGroupBox("Dictation", self)
        group.setObjectName("dictationGroup")

        self.hotkey_edit = HotkeyEdit(settings.dictation_hotkey, group)
        self.clear_button = QPushButton("&No hotkey", group)
        self.clear_button.setObjectName("dictationHotkeyClearButton")
        self.clear_button.setAccessibleName("Remove the dictation hotkey")
        self.clear_button.clicked.connect(lambda: self.hotkey_edit.set_hotkey(""))
        self.hotkey_hint = QLabel("Click the field and press the keys. Esc cancels, Backspace removes it.", group)
        self.hotkey_hint.setObjectName("dictationHotkeyHint")
        self.hotkey_hint.setWordWrap(True)
        self.hotkey_problem = QLabel(group)
        self.hotkey_problem.setObjectName("dictationHotkeyProblem")
        self.hotkey_problem.setWordWrap(True)
        self.hotkey_problem.setVisible(False)
        self.hotkey_edit.problem_changed.connect(self._show_problem)

        self.mode_combo = QComboBox(group)
        self.mode_combo.setObjectName("dictationModeCombo")
        self.mode_combo.setAccessibleName("Dictation hotkey mode")
        for value, text in MODES:
            self.mode_combo.addItem(text, value)
        self.mode_combo.setCurrentIndex(max(0, self.mode_combo.findData(settings.dictation_mode)))

        self.insert_combo = QComboBox(group)
        self.insert_combo.setObjectName("dictationInsertCombo")
        self.insert_combo.setAccessibleName("How dictated text reaches the app")
        self.insert_combo.setToolTip(
            "Automatic types short text and pastes long text (or where typing is not possible); "
            "pasting puts your clipboard back afterwards"
        )
        for value, text in INSERT_METHODS:
            self.insert_combo.addItem(text, value)
        self.insert_combo.setCurrentIndex(max(0, self.insert_combo.findData(settings.dictation_insert)))

        self.support_label = QLabel(group)
        self.support_label.setObjectName("dictationSupportNote")
        self.support_label.setWordWrap(True)
        self.permission_button = QPushButton("Open &Privacy settings", group)
        self.permission_button.setObjectName("dictationPermissionButton")
        self.permission_button.setAccessibleName("Open the macOS privacy settings for keyboard access")
        self.permission_button.clicked.connect(self.open_permission_pane)
        self.permission_button.setVisible(self.support.settings_url is not None)

        hotkey_row = QHBoxLayout()
        hotkey_row.addWidget(self.hotkey_edit, 1)
        hotkey_row.addWidget(self.clear_button)
        form = QFormLayout()
        hotkey_label = QLabel("Hot&key:", group)
        hotkey_label.setObjectName("dictationHotkeyLabel")
        hotkey_label.setBuddy(self.hotkey_edit)
        mode_label = QLabel("&Mode:", group)
        mode_label.setObjectName("dictationModeLabel")
        mode_label.setBuddy(self.mode_combo)
        insert_label = QLabel("&Insert text by:", group)
        insert_label.setObjectName("dictationInsertLabel")
        insert_label.setBuddy(self.insert_combo)
        form.addRow(hotkey_label, hotkey_row)
        form.addRow("", self.hotkey_hint)
        form.addRow("", self.hotkey_problem)
        form.addRow(mode_label, self.mode_combo)
        form.addRow(insert_label, self.insert_combo)
        group_layout = QVBoxLayout(group)
        group_layout.addLayout(form)
        group_layout.addWidget(self.support_label)
        permission_row = QHBoxLayout()
        permission_row.addWidget(self.permission_button)
        permission_row.addStretch(1)
        group_layout.addLayout(permission_row)
        layout = QVBoxLayout(self)
        layout.addWidget(group)
        layout.addStretch(1)

        if host is not None:
            suspending = [False]

            def follow(capturing: bool) -> None:
                if capturing != suspending[0]:
                    suspending[0] = capturing
                    host.set_suspended(capturing)

            self.hotkey_edit.capturing_changed.connect(follow)
            # A dialog destroyed mid-recording must not leave the hotkey suspended.
            self.destroyed.connect(lambda *_: follow(False))
            host.status_changed.connect(self._show_support)
        self._show_support()

    def _show_support(self, *_: object) -> None:
        status = self.host.status if self.host is not None and self.host.status else self.support.message
        self.support_label.setText(status)

    def _show_problem(self, text: str) -> None:
        self.hotkey_problem.setText(text)
        self.hotkey_problem.setVisible(bool(text))

    def open_permission_pane(self) -> None:
        if self.support.settings_url:
            QDesktopServices.openUrl(QUrl(self.support.settings_url))

    def apply(self, settings: Settings) -> None:
        """Write the page into ``settings`` (the dialog saves them and the host restarts the hotkey)."""
        settings.dictation_hotkey = self.hotkey_edit.hotkey()
        settings.dictation_mode = str(self.mode_combo.currentData())
        settings.dictation_insert = str(self.insert_combo.currentData())


def add_dictation_tab(dialog: QDialog, tabs: QTabWidget, settings: Settings) -> DictationSettings:
    """The Settings dialog's Dictation tab, tied to the running hotkey of the dialog's window."""
    page = DictationSettings(settings, find_hotkey_host(dialog.parent()), dialog)
    tabs.addTab(page, "Di&ctation")
    return page
