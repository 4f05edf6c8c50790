"""Keep the audio of a live session next to the library, written as it streams.

What is kept depends on the source:

* **Raw PCM** (the microphone: 16 kHz mono s16le) is encoded to **Ogg Opus** with libsndfile
  (``soundfile``) chunk by chunk. Ogg is a stream of self-contained pages, so a file cut short by
  a crash is still a valid file that libsndfile, browsers and players read up to its last page
  and can seek in. The page latency is set to :data:`PAGE_LATENCY_MS`, so a killed app loses at
  most about half a second of audio (``tests/audio/test_recording.py`` kills a writer to prove it).
  The alternatives failed that test: libsndfile's Vorbis writer emits a page only every ~4 KB
  (many seconds of quiet speech) and cannot be flushed, and its FLAC writer stores the length
  only on close, so a FLAC from a killed process reads back with no usable length and cannot
  seek. Opus is also the best of them for speech: ~29 kbit/s (``bench/bench_library.py``), a
  ninth of the raw 256 kbit/s.
* **A local file** streamed as if live is not recorded again: the transcript links to the
  original path (see :func:`recording_plan`).
* **A URL stream** is kept byte for byte as it arrived (it is already compressed; decoding and
  re-encoding would cost CPU and quality), in a file named after its container (``.mp3``,
  ``.ogg``, ``.aac``…).

Only audio that was *sent* is kept (hold-to-talk pauses are skipped, as the service never heard
them), so the recording's timeline is the transcript's timeline and words stay in sync.

Opus encoding costs ~2 ms per 100 ms chunk (3 % of a core), too much for the session's loop
thread, which also draws the transcript: :class:`StreamRecorder` encodes on its own thread
(libsndfile releases the GIL), fed through a queue.
"""

from __future__ import annotations

import enum
import logging
import queue
import threading
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np

from desktop.core.audio_source import AudioFormat, AudioSource, SourceWrapper
from desktop.core.media_sniff import sniff_container

log = logging.getLogger(__name__)

#: Writer threads still encoding; a close that stops waiting early (see ``close(wait_s=)``) leaves
#: the backlog to its thread, and :func:`wait_for_writers` waits for them at exit.
_writers: set[threading.Thread] = set()


def wait_for_writers(timeout_s: float = 10.0) -> bool:
    """Let recordings still encoding their backlog finish (at app exit); False if one did not."""
    for thread in list(_writers):
        thread.join(timeout=timeout_s)
    return not any(t.is_alive() for t in _writers)


#: Extension and label of the library's own recordings.
RECORDING_EXTENSION = "opus"
RECORDING_FORMAT = "ogg/opus"
#: The longest an encoded page waits in memory before it is written (libsndfile's default: 1 s).
PAGE_LATENCY_MS = 500.0
#: libsndfile's SFC_SET_OGG_PAGE_LATENCY_MS (sndfile.h); not wrapped by soundfile.
_SFC_SET_OGG_PAGE_LATENCY_MS = 0x1302

_PCM_DTYPES = {
    "pcm_s16le": ("<i2", "int16"),
    "pcm_s32le": ("<i4", "int32"),
    "pcm_f32le": ("<f4", "float32"),
}

PathFor = Callable[[str], Path]  # extension -> where to write
OnOpen = Callable[["Recorder"], None]


#: How long closing a failed recording waits for its writer (it is usually already gone).
_ABORT_WAIT_S = 1.0


class RecordingError(Exception):
    """The recording could not be written; the live session goes on without it."""


class Plan(enum.Enum):
    ENCODE = "encode"  # raw PCM: encode to Ogg Opus
    COPY = "copy"  # a compressed stream: keep its bytes
    LINK = "link"  # a local file: link to it
    NONE = "none"


def recording_plan(fmt: AudioFormat, *, local_file: bool = False) -> Plan:
    """How audio in ``fmt`` is kept: raw PCM is encoded, a local file linked, a stream copied."""
    if fmt.audio_format in _PCM_DTYPES and fmt.sample_rate and fmt.num_channels:
        return Plan.ENCODE
    if local_file:
        return Plan.LINK
    if fmt.audio_format == "auto":
        return Plan.COPY
    return Plan.NONE


class Recorder:
    """Common face of both recorders: ``write(chunk)``, ``close()``, ``path``, ``duration_ms``."""

    audio_format = ""

    def __init__(self, path_for: PathFor, on_open: OnOpen | None = None) -> None:
        self._path_for = path_for
        self._on_open = on_open
        self._path: Path | None = None
        self.closed = False
        self.failed = False
        self.bytes_in = 0

    @property
    def path(self) -> Path:
        if self._path is None:
            raise RecordingError("nothing was recorded yet")
        return self._path

    @property
    def opened(self) -> bool:
        return self._path is not None

    @property
    def duration_ms(self) -> int:
        return 0

    def write(self, chunk: bytes) -> None:
        """Keep ``chunk``; a failure is logged once and stops the recording, never the session."""
        if self.closed or self.failed or not chunk:
            return
        try:
            if self._path is None:
                self._open(chunk)
                if self._on_open is not None:
                    self._on_open(self)
            self._write(chunk)
            self.bytes_in += len(chunk)
        except Exception as exc:
            self.failed = True
            log.warning("Recording stopped: %s", exc)
            self._abort()

    def close(self, *, wait_s: float = 10.0) -> None:
        """Finish the file; waits up to ``wait_s`` for it to be complete (past that, the writer
        thread finishes any backlog on its own)."""
        if self.closed:
            return
        self.closed = True
        if self._path is not None and not self.failed:
            self._close(wait_s)

    def _open(self, first_chunk: bytes) -> None:
        raise NotImplementedError

    def _write(self, chunk: bytes) -> None:
        raise NotImplementedError

    def _close(self, wait_s: float) -> None:
        raise NotImplementedError

    def _abort(self) -> None:
        """Release the file after a failure (whatever was written stays readable).

        Waits briefly only: a failed disk must not hold up the session's loop."""
        try:
            self._close(_ABORT_WAIT_S)
        except Exception:
            log.debug("Closing a failed recording failed", exc_info=True)


class StreamRecorder(Recorder):
    """Raw PCM → Ogg Opus, encoded on a writer thread (see the module docstring)."""

    audio_format = RECORDING_FORMAT

    def __init__(self, fmt: AudioFormat, path_for: PathFor, on_open: OnOpen | None = None) -> None:
        super().__init__(path_for, on_open)
        if fmt.audio_format not in _PCM_DTYPES or not fmt.sample_rate or not fmt.num_channels:
            raise RecordingError(f"cannot encode {fmt.audio_format} audio")
        self.fmt = fmt
        self._dtype, self._sf_dtype = _PCM_DTYPES[fmt.audio_format]
        self._frame_bytes = np.dtype(self._dtype).itemsize * fmt.num_channels
        self._queue: queue.SimpleQueue[bytes | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._frames = 0
        self._bytes = 0
        self.error: str | None = None

    @property
    def frames(self) -> int:
        return self._frames

    @property
    def duration_ms(self) -> int:
        rate = self.fmt.sample_rate or 1
        return self._frames * 1000 // rate

    def _open(self, first_chunk: bytes) -> None:
        self._path = self._path_for(RECORDING_EXTENSION)
        self._thread = threading.Thread(target=self._run, name="recording-writer", daemon=True)
        _writers.add(self._thread)
        self._thread.start()

    def _write(self, chunk: bytes) -> None:
        if self.error is not None:
            raise RecordingError(self.error)
        self._queue.put(chunk)
        self._bytes += len(chunk)
        self._frames = self._bytes // self._frame_bytes

    def _close(self, wait_s: float) -> None:
        thread, self._thread = self._thread, None
        if thread is not None:
            self._queue.put(None)
            thread.join(timeout=wait_s)
            if thread.is_alive():
                log.info("The recording is still encoding its backlog; it finishes in the background")

    def _run(self) -> None:
        """The writer thread: open, encode every chunk as it comes, close on ``None``."""
        import soundfile

        try:
            f = soundfile.SoundFile(
                str(self._path),
                "w",
                samplerate=self.fmt.sample_rate,
                channels=self.fmt.num_channels,
                format="OGG",
                subtype="OPUS",
            )
        except Exception as exc:
            self.error = f"the recording file could not be created: {exc}"
            self.failed = True
            log.warning("Recording stopped: %s", exc)
            _writers.discard(threading.current_thread())
            return
        _set_page_latency(f, PAGE_LATENCY_MS)
        carry = b""
        try:
            while (chunk := self._queue.get()) is not None:
                data = carry + chunk
                usable = len(data) - len(data) % self._frame_bytes
                carry = data[usable:]
                if usable:
                    samples = np.frombuffer(data[:usable], dtype=self._dtype).reshape(-1, self.fmt.num_channels or 1)
                    f.write(samples.astype(self._sf_dtype, copy=False))
        except Exception as exc:
            self.error = f"writing the recording failed: {exc}"
            self.failed = True
            log.warning("Recording stopped: %s", exc)
        finally:
            f.close()
            _writers.discard(threading.current_thread())


def _set_page_latency(f: Any, ms: float) -> None:
    """Ask libsndfile to write an Ogg page at least every ``ms``; its default (1 s) otherwise."""
    try:
        from soundfile import _ffi, _snd

        value = _ffi.new("double*", ms)
        _snd.sf_command(f._file, _SFC_SET_OGG_PAGE_LATENCY_MS, value, _ffi.sizeof("double"))
    except Exception:  # soundfile's internals moved: the default latency still applies
        log.debug("Could not set the Ogg page latency", exc_info=True)


class PassthroughRecorder(Recorder):
    """Compressed stream bytes kept as they came, in a file named after the container."""

    def __init__(self, path_for: PathFor, on_open: OnOpen | None = None) -> None:
        super().__init__(path_for, on_open)
        self._file: BinaryIO | None = None
        self.audio_format = ""

    def _open(self, first_chunk: bytes) -> None:
        container = sniff_container(first_chunk) or "bin"
        self.audio_format = container
        path = self._path_for(container)
        self._file = path.open("wb")
        self._path = path

    def _write(self, chunk: bytes) -> None:
        assert self._file is not None
        self._file.write(chunk)
        self._file.flush()  # into the OS cache at once: that survives the app being killed

    def _close(self, wait_s: float) -> None:
        f, self._file = self._file, None
        if f is not None:
            f.close()


def make_recorder(source: AudioSource, path_for: PathFor, on_open: OnOpen | None = None) -> Recorder | None:
    """The recorder for ``source``'s plan, or None (local files are linked, not recorded)."""
    plan = recording_plan(source.format)
    if plan is Plan.ENCODE:
        return StreamRecorder(source.format, path_for, on_open)
    if plan is Plan.COPY:
        return PassthroughRecorder(path_for, on_open)
    return None


class RecordingTap(SourceWrapper):
    """An :class:`AudioSource` that hands every chunk to a recorder on its way to the session.

    ``should_record`` is asked per chunk, at the moment the session receives it: the live
    controller points it at the session's hold-to-talk state, so audio that is discarded is not
    recorded either. Every other attribute (``path``, ``url``, ``levels`` …) is the source's own.
    """

    def __init__(self, inner: AudioSource, recorder: Recorder) -> None:
        super().__init__(inner)
        self.recorder = recorder
        self.should_record: Callable[[], bool] = lambda: True

    async def chunks(self) -> AsyncIterator[bytes]:
        source = self.inner.chunks()
        try:
            async for chunk in source:
                if self.should_record():
                    self.recorder.write(chunk)
                yield chunk
        finally:
            aclose = getattr(source, "aclose", None)
            if aclose is not None:
                await aclose()


def tap_for_recording(
    source: AudioSource,
    path_for: PathFor,
    on_open: OnOpen,
    should_record: Callable[[], bool],
) -> AudioSource | None:
    """The live run's recording hook (``desktop.core.live.run.RecordingTapFactory``).

    Wraps ``source`` so each chunk the session takes is also written, while ``should_record()``
    says it is sent; None when this source's audio cannot be recorded.
    """
    recorder = make_recorder(source, path_for, on_open)
    if recorder is None:
        return None
    tap = RecordingTap(source, recorder)
    tap.should_record = should_record
    return tap
