"""Where live audio comes from: a microphone (with its level meter), a local file, a stream URL,
what the computer plays (system audio), or a meeting: the microphone and the system audio at once.

The microphone picker, the output picker and the level meter are shared by the pages that need
them and move to the page shown (a widget has one parent), so a choice made for the microphone
is the meeting's microphone too.
"""

from __future__ import annotations

import enum

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.core.jobs.file_checks import path_problem
from desktop.core.meeting.run import COST_NOTE
from desktop.core.regions import validate_url
from desktop.ui.device_picker import DevicePicker
from desktop.ui.level_meter import LevelMeter
from desktop.ui.output_picker import OutputPicker
from desktop.ui.widgets.buttons import make_button

AUDIO_FILTER = (
    "Audio and video (*.wav *.mp3 *.ogg *.oga *.opus *.flac *.webm *.m4a *.mp4 *.aac *.aiff *.aif *.amr *.asf *.wma"
    " *.mkv *.mov);;All files (*)"
)


class SourceKind(str, enum.Enum):
    MICROPHONE = "microphone"
    FILE = "file"
    URL = "url"
    SYSTEM = "system"
    MEETING = "meeting"


class SourceBar(QWidget):
    kind_changed = Signal(str)
    echo_cancellation_toggled = Signal(bool)

    def __init__(
        self,
        parent: QWidget | None = None,
        *,
        device_picker: DevicePicker | None = None,
        output_picker: OutputPicker | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("liveSourceBar")
        self.kind_combo = QComboBox(self)
        self.kind_combo.setObjectName("liveSourceCombo")
        self.kind_combo.setAccessibleName("Audio source")
        self.kind_combo.addItem("Microphone", SourceKind.MICROPHONE.value)
        self.kind_combo.addItem("Audio file", SourceKind.FILE.value)
        self.kind_combo.addItem("Stream URL", SourceKind.URL.value)
        self.kind_combo.addItem("System audio", SourceKind.SYSTEM.value)
        # Short: the page itself says "You:" (the microphone) and "Others:" (the system audio).
        self.kind_combo.addItem("Meeting", SourceKind.MEETING.value)
        self.kind_combo.setToolTip(
            "Transcribe a microphone, a local file at real-time pace, an internet stream, what the computer "
            "plays, or a meeting: you on the microphone and the others on the system audio"
        )

        self.stack = QStackedWidget(self)
        self.stack.setObjectName("liveSourceStack")
        mic_page = QWidget(self.stack)
        mic_page.setObjectName("liveMicPage")
        self.device_picker = device_picker or DevicePicker(mic_page)
        self.device_picker.setParent(mic_page)
        # The microphone is opened for the meter only while this is on (or during a session),
        # so the system's "microphone in use" indicator is not lit just because the app is open.
        self.test_button = make_button(
            "Test mi&crophone",
            "liveTestMicButton",
            "Test microphone",
            mic_page,
            tip="Open the microphone to see its level; press again to close it (Ctrl+Shift+M)",
            shortcut="Ctrl+Shift+M",
        )
        self.test_button.setCheckable(True)
        self.meter = LevelMeter(mic_page)
        mic_layout = QHBoxLayout(mic_page)
        mic_layout.setContentsMargins(0, 0, 0, 0)
        mic_layout.addWidget(self.device_picker, 2)
        mic_layout.addWidget(self.test_button)
        mic_layout.addWidget(self.meter, 3)

        file_page = QWidget(self.stack)
        file_page.setObjectName("liveFilePage")
        self.file_edit = QLineEdit(file_page)
        self.file_edit.setObjectName("liveFileEdit")
        self.file_edit.setAccessibleName("Audio file to stream")
        self.file_edit.setPlaceholderText("Choose an audio file to stream at real-time pace…")
        self.browse_button = QPushButton("&Browse…", file_page)
        self.browse_button.setObjectName("liveBrowseButton")
        self.browse_button.setAccessibleName("Browse for an audio file")
        self.browse_button.clicked.connect(self.browse)
        file_layout = QHBoxLayout(file_page)
        file_layout.setContentsMargins(0, 0, 0, 0)
        file_layout.addWidget(self.file_edit, 1)
        file_layout.addWidget(self.browse_button)

        url_page = QWidget(self.stack)
        url_page.setObjectName("liveUrlPage")
        self.url_edit = QLineEdit(url_page)
        self.url_edit.setObjectName("liveUrlEdit")
        self.url_edit.setAccessibleName("Stream URL")
        self.url_edit.setPlaceholderText("https://… an internet radio or live audio stream")
        url_layout = QHBoxLayout(url_page)
        url_layout.setContentsMargins(0, 0, 0, 0)
        url_layout.addWidget(self.url_edit, 1)

        # System audio and meetings: the output picker, and what the user must know before starting.
        self.output_picker = output_picker if output_picker is not None else OutputPicker(self)
        # Ours until a page's row takes it; hidden meanwhile (the panel builds it as its own child,
        # and on the microphone page, shown first, it used to float over Start at the top left).
        self.output_picker.setParent(self)
        self.output_picker.hide()
        self.system_page = QWidget(self.stack)
        self.system_page.setObjectName("liveSystemPage")
        self.meeting_page = QWidget(self.stack)
        self.meeting_page.setObjectName("liveMeetingPage")
        self.system_row = QHBoxLayout()
        self.meeting_row = QHBoxLayout()
        # Two "System default (…)" pickers side by side read alike: say whose sound each one is.
        self.you_label = self._row_label("You:", "liveMeetingYouLabel", "Your microphone, transcribed as You")
        self.others_label = self._row_label(
            "Others:", "liveMeetingOthersLabel", "The output the call plays on, transcribed as Speaker 1, 2, …"
        )
        self.output_label = self._row_label(
            "Plays on:", "liveSystemOutputLabel", "The output whose sound is transcribed"
        )
        self.you_label.setBuddy(self.device_picker)
        self.others_label.setBuddy(self.output_picker)
        self.output_label.setBuddy(self.output_picker)
        self.meeting_row.addWidget(self.you_label)
        self.meeting_row.addWidget(self.others_label)
        self.system_row.addWidget(self.output_label)
        self.support_label = QLabel(self)
        self.support_label.setObjectName("liveSystemAudioSupport")
        self.support_label.setWordWrap(True)
        self.support_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.support_label.hide()
        self.support_button = make_button(
            "Open s&ystem settings…", "liveSystemAudioSettings", "Open the system settings to allow system audio", self
        )
        self.support_button.clicked.connect(self._open_support_settings)
        self.support_button.hide()
        self._support: tuple[bool, str, str | None] = (True, "", None)
        self.cost_note = QLabel(COST_NOTE, self.meeting_page)
        self.cost_note.setObjectName("liveMeetingCostNote")
        self.cost_note.setWordWrap(True)  # a narrow window wraps it rather than cutting it
        self.cost_note.setToolTip(
            "The microphone and the system audio are transcribed as two streams, each billed for its audio"
        )
        self.echo_check = QCheckBox("Echo &cancellation", self.meeting_page)
        self.echo_check.setObjectName("liveEchoCancellationCheck")
        self.echo_check.setAccessibleName("Echo cancellation")
        self.echo_check.setToolTip(
            "Remove the other side's voice from your microphone when it comes out of your speakers"
        )
        self.echo_check.toggled.connect(self.echo_cancellation_toggled)
        system_layout = QVBoxLayout(self.system_page)
        system_layout.setContentsMargins(0, 0, 0, 0)
        system_layout.addLayout(self.system_row)
        meeting_layout = QVBoxLayout(self.meeting_page)
        meeting_layout.setContentsMargins(0, 0, 0, 0)
        meeting_layout.addLayout(self.meeting_row)
        # The meter goes on this second line in a meeting: two pickers fill the first one.
        self.meeting_notes = notes = QHBoxLayout()
        notes.setSpacing(12)
        notes.addWidget(self.cost_note)
        notes.addSpacing(12)
        notes.addWidget(self.echo_check)
        notes.addStretch(1)
        meeting_layout.addLayout(notes)
        self._mic_layout = mic_layout
        self._system_layout = system_layout
        self._meeting_layout = meeting_layout

        for page in (mic_page, file_page, url_page, self.system_page, self.meeting_page):
            self.stack.addWidget(page)
        label = QLabel("So&urce:", self)
        label.setBuddy(self.kind_combo)
        # The choice stays on the first line when a page takes two (a meeting's notes below it).
        choice = QWidget(self)
        choice.setObjectName("liveSourceChoice")
        choice_layout = QHBoxLayout(choice)
        choice_layout.setContentsMargins(0, 0, 0, 0)
        choice_layout.addWidget(label)
        choice_layout.addWidget(self.kind_combo)
        self._bar_layout = layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(choice)
        layout.addWidget(self.stack, 1)
        self._choice = choice
        self.kind_combo.currentIndexChanged.connect(self._on_kind)
        self.open_file_dialog = self._native_open_dialog
        self.open_url = QDesktopServices.openUrl

    def set_locked(self, locked: bool) -> None:
        """Freeze the choice during a session; the level meter stays live."""
        for widget in (
            self.kind_combo,
            self.device_picker,
            self.test_button,
            self.file_edit,
            self.browse_button,
            self.url_edit,
            self.output_picker,
            self.echo_check,
        ):
            widget.setEnabled(not locked)

    def set_testing(self, on: bool) -> None:
        """Show the Test toggle as on/off without emitting ``toggled`` (the owner already acted)."""
        self.test_button.blockSignals(True)
        self.test_button.setChecked(on)
        self.test_button.blockSignals(False)

    def kind(self) -> SourceKind:
        return SourceKind(self.kind_combo.currentData())

    def set_kind(self, kind: SourceKind) -> None:
        self.kind_combo.setCurrentIndex(max(self.kind_combo.findData(kind.value), 0))

    def file_path(self) -> str:
        return self.file_edit.text().strip()

    def url(self) -> str:
        return self.url_edit.text().strip()

    def problem(self) -> str | None:
        """What is missing before a session can start from the chosen source, if anything."""
        kind = self.kind()
        if kind is SourceKind.FILE:
            path = self.file_path()
            if not path:
                return "Choose an audio file to stream."
            problem = path_problem(path, missing="the file does not exist.")
            if problem:  # a folder or a link loop is "not a file", not "does not exist"
                return f"“{path}”: {problem}"
        elif kind is SourceKind.URL:
            problem = validate_url(self.url(), ("https", "http"))
            if problem:
                return f"Stream URL: {problem}"
        elif kind in (SourceKind.SYSTEM, SourceKind.MEETING) and not self._support[0]:
            return self._support[1]
        return None

    # -- system audio and meetings --------------------------------------------------------------
    def set_system_support(self, available: bool, message: str, settings_url: str | None = None) -> None:
        """Whether system audio can be captured here; when not, the pages that need it say why."""
        self._support = (available, message, settings_url)
        self.support_label.setText("" if available else message)
        self._place_shared()

    def set_echo_cancellation(self, on: bool) -> None:
        self.echo_check.blockSignals(True)
        self.echo_check.setChecked(on)
        self.echo_check.blockSignals(False)

    def _row_label(self, text: str, name: str, tip: str) -> QLabel:
        label = QLabel(text, self)
        label.setObjectName(name)
        label.setToolTip(tip)
        return label

    def _open_support_settings(self) -> None:
        url = self._support[2]
        if url:
            self.open_url(QUrl(url))

    def _place_shared(self) -> None:
        """Move the pickers, the meter and the availability note to the page shown."""
        kind = self.kind()
        two_lines = kind in (SourceKind.SYSTEM, SourceKind.MEETING)  # notes or a reason below the pickers
        align = Qt.AlignmentFlag.AlignTop if two_lines else Qt.AlignmentFlag.AlignVCenter
        self._bar_layout.setAlignment(self._choice, align)
        available, _message, url = self._support
        if kind is SourceKind.MEETING:
            row, layout = self.meeting_row, self._meeting_layout
            row.insertWidget(row.indexOf(self.you_label) + 1, self.device_picker, 2)
            row.insertWidget(row.indexOf(self.others_label) + 1, self.output_picker, 2)
            self.meeting_notes.insertWidget(0, self.meter, 3)
            widgets: list[tuple[QWidget, int]] = []
            self.meter.show()
            self.device_picker.show()
        elif kind is SourceKind.SYSTEM:
            row, layout = self.system_row, self._system_layout
            row.insertWidget(row.indexOf(self.output_label) + 1, self.output_picker, 2)
            widgets = [(self.meter, 3)]
        else:
            self._mic_layout.insertWidget(0, self.device_picker, 2)
            self._mic_layout.addWidget(self.meter, 3)
            self.output_picker.hide()
            self.support_label.hide()
            self.support_button.hide()
            return
        for widget, stretch in widgets:
            row.addWidget(widget, stretch)
            widget.show()
        self.output_picker.show()
        if kind is SourceKind.SYSTEM:
            self.device_picker.hide()
        layout.addWidget(self.support_label)
        layout.addWidget(self.support_button, 0, Qt.AlignmentFlag.AlignLeft)
        self.support_label.setVisible(not available)
        self.support_button.setVisible(not available and bool(url))

    def browse(self) -> None:
        path = self.open_file_dialog()
        if path:
            self.file_edit.setText(path)

    def _native_open_dialog(self) -> str:
        path, _filter = QFileDialog.getOpenFileName(self, "Stream an audio file", "", AUDIO_FILTER)
        return path

    def _on_kind(self) -> None:
        self._place_shared()
        self.stack.setCurrentIndex(self.kind_combo.currentIndex())
        self.device_picker.setVisible(self.kind() in (SourceKind.MICROPHONE, SourceKind.MEETING))
        self.kind_changed.emit(self.kind().value)
