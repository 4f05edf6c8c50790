"""System audio and meetings in the live panel: their sources, their run, their settings.

Kept out of ``panel.py`` (already the largest screen): the panel asks here for the system-audio
source, or for a whole :class:`~desktop.core.meeting.run.MeetingRun` (microphone + system audio,
echo-cancelled when the setting is on), and calls :func:`install` once to wire the source bar's
meeting controls to the settings.

:class:`SystemAudio` is the one door to ``desktop.audio.system`` and ``desktop.audio.echo``
(loaded on first use, like the capture); tests replace the panel's with sources of their own.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from desktop.core.audio_source import AudioSource
from desktop.core.live.config_builder import LiveOptions
from desktop.core.live.run import LiveRunSettings, SourceKind, SourceOrigin
from desktop.core.meeting.echo_guard import EchoGuard
from desktop.core.meeting.run import MeetingRun

if TYPE_CHECKING:
    from desktop.audio.system import OutputDevice
    from desktop.ui.live.panel import LivePanel
    from desktop.ui.output_picker import OutputPicker

log = logging.getLogger(__name__)

#: The source kinds that capture what the computer plays.
SYSTEM_KINDS = frozenset({SourceKind.SYSTEM.value, SourceKind.MEETING.value})
#: The meter's idle words on the system-audio and meeting pages (there is no test button there).
IDLE_SYSTEM_METER = "Off until Start"


class SystemAudio:
    """What the panel needs from the system-audio and echo packages."""

    def support(self) -> tuple[bool, str, str | None]:
        """(available, why not in words, where to allow it) for this computer."""
        try:
            from desktop.audio.system import system_audio_support

            support = system_audio_support()
        except Exception as exc:  # the platform's library is missing or broken: say so, in words
            log.warning("System audio support check failed: %s", exc)
            return False, f"System audio cannot be captured here: {exc}", None
        return support.available, support.message, support.settings_url

    def outputs(self) -> list[OutputDevice]:
        """The outputs whose sound can be captured (blocking: the picker calls it off the UI thread)."""
        from desktop.audio.system import list_outputs

        return list_outputs()

    def open(self, output_id: str | None) -> AudioSource:
        from desktop.audio.system import open_system_audio

        return open_system_audio(output_id or None)

    def cancel_echo(self, mic: AudioSource, system: AudioSource) -> tuple[AudioSource, AudioSource]:
        from desktop.audio.echo import cancel_echo

        return cancel_echo(mic, system)


def output_picker(panel: LivePanel) -> OutputPicker:
    """The output picker, listing through the panel's :class:`SystemAudio` (replaceable by tests)."""
    from desktop.ui.output_picker import OutputPicker

    return OutputPicker(panel, lister=lambda: panel.system_audio.outputs())


def install(panel: LivePanel) -> None:
    """Wire the source bar's system-audio and meeting controls to the settings and the meter."""
    bar = panel.source_bar
    settings = panel.context.settings
    bar.set_echo_cancellation(settings.meeting_echo_cancellation)
    bar.echo_cancellation_toggled.connect(lambda on: _save(panel, meeting_echo_cancellation=on))
    picker = bar.output_picker
    if settings.system_output:
        picker.select_output(settings.system_output)
    picker.output_changed.connect(lambda output_id: _save(panel, system_output=output_id))
    bar.kind_changed.connect(lambda kind: on_kind(panel, kind))
    on_kind(panel, bar.kind().value)


def on_kind(panel: LivePanel, kind: str) -> None:
    """A source kind was chosen: for the system-audio kinds, say at once whether they can work."""
    uses_system = kind in SYSTEM_KINDS
    panel.monitor.idle_message = IDLE_SYSTEM_METER if uses_system else "Off — press Test microphone"
    if not panel.monitor.wanted and panel.monitor.capture is None and not panel.controller.state.is_active:
        panel.monitor.show_idle()
    # Hold-to-talk would stop the microphone's clock while the system audio's runs on.
    meeting = kind == SourceKind.MEETING.value
    if meeting and panel.hold_check.isChecked():
        panel.hold_check.setChecked(False)
    panel.hold_check.setEnabled(not meeting)
    panel.hold_check.setToolTip(
        "Hold to talk does not apply to meetings: both sides listen all the time"
        if meeting
        else "Send audio only while the Talk button or the talk key is held"
    )
    if uses_system:  # asked each time: the sound server may have started since
        panel.source_bar.set_system_support(*panel.system_audio.support())


def selected_output(panel: LivePanel) -> str | None:
    return panel.source_bar.output_picker.selected_output() or None


def system_source(panel: LivePanel) -> tuple[AudioSource, SourceOrigin]:
    return panel.system_audio.open(selected_output(panel)), SourceOrigin(SourceKind.SYSTEM)


async def meeting_run(panel: LivePanel, options: LiveOptions) -> MeetingRun:
    """Both sources (echo-cancelled when the setting is on) and the run; ``ValueError`` as LiveRun's."""
    from desktop.audio.meeting_recording import record_meeting  # numpy, with the first session

    panel.source_bar.set_testing(False)
    await panel.monitor.stop()  # the meeting opens the microphone itself
    device = panel.source_bar.device_picker.selected_device() or None
    mic: AudioSource = panel._capture_factory(device)
    system = panel.system_audio.open(selected_output(panel))
    if panel.context.settings.meeting_echo_cancellation:
        mic, system = panel.system_audio.cancel_echo(mic, system)
        if not getattr(mic, "echo_cancelling", True):  # livekit missing, or formats it cannot take
            panel.echo_status = str(getattr(mic, "echo_status", "Echo cancellation is off."))
    return MeetingRun(
        panel.context.client,
        options,
        panel.options_form.current_model(),
        mic,
        system,
        library=panel.library,
        record=record_meeting,
        settings=LiveRunSettings(
            keep_audio=panel.context.settings.keep_recordings, session_options=panel._session_options
        ),
        transcript=panel.controller.new_transcript(),
        echo_guard=EchoGuard(),  # what echo cancellation leaves: the other side's words as "You"
    )


def _save(panel: LivePanel, **changes: Any) -> None:
    for name, value in changes.items():
        setattr(panel.context.settings, name, value)
    try:
        panel.context.settings_store.save()
    except OSError as exc:
        log.warning("Could not save the meeting settings: %s", exc)
