"""First start: explain where a key comes from, let the user paste and test it, keep it safely."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget

from desktop import APP_NAME
from desktop.core.context import AppContext
from desktop.core.regions import Endpoints
from desktop.core.secrets import KeyStorageError
from desktop.ui.async_tools import spawn
from desktop.ui.widgets.api_key_form import ApiKeyForm
from desktop.ui.widgets.region_form import RegionForm

CONSOLE_URL = "https://console.soniox.com"


class OnboardingDialog(QDialog):
    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.setObjectName("onboardingDialog")
        self.setWindowTitle(f"Welcome to {APP_NAME}")
        self.setModal(True)
        self.setMinimumWidth(560)

        title = QLabel(f"Welcome to {APP_NAME}", self)
        title.setObjectName("onboardingTitle")
        intro = QLabel(
            "To transcribe, the app needs a Soniox API key. Create one in the "
            f'<a href="{CONSOLE_URL}">Soniox Console</a> (sign in, open your project, then '
            "<i>API keys → Create</i>), copy it, and paste it below.",
            self,
        )
        intro.setObjectName("onboardingIntro")
        intro.setWordWrap(True)
        intro.setOpenExternalLinks(True)
        intro.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)

        self.region_form = RegionForm(self, show_custom=context.settings.region == "custom")
        s = context.settings
        self.region_form.set_values(s.region, s.custom_api_base_url, s.custom_websocket_url)
        # A run pinned with --api-base-url / --websocket-url talks to that server whatever the
        # region says, so offering a region here would be a choice with no effect.
        self.pinned_note = QLabel(self)
        self.pinned_note.setObjectName("onboardingPinnedEndpoint")
        self.pinned_note.setWordWrap(True)
        self.pinned_note.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        if self.pinned:
            self.pinned_note.setText(
                f"This run uses the server {context.endpoints.api_base_url} given on the command line "
                "(--api-base-url); the key is tested against it."
            )
        self.region_form.setVisible(not self.pinned)
        self.pinned_note.setVisible(self.pinned)
        self.key_form = ApiKeyForm(
            self._endpoints,
            keyring_available=context.key_store.keyring_available(),
            key_file_hint=str(context.paths.key_file),
            parent=self,
        )

        self.buttons = QDialogButtonBox(self)
        self.save_button = self.buttons.addButton("&Save and continue", QDialogButtonBox.ButtonRole.AcceptRole)
        self.save_button.setObjectName("onboardingSaveButton")
        self.save_button.setAccessibleName("Save and continue")
        self.save_button.setDefault(True)
        self.later_button = self.buttons.addButton("&Later", QDialogButtonBox.ButtonRole.RejectRole)
        self.later_button.setObjectName("onboardingLaterButton")
        self.later_button.setAccessibleName("Later")
        self.later_button.setToolTip("Close; add the key any time from Settings")
        self.save_button.clicked.connect(lambda: spawn(self.save(), name="onboarding-save", owner=self))
        self.later_button.clicked.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(intro)
        layout.addSpacing(6)
        layout.addWidget(self.region_form)
        layout.addWidget(self.pinned_note)
        layout.addWidget(self.key_form)
        layout.addStretch(1)
        layout.addWidget(self.buttons)
        self.key_form.key_edit.setFocus()

    @property
    def pinned(self) -> bool:
        """The endpoints were given on the command line for this run."""
        return bool(self.context.overrides.api_base_url or self.context.overrides.websocket_url)

    def _endpoints(self) -> Endpoints:
        if self.pinned:
            return self.context.endpoints  # a --api-base-url run tests against that server
        return self.region_form.endpoints()

    async def save(self) -> bool:
        """Test the key if not yet tested, refuse a key Soniox rejected, store it, close."""
        form = self.key_form
        if not form.key():
            form.result_label.setText("Paste your API key first.")
            form.key_edit.setFocus()
            return False
        self.save_button.setEnabled(False)
        try:
            check = form.current_check()
            if check is None:
                check = await form.run_check()
            if not check.ok and check.error is not None and check.error.error_type == "unauthenticated":
                form.key_edit.setFocus()
                form.key_edit.selectAll()
                return False
            settings = self.context.settings
            if not self.pinned:  # the hidden form holds the saved region: nothing to change
                settings.region = self.region_form.region()
                settings.custom_api_base_url, settings.custom_websocket_url = self.region_form.custom_urls()
            try:
                self.context.set_key(form.key(), form.chosen_storage())
            except KeyStorageError as exc:
                form.result_label.setText(f"✗ {exc}")
                form.keyring_available = False
                form.storage_box.setVisible(True)
                return False
            self.context.settings_changed()
            if check.ok:
                self.context.set_models(check.models)
            self.accept()
            return True
        finally:
            self.save_button.setEnabled(True)
