"""A private PulseAudio daemon with a FIFO-fed virtual microphone, for end-to-end capture tests.

Why a subprocess for the capture: PortAudio enumerates devices once per process, at
initialisation, and the daemon must exist before that; the test process has long imported
sounddevice. So ``python -m tests.pulse capture OUT SECONDS`` runs the real
:class:`~desktop.audio.capture.MicrophoneCapture` (real sounddevice, real PortAudio, ALSA's
"default"/"pulse" devices routed to PulseAudio by libasound2-plugins) in a child process whose
environment points at the private daemon, and writes the captured bytes to a file.

Facts that shaped this (measured): writing s16le 16 kHz mono into the pipe source is bit-exact
and *not* paced (the writer sets the pace, so :class:`Feeder` sleeps for real time), and a
PortAudio ``stop()`` hangs for as long as nothing is written, so the feeder keeps writing
silence until the capture process has exited. Every wait has a timeout and the daemon is always
killed; each test session gets its own runtime directory (and HOME, so no cookie or config of
the developer's is touched).

Use the ``pulse`` fixture (``from tests.pulse import pulse  # noqa: F401`` in a test module), or
``private_pulse`` for a daemon the test may kill.
Without ``pulseaudio`` the fixture skips, except under ``CI=true`` where it fails and says what
to install.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

INSTALL_HINT = "apt-get install pulseaudio pulseaudio-utils libasound2-plugins libportaudio2"
RATE = 16000


class PulseDaemon:
    """A running private daemon: ``env`` for child processes, ``fifo`` to feed the microphone."""

    def __init__(self, runtime: Path) -> None:
        self.runtime = runtime
        self.fifo = runtime / "vmic.fifo"
        self.log = runtime / "pulse.log"
        self.env = {
            **os.environ,
            "XDG_RUNTIME_DIR": str(runtime),
            "HOME": str(runtime),
            "PULSE_SERVER": f"unix:{runtime}/pulse/native",
            "PULSE_SOURCE": "vmic",
            "PULSE_SINK": "vsink",
        }
        self.env.pop("DISPLAY", None)  # no X11 module or autospawn surprises

    def start(self, timeout: float = 10.0) -> None:
        args = [
            "pulseaudio", "-D", "-n", "--exit-idle-time=-1", "--disallow-exit", "--use-pid-file=yes",
            "--disable-shm=yes", f"--log-target=file:{self.log}",
            "--load=module-native-protocol-unix auth-anonymous=1",
            "--load=module-null-sink sink_name=vsink rate=48000",
            f"--load=module-pipe-source source_name=vmic file={self.fifo} format=s16le rate={RATE} channels=1",
        ]  # fmt: skip
        subprocess.run(args, env=self.env, check=True, timeout=timeout, capture_output=True)
        deadline = time.monotonic() + timeout
        while True:
            ok = subprocess.run(["pactl", "info"], env=self.env, capture_output=True, timeout=timeout)
            if ok.returncode == 0 and self.fifo.exists():
                break
            if time.monotonic() > deadline:
                raise RuntimeError(f"PulseAudio did not come up: {self.log_tail()}")
            time.sleep(0.1)
        for cmd in (["pactl", "set-default-sink", "vsink"], ["pactl", "set-default-source", "vmic"]):
            subprocess.run(cmd, env=self.env, check=True, capture_output=True, timeout=timeout)

    def stop(self) -> None:
        pid_file = self.runtime / "pulse" / "pid"
        with contextlib.suppress(OSError, ValueError):
            pid = int(pid_file.read_text().strip())
            os.kill(pid, signal.SIGTERM)
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline:
                if not _alive(pid):
                    break
                time.sleep(0.05)
            else:
                os.kill(pid, signal.SIGKILL)

    def log_tail(self, lines: int = 20) -> str:
        with contextlib.suppress(OSError):
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        return "(no log)"

    def feeder(self, pcm: bytes, *, lead_silence_s: float = 0.0) -> Feeder:
        return Feeder(self.fifo, pcm, lead_silence_s=lead_silence_s)

    # -- system audio: what plays into the sinks ---------------------------------------------

    def pactl(self, *args: str, timeout: float = 10.0) -> str:
        done = subprocess.run(["pactl", *args], env=self.env, capture_output=True, text=True, timeout=timeout)
        if done.returncode != 0:
            raise RuntimeError(f"pactl {' '.join(args)} failed: {done.stderr.strip()}")
        return done.stdout.strip()

    def load_sink(self, name: str, description: str) -> int:
        """Another null sink (an "output" the user could pick); returns its module index."""
        return int(self.pactl("load-module", "module-null-sink", f"sink_name={name}",
                              f"sink_properties='device.description=\"{description}\"'"))  # fmt: skip

    def load_echo(self, source: str, sink: str, *, latency_ms: int, volume_db: float) -> int:
        """A room's echo: what ``source`` hears (a sink's monitor: the loudspeakers) mixed into
        ``sink`` (whose monitor is then a microphone) ``volume_db`` down and ``latency_ms`` late;
        returns the loopback's module index."""
        args = [f"source={source}", f"sink={sink}", f"latency_msec={latency_ms}"]
        module = int(self.pactl("load-module", "module-loopback", *args))
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:  # its playback stream: the newest one the loopback owns
            ours = [line.split() for line in self.pactl("list", "short", "sink-inputs").splitlines()]
            ours = [
                fields for fields in ours if fields[-4:-3] == ["module-loopback.c"] or "module-loopback.c" in fields
            ]
            if ours:
                newest = max(int(fields[0]) for fields in ours)
                self.pactl("set-sink-input-volume", str(newest), f"{volume_db}dB")
                return module
            time.sleep(0.05)
        raise RuntimeError(f"the loopback of module {module} never appeared")

    def play(self, pcm: bytes, sink: str = "vsink") -> subprocess.Popen[bytes]:
        """Play s16le 16 kHz mono into ``sink`` with ``pacat`` (the sink's clock paces it)."""
        cmd = ["pacat", "--playback", f"--device={sink}", "--format=s16le", f"--rate={RATE}", "--channels=1",
               "--raw", "--latency-msec=50"]  # fmt: skip
        proc = subprocess.Popen(cmd, env=self.env, stdin=subprocess.PIPE, stderr=subprocess.PIPE)
        assert proc.stdin is not None
        threading.Thread(target=_write_and_close, args=(proc.stdin, pcm), daemon=True).start()
        return proc


def _alive(pid: int) -> bool:
    """True while ``pid`` runs; an exited daemon left as a zombie (not our child) counts as gone."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with contextlib.suppress(OSError, IndexError):
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    return True


def _write_and_close(pipe: Any, data: bytes) -> None:
    with contextlib.suppress(OSError):
        pipe.write(data)
        pipe.close()


class Feeder(threading.Thread):
    """Writes ``pcm`` (s16le 16 kHz mono) into the FIFO at real time, then silence until stopped."""

    BLOCK = RATE // 50  # 20 ms

    def __init__(self, fifo: Path, pcm: bytes, *, lead_silence_s: float = 0.0) -> None:
        super().__init__(name="pulse-feeder", daemon=True)
        self.fifo = fifo
        self.pcm = pcm
        self.lead = int(lead_silence_s * RATE) * 2
        self.started_signal = threading.Event()  # set when the first signal byte is written
        self.signal_done = threading.Event()
        self._stop_event = threading.Event()
        self._play = threading.Event()
        self.error: BaseException | None = None

    def play(self) -> None:
        """Start writing the signal (silence is written from thread start until then)."""
        self._play.set()

    def stop(self) -> None:
        self._stop_event.set()
        self.join(5)

    def run(self) -> None:
        try:
            fd = os.open(self.fifo, os.O_WRONLY)  # the daemon holds the read end open
            try:
                self._write_loop(fd)
            finally:
                os.close(fd)
        except BaseException as exc:  # reported by the test
            self.error = exc

    def _write_loop(self, fd: int) -> None:
        block_bytes = self.BLOCK * 2
        silence = bytes(block_bytes)
        queue = b""
        pos = 0
        t0 = time.monotonic()
        n = 0
        while not self._stop_event.is_set():
            if self._play.is_set() and not queue and pos == 0:
                queue = bytes(self.lead) + self.pcm
                self.started_signal.set()
            if queue and pos < len(queue):
                block = queue[pos : pos + block_bytes]
                pos += len(block)
                block += bytes(block_bytes - len(block))
                if pos >= len(queue):
                    self.signal_done.set()
            else:
                block = silence
            os.write(fd, block)
            n += 1
            delay = t0 + n * self.BLOCK / RATE - time.monotonic()
            if delay > 0:
                self._stop_event.wait(delay)


def _start_daemon() -> PulseDaemon:
    if not shutil.which("pulseaudio") or not shutil.which("pactl"):
        message = f"PulseAudio is needed for the end-to-end microphone test: {INSTALL_HINT}"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    runtime = Path(tempfile.mkdtemp(prefix="soniox-pulse-"))
    runtime.chmod(0o700)
    daemon = PulseDaemon(runtime)
    try:
        daemon.start()
    except Exception:
        daemon.stop()
        shutil.rmtree(runtime, ignore_errors=True)
        raise
    return daemon


@pytest.fixture(scope="session")
def pulse() -> Iterator[PulseDaemon]:
    """A private PulseAudio daemon for the whole test session (about 50 ms to start)."""
    daemon = _start_daemon()
    try:
        yield daemon
    finally:
        daemon.stop()
        shutil.rmtree(daemon.runtime, ignore_errors=True)


@pytest.fixture
def private_pulse() -> Iterator[PulseDaemon]:
    """A daemon of the test's own, for tests that kill it (a microphone that disappears)."""
    daemon = _start_daemon()
    try:
        yield daemon
    finally:
        daemon.stop()
        shutil.rmtree(daemon.runtime, ignore_errors=True)


def _child(daemon: PulseDaemon, *args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    cmd = [sys.executable, "-m", "tests.pulse", *args]
    root = Path(__file__).resolve().parent.parent
    env = {**daemon.env, "PYTHONPATH": str(root), **(env or {})}
    return subprocess.Popen(
        cmd, cwd=root, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def run_capture(daemon: PulseDaemon, out: Path, seconds: float, *, device: str = "") -> subprocess.Popen[str]:
    """Start the capture child; it prints READY once the stream runs, AUDIO at the first chunk,
    and a JSON summary line (SUMMARY {...}) at the end."""
    return _child(daemon, "capture", str(out), str(seconds), device)


def run_system_capture(
    daemon: PulseDaemon, out: Path, seconds: float, *, output: str = "", again: bool = False
) -> subprocess.Popen[str]:
    """The system-audio child: the real :func:`desktop.audio.system.open_system_audio` in a
    process whose soundcard connects to ``daemon`` (it connects once, at import). Prints READY
    once capturing, AUDIO at the first chunk, SWITCH lines when it follows a new default, and a
    SUMMARY line. With ``again``, each line written to its stdin runs one more capture in the
    same process (ERROR instead of READY when it cannot start)."""
    return _child(daemon, "system", str(out), str(seconds), output, *(["--again"] if again else []))


async def _record(
    cap: Any, out: Path, seconds: float, ready: Callable[[], str], summary: Callable[[], dict[str, Any]]
) -> int:
    """Start ``cap``, keep ``seconds`` of its audio in ``out``, print the protocol lines."""
    from desktop.core.audio_source import AudioSourceError

    try:
        await cap.start()
    except AudioSourceError as exc:
        print(f"ERROR {exc}", flush=True)
        return 2
    print(f"READY {ready()}", flush=True)
    want = int(seconds * RATE) * 2
    data = bytearray()
    error = ""
    switches = 0
    try:
        async for chunk in cap.chunks():
            if not data:
                print("AUDIO", flush=True)  # the first chunk arrived
            if getattr(cap, "switches", 0) != switches:
                switches = cap.switches
                print(f"SWITCH {len(data)} {cap.output_name}", flush=True)
            data.extend(chunk)
            if len(data) >= want:
                await cap.stop()
    except AudioSourceError as exc:
        error = str(exc)
    await cap.stop()
    out.write_bytes(bytes(data))
    stats = cap.stats
    result = {"bytes": len(data), "chunks": stats.chunks, "overflows": stats.overflows, "error": error, **summary()}
    print("SUMMARY " + json.dumps(result), flush=True)
    return 0


async def _capture_main(out: Path, seconds: float, device: str) -> int:
    from desktop.audio.capture import MicrophoneCapture

    cap = MicrophoneCapture(device or None)
    return await _record(
        cap, out, seconds,
        lambda: f"{cap.device_rate} {cap.device_channels} {cap.device_name}",
        lambda: {"status_flags": cap.stats.status_flags, "rate": cap.device_rate, "channels": cap.device_channels,
                 "device": cap.device_name},
    )  # fmt: skip


async def _system_main(out: Path, seconds: float, output: str) -> int:
    from desktop.audio.system import open_system_audio
    from desktop.audio.system.capture import SystemAudioCapture

    cap = open_system_audio(output or None, follow_poll_s=0.2)
    assert isinstance(cap, SystemAudioCapture)
    return await _record(
        cap, out, seconds,
        lambda: f"{cap.device_rate} {cap.device_channels} {cap.output_name}",
        lambda: {"switches": cap.switches, "output": cap.output_name, "label": cap.label, "rate": cap.device_rate,
                 "frames": cap.frames_captured},
    )  # fmt: skip


def run_meeting(
    daemon: PulseDaemon,
    seconds: float,
    api_base_url: str,
    websocket_url: str,
    *,
    echo_cancellation: bool = False,
    mic_source: str = "",
) -> subprocess.Popen[str]:
    """The meeting child: a real :class:`~desktop.core.meeting.run.MeetingRun` of the virtual
    microphone (PortAudio) and the default output's monitor (system audio) against the emulator
    at the given URLs (key "test-key"). Prints READY once both sides listen, then a SUMMARY line
    with the merged transcript's turns ``[[label, text], ...]`` after ``seconds``. With
    ``echo_cancellation`` the captures are wrapped as the app wraps them (``cancel_echo``);
    ``mic_source`` is the PulseAudio source the microphone reads (default: the FIFO "vmic")."""
    extra = ["--aec"] if echo_cancellation else []
    env = {"PULSE_SOURCE": mic_source} if mic_source else {}
    return _child(daemon, "meeting", api_base_url, websocket_url, str(seconds), *extra, env=env)


async def _meeting_main(api_base_url: str, websocket_url: str, seconds: float, aec: bool = False) -> int:
    from soniox import AsyncSonioxClient

    from desktop.audio.capture import MicrophoneCapture
    from desktop.audio.system import open_system_audio
    from desktop.core.audio_source import AudioSource
    from desktop.core.live import LiveOptions, LiveState
    from desktop.core.meeting.echo_guard import EchoGuard
    from desktop.core.meeting.run import MeetingRun

    client = AsyncSonioxClient(api_key="test-key", api_base_url=api_base_url, websocket_base_url=websocket_url)
    mic: AudioSource = MicrophoneCapture(None)
    system = open_system_audio(None)
    if aec:
        from desktop.audio.echo import cancel_echo

        mic, system = cancel_echo(mic, system)
    run = MeetingRun(
        lambda: client,
        LiveOptions(model="stt-rt-v4"),
        None,
        mic,
        system,
        echo_guard=EchoGuard(),
    )
    await run.start()
    if run.state is not LiveState.RUNNING:
        print(f"ERROR {run.state.value} {run.last_error}", flush=True)
        await client.aclose()
        return 2
    print("READY", flush=True)
    await asyncio.sleep(seconds)
    await run.stop()
    await client.aclose()
    t = run.transcript
    summary = {
        "turns": [[t.speaker_label(s.speaker), s.text.strip()] for s in t.segments()],
        "state": run.state.value,
        "error": str(run.last_error or ""),
    }
    print("SUMMARY " + json.dumps(summary), flush=True)
    return 0


if __name__ == "__main__":
    if len(sys.argv) >= 5 and sys.argv[1] == "meeting":
        sys.exit(asyncio.run(_meeting_main(sys.argv[2], sys.argv[3], float(sys.argv[4]), "--aec" in sys.argv[5:])))
    if len(sys.argv) >= 4 and sys.argv[1] == "capture":
        device_arg = sys.argv[4] if len(sys.argv) > 4 else ""
        sys.exit(asyncio.run(_capture_main(Path(sys.argv[2]), float(sys.argv[3]), device_arg)))
    if len(sys.argv) >= 4 and sys.argv[1] == "system":
        output_arg = sys.argv[4] if len(sys.argv) > 4 else ""
        code = asyncio.run(_system_main(Path(sys.argv[2]), float(sys.argv[3]), output_arg))
        while "--again" in sys.argv[5:] and sys.stdin.readline():
            code = asyncio.run(_system_main(Path(sys.argv[2]), float(sys.argv[3]), output_arg))
        sys.exit(code)
    print("usage: python -m tests.pulse capture|system OUT SECONDS [DEVICE|OUTPUT]", file=sys.stderr)
    print("       python -m tests.pulse meeting API_BASE_URL WEBSOCKET_URL SECONDS", file=sys.stderr)
    sys.exit(64)
