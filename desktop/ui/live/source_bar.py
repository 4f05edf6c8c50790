"""Where live audio comes from: a microphone (with its level meter), a local file, or a stream URL."""

from __future__ import annotations

import enum

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QWidget,
)

from desktop.core.jobs.file_checks import path_problem
from desktop.core.regions import validate_url
from desktop.ui.device_picker import DevicePicker
from desktop.ui.level_meter import LevelMeter
from desktop.ui.widgets.buttons import make_button

AUDIO_FILTER = (
    "Audio and video (*.wav *.mp3 *.ogg *.oga *.opus *.flac *.webm *.m4a *.mp4 *.aac *.aiff *.aif *.amr *.asf *.wma"
    " *.mkv *.mov);;All files (*)"
)


class SourceKind(str, enum.Enum):
    MICROPHONE = "microphone"
    FILE = "file"
    URL = "url"


class SourceBar(QWidget):
    kind_changed = Signal(str)

    def __init__(self, parent: QWidget | None = None, *, device_picker: DevicePicker | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("liveSourceBar")
        self.kind_combo = QComboBox(self)
        self.kind_combo.setObjectName("liveSourceCombo")
        self.kind_combo.setAccessibleName("Audio source")
        self.kind_combo.addItem("Microphone", SourceKind.MICROPHONE.value)
        self.kind_combo.addItem("Audio file", SourceKind.FILE.value)
        self.kind_combo.addItem("Stream URL", SourceKind.URL.value)
        self.kind_combo.setToolTip("Transcribe a microphone, a local file at real-time pace, or an internet stream")

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

        for page in (mic_page, file_page, url_page):
            self.stack.addWidget(page)
        label = QLabel("So&urce:", self)
        label.setBuddy(self.kind_combo)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(label)
        layout.addWidget(self.kind_combo)
        layout.addWidget(self.stack, 1)
        self.kind_combo.currentIndexChanged.connect(self._on_kind)
        self.open_file_dialog = self._native_open_dialog

    def set_locked(self, locked: bool) -> None:
        """Freeze the choice during a session; the level meter stays live."""
        for widget in (
            self.kind_combo,
            self.device_picker,
            self.test_button,
            self.file_edit,
            self.browse_button,
            self.url_edit,
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
        return None

    def browse(self) -> None:
        path = self.open_file_dialog()
        if path:
            self.file_edit.setText(path)

    def _native_open_dialog(self) -> str:
        path, _filter = QFileDialog.getOpenFileName(self, "Stream an audio file", "", AUDIO_FILTER)
        return path

    def _on_kind(self) -> None:
        self.stack.setCurrentIndex(self.kind_combo.currentIndex())
        self.kind_changed.emit(self.kind().value)
