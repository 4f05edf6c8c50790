"""A microphone level meter, and the helper that keeps it moving while testing and during a session.

:class:`LevelMeter` only paints what it is given (``set_levels``), so it works for any source.
:class:`MicrophoneMonitor` owns a capture in monitor mode (no consumer, chunks discarded) so the
meter shows the microphone while the user tests it (the owner calls ``start``/``stop``; an open
microphone lights the system's "in use" indicator, so it is never opened just in case), polls
levels with a 30 Hz timer on the Qt
thread (the capture publishes them from PortAudio's thread as one immutable object, so reading
needs no lock), releases the device when a session takes it over, then follows the session's
own capture and resumes monitoring afterwards.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QRectF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QFont, QPainter, QPaintEvent, QPalette, QPen
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSizePolicy, QWidget

from desktop.audio import devices as devmod
from desktop.audio.levels import FLOOR_DB
from desktop.core.audio_source import AudioSourceError
from desktop.ui.async_tools import spawn

if TYPE_CHECKING:
    from desktop.audio.capture import MicrophoneCapture

log = logging.getLogger(__name__)

MIN_DB = -60.0
AMBER_DB = -18.0  # speech normally peaks here or a little above
RED_DB = -6.0  # close to clipping
HOLD_S = 1.5
HOLD_FALL_DB_PER_S = 20.0
STALE_S = 0.5  # a reading older than this means the device went quiet (or away)

# Mid-saturation hues that read on light and dark backgrounds alike.
GREEN = QColor(46, 160, 67)
AMBER = QColor(222, 155, 20)
RED = QColor(214, 57, 50)


def _frac(db: float) -> float:
    return min(1.0, max(0.0, (db - MIN_DB) / -MIN_DB))


class _MeterBar(QWidget):
    """The painted part: zones, RMS bar, translucent peak bar, peak-hold tick, dB scale."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("levelMeterBar")
        self.peak_db = FLOOR_DB
        self.rms_db = FLOOR_DB
        self.hold_db = FLOOR_DB
        self.message = ""
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt override
        fm = self.fontMetrics()
        return QSize(240, 14 + 4 + fm.height())

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt override
        return QSize(120, self.sizeHint().height())

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt override
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        pal = self.palette()
        small = QFont(self.font())
        small.setPointSizeF(max(6.5, self.font().pointSizeF() * 0.8))
        p.setFont(small)
        fm = p.fontMetrics()
        bar = QRectF(0.5, 0.5, self.width() - 1.0, 14.0)
        p.setPen(QPen(pal.color(QPalette.ColorRole.Mid), 1))
        p.setBrush(pal.color(QPalette.ColorRole.Base))
        p.drawRect(bar)
        inner = bar.adjusted(1.5, 1.5, -1.5, -1.5)
        zones = ((MIN_DB, AMBER_DB, GREEN), (AMBER_DB, RED_DB, AMBER), (RED_DB, 0.0, RED))
        p.setPen(Qt.PenStyle.NoPen)
        for lo, hi, colour in zones:  # faint zone tint so the scale reads even in silence
            tint = QColor(colour)
            tint.setAlpha(38)
            self._fill(p, inner, lo, hi, tint)
        if not self.message:
            for lo, hi, colour in zones:
                peak_colour = QColor(colour)
                peak_colour.setAlpha(120)
                self._fill(p, inner, lo, min(hi, self.peak_db), peak_colour)
                self._fill(p, inner, lo, min(hi, self.rms_db), colour)
            if self.hold_db > MIN_DB:
                x = inner.left() + inner.width() * _frac(self.hold_db)
                p.setPen(QPen(pal.color(QPalette.ColorRole.Text), 2))
                p.drawLine(int(x), int(inner.top()), int(x), int(inner.bottom()))
        else:
            p.setPen(pal.color(QPalette.ColorRole.PlaceholderText))
            p.drawText(
                inner,
                Qt.AlignmentFlag.AlignCenter,
                fm.elidedText(self.message, Qt.TextElideMode.ElideRight, int(inner.width()) - 8),
            )
        # Scale under the bar.
        p.setPen(pal.color(QPalette.ColorRole.PlaceholderText))
        y = bar.bottom() + 3
        for db in (-60, -40, -20, -10, -6, -3, 0):
            x = inner.left() + inner.width() * _frac(db)
            text = str(db)
            w = fm.horizontalAdvance(text)
            tx = min(max(x - w / 2, 0.0), self.width() - w)
            if db in (-6, -3) and inner.width() < 260:  # avoid crowding on narrow meters
                continue
            p.drawLine(int(x), int(bar.bottom()), int(x), int(bar.bottom() + 2))
            p.drawText(QRectF(tx, y, w + 1, fm.height()), Qt.AlignmentFlag.AlignLeft, text)
        p.end()

    @staticmethod
    def _fill(p: QPainter, inner: QRectF, lo: float, hi: float, colour: QColor) -> None:
        if hi <= lo:
            return
        x0 = inner.left() + inner.width() * _frac(lo)
        x1 = inner.left() + inner.width() * _frac(hi)
        if x1 > x0:
            p.fillRect(QRectF(x0, inner.top(), x1 - x0, inner.height()), colour)


class LevelMeter(QWidget):
    """Peak and RMS level in dBFS (-60..0), with peak hold and a dropped-audio warning."""

    def __init__(self, parent: QWidget | None = None, *, clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__(parent)
        self.setObjectName("levelMeter")
        self.setAccessibleName("Microphone level")
        self._clock = clock
        self._bar = _MeterBar(self)
        self._warning = QLabel(self)
        self._warning.setObjectName("levelMeterOverflow")
        self._warning.setVisible(False)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(8)
        layout.addWidget(self._bar, 1)
        layout.addWidget(self._warning, 0, Qt.AlignmentFlag.AlignTop)
        self._hold_at = 0.0
        self._overflows = 0
        self._status_flags = 0
        self._described_band: int | None = None
        self._described_at = 0.0
        self.setToolTip("Microphone level: green is fine for speech, amber is loud, red is close to clipping.")

    @property
    def peak_db(self) -> float:
        return self._bar.peak_db

    @property
    def rms_db(self) -> float:
        return self._bar.rms_db

    @property
    def hold_db(self) -> float:
        return self._bar.hold_db

    @property
    def message(self) -> str:
        return self._bar.message

    @property
    def warning_text(self) -> str:
        return self._warning.text() if self._warning.isVisibleTo(self) else ""

    def set_levels(self, peak_db: float, rms_db: float) -> None:
        """Show a new reading (call at ≥ 20 Hz); the peak-hold tick is kept here."""
        now = self._clock()
        bar = self._bar
        bar.peak_db, bar.rms_db = peak_db, rms_db
        if peak_db >= bar.hold_db:
            bar.hold_db, self._hold_at = peak_db, now
        elif now - self._hold_at > HOLD_S:
            fallen = bar.hold_db - HOLD_FALL_DB_PER_S * (now - self._hold_at - HOLD_S)
            bar.hold_db = max(peak_db, fallen)
        bar.message = ""
        bar.update()
        self._describe(peak_db, now)

    def set_message(self, text: str) -> None:
        """Show a state instead of levels ("Microphone disconnected", "No microphone")."""
        bar = self._bar
        bar.message = text
        bar.peak_db = bar.rms_db = bar.hold_db = FLOOR_DB
        bar.update()
        self.setAccessibleDescription(text)
        self._described_band = None

    def set_counters(self, overflows: int, status_flags: int = 0) -> None:
        """Warn (without nagging) when audio was dropped or the device reported overruns."""
        if (overflows, status_flags) == (self._overflows, self._status_flags):
            return
        self._overflows, self._status_flags = overflows, status_flags
        if overflows <= 0 and status_flags <= 0:
            self._warning.setVisible(False)
            return
        parts = []
        if overflows:
            parts.append(
                f"{overflows} audio chunk{'s' * (overflows != 1)} (100 ms each) dropped because the app fell behind"
            )
        if status_flags:
            parts.append(f"the device reported {status_flags} overrun{'s' * (status_flags != 1)}")
        self._warning.setText(f"⚠ {overflows + status_flags} dropped")
        self._warning.setToolTip("; ".join(parts).capitalize() + ". The transcript may miss a few words there.")
        self._warning.setVisible(True)

    def _describe(self, peak_db: float, now: float) -> None:
        """Keep the accessible description roughly current without churning every frame."""
        band = int(max(MIN_DB, peak_db) // 6)
        if band == self._described_band or now - self._described_at < 1.0:
            return
        self._described_band, self._described_at = band, now
        self.setAccessibleDescription("Silent" if peak_db <= MIN_DB else f"Peak about {round(peak_db)} dB")


class MicrophoneMonitor(QObject):
    """Runs a monitor-mode capture for the meter, and hands the device over to sessions.

    Typical wiring::

        monitor = MicrophoneMonitor(meter)
        picker.device_changed.connect(monitor.set_device)
        picker.set_rescanner(monitor.rescan_devices)
        monitor.set_device(settings.input_device); monitor.start()
        ...
        await monitor.release()             # before a session opens the microphone
        monitor.follow(session_capture)     # meter shows the session's capture
        ...
        monitor.follow(None)                # session over: monitoring resumes
    """

    #: A user-facing message when the monitored microphone cannot be opened or goes away.
    error = Signal(str)

    def __init__(
        self,
        meter: LevelMeter,
        *,
        capture_factory: Callable[..., MicrophoneCapture] | None = None,
        refresher: Callable[[], bool] = devmod.refresh_devices,
        poll_hz: int = 30,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("microphoneMonitor")
        self.meter = meter
        self._factory = capture_factory
        self._refresher = refresher
        self._device = ""
        self._own: MicrophoneCapture | None = None
        self._followed: Any = None
        self._wanted = False  # monitoring requested (start() until stop())
        #: Shown on the meter while nothing is monitored ("" keeps an empty bar).
        self.idle_message = ""
        self._timer = QTimer(self)
        self._timer.setInterval(max(1, 1000 // max(20, poll_hz)))
        self._timer.timeout.connect(self.poll)

    @property
    def capture(self) -> MicrophoneCapture | None:
        """The monitor's own capture, while it runs."""
        return self._own

    @property
    def device(self) -> str:
        return self._device

    def start(self) -> None:
        """Begin monitoring the current device (no-op while a session is followed)."""
        self._wanted = True
        self._timer.start()
        if self._followed is None:
            self._open()

    async def stop(self) -> None:
        """Stop monitoring and release the device."""
        self._wanted = False
        await self._close()
        if self._followed is None:
            self._timer.stop()
            self.show_idle()

    @property
    def wanted(self) -> bool:
        """True between :meth:`start` and :meth:`stop` (the device may be lent to a session)."""
        return self._wanted

    def set_device(self, key: str) -> None:
        """Switch to another microphone (``""`` = system default); reopens if monitoring."""
        if key == self._device and self._own is not None:
            return
        self._device = key or ""
        if self._wanted and self._followed is None:
            spawn(self._reopen(), name="monitor-reopen")

    async def release(self) -> None:
        """Free the device for a session (monitoring resumes after ``follow(None)``)."""
        await self._close()

    def follow(self, source: Any) -> None:
        """Show the levels of ``source`` (a session's capture); None resumes own monitoring."""
        self._followed = source
        if source is not None:
            self._timer.start()
            return
        if self._wanted:
            self._open()
        else:
            self._timer.stop()
            self.show_idle()

    def show_idle(self) -> None:
        """Draw the meter as "not listening" (the idle message, or an empty bar)."""
        if self.idle_message:
            self.meter.set_message(self.idle_message)
        else:
            self.meter.set_levels(FLOOR_DB, FLOOR_DB)
        self.meter.set_counters(0, 0)

    async def rescan_devices(self) -> bool:
        """Re-scan devices, briefly releasing the monitor's stream (PortAudio must be idle)."""
        if self._followed is not None:
            return False  # a session owns a stream: rescanning now would kill it
        was_open = self._own is not None
        await self._close()
        try:
            return await asyncio.to_thread(self._refresher)
        finally:
            if was_open and self._wanted and self._followed is None:
                self._open()

    def poll(self) -> None:
        """Timer tick: push the current source's latest reading to the meter."""
        source = self._followed if self._followed is not None else self._own
        if source is None:
            return
        err = getattr(source, "error", None)
        own = self._own
        if err is not None and own is not None and source is own:
            self._own = None
            self.meter.set_message(_short_message(str(err)))
            self.error.emit(str(err))
            spawn(own.stop(), name="monitor-stop-failed")
            return
        reading = getattr(source, "levels", None)
        if reading is None or time.monotonic() - reading.at > STALE_S:
            self.meter.set_levels(FLOOR_DB, FLOOR_DB)
        else:
            self.meter.set_levels(reading.peak_db, reading.rms_db)
        stats = source.stats
        self.meter.set_counters(stats.overflows, stats.status_flags)

    def _open(self) -> None:
        if self._own is not None:
            return
        factory = self._factory
        if factory is None:  # the real capture, with numpy: loaded when a meter first opens a microphone
            from desktop.audio.capture import MicrophoneCapture

            factory = MicrophoneCapture
        capture = factory(self._device or None, consume=False)
        try:
            capture.open(asyncio.get_event_loop())
        except AudioSourceError as exc:
            self.meter.set_message(_short_message(str(exc)))
            self.error.emit(str(exc))
            return
        self._own = capture
        self.meter.set_levels(FLOOR_DB, FLOOR_DB)
        self.meter.set_counters(0, 0)
        self._timer.start()

    async def _reopen(self) -> None:
        await self._close()
        if self._wanted and self._followed is None:
            self._open()

    async def _close(self) -> None:
        capture, self._own = self._own, None
        if capture is not None:
            with contextlib.suppress(Exception):
                await capture.stop()


def _short_message(text: str) -> str:
    """First sentence of an error, for the meter (the full text goes to the error signal)."""
    head = text.split(": ", 1)[0] if text.startswith("Could not open") else text
    return head.split(". ", 1)[0].rstrip(".")
