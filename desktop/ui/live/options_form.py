"""The live session's options, offering only what the chosen model supports.

Capabilities come from the model's flags in ``GET /v1/models`` (``model_capabilities``): an option
the model lacks is disabled with a tooltip saying why, rather than sent and rejected at Start.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

from PySide6.QtCore import Signal
from PySide6.QtGui import QStandardItemModel
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QMenu,
    QPushButton,
    QSpinBox,
    QToolButton,
    QWidget,
    QWidgetAction,
)

from desktop.core.live.config_builder import (
    ENDPOINT_DELAY_MAX_MS,
    ENDPOINT_DELAY_MIN_MS,
    Capabilities,
    ContextOptions,
    LiveOptions,
    TranslationMode,
    TranslationOptions,
    model_capabilities,
)
from desktop.ui.live.context_dialog import ContextDialog
from desktop.ui.widgets.language_picker import LanguagePicker
from desktop.ui.widgets.models import model_label

if TYPE_CHECKING:
    from soniox.types import Model

W = TypeVar("W", bound=QWidget)

UNSUPPORTED = "The selected model does not support this option."


def _named(widget: W, name: str, accessible: str) -> W:
    widget.setObjectName(name)
    widget.setAccessibleName(accessible)
    return widget


class LiveOptionsForm(QWidget):
    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("liveOptionsForm")
        self._models: list[Model] = []
        self._context = ContextOptions()
        self._client_reference_id = ""
        self.capabilities = Capabilities()

        self.model_combo = _named(QComboBox(self), "liveModelCombo", "Live model")
        self.model_combo.setMinimumContentsLength(16)
        self.model_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.model_combo.currentIndexChanged.connect(self._on_model_changed)

        self.languages = LanguagePicker(self, name="Language hints")
        self.languages.setMinimumSize(280, 260)
        self.languages_button = _named(QToolButton(self), "liveLanguagesButton", "Language hints")
        self.languages_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self.languages_button)
        menu.setObjectName("liveLanguagesMenu")
        action = QWidgetAction(menu)
        action.setDefaultWidget(self.languages)
        menu.addAction(action)
        menu.aboutToShow.connect(self.languages.filter_edit.setFocus)
        self.languages_button.setMenu(menu)
        self.languages.selection_changed.connect(self._on_languages_changed)

        self.strict_check = _named(QCheckBox("Str&ict", self), "liveStrictHintsCheck", "Strict language hints")
        self.strict_check.setToolTip("Strongly prefer the hinted languages (best with a single language)")
        self.diarization_check = _named(QCheckBox("S&peakers", self), "liveDiarizationCheck", "Speaker diarization")
        self.diarization_check.setToolTip("Tell speakers apart and colour each speaker's turns")
        self.language_id_check = _named(
            QCheckBox("&Detect language", self), "liveLanguageIdCheck", "Language identification"
        )
        self.language_id_check.setToolTip("Tag each part of the transcript with its language")
        self.endpoint_check = _named(QCheckBox("&Endpoints", self), "liveEndpointCheck", "Endpoint detection")
        self.endpoint_check.setToolTip("Mark where an utterance ends and finalize its words at once")
        self.delay_spin = _named(QSpinBox(self), "liveEndpointDelaySpin", "Maximum endpoint delay in milliseconds")
        self.delay_spin.setRange(ENDPOINT_DELAY_MIN_MS, ENDPOINT_DELAY_MAX_MS)
        self.delay_spin.setSingleStep(100)
        self.delay_spin.setSuffix(" ms")
        self.delay_spin.setValue(2000)
        self.delay_spin.setToolTip("Longest wait after speech stops before the endpoint is sent")
        self.sensitivity_spin = _named(QDoubleSpinBox(self), "liveEndpointSensitivitySpin", "Endpoint sensitivity")
        self.sensitivity_spin.setRange(-1.0, 1.0)
        self.sensitivity_spin.setSingleStep(0.1)
        self.sensitivity_spin.setDecimals(1)
        self.sensitivity_spin.setToolTip("Higher values end utterances sooner")
        # A bare number box next to the delay means nothing to a reader: say what it is.
        self.sensitivity_label = QLabel("Sensitivit&y:", self)
        self.sensitivity_label.setObjectName("liveEndpointSensitivityLabel")
        self.sensitivity_label.setBuddy(self.sensitivity_spin)

        self.translation_combo = _named(QComboBox(self), "liveTranslationCombo", "Translation")
        self.translation_combo.addItem("No translation", TranslationMode.OFF.value)
        self.translation_combo.addItem("Translate to…", TranslationMode.ONE_WAY.value)
        self.translation_combo.addItem("Two-way between…", TranslationMode.TWO_WAY.value)
        self.target_combo = _named(QComboBox(self), "liveTranslationTargetCombo", "Translation target language")
        self.pair_b_combo = _named(QComboBox(self), "liveTranslationSecondCombo", "Second language of the pair")
        self.translation_combo.currentIndexChanged.connect(self._sync_translation)

        self.context_button = _named(QPushButton("C&ontext…", self), "liveContextButton", "Edit context")
        self.context_button.setToolTip("Names, terms and background that help recognition")
        self.context_button.clicked.connect(self.edit_context)

        self.dropped_label = QLabel(self)
        self.dropped_label.setObjectName("liveDroppedOptions")
        self.dropped_label.setWordWrap(True)

        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        model_label_widget = QLabel("&Model:", self)
        model_label_widget.setBuddy(self.model_combo)
        lang_label = QLabel("Lan&guages:", self)
        lang_label.setBuddy(self.languages_button)
        grid.addWidget(model_label_widget, 0, 0)
        grid.addWidget(self.model_combo, 0, 1)
        grid.addWidget(lang_label, 0, 2)
        lang_row = QHBoxLayout()
        lang_row.addWidget(self.languages_button, 1)
        lang_row.addWidget(self.strict_check)
        grid.addLayout(lang_row, 0, 3)
        checks = QHBoxLayout()
        for widget in (
            self.diarization_check,
            self.language_id_check,
            self.endpoint_check,
            self.delay_spin,
            self.sensitivity_label,
            self.sensitivity_spin,
        ):
            checks.addWidget(widget)
        checks.addStretch(1)
        grid.addLayout(checks, 1, 0, 1, 4)
        trans_label = QLabel("T&ranslation:", self)
        trans_label.setBuddy(self.translation_combo)
        trans_row = QHBoxLayout()
        trans_row.addWidget(self.translation_combo)
        trans_row.addWidget(self.target_combo)
        trans_row.addWidget(self.pair_b_combo)
        trans_row.addStretch(1)
        trans_row.addWidget(self.context_button)
        grid.addWidget(trans_label, 2, 0)
        grid.addLayout(trans_row, 2, 1, 1, 3)
        grid.addWidget(self.dropped_label, 3, 0, 1, 4)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(3, 1)

        for box in (self.strict_check, self.diarization_check, self.language_id_check, self.endpoint_check):
            box.toggled.connect(self._sync)
        for combo in (self.target_combo, self.pair_b_combo):
            combo.currentIndexChanged.connect(self._sync)
        self.delay_spin.valueChanged.connect(self.changed)
        self.sensitivity_spin.valueChanged.connect(self.changed)
        self._update_languages_button()
        self._sync_translation()

    # -- models --------------------------------------------------------------------------------
    def set_models(self, models: list[Model], selected: str = "") -> None:
        self._models = [m for m in models if m.transcription_mode == "real_time"]
        current = selected or self.model_combo.currentData() or ""
        self.model_combo.blockSignals(True)
        self.model_combo.clear()
        for model in self._models:
            self.model_combo.addItem(model_label(model), model.id)
        index = self.model_combo.findData(current)
        if index < 0:
            # Prefer the newest model that is not an alias; the list order is the service's.
            index = next((i for i, m in enumerate(self._models) if not m.aliased_model_id), 0)
        self.model_combo.setCurrentIndex(index)
        self.model_combo.blockSignals(False)
        self._on_model_changed()

    def current_model(self) -> Model | None:
        model_id = self.model_combo.currentData()
        return next((m for m in self._models if m.id == model_id), None)

    def _on_model_changed(self) -> None:
        self.capabilities = model_capabilities(self.current_model())
        caps = self.capabilities
        self.languages.set_languages(caps.languages, self.languages.selected())
        for combo in (self.target_combo, self.pair_b_combo):
            current = combo.currentData()
            combo.blockSignals(True)
            combo.clear()
            for code, name in sorted(caps.languages, key=lambda pair: pair[1].lower()):
                combo.addItem(f"{name} ({code})", code)
            index = combo.findData(current)
            combo.setCurrentIndex(max(index, 0))
            combo.blockSignals(False)
        self._sync()

    # -- options -------------------------------------------------------------------------------
    def options(self) -> LiveOptions:
        mode = TranslationMode(self.translation_combo.currentData())
        translation = TranslationOptions(mode=mode)
        if mode is TranslationMode.ONE_WAY:
            translation.target_language = self.target_combo.currentData() or ""
        elif mode is TranslationMode.TWO_WAY:
            translation.language_a = self.target_combo.currentData() or ""
            translation.language_b = self.pair_b_combo.currentData() or ""
        return LiveOptions(
            model=self.model_combo.currentData() or "",
            language_hints=self.languages.selected(),
            language_hints_strict=self.strict_check.isChecked(),
            enable_speaker_diarization=self.diarization_check.isChecked(),
            enable_language_identification=self.language_id_check.isChecked(),
            enable_endpoint_detection=self.endpoint_check.isChecked(),
            max_endpoint_delay_ms=self.delay_spin.value() if self.endpoint_check.isChecked() else None,
            endpoint_sensitivity=(
                round(self.sensitivity_spin.value(), 1)
                if self.endpoint_check.isChecked() and self.sensitivity_spin.value() != 0
                else None
            ),
            context=self._context,
            translation=translation,
            client_reference_id=self._client_reference_id,
        )

    def set_options(self, options: LiveOptions) -> None:
        if options.model:
            index = self.model_combo.findData(options.model)
            if index >= 0:
                self.model_combo.setCurrentIndex(index)
        self.languages.set_selected(options.language_hints)
        self.strict_check.setChecked(options.language_hints_strict)
        self.diarization_check.setChecked(options.enable_speaker_diarization)
        self.language_id_check.setChecked(options.enable_language_identification)
        self.endpoint_check.setChecked(options.enable_endpoint_detection)
        if options.max_endpoint_delay_ms:
            self.delay_spin.setValue(options.max_endpoint_delay_ms)
        self.sensitivity_spin.setValue(options.endpoint_sensitivity or 0.0)
        self._context = options.context
        self._client_reference_id = options.client_reference_id
        t = options.translation
        self.translation_combo.setCurrentIndex(max(self.translation_combo.findData(t.mode.value), 0))
        first = t.target_language if t.mode is TranslationMode.ONE_WAY else t.language_a
        for combo, code in ((self.target_combo, first), (self.pair_b_combo, t.language_b)):
            index = combo.findData(code)
            if index >= 0:
                combo.setCurrentIndex(index)
        self._sync()

    def edit_context(self) -> ContextDialog:
        dialog = ContextDialog(self._context, self)

        def done(result: int) -> None:
            if result:
                self._context = dialog.context()
                self._sync()
            dialog.deleteLater()

        dialog.finished.connect(done)
        dialog.open()
        return dialog

    # -- enabling ------------------------------------------------------------------------------
    def _on_languages_changed(self, _codes: list[str]) -> None:
        self._update_languages_button()
        self._sync()

    def _update_languages_button(self) -> None:
        codes = self.languages.selected()
        text = ", ".join(codes[:4]) + ("…" if len(codes) > 4 else "") if codes else "Automatic"
        self.languages_button.setText(text)
        self.languages_button.setToolTip("Language hints: " + (", ".join(codes) if codes else "none (automatic)"))

    def _sync_translation(self) -> None:
        mode = self.translation_combo.currentData()
        self.target_combo.setVisible(mode != TranslationMode.OFF.value)
        self.pair_b_combo.setVisible(mode == TranslationMode.TWO_WAY.value)
        self.target_combo.setAccessibleName(
            "First language of the pair" if mode == TranslationMode.TWO_WAY.value else "Translation target language"
        )
        self._sync()

    def _sync(self) -> None:
        caps = self.capabilities
        known = caps.known
        self._enable(self.strict_check, not known or caps.language_hints_strict)
        self._enable(self.delay_spin, self.endpoint_check.isChecked() and (not known or caps.max_endpoint_delay))
        self._enable(self.sensitivity_spin, self.endpoint_check.isChecked() and known and caps.endpoint_sensitivity)
        self.sensitivity_spin.setVisible(caps.endpoint_sensitivity)
        self.sensitivity_label.setVisible(caps.endpoint_sensitivity)
        self.sensitivity_label.setEnabled(self.sensitivity_spin.isEnabled())
        self._enable(self.context_button, not known or caps.context)
        model = self.translation_combo.model()
        assert isinstance(model, QStandardItemModel)  # a QComboBox's own model
        for mode, allowed in (
            (TranslationMode.ONE_WAY, caps.one_way_translation),
            (TranslationMode.TWO_WAY, caps.two_way_translation),
        ):
            item = model.item(self.translation_combo.findData(mode.value))
            item.setEnabled(not known or allowed)
        parts = sum(bool(x) for x in (self._context.general, self._context.terms, self._context.text))
        self.context_button.setText(f"C&ontext ({parts})…" if parts else "C&ontext…")
        self.dropped_label.setText("")
        self.changed.emit()

    @staticmethod
    def _enable(widget: QWidget, on: bool) -> None:
        widget.setEnabled(on)
        base = widget.toolTip().replace(f"\n{UNSUPPORTED}", "")
        widget.setToolTip(base if on else f"{base}\n{UNSUPPORTED}")
