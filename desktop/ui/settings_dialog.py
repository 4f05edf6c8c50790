"""Settings: the API key, the region (or custom URLs), and defaults filled from ``/v1/models``."""

from __future__ import annotations

import logging

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)
from soniox.types import Model

from desktop.core.context import AppContext
from desktop.core.errors import describe_error
from desktop.core.regions import Endpoints
from desktop.core.secrets import KeySource, KeyStorageError, mask_key
from desktop.ui.async_tools import spawn
from desktop.ui.widgets.api_key_form import ApiKeyForm
from desktop.ui.widgets.language_picker import LanguagePicker
from desktop.ui.widgets.models import model_label
from desktop.ui.widgets.region_form import RegionForm

log = logging.getLogger(__name__)


class SettingsDialog(QDialog):
    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.setObjectName("settingsDialog")
        self.setWindowTitle("Settings")
        self.setMinimumSize(560, 480)
        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("settingsTabs")
        self.tabs.setAccessibleName("Settings sections")
        self.tabs.addTab(self._build_account_tab(), "&Account")
        self.tabs.addTab(self._build_region_tab(), "&Region")
        self.tabs.addTab(self._build_defaults_tab(), "&Defaults")
        from desktop.ui.dictation.settings_section import add_dictation_tab

        self.dictation = add_dictation_tab(self, self.tabs, context.settings)

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.setObjectName("settingsButtons")
        save = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        save.setObjectName("settingsSaveButton")
        save.setAccessibleName("Save settings")
        cancel = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        cancel.setObjectName("settingsCancelButton")
        cancel.setAccessibleName("Cancel")
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        self.error_label = QLabel(self)
        self.error_label.setObjectName("settingsError")
        self.error_label.setWordWrap(True)

        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.error_label)
        layout.addWidget(self.buttons)
        self._fill_models(self.context.models)
        if not self.context.models and self.context.api_key:
            spawn(self.reload_models(), name="settings-models", owner=self)

    # -- Account -----------------------------------------------------------------------------
    def _build_account_tab(self) -> QWidget:
        page = QWidget(self)
        self.key_status = QLabel(page)
        self.key_status.setObjectName("keyStatus")
        self.key_status.setWordWrap(True)
        self.key_form = ApiKeyForm(
            self._endpoints,
            keyring_available=self.context.key_store.keyring_available(),
            key_file_hint=str(self.context.paths.key_file),
            parent=page,
        )
        self.key_form.key_edit.setPlaceholderText("Paste a new key to replace the current one")
        self.remove_key_button = QPushButton("Re&move stored key", page)
        self.remove_key_button.setObjectName("removeKeyButton")
        self.remove_key_button.setAccessibleName("Remove stored key")
        self.remove_key_button.clicked.connect(self._remove_key)
        layout = QVBoxLayout(page)
        layout.addWidget(self.key_status)
        layout.addWidget(self.key_form)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.remove_key_button)
        layout.addLayout(row)
        layout.addStretch(1)
        self._update_key_status()
        return page

    def _update_key_status(self) -> None:
        ctx = self.context
        if ctx.api_key:
            self.key_status.setText(f"Current key: {mask_key(ctx.api_key)} — {ctx.key_source.description}.")
        else:
            self.key_status.setText("No API key yet. Paste one below and press Test.")
        self.remove_key_button.setEnabled(ctx.key_source not in (KeySource.NONE, KeySource.ENVIRONMENT))

    def _remove_key(self) -> None:
        self.context.key_store.forget()
        self.context.reload_key()
        self._update_key_status()

    # -- Region ------------------------------------------------------------------------------
    def _build_region_tab(self) -> QWidget:
        page = QWidget(self)
        self.region_form = RegionForm(page)
        s = self.context.settings
        self.region_form.set_values(s.region, s.custom_api_base_url, s.custom_websocket_url)
        note = QLabel(
            "Use the region of the Soniox project your key belongs to. "
            "Custom URLs point the app at a proxy or a private deployment.",
            page,
        )
        note.setObjectName("regionNote")
        note.setWordWrap(True)
        layout = QVBoxLayout(page)
        layout.addWidget(note)
        layout.addWidget(self.region_form)
        if self.context.overrides.api_base_url or self.context.overrides.websocket_url:
            override = QLabel(
                "This run uses endpoints given on the command line; they win over this setting until restart.",
                page,
            )
            override.setObjectName("overrideNote")
            override.setWordWrap(True)
            layout.addWidget(override)
        layout.addStretch(1)
        return page

    def _endpoints(self) -> Endpoints:
        if self.context.overrides.api_base_url or self.context.overrides.websocket_url:
            return self.context.endpoints
        return self.region_form.endpoints()

    # -- Defaults ----------------------------------------------------------------------------
    def _build_defaults_tab(self) -> QWidget:
        page = QWidget(self)
        self.realtime_combo = QComboBox(page)
        self.realtime_combo.setObjectName("defaultRealtimeModelCombo")
        self.realtime_combo.setAccessibleName("Default live model")
        self.async_combo = QComboBox(page)
        self.async_combo.setObjectName("defaultAsyncModelCombo")
        self.async_combo.setAccessibleName("Default file model")
        self.languages = LanguagePicker(page, name="Default language hints")
        self.reload_button = QPushButton("Re&load models", page)
        self.reload_button.setObjectName("reloadModelsButton")
        self.reload_button.setAccessibleName("Reload models")
        self.reload_button.clicked.connect(lambda: spawn(self.reload_models(), name="settings-models", owner=self))
        self.keep_recordings_check = QCheckBox("&Keep the audio of live sessions in the library", page)
        self.keep_recordings_check.setObjectName("keepRecordingsCheck")
        self.keep_recordings_check.setAccessibleName("Keep the audio of live sessions")
        self.keep_recordings_check.setToolTip(
            "Record live microphone audio (Ogg Opus, about 13 MB an hour) next to the transcript, "
            "for playback synced to the words"
        )
        self.keep_recordings_check.setChecked(self.context.settings.keep_recordings)
        self.models_state = QLabel(page)
        self.models_state.setObjectName("modelsState")
        self.models_state.setWordWrap(True)
        self.realtime_combo.currentIndexChanged.connect(self._refresh_languages)

        form = QFormLayout()
        live_label = QLabel("&Live model:", page)
        live_label.setBuddy(self.realtime_combo)
        file_label = QLabel("&File model:", page)
        file_label.setBuddy(self.async_combo)
        hints_label = QLabel("Language &hints:", page)
        hints_label.setBuddy(self.languages)
        form.addRow(live_label, self.realtime_combo)
        form.addRow(file_label, self.async_combo)
        form.addRow(hints_label, self.languages)
        form.addRow("", self.keep_recordings_check)
        layout = QVBoxLayout(page)
        layout.addLayout(form, 1)
        row = QHBoxLayout()
        row.addWidget(self.models_state, 1)
        row.addWidget(self.reload_button)
        layout.addLayout(row)
        return page

    async def reload_models(self) -> None:
        self.reload_button.setEnabled(False)
        self.models_state.setText("Loading models from Soniox…")
        try:
            models = await self.context.load_models(force=True)
        except Exception as exc:
            err = describe_error(exc)
            self.models_state.setText(f"Could not load models: {err.message} {err.action}")
            return
        finally:
            self.reload_button.setEnabled(True)
        self._fill_models(models)

    def _fill_models(self, models: tuple[Model, ...]) -> None:
        s = self.context.settings
        for combo, mode, current in (
            (self.realtime_combo, "real_time", s.realtime_model),
            (self.async_combo, "async", s.async_model),
        ):
            combo.blockSignals(True)
            combo.clear()
            for model in models:
                if model.transcription_mode == mode:
                    combo.addItem(model_label(model), model.id)
            index = combo.findData(current)
            combo.setCurrentIndex(index if index >= 0 else 0)
            combo.blockSignals(False)
        if models:
            self.models_state.setText(f"{len(models)} models available.")
        elif not self.context.api_key:
            self.models_state.setText("Add an API key to load the models.")
        self._refresh_languages()

    def _refresh_languages(self) -> None:
        model_id = self.realtime_combo.currentData()
        model = next((m for m in self.context.models if m.id == model_id), None)
        languages = [(lang.code, lang.name) for lang in model.languages] if model else []
        self.languages.set_languages(languages, self.context.settings.language_hints)

    # -- Save --------------------------------------------------------------------------------
    def save(self) -> None:
        problem = self.region_form.validation_error()
        if problem:
            self.tabs.setCurrentIndex(1)
            self.error_label.setText(problem)
            return
        s = self.context.settings
        # The region goes in before the key, so a new key is first used against its own region.
        previous_region = (s.region, s.custom_api_base_url, s.custom_websocket_url)
        s.region = self.region_form.region()
        s.custom_api_base_url, s.custom_websocket_url = self.region_form.custom_urls()
        if self.key_form.key():
            try:
                self.context.set_key(self.key_form.key(), self.key_form.chosen_storage())
            except KeyStorageError as exc:
                s.region, s.custom_api_base_url, s.custom_websocket_url = previous_region
                self.tabs.setCurrentIndex(0)
                self.error_label.setText(str(exc))
                self.key_form.keyring_available = False
                self.key_form.storage_box.setVisible(True)
                return
        self.dictation.apply(s)
        if self.realtime_combo.count():
            s.realtime_model = str(self.realtime_combo.currentData())
        if self.async_combo.count():
            s.async_model = str(self.async_combo.currentData())
        if self.languages.codes():
            s.language_hints = self.languages.selected()
        s.keep_recordings = self.keep_recordings_check.isChecked()
        self.context.settings_changed()
        self.accept()
