"""Linux: system audio is the monitor source of a PulseAudio / PipeWire-pulse sink.

Every sink has a monitor source that carries exactly what the sink plays. Discovery (sinks,
their monitors, which is the default) goes through ``pulsectl``, on a connection of the
capture's own; the audio itself is read with ``soundcard``'s libpulse recorder from the monitor,
at the sink's own rate (the shared pipeline resamples to 16 kHz). PipeWire serves the same
protocol through pipewire-pulse, so both work unchanged.

Facts that shaped this (measured against a real daemon, see tests/audio/test_system_audio_pulse.py):

* A record stream whose monitor source is removed (its sink unloaded) is not failed by the
  server: PulseAudio 15 moves it to the default *source*, which may well be the microphone. So
  the capture never trusts the stream to notice; it checks by name every half second that its
  sink is still there (and still the default, when following it).
* soundcard connects to the server once, when it is imported, and that connection cannot come
  back after the server restarts; :func:`load_soundcard` re-imports its libpulse module then.
"""

from __future__ import annotations

import atexit
import contextlib
import importlib
import logging
from typing import Any

from desktop.audio.system.backend import OutputDevice, RecorderStream, SystemAudioSupport, no_thread_scope
from desktop.core.audio_source import AudioSourceError

log = logging.getLogger(__name__)

CLIENT_NAME = "Soniox Desktop"
#: Asked of the server if a sink's own rate is unknown (it resamples from the sink's).
FALLBACK_RATE = 48000
NO_SERVER = (
    "System audio needs the PulseAudio or PipeWire sound server (with pipewire-pulse), and it could not be reached"
)


def load_soundcard() -> Any:
    """soundcard with a live server connection, re-made if the server restarted since import."""
    try:
        import soundcard
    except Exception as exc:  # it connects at import: no server, no libpulse
        raise AudioSourceError(f"{NO_SERVER} ({exc}).") from exc
    backend = getattr(soundcard, "pulseaudio", None)
    if backend is not None and not _connected(backend):
        log.info("Reconnecting soundcard to the sound server")
        # The dead connection's exit hook would run against the reloaded module's new C types.
        with contextlib.suppress(Exception):
            atexit.unregister(backend._pulse._shutdown)
        try:
            importlib.reload(backend)
        except Exception as exc:
            raise AudioSourceError(f"{NO_SERVER} ({exc}).") from exc
    return soundcard


def _connected(backend: Any) -> bool:
    try:
        pulse = backend._pulse
        return bool(pulse._pa_context_get_state(pulse.context) == backend._pa.PA_CONTEXT_READY)
    except Exception:
        return True  # not the libpulse module we know: let it try


def _sink_info_class(pulsectl: Any) -> Any:
    """pulsectl's sink info, keeping the sink's rate: its ``sample_spec`` field points into the
    C struct, which is freed once the listing returns (read later, it is garbage)."""

    class SinkInfo(pulsectl.PulseSinkInfo):  # type: ignore[misc]
        def _init_from_struct(self, struct: Any) -> None:
            super()._init_from_struct(struct)
            self.rate = int(struct.sample_spec.rate)

    return SinkInfo


class PulseBackend:
    """Sinks and monitor captures through one pulsectl connection (one reader thread)."""

    follows_default = False

    def __init__(self, *, pulsectl_module: Any = None, soundcard_module: Any = None) -> None:
        self._pulsectl = pulsectl_module
        self._sc = soundcard_module
        self._pulse: Any = None
        self._sinks: dict[str, Any] = {}

    def thread_scope(self) -> contextlib.AbstractContextManager[None]:
        return no_thread_scope()

    def _connection(self) -> Any:
        if self._pulse is None:
            if self._pulsectl is None:
                import pulsectl

                self._pulsectl = pulsectl
            try:
                # No connect timeout: pulsectl then polls for the whole timeout even once connected,
                # and a missing server is refused at once anyway (autospawn is off).
                pulse = self._pulsectl.Pulse(CLIENT_NAME)
            except Exception as exc:
                raise AudioSourceError(f"{NO_SERVER} ({exc}).") from exc
            pulse.c_struct_wrappers = {self._pulsectl.PulseSinkInfo: _sink_info_class(self._pulsectl)}
            self._pulse = pulse
        return self._pulse

    def outputs(self) -> list[OutputDevice]:
        pulse = self._connection()
        try:
            default = pulse.server_info().default_sink_name
            sinks = pulse.sink_list()
        except Exception as exc:  # PulseDisconnected, PulseOperationFailed
            self.close()
            raise AudioSourceError(
                "The sound server (PulseAudio/PipeWire) stopped, so system audio stopped too. "
                "Start a new session once sound works again."
            ) from exc
        self._sinks = {s.name: s for s in sinks}
        return [OutputDevice(s.name, s.description or s.name, s.name == default) for s in sinks]

    def open(self, output: OutputDevice | None) -> RecorderStream:
        assert output is not None, "PulseAudio captures one sink's monitor at a time"
        sink = self._sinks.get(output.id)
        if sink is None:
            self.outputs()
            sink = self._sinks.get(output.id)
        if sink is None:
            raise AudioSourceError(f"The output “{output.name}” is not available any more. Choose another output.")
        sc = self._sc if self._sc is not None else load_soundcard()
        rate = int(getattr(sink, "rate", 0) or FALLBACK_RATE)
        try:
            monitor = sc.get_microphone(sink.monitor_source_name, include_loopback=True)
            return RecorderStream.open(monitor, rate, sink.channel_count)
        except Exception as exc:
            raise AudioSourceError(
                f"Could not capture the sound of “{output.name}” ({exc}). Check the sound settings, then try again."
            ) from exc

    def describe_failure(self, exc: BaseException, output: OutputDevice) -> str:
        try:
            self.outputs()
        except AudioSourceError as gone:  # the server itself went away: say that, not the symptom
            return str(gone)
        return (
            f"System audio from “{output.name}” stopped: the sound server ended the capture ({exc}). "
            "Check that the output still exists, then start again."
        )

    def close(self) -> None:
        pulse, self._pulse = self._pulse, None
        if pulse is not None:
            with contextlib.suppress(Exception):
                pulse.close()


def list_outputs() -> list[OutputDevice]:
    backend = PulseBackend()
    try:
        return backend.outputs()
    finally:
        backend.close()


def support() -> SystemAudioSupport:
    backend = PulseBackend()
    try:
        server = backend._connection().server_info()
        name = str(server.server_name or "PulseAudio")
    except AudioSourceError as exc:
        return SystemAudioSupport(
            False, f"{exc} Install and start PipeWire (with pipewire-pulse) or PulseAudio to capture system audio."
        )
    except Exception as exc:
        return SystemAudioSupport(False, f"{NO_SERVER} ({exc}).")
    finally:
        backend.close()
    kind = "PipeWire" if "pipewire" in name.lower() else "PulseAudio"
    return SystemAudioSupport(True, f"System audio is captured from the monitor of the chosen output ({kind}).")
