"""The live area: source, options, Start/Stop/Cancel/Finalize, hold-to-talk, and the transcript.

The panel builds the source the user chose and asks a :class:`~desktop.core.live.run.LiveRun`
to start (the run composes the session, the library entry, the recording and hold-to-talk); the
:class:`LiveController` turns the run's reports into signals that this panel draws. No session
logic lives here.

It is ~790 lines because it is the one screen with every live control (source bar, folded
options, the primary action with its elapsed time, hold-to-talk key capture, keep-audio box,
state, stats, outage and library messages), each with its enabling rules per state; the pieces
with a life of their own are already apart (``source_bar``, ``options_form``, ``hold_to_talk``,
``controller``, ``lost_audio``, ``translation_columns``). Next to move out: the widget
construction of ``__init__`` (~240 lines) into a controls builder.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QSize, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QHideEvent, QKeySequence, QPalette, QResizeEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QKeySequenceEdit,
    QLabel,
    QPushButton,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop.audio import devices
from desktop.core.audio_source import AudioSource, AudioSourceError
from desktop.core.context import AppContext
from desktop.core.errors import UserError, describe_error
from desktop.core.library.store import Library
from desktop.core.live.config_builder import LiveOptions
from desktop.core.live.outage import clock, lost_seconds, reconnecting_text
from desktop.core.live.run import LiveRun, LiveRunSettings, SourceOrigin
from desktop.core.live.run import SourceKind as RunSourceKind
from desktop.core.live.state import LiveState, LiveStats
from desktop.core.meeting.run import MeetingRun
from desktop.ui import theme
from desktop.ui.async_tools import spawn
from desktop.ui.device_picker import DevicePicker
from desktop.ui.icons import set_icon
from desktop.ui.level_meter import MicrophoneMonitor
from desktop.ui.live import meeting_start
from desktop.ui.live.controller import LiveController
from desktop.ui.live.hold_to_talk import HoldToTalkFilter
from desktop.ui.live.lost_audio import LostAudioBar
from desktop.ui.live.options_form import LiveOptionsForm
from desktop.ui.live.source_bar import SourceBar, SourceKind
from desktop.ui.live.translation_columns import TranslationColumns
from desktop.ui.transcript.view import TranscriptView
from desktop.ui.widgets.buttons import make_button, set_text_keeping_shortcut

if TYPE_CHECKING:
    from desktop.audio.capture import MicrophoneCapture

log = logging.getLogger(__name__)

#: ui_state key: "1" when the options panel was left open.
OPTIONS_OPEN_KEY = "live_options_open"

_STATE_TEXT = {
    LiveState.IDLE: "Ready",
    LiveState.CONNECTING: "Connecting…",
    LiveState.RUNNING: "Listening",
    LiveState.RECONNECTING: "Reconnecting…",
    LiveState.FINISHING: "Finishing — waiting for the last words…",
    LiveState.FINISHED: "Finished",
    LiveState.ERROR: "Stopped by an error",
    LiveState.CANCELED: "Canceled",
}


def _capture_factory(sd: Any) -> Callable[..., MicrophoneCapture]:
    """:func:`desktop.audio.capture.capture_factory`, imported by the first capture: the capture
    needs numpy, which the window does not need before a session or a level meter runs."""

    def make(device: str | int | None = None, **kwargs: Any) -> MicrophoneCapture:
        from desktop.audio.capture import capture_factory

        return capture_factory(sd)(device, **kwargs)

    return make


class LivePanel(QWidget):
    session_state_changed = Signal(object)  # LiveState
    transcribe_files_requested = Signal(list)  # list[Path]: audio the session could not send

    def __init__(
        self,
        context: AppContext,
        parent: QWidget | None = None,
        *,
        sd: Any = None,
        session_options: dict[str, Any] | None = None,
        monitor_microphone: bool = True,
        library: Library | None = None,
        list_devices_now: bool = True,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("livePanel")
        self.context = context
        # ``sd`` is the sounddevice module (None: the real one, loaded on first use); tests pass a
        # fake that replays a signal through the real capture code.
        self._capture_factory: Callable[..., MicrophoneCapture] = _capture_factory(sd)
        self._session_options = session_options or {}
        self._monitor_wanted = monitor_microphone
        self.controller = LiveController(self)
        self.library: Library | None = None

        # ``list_devices_now=False`` (the main window): the microphones are listed once the panel
        # shows, off the UI thread, so loading PortAudio does not delay the window's first paint.
        picker = DevicePicker(self, lister=lambda: devices.list_input_devices(sd), list_now=list_devices_now)
        self.source_bar = SourceBar(self, device_picker=picker, output_picker=meeting_start.output_picker(self))
        self.monitor = MicrophoneMonitor(
            self.source_bar.meter,
            capture_factory=self._capture_factory,
            refresher=lambda: devices.refresh_devices(sd),
            parent=self,
        )
        self.source_bar.device_picker.set_rescanner(self.monitor.rescan_devices)
        self.source_bar.device_picker.device_changed.connect(self._on_device_changed)
        self.source_bar.kind_changed.connect(self._on_source_kind)
        self.monitor.error.connect(self._on_monitor_error)
        self.monitor.idle_message = "Off — press Test microphone"
        self.source_bar.test_button.toggled.connect(self._on_test_toggled)
        self.source_bar.test_button.setVisible(monitor_microphone)
        self.monitor.show_idle()

        self.options_form = LiveOptionsForm(self)
        self.options_box = QGroupBox(self)
        self.options_box.setObjectName("liveOptionsBox")
        self.options_box.setAccessibleName("Options")
        # The disclosure button that shows or hides the options; its state is remembered.
        self.options_toggle = QToolButton(self)
        self.options_toggle.setObjectName("liveOptionsToggle")
        self.options_toggle.setAccessibleName("Show options")
        self.options_toggle.setCheckable(True)
        self.options_toggle.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.options_toggle.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.options_toggle.setShortcut(QKeySequence("Ctrl+Shift+P"))

        self.start_button = make_button(
            "&Start",
            "liveStartButton",
            "Start live transcription",
            self,
            tip="Start transcribing the chosen source (Ctrl+R)",
            shortcut="Ctrl+R",
        )
        self.stop_button = make_button(
            "S&top",
            "liveStopButton",
            "Stop and keep the last words",
            self,
            tip="Finish: send the end of audio and wait for the last words (Ctrl+.)",
            shortcut="Ctrl+.",
        )
        for primary in (self.start_button, self.stop_button):  # the running time is never cut off
            primary.setSizePolicy(QSizePolicy.Policy.Minimum, primary.sizePolicy().verticalPolicy())
        self.cancel_button = make_button(
            "Ca&ncel",
            "liveCancelButton",
            "Cancel at once",
            self,
            tip="Drop the session now; words not yet final are lost (Ctrl+Shift+.)",
            shortcut="Ctrl+Shift+.",
        )
        self.finalize_button = make_button(
            "Fina&lize",
            "liveFinalizeButton",
            "Finalize pending words",
            self,
            tip="Make the pending grey words final now (Ctrl+Return)",
            shortcut="Ctrl+Return",
        )
        self.hold_check = QCheckBox("Hold to tal&k", self)
        self.hold_check.setObjectName("liveHoldToTalkCheck")
        self.hold_check.setAccessibleName("Hold to talk mode")
        self.hold_check.setToolTip("Send audio only while the Talk button or the talk key is held")
        self.talk_button = make_button(
            "Talk", "liveTalkButton", "Hold to talk", self, tip="Hold to send audio; release to finalize"
        )
        self.key_edit = QKeySequenceEdit(QKeySequence(context.settings.hold_to_talk_key or "Space"), self)
        self.key_edit.setObjectName("liveTalkKeyEdit")
        self.key_edit.setAccessibleName("Talk key")
        self.key_edit.setToolTip("The key to hold for talking; click and press another key to change it")
        self.key_edit.setMaximumSequenceLength(1)
        self.key_edit.setMaximumWidth(110)
        self.record_check = QCheckBox("Keep &audio", self)
        self.record_check.setObjectName("liveKeepAudioCheck")
        self.record_check.setAccessibleName("Keep the audio of live sessions")
        self.record_check.setToolTip(
            "Keep a recording of each live session in the history, to play it back with the words"
        )
        self.record_check.setChecked(context.settings.keep_recordings)
        self.record_check.toggled.connect(self._on_keep_audio)
        context.on_settings_saved(self._sync_keep_audio)  # Settings edits the same setting
        self.record_check.hide()

        self.state_label = QLabel(_STATE_TEXT[LiveState.IDLE], self)
        self.state_label.setObjectName("liveStateLabel")
        self.stats_label = QLabel(self)
        self.stats_label.setObjectName("liveStatsLabel")
        self.message_label = QLabel(self)
        self.message_label.setObjectName("liveMessage")
        self.message_label.setWordWrap(True)
        self.message_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message_label.setFrameShape(QFrame.Shape.StyledPanel)
        self.message_label.hide()
        self.lost_audio_bar = LostAudioBar(self)
        self.lost_audio_bar.clips_ready.connect(self.transcribe_files_requested)

        self.view = TranscriptView(self, export_title="Live transcript")
        self.view.export_basename = "live-transcript"
        self.view.set_transcript(self.controller.transcript)
        self.view.speaker_renamed.connect(self._on_speaker_renamed)
        # Two-way translation adds two columns (one per language) above the view.
        self.transcript_area = TranslationColumns(self.view, self)

        # White-on-accent and white-on-red: the icons take the button's text colour, not the window's.
        set_icon(self.start_button, "record", role=QPalette.ColorRole.HighlightedText)
        set_icon(self.stop_button, "stop", role=QPalette.ColorRole.BrightText)
        for button in (self.start_button, self.stop_button):
            button.setIconSize(QSize(theme.ICON_SIZE, theme.ICON_SIZE))
            button.setSizePolicy(QSizePolicy.Policy.Minimum, QSizePolicy.Policy.Fixed)
            button.setMinimumWidth(132)
        self.view.set_empty_state(
            "waveform",
            "Nothing transcribed yet",
            "Choose a source and press Start (Ctrl+R) to see the words here as they are spoken.\n"
            "To transcribe a recording instead, drop audio or video files anywhere on the window.",
        )

        # The action bar: the one prominent action, the source beside it, the options toggle.
        # In a narrow window the source moves to a row of its own rather than squeezing its
        # device name and level meter (see resizeEvent).
        self.action_bar = action_bar = QHBoxLayout()
        action_bar.setSpacing(theme.SPACE_M)
        action_bar.addWidget(self.start_button)
        action_bar.addWidget(self.stop_button)
        action_bar.addSpacing(theme.SPACE_S)
        action_bar.addWidget(self.source_bar, 1)
        action_bar.addWidget(self.options_toggle)
        self.source_row = QHBoxLayout()
        self.source_row.setSpacing(theme.SPACE_M)

        # What only a running session needs; hidden while idle so the window stays calm.
        self.session_row = QWidget(self)
        self.session_row.setObjectName("liveSessionRow")
        session = QHBoxLayout(self.session_row)
        session.setContentsMargins(0, 0, 0, 0)
        session.setSpacing(theme.SPACE_M)
        session.addWidget(self.cancel_button)
        session.addWidget(self.finalize_button)
        session.addWidget(self.talk_button)
        session.addStretch(1)

        mode_row = QHBoxLayout()
        mode_row.setSpacing(theme.SPACE_M)
        mode_row.addWidget(self.hold_check)
        mode_row.addWidget(self.key_edit)
        mode_row.addSpacing(theme.SPACE_L)
        mode_row.addWidget(self.record_check)
        mode_row.addStretch(1)
        box_layout = QVBoxLayout(self.options_box)
        box_layout.setContentsMargins(theme.SPACE_M, theme.SPACE_M, theme.SPACE_M, theme.SPACE_M)
        box_layout.setSpacing(theme.SPACE_M)
        box_layout.addWidget(self.options_form)
        box_layout.addLayout(mode_row)

        state_row = QHBoxLayout()
        state_row.setSpacing(theme.SPACE_M)
        state_row.addWidget(self.state_label, 1)
        state_row.addWidget(self.stats_label)
        self.state_label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.stats_label.setForegroundRole(QPalette.ColorRole.PlaceholderText)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(theme.SPACE_M)
        layout.addLayout(action_bar)
        layout.addLayout(self.source_row)
        layout.addWidget(self.options_box)
        layout.addWidget(self.session_row)
        layout.addLayout(state_row)
        layout.addWidget(self.message_label)
        layout.addWidget(self.lost_audio_bar)
        layout.addWidget(self.transcript_area, 1)

        self._elapsed_timer = QTimer(self)
        self._elapsed_timer.setInterval(1000)
        self._elapsed_timer.timeout.connect(self._show_elapsed)
        self._started_at: float | None = None
        self.options_toggle.toggled.connect(self._on_options_toggled)
        self.options_toggle.setChecked(self.context.settings_store.ui_str(OPTIONS_OPEN_KEY, "0") == "1")
        self._on_options_toggled(self.options_toggle.isChecked(), remember=False)

        self.hold_filter = HoldToTalkFilter(self.key_edit.keySequence(), self)
        self.hold_filter.pressed.connect(lambda: self._set_talking(True))
        self.hold_filter.released.connect(lambda: self._set_talking(False))
        self.key_edit.keySequenceChanged.connect(self._on_talk_key_changed)
        self.hold_check.toggled.connect(self._on_hold_mode)
        self.talk_button.pressed.connect(lambda: self._set_talking(True))
        self.talk_button.released.connect(lambda: self._set_talking(False))
        self.start_button.clicked.connect(self.start)
        self.stop_button.clicked.connect(self.stop)
        self.cancel_button.clicked.connect(self.cancel)
        self.finalize_button.clicked.connect(self.finalize)

        c = self.controller
        c.state_changed.connect(self._on_state)
        c.delta_ready.connect(self.view.apply_delta)
        c.delta_ready.connect(self.transcript_area.apply_delta)
        c.finalize_pending_changed.connect(self._on_finalize_pending)
        c.reconnecting.connect(self._on_reconnecting)
        c.error.connect(self._on_error)
        c.stats_changed.connect(self._on_stats)
        c.library_error.connect(self._on_library_error)
        c.library_unavailable.connect(self._on_library_unavailable)

        self._talking = False
        self._last_stats: LiveStats | None = None
        self._reconnect_attempt = (1, 0.0)
        self._reconnect_message = ""
        self.options_form.set_models(self.context.realtime_models(), self._saved_options().model)
        self._restore_defaults()
        self._update_buttons(LiveState.IDLE)
        if library is not None:
            self.set_library(library)
        #: System audio and meetings (tests put their own sources here); wired in meeting_start.
        self.system_audio = meeting_start.SystemAudio()
        self.echo_status = ""
        meeting_start.install(self)

    # -- library -------------------------------------------------------------------------------
    def set_library(self, library: Library | None) -> None:
        """Keep every session from now on in ``library`` (None: stop keeping them)."""
        self.library = library
        self.record_check.setVisible(library is not None)

    def _sync_keep_audio(self) -> None:
        self.record_check.blockSignals(True)
        self.record_check.setChecked(self.context.settings.keep_recordings)
        self.record_check.blockSignals(False)

    def _on_keep_audio(self, on: bool) -> None:
        self.context.settings.keep_recordings = on
        try:
            self.context.settings_store.save()
        except OSError as exc:
            log.warning("Could not save the recording setting: %s", exc)

    def _on_library_error(self, exc: Exception) -> None:
        run = self.controller.run
        if run is not None and run.library is not None and run.library is not self.library:
            # The library was found damaged and closed (or replaced) while this session ran.
            self._show_message(
                "The history was closed while this session ran, so its words are no longer saved. "
                "They stay here: export them (Ctrl+Shift+E) before you close the app.",
                error=True,
            )
            return
        self._show_message(
            f"Saving the transcript to the history failed ({exc}); it is retried every half second.",
            error=True,
        )

    def _on_library_unavailable(self, exc: Exception) -> None:
        self._show_message(f"This session will not be kept in the history: {exc}", error=True)

    @property
    def library_transcript_id(self) -> int | None:
        """The library entry of the session shown (kept after it ends, for speaker renames)."""
        run = self.controller.run
        return run.library_transcript_id if run is not None else None

    def _on_speaker_renamed(self, speaker_id: str, label: str) -> None:
        if self.controller.run is not None:
            self.controller.run.rename_speaker(speaker_id, label)

    # -- defaults ------------------------------------------------------------------------------
    def _saved_options(self) -> LiveOptions:
        saved = self.context.settings.defaults.get("live")
        options = LiveOptions.from_dict(saved) if saved else LiveOptions()
        if not saved:
            options.model = self.context.settings.realtime_model
            options.language_hints = list(self.context.settings.language_hints)
        return options

    def _restore_defaults(self) -> None:
        self.options_form.set_options(self._saved_options())
        device = self.context.settings.input_device
        if device:
            self.source_bar.device_picker.select_device(device)
        self.monitor.set_device(self.source_bar.device_picker.selected_device())
        store = self.context.settings_store
        kind = store.ui_str("live_source", SourceKind.MICROPHONE.value)
        self.source_bar.set_kind(SourceKind(kind) if kind in SourceKind._value2member_map_ else SourceKind.MICROPHONE)
        self.source_bar.file_edit.setText(store.ui_str("live_file"))
        self.source_bar.url_edit.setText(store.ui_str("live_url"))

    def models_changed(self) -> None:
        """Call when the context's model list was (re)loaded."""
        self.options_form.set_models(self.context.realtime_models(), self._saved_options().model)

    def _remember(self, options: LiveOptions) -> None:
        s = self.context.settings
        s.defaults["live"] = options.to_dict()
        s.input_device = self.source_bar.device_picker.selected_device()
        s.ui_state["live_source"] = self.source_bar.kind().value
        s.ui_state["live_file"] = self.source_bar.file_path()
        s.ui_state["live_url"] = self.source_bar.url()
        try:
            self.context.settings_store.save()
        except OSError as exc:
            log.warning("Could not save live defaults: %s", exc)

    # -- actions -------------------------------------------------------------------------------
    @property
    def state(self) -> LiveState:
        return self.controller.state

    def start(self) -> None:
        if self.controller.state.is_active:
            return
        spawn(self.start_session(), name="live-start", owner=self)

    async def start_session(self) -> bool:
        self._clear_message()
        if not self.context.api_key:
            self._show_message("Add your Soniox API key in Settings first.", error=True)
            return False
        problem = self.source_bar.problem()
        if problem:
            self._show_message(problem, error=True)
            return False
        self.start_button.setEnabled(False)
        try:
            load_error: Exception | None = None
            if not self.context.realtime_models():
                try:
                    await self.context.load_models()
                    self.models_changed()
                except Exception as exc:
                    log.info("Could not load models before starting: %s", type(exc).__name__)
                    load_error = exc
            options = self.options_form.options()
            opened: AudioSource | None = None
            run: LiveRun | MeetingRun
            try:
                if self.source_bar.kind() is SourceKind.MEETING:
                    run = await meeting_start.meeting_run(self, options)
                else:
                    source, origin = await self._make_source()
                    if not await self._source_opens(source, origin):
                        return False
                    opened = source
                    from desktop.audio.recording import tap_for_recording  # numpy, with the first session

                    run = LiveRun(
                        self.context.client,
                        options,
                        self.options_form.current_model(),
                        source,
                        origin,
                        library=self.library,
                        record=tap_for_recording,
                        settings=LiveRunSettings(
                            keep_audio=self.context.settings.keep_recordings,
                            transmitting=not self.hold_check.isChecked() or self._talking,
                            session_options=self._session_options,
                        ),
                        transcript=self.controller.new_transcript(),
                    )
            except ValueError as exc:
                if opened is not None:
                    await opened.stop()  # opened by _source_opens; no session will read it
                if load_error is not None:  # no model because the list could not load: say why
                    err = describe_error(load_error)
                    self._show_message(f"{err.title}: {err.message} {err.action}".strip(), error=True)
                else:
                    self._show_message(f"{exc}. Check the model in the options.", error=True)
                return False
            if run.not_sent:
                self._show_message("Not sent: " + " ".join(run.not_sent), error=False)
            if self.echo_status:  # a meeting whose echo cancellation could not run: say why
                self._show_message(self.echo_status, error=False)
                self.echo_status = ""
            self._remember(options)
            self._last_stats = None
            self.lost_audio_bar.hide()
            self.view.set_transcript(run.transcript)
            self.transcript_area.follow(run.config, run.transcript)
            from desktop.audio.capture import MicrophoneCapture

            if isinstance(run.source, MicrophoneCapture) or self.source_bar.kind().value in meeting_start.SYSTEM_KINDS:
                self.monitor.follow(run.source)  # a meeting's: the louder side
            await self.controller.start(run)
            return self.controller.state.is_active
        except Exception as exc:  # anything unexpected still ends as a message, not a dead button
            err = describe_error(exc)
            self._show_message(f"{err.title}: {err.message} {err.action}", error=True)
            log.exception("Starting the live session failed")
            self._after_session()
            return False
        finally:
            self._update_buttons(self.controller.state)

    async def _make_source(self) -> tuple[AudioSource, SourceOrigin]:
        kind = self.source_bar.kind()
        if kind is SourceKind.FILE:
            from desktop.audio.decoded_file import DecodingFileSource

            path = self.source_bar.file_path()
            return DecodingFileSource(path), SourceOrigin(RunSourceKind.FILE, path=Path(path).resolve())
        if kind is SourceKind.URL:
            from desktop.audio.url_source import UrlSource  # and httpx

            url = self.source_bar.url()
            return UrlSource(url), SourceOrigin(RunSourceKind.URL, url=url)
        # The session opens the device itself; a test in progress ends here, so the microphone
        # closes again when the session does (the meter follows the session meanwhile).
        self.source_bar.set_testing(False)
        await self.monitor.stop()
        if kind is SourceKind.SYSTEM:
            return meeting_start.system_source(self)
        device = self.source_bar.device_picker.selected_device() or None
        return self._capture_factory(device), SourceOrigin(RunSourceKind.MICROPHONE)

    async def _source_opens(self, source: AudioSource, origin: SourceOrigin) -> bool:
        """Open a file or URL source now: one that is not audio is refused as the start error,
        in the jobs' words, before the history or Soniox see anything (the session's own start
        of the source then does nothing)."""
        if origin.kind in (RunSourceKind.MICROPHONE, RunSourceKind.SYSTEM):
            return True
        try:
            await source.start()
        except AudioSourceError as exc:
            self._show_message(f"Cannot start: {exc}", error=True)
            return False
        return True

    def stop(self) -> None:
        if self.controller.state.is_active:
            self.stop_button.setEnabled(False)
            self.cancel_button.setEnabled(True)
            spawn(self.controller.stop(), name="live-stop", owner=self)

    def cancel(self) -> None:
        self.controller.cancel()

    def finalize(self) -> None:
        if not self.controller.request_finalize():
            self.state_label.setText("Finalize already requested — wait for it to complete.")

    async def shutdown(self) -> None:
        """The app is quitting: end a running session gracefully, then release the microphone."""
        self.hold_filter.uninstall()
        if self.controller.state.is_active:
            await self.controller.stop()
        await self.monitor.stop()

    # -- hold to talk --------------------------------------------------------------------------
    def _on_hold_mode(self, on: bool) -> None:
        self.hold_filter.enabled = on
        if on:
            self.hold_filter.install()
        else:
            self.hold_filter.uninstall()
        self._talking = False
        self.controller.set_transmitting(not on)
        self._update_buttons(self.controller.state)

    def _set_talking(self, on: bool) -> None:
        if not self.hold_check.isChecked() or on == self._talking:
            return
        self._talking = on
        self.talk_button.setDown(on)
        self.talk_button.setText("Talking…" if on else "Talk")
        self.controller.set_transmitting(on)

    def _on_talk_key_changed(self, sequence: QKeySequence) -> None:
        if sequence.count() > 1:
            sequence = QKeySequence(sequence[0])  # type: ignore[index]  # the stubs lack __getitem__
            self.key_edit.setKeySequence(sequence)
        self.hold_filter.set_key(sequence)
        self.context.settings.hold_to_talk_key = sequence.toString() or "Space"
        try:
            self.context.settings_store.save()
        except OSError as exc:
            log.warning("Could not save the talk key: %s", exc)

    # -- controller signals --------------------------------------------------------------------
    def _on_state(self, state: LiveState, detail: str) -> None:
        text = _STATE_TEXT.get(state, state.value)
        if state is LiveState.RUNNING and self.controller.source is not None:
            text = f"{text} — {self.controller.source.label}"
            if self.hold_check.isChecked():
                text += " (hold the talk key to speak)"
        self.state_label.setText(text)
        self._update_buttons(state)
        if state is LiveState.RUNNING and self._reconnect_message:
            # Back online: the "could not reach" note is history (the stats keep the count).
            if self.message_label.text() == self._reconnect_message:
                self.message_label.hide()
            self._reconnect_message = ""
        if state.is_terminal:
            run = self.controller.run
            if run is not None:
                self.lost_audio_bar.offer(run.lost_spans_ms, run.audio_path)
            self._after_session()
        self.session_state_changed.emit(state)

    def _on_finalize_pending(self, pending: bool) -> None:
        set_text_keeping_shortcut(self.finalize_button, "Finalizing…" if pending else "Fina&lize")
        self.finalize_button.setEnabled(not pending and self.controller.state is LiveState.RUNNING)

    def _on_reconnecting(self, attempt: int, delay_s: float, error: UserError) -> None:
        self._reconnect_attempt = (attempt, delay_s)
        self._show_reconnecting()
        self._reconnect_message = f"{error.title}: {error.message}"
        self._show_message(self._reconnect_message, error=False)

    def _show_reconnecting(self) -> None:
        """The reconnecting line, with how much audio waits and whether any had to go (core's words)."""
        run = self.controller.run
        recording = run is not None and run.audio_path is not None
        attempt, delay_s = self._reconnect_attempt
        self.state_label.setText(reconnecting_text(attempt, delay_s, self._last_stats, recording=recording))

    def _on_error(self, error: UserError) -> None:
        self._show_message(f"{error.title}: {error.message} {error.action}".strip(), error=True)

    def _on_stats(self, stats: LiveStats) -> None:
        self._last_stats = stats
        if self.controller.state is LiveState.RECONNECTING:
            self._show_reconnecting()
        parts = [f"{stats.audio_s:.0f} s sent" if stats.audio_s else f"{stats.bytes_sent // 1024} kB sent"]
        if stats.reconnects:
            parts.append(f"{stats.reconnects} reconnect{'s' if stats.reconnects > 1 else ''}")
        if stats.source_overflows:
            parts.append(f"⚠ {stats.source_overflows} audio chunks dropped")
        if stats.lost_spans_ms:
            parts.append(f"⚠ {clock(lost_seconds(stats.lost_spans_ms))} of audio not sent")
        elif stats.dropped_bytes:  # a container stream: bytes cannot be mapped to time
            parts.append(f"⚠ {stats.dropped_bytes // 1024} kB of audio not sent")
        self.stats_label.setText(" · ".join(parts))

    def _on_device_changed(self, key: str) -> None:
        self.monitor.set_device(key)
        self.context.settings.input_device = key
        try:
            self.context.settings_store.save()
        except OSError as exc:
            log.warning("Could not save the microphone choice: %s", exc)

    def _on_source_kind(self, kind: str) -> None:
        if kind != SourceKind.MICROPHONE.value:
            self.end_microphone_test()
        # A meeting's two pickers may no longer fit beside Start: measured once the page has moved in.
        QTimer.singleShot(0, lambda: self._place_source_bar(self.width()))

    def _on_test_toggled(self, on: bool) -> None:
        """Test microphone: the only time (besides a session) the meter opens the device."""
        if on and self._monitor_wanted and not self.controller.state.is_active:
            self.monitor.start()
        else:
            self.source_bar.set_testing(False)
            spawn(self.monitor.stop(), name="monitor-stop", owner=self)

    def end_microphone_test(self) -> None:
        """Close the microphone the meter holds open for a test (no-op during a session)."""
        if self.controller.state.is_active:
            return
        self.source_bar.set_testing(False)
        if self.monitor.wanted or self.monitor.capture is not None:
            spawn(self.monitor.stop(), name="monitor-stop", owner=self)

    def _on_monitor_error(self, message: str) -> None:
        if not self.controller.state.is_active:
            self.source_bar.meter.setToolTip(message)

    def add_captions_toggle(self, action: QAction) -> QPushButton:
        """A "Captions" button beside Options that mirrors the window's Live captions action."""
        button = make_button(
            "Captions",
            "liveCaptionsButton",
            "Show live captions over other apps",
            self,
            tip=f"Show the live words over every app ({action.shortcut().toString()})",
        )
        button.setCheckable(True)
        button.setChecked(action.isChecked())
        button.toggled.connect(action.setChecked)
        action.toggled.connect(button.setChecked)
        self.action_bar.insertWidget(self.action_bar.indexOf(self.options_toggle), button)
        self.captions_button = button
        return button

    def _after_session(self) -> None:
        self.monitor.follow(None)
        self._talking = False
        self.talk_button.setDown(False)
        self.talk_button.setText("Talk")

    # -- widgets -------------------------------------------------------------------------------
    def _update_buttons(self, state: LiveState) -> None:
        active = state.is_active
        self.start_button.setEnabled(not active)
        self.stop_button.setEnabled(state in (LiveState.CONNECTING, LiveState.RUNNING, LiveState.RECONNECTING))
        self.cancel_button.setEnabled(active)
        self.finalize_button.setEnabled(state is LiveState.RUNNING and not self.controller.finalize_pending)
        self.talk_button.setVisible(self.hold_check.isChecked())
        self.key_edit.setVisible(self.hold_check.isChecked())
        self.talk_button.setEnabled(state is LiveState.RUNNING)
        self.source_bar.set_locked(active)
        self.options_box.setEnabled(not active)
        # One primary action: Start while idle, Stop (with the time so far) while a session runs.
        self.start_button.setVisible(not active)
        self.stop_button.setVisible(active)
        self.session_row.setVisible(active or self.hold_check.isChecked())
        self.cancel_button.setVisible(active)
        self.finalize_button.setVisible(active)
        if active and self._started_at is None:
            self._started_at = time.monotonic()
            self._elapsed_timer.start()
        elif not active:
            self._started_at = None
            self._elapsed_timer.stop()
        self._show_elapsed()

    def elapsed_s(self) -> float:
        """Seconds since the session shown started (0 while idle)."""
        return 0.0 if self._started_at is None else max(time.monotonic() - self._started_at, 0.0)

    def _show_elapsed(self) -> None:
        """Stop's label carries the session's state and time, so one glance says what is going on."""
        state = self.controller.state
        elapsed = clock(self.elapsed_s())
        if state is LiveState.CONNECTING:
            text, spoken = f"S&top · {elapsed}", "connecting"
        elif state is LiveState.RECONNECTING:
            text, spoken = f"S&top · {elapsed} · reconnecting", "reconnecting"
        elif state is LiveState.FINISHING:
            text, spoken = "Finishing…", "finishing"
        else:
            text, spoken = f"S&top · {elapsed}", "listening"
        if self.stop_button.text() != text:
            set_text_keeping_shortcut(self.stop_button, text)
            self.stop_button.setAccessibleDescription(f"Session {spoken} for {elapsed}")

    def _on_options_toggled(self, shown: bool, remember: bool = True) -> None:
        self.options_box.setVisible(shown)
        set_icon(self.options_toggle, "chevron-down" if shown else "chevron-right")
        self.options_toggle.setText("Options")  # every Alt letter is taken: Ctrl+Shift+P
        self.options_toggle.setAccessibleName("Hide options" if shown else "Show options")
        self.options_toggle.setToolTip(
            ("Hide" if shown else "Show") + " the model, languages, translation and other options (Ctrl+Shift+P)"
        )
        self.options_toggle.setShortcut(QKeySequence("Ctrl+Shift+P"))
        if remember:
            self.context.settings.ui_state[OPTIONS_OPEN_KEY] = "1" if shown else "0"
            try:
                self.context.settings_store.save()
            except OSError as exc:
                log.warning("Could not save the options panel state: %s", exc)

    def _show_message(self, text: str, *, error: bool) -> None:
        self.message_label.setText(text)
        self.message_label.setProperty("severity", "error" if error else "info")
        self.message_label.show()

    def _clear_message(self) -> None:
        self.message_label.clear()
        self.message_label.hide()

    def source_on_own_row(self) -> bool:
        return self.source_row.indexOf(self.source_bar) >= 0

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        self._place_source_bar(event.size().width())

    def _place_source_bar(self, width: int) -> None:
        """Beside Start when everything in the action bar fits at its preferred width, else on a
        row of its own. Everything counts (the Captions button too): a bar that does not fit
        squeezes Stop until its running time is cut off."""
        bar = self.action_bar
        items = [bar.itemAt(i) for i in range(bar.count())]
        widgets = [item.widget() for item in items if item is not None]
        others = [
            w for w in widgets if w is not None and w not in (self.source_bar, self.start_button, self.stop_button)
        ]
        action = max(self.start_button.sizeHint().width(), self.stop_button.sizeHint().width())
        source = max(self.source_bar.sizeHint().width(), self.source_bar.minimumSizeHint().width())
        rest = sum(w.sizeHint().width() for w in others if not w.isHidden())
        narrow = width < action + source + rest + (len(others) + 3) * theme.SPACE_M
        if narrow == self.source_on_own_row():
            return
        if narrow:  # the source's place in the bar becomes the stretch
            at = bar.indexOf(self.source_bar)
            bar.removeWidget(self.source_bar)
            bar.insertStretch(at, 1)
            self.source_row.addWidget(self.source_bar, 1)
        else:
            self.source_row.removeWidget(self.source_bar)
            at = next(
                i for i, item in enumerate(items) if item is not None and item.spacerItem() and bar.stretch(i) == 1
            )
            bar.takeAt(at)
            bar.insertWidget(at, self.source_bar, 1)

    def hideEvent(self, event: QHideEvent) -> None:  # noqa: N802 - Qt override
        super().hideEvent(event)
        self.end_microphone_test()  # hidden or closed: nobody is looking at the meter
