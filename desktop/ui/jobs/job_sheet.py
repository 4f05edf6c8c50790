"""The job sheet: the async options for the files or URL about to be transcribed.

Options are grouped in tabs (basics, context, translation, delivery) so the sheet stays small.
What the chosen model cannot do is disabled rather than hidden, with a tooltip saying why, and
the Transcribe button stays disabled while a problem remains (listed under the tabs). The panel
saves the accepted options as the next defaults.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QSortFilterProxyModel
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)
from soniox.types import Model

from desktop.core.jobs.file_checks import check_url
from desktop.core.jobs.job_options import (
    TRANSLATION_NONE,
    TRANSLATION_ONE_WAY,
    TRANSLATION_TWO_WAY,
    JobOptions,
    find_model,
    model_language_codes,
    one_way_targets,
    supports_translation,
)
from desktop.ui.widgets.context_editor import ContextEditor
from desktop.ui.widgets.language_picker import LanguagePicker
from desktop.ui.widgets.models import model_label

MODE_FILES = "files"
MODE_URL = "url"
MODE_FILE_ID = "file_id"


def sources_summary(labels: Sequence[str], limit: int = 3) -> str:
    shown = ", ".join(labels[:limit])
    more = f" and {len(labels) - limit} more" if len(labels) > limit else ""
    noun = "file" if len(labels) == 1 else "files"
    return f"Transcribe {len(labels)} {noun}: {shown}{more}"


class JobSheet(QDialog):
    def __init__(
        self,
        models: Sequence[Model],
        options: JobOptions,
        parent: QWidget | None = None,
        *,
        mode: str = MODE_FILES,
        sources: Sequence[str] = (),
        url: str = "",
    ) -> None:
        super().__init__(parent)
        self.setObjectName("jobSheet")
        self.setWindowTitle("Transcribe URL" if mode == MODE_URL else "Transcribe files")
        self.setMinimumWidth(520)
        self.mode = mode
        self.models = list(models)
        self._names: dict[str, str] = {}
        for model in self.models:
            for lang in model.languages:
                self._names.setdefault(lang.code, lang.name)

        layout = QVBoxLayout(self)
        self.url_edit: QLineEdit | None = None
        if mode == MODE_URL:
            url_row = QFormLayout()
            self.url_edit = QLineEdit(url, self)
            self.url_edit.setObjectName("jobUrl")
            self.url_edit.setAccessibleName("Audio or video URL")
            self.url_edit.setPlaceholderText("https://example.com/recording.mp3")
            self.url_edit.textChanged.connect(self._validate)
            url_label = QLabel("&URL:", self)
            url_label.setBuddy(self.url_edit)
            url_row.addRow(url_label, self.url_edit)
            layout.addLayout(url_row)
        else:
            self.summary = QLabel(sources_summary(list(sources)), self)
            self.summary.setObjectName("jobSources")
            self.summary.setWordWrap(True)
            self.summary.setToolTip("\n".join(sources))
            layout.addWidget(self.summary)

        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("jobSheetTabs")
        self.tabs.setAccessibleName("Job options")
        self.tabs.addTab(self._basics_tab(), "&Basics")
        self.tabs.addTab(self._context_tab(), "&Context")
        self.tabs.addTab(self._translation_tab(), "T&ranslation")
        self.tabs.addTab(self._delivery_tab(), "&Delivery")
        layout.addWidget(self.tabs, 1)

        self.problems_label = QLabel(self)
        self.problems_label.setObjectName("jobSheetProblems")
        self.problems_label.setWordWrap(True)
        layout.addWidget(self.problems_label)

        self.buttons = QDialogButtonBox(self)
        self.buttons.setObjectName("jobSheetButtons")
        self.start_button = self.buttons.addButton("&Transcribe", QDialogButtonBox.ButtonRole.AcceptRole)
        self.start_button.setObjectName("jobSheetStart")
        self.start_button.setAccessibleName("Start transcription")
        self.start_button.setDefault(True)
        cancel = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        cancel.setObjectName("jobSheetCancel")
        cancel.setAccessibleName("Cancel")
        self.buttons.accepted.connect(self._accept_if_valid)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)

        self.set_options(options)
        if self.url_edit is not None:
            self.url_edit.setFocus()

    # -- tabs ----------------------------------------------------------------------------------
    def _basics_tab(self) -> QWidget:
        page = QWidget(self)
        page.setObjectName("jobSheetBasics")
        form = QFormLayout(page)
        self.model_combo = QComboBox(page)
        self.model_combo.setObjectName("jobModel")
        self.model_combo.setAccessibleName("Model")
        for model in self.models:
            self.model_combo.addItem(model_label(model), model.id)
        self.model_combo.currentIndexChanged.connect(self._model_changed)
        form.addRow(self._label("&Model:", self.model_combo, page), self.model_combo)
        self.hints = LanguagePicker(page)
        self.hints.setObjectName("jobLanguageHints")
        self.hints.selection_changed.connect(lambda _codes: self._validate())
        form.addRow(self._label("&Language hints:", self.hints, page), self.hints)
        self.strict_check = self._check("Rely &strictly on the language hints", "jobHintsStrict", page)
        form.addRow("", self.strict_check)
        self.diarization_check = self._check("Identify &speakers (diarization)", "jobDiarization", page)
        form.addRow("", self.diarization_check)
        self.language_id_check = self._check("Detect the language of each &part", "jobLanguageId", page)
        form.addRow("", self.language_id_check)
        return page

    def _context_tab(self) -> QWidget:
        page = QWidget(self)
        page.setObjectName("jobSheetContext")
        layout = QVBoxLayout(page)
        intro = QLabel("Context helps with names, jargon and formatting. Leave empty when not needed.", page)
        intro.setObjectName("jobContextIntro")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.context_editor = ContextEditor(page, name_prefix="jobContext")
        # Kept as attributes: the sheet reads them in options() and tests fill them.
        self.general_table = self.context_editor.general_table
        self.terms_edit = self.context_editor.terms_edit
        self.text_edit = self.context_editor.text_edit
        layout.addWidget(self.context_editor)
        return page

    def _translation_tab(self) -> QWidget:
        page = QWidget(self)
        page.setObjectName("jobSheetTranslation")
        form = QFormLayout(page)
        self.translation_combo = QComboBox(page)
        self.translation_combo.setObjectName("jobTranslation")
        self.translation_combo.setAccessibleName("Translation")
        self.translation_combo.addItem("No translation", TRANSLATION_NONE)
        self.translation_combo.addItem("Translate into one language", TRANSLATION_ONE_WAY)
        self.translation_combo.addItem("Translate between two languages", TRANSLATION_TWO_WAY)
        self.translation_combo.currentIndexChanged.connect(self._translation_changed)
        form.addRow(self._label("&Translation:", self.translation_combo, page), self.translation_combo)
        self.target_combo = self._language_combo("jobTranslationTarget", "Translate into", page)
        form.addRow(self._label("&Into:", self.target_combo, page), self.target_combo)
        self.language_a_combo = self._language_combo("jobTranslationA", "First language", page)
        form.addRow(self._label("&First language:", self.language_a_combo, page), self.language_a_combo)
        self.language_b_combo = self._language_combo("jobTranslationB", "Second language", page)
        form.addRow(self._label("&Second language:", self.language_b_combo, page), self.language_b_combo)
        return page

    def _delivery_tab(self) -> QWidget:
        page = QWidget(self)
        page.setObjectName("jobSheetDelivery")
        form = QFormLayout(page)
        self.webhook_edit = self._line("jobWebhookUrl", "Webhook URL", "https://example.com/soniox-done", page)
        form.addRow(self._label("&Webhook URL:", self.webhook_edit, page), self.webhook_edit)
        self.header_name_edit = self._line("jobWebhookHeaderName", "Webhook auth header name", "Authorization", page)
        form.addRow(self._label("Auth header &name:", self.header_name_edit, page), self.header_name_edit)
        self.header_value_edit = self._line("jobWebhookHeaderValue", "Webhook auth header value", "", page)
        self.header_value_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.header_value_edit.setToolTip("Kept in the system keyring, never in the settings file.")
        form.addRow(self._label("Auth header &value:", self.header_value_edit, page), self.header_value_edit)
        self.reference_edit = self._line("jobClientReference", "Client reference id", "Your own id for this job", page)
        self.reference_edit.setMaxLength(256)
        form.addRow(self._label("Client &reference id:", self.reference_edit, page), self.reference_edit)
        return page

    # -- small builders ------------------------------------------------------------------------
    def _label(self, text: str, buddy: QWidget, parent: QWidget) -> QLabel:
        label = QLabel(text, parent)
        label.setObjectName(f"{buddy.objectName()}Label")
        label.setBuddy(buddy)
        return label

    def _check(self, text: str, name: str, parent: QWidget) -> QCheckBox:
        check = QCheckBox(text, parent)
        check.setObjectName(name)
        check.setAccessibleName(text.replace("&", ""))
        return check

    def _line(self, name: str, accessible: str, placeholder: str, parent: QWidget) -> QLineEdit:
        edit = QLineEdit(parent)
        edit.setObjectName(name)
        edit.setAccessibleName(accessible)
        edit.setPlaceholderText(placeholder)
        edit.textChanged.connect(self._validate)
        return edit

    def _language_combo(self, name: str, accessible: str, parent: QWidget) -> QComboBox:
        combo = QComboBox(parent)
        combo.setObjectName(name)
        combo.setAccessibleName(accessible)
        combo.currentIndexChanged.connect(self._validate)
        return combo

    def _add_general_row(self, key: str, value: str) -> None:
        self.context_editor.add_row(key, value)

    # -- model-dependent state -----------------------------------------------------------------
    def current_model(self) -> Model | None:
        return find_model(self.models, self.model_combo.currentData() or "")

    def _fill_language_combo(self, combo: QComboBox, codes: Sequence[str]) -> None:
        keep = combo.currentData()
        combo.blockSignals(True)
        combo.clear()
        combo.addItem("Choose…", "")
        for code in sorted(codes, key=lambda c: (self._names.get(c) or c).lower()):
            combo.addItem(f"{self._names.get(code, code)} ({code})", code)
        index = combo.findData(keep)
        combo.setCurrentIndex(max(0, index))
        combo.blockSignals(False)

    def _model_changed(self) -> None:
        model = self.current_model()
        codes = model_language_codes(model)
        self.hints.set_languages([(c, self._names.get(c, c)) for c in codes], self.hints.selected())
        # LanguagePicker fills its source model with signals blocked, so its filter proxy never
        # hears of the rows; re-filtering makes them appear (reported to the picker's owner).
        proxy = self.hints.list_view.model()
        if isinstance(proxy, QSortFilterProxyModel):
            proxy.invalidate()
        strict_ok = model is None or model.supports_language_hints_strict
        self.strict_check.setEnabled(strict_ok)
        self.strict_check.setToolTip("" if strict_ok else "This model does not support strict language hints.")
        context_ok = model is None or model.context_version is not None
        self.tabs.setTabEnabled(1, context_ok)
        self.tabs.setTabToolTip(1, "" if context_ok else "This model does not accept context.")
        translation_ok = supports_translation(model)
        self.tabs.setTabEnabled(2, translation_ok)
        self.tabs.setTabToolTip(2, "" if translation_ok else "This model does not translate.")
        self._fill_language_combo(self.target_combo, one_way_targets(model) if model else [])
        self._fill_language_combo(self.language_a_combo, codes)
        self._fill_language_combo(self.language_b_combo, codes)
        self._translation_changed()

    def _translation_changed(self) -> None:
        kind = self.translation_combo.currentData()
        self.target_combo.setEnabled(kind == TRANSLATION_ONE_WAY)
        self.language_a_combo.setEnabled(kind == TRANSLATION_TWO_WAY)
        self.language_b_combo.setEnabled(kind == TRANSLATION_TWO_WAY)
        self._validate()

    # -- options in and out --------------------------------------------------------------------
    def set_options(self, options: JobOptions) -> None:
        index = self.model_combo.findData(options.model)
        self.model_combo.setCurrentIndex(index if index >= 0 else 0)
        self._model_changed()
        self.hints.set_selected(options.language_hints)
        self.strict_check.setChecked(options.language_hints_strict)
        self.diarization_check.setChecked(options.enable_speaker_diarization)
        self.language_id_check.setChecked(options.enable_language_identification)
        self.context_editor.set_values(options.context_general, options.context_terms, options.context_text)
        self.translation_combo.setCurrentIndex(max(0, self.translation_combo.findData(options.translation)))
        for combo, code in (
            (self.target_combo, options.translation_target),
            (self.language_a_combo, options.translation_language_a),
            (self.language_b_combo, options.translation_language_b),
        ):
            combo.setCurrentIndex(max(0, combo.findData(code)))
        self.webhook_edit.setText(options.webhook_url)
        self.header_name_edit.setText(options.webhook_auth_header_name)
        self.header_value_edit.setText(options.webhook_auth_header_value)
        self.reference_edit.setText(options.client_reference_id)
        self._translation_changed()

    def options(self) -> JobOptions:
        return JobOptions(
            model=self.model_combo.currentData() or "",
            language_hints=self.hints.selected(),
            language_hints_strict=self.strict_check.isChecked() and self.strict_check.isEnabled(),
            enable_speaker_diarization=self.diarization_check.isChecked(),
            enable_language_identification=self.language_id_check.isChecked(),
            context_general=self.context_editor.general(),
            context_terms=self.context_editor.terms(),
            context_text=self.context_editor.text(),
            translation=self.translation_combo.currentData() or TRANSLATION_NONE,
            translation_target=self.target_combo.currentData() or "",
            translation_language_a=self.language_a_combo.currentData() or "",
            translation_language_b=self.language_b_combo.currentData() or "",
            webhook_url=self.webhook_edit.text().strip(),
            webhook_auth_header_name=self.header_name_edit.text().strip(),
            webhook_auth_header_value=self.header_value_edit.text(),
            client_reference_id=self.reference_edit.text().strip(),
        )

    def url(self) -> str:
        return self.url_edit.text().strip() if self.url_edit is not None else ""

    def problems(self) -> list[str]:
        issues: list[str] = []
        if self.url_edit is not None:
            problem = check_url(self.url_edit.text())
            if problem:
                issues.append(problem)
        if not self.models:
            issues.append("No models for files are available yet; check the API key and the connection.")
        return issues + self.options().problems(self.current_model())

    def _validate(self) -> None:
        if not hasattr(self, "start_button"):
            return
        issues = self.problems()
        self.problems_label.setText("\n".join(issues))
        self.problems_label.setVisible(bool(issues))
        self.start_button.setEnabled(not issues)

    def _accept_if_valid(self) -> None:
        self._validate()
        if self.start_button.isEnabled():
            self.accept()


__all__ = ["MODE_FILES", "MODE_FILE_ID", "MODE_URL", "JobSheet", "sources_summary"]
