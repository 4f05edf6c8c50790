"""The player bar under a library transcript: play/pause, seek slider, time, speed.

It owns a :class:`~desktop.audio.playback.Player` and polls its position 25 times a second while
playing (the player computes what is being heard; a timer on the Qt thread is the simplest
way to follow it without a signal from PortAudio's thread). ``position_changed`` drives the
word highlight in the transcript window.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QSlider, QToolButton, QWidget

from desktop.audio.playback import SPEEDS, PlaybackError, Player
from desktop.core.durations import clock_text
from desktop.ui import icons

log = logging.getLogger(__name__)

POLL_MS = 40
SKIP_MS = 5000


class PlayerBar(QWidget):
    position_changed = Signal(int)  # ms being heard (while playing, and after every seek)
    playing_changed = Signal(bool)

    def __init__(self, parent: QWidget | None = None, *, sd: Any = None) -> None:
        super().__init__(parent)
        self.setObjectName("playerBar")
        self.player = Player(sd)
        self._was_playing = False
        self._dragging = False

        self.play_button = QToolButton(self)
        self.play_button.setObjectName("playerPlayButton")
        self.play_button.setAccessibleName("Play")
        self.play_button.setToolTip("Play or pause (Space)")
        self.play_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self._playing_shown = False
        self._show_play_icon()
        self.play_button.setText("Play")
        self.play_button.clicked.connect(self.toggle)

        self.back_button = QToolButton(self)
        self.back_button.setObjectName("playerBackButton")
        self.back_button.setAccessibleName("Back 5 seconds")
        self.back_button.setToolTip("Back 5 seconds (Alt+Left)")
        self.back_button.setText("−5 s")
        self.back_button.clicked.connect(lambda: self.skip(-SKIP_MS))
        self.forward_button = QToolButton(self)
        self.forward_button.setObjectName("playerForwardButton")
        self.forward_button.setAccessibleName("Forward 5 seconds")
        self.forward_button.setToolTip("Forward 5 seconds (Alt+Right)")
        self.forward_button.setText("+5 s")
        self.forward_button.clicked.connect(lambda: self.skip(SKIP_MS))

        self.slider = QSlider(Qt.Orientation.Horizontal, self)
        self.slider.setObjectName("playerSeekSlider")
        self.slider.setAccessibleName("Playback position")
        self.slider.setToolTip("Drag to seek")
        self.slider.setRange(0, 0)
        self.slider.setSingleStep(1000)
        self.slider.setPageStep(10_000)
        self.slider.sliderPressed.connect(self._on_slider_pressed)
        self.slider.sliderReleased.connect(self._on_slider_released)
        self.slider.actionTriggered.connect(self._on_slider_action)

        self.time_label = QLabel(self)
        self.time_label.setObjectName("playerTimeLabel")
        self.time_label.setTextFormat(Qt.TextFormat.PlainText)

        self.speed_combo = QComboBox(self)
        self.speed_combo.setObjectName("playerSpeedCombo")
        self.speed_combo.setAccessibleName("Playback speed")
        self.speed_combo.setToolTip("Playback speed; voices keep their pitch")
        for speed in SPEEDS:
            self.speed_combo.addItem(f"{speed:g}×", speed)
        self.speed_combo.setCurrentIndex(SPEEDS.index(1.0))
        self.speed_combo.currentIndexChanged.connect(self._on_speed)

        self.message = QLabel(self)
        self.message.setObjectName("playerMessage")
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message.hide()

        row = QHBoxLayout(self)
        row.setContentsMargins(0, 2, 0, 2)
        row.addWidget(self.play_button)
        row.addWidget(self.back_button)
        row.addWidget(self.forward_button)
        row.addWidget(self.slider, 1)
        row.addWidget(self.time_label)
        row.addWidget(self.speed_combo)
        row.addWidget(self.message, 1)

        self.timer = QTimer(self)
        self.timer.setInterval(POLL_MS)
        self.timer.timeout.connect(self._poll)
        self._set_controls_enabled(False)
        self._show_time(0)

    # ------------------------------------------------------------------ loading
    def load(self, path: str | Path | None, *, mix_tracks: bool = False) -> bool:
        """Open the audio; on failure the bar says why and stays disabled (``mix_tracks``: see
        :meth:`Player.open`)."""
        self.stop()
        if not path:
            self.show_message("No audio was kept for this transcript.")
            return False
        try:
            self.player.open(path, mix_tracks=mix_tracks)
        except PlaybackError as exc:
            self.show_message(str(exc))
            return False
        self.message.hide()
        self.slider.show()
        self.time_label.show()
        self.slider.setRange(0, self.player.duration_ms)
        self._set_controls_enabled(True)
        self._show_time(0)
        return True

    def show_message(self, text: str) -> None:
        self.message.setText(text)
        self.message.show()
        self.slider.hide()
        self.time_label.hide()
        self._set_controls_enabled(False)

    @property
    def available(self) -> bool:
        return self.player.is_open

    def _set_controls_enabled(self, on: bool) -> None:
        for widget in (
            self.play_button,
            self.back_button,
            self.forward_button,
            self.slider,
            self.speed_combo,
        ):
            widget.setEnabled(on)

    # ------------------------------------------------------------------ control
    def _show_play_icon(self) -> None:
        # The app's own icons, re-tinted when the palette changes (light/dark).
        icons.set_icon(self.play_button, "pause" if self._playing_shown else "play")

    def toggle(self) -> None:
        if self.player.playing:
            self.pause()
        else:
            self.play()

    def play(self) -> None:
        if not self.player.is_open:
            return
        try:
            self.player.play()
        except PlaybackError as exc:
            self.show_message(str(exc))
            return
        self.timer.start()
        self._update_play_button()
        self.playing_changed.emit(True)

    def pause(self) -> None:
        self.player.pause()
        self.timer.stop()
        self._poll()
        self._update_play_button()
        self.playing_changed.emit(False)

    def stop(self) -> None:
        self.timer.stop()
        self.player.close()
        self._update_play_button()

    def seek(self, ms: int) -> None:
        if not self.player.is_open:
            return
        self.player.seek(ms)
        self._poll()

    def skip(self, delta_ms: int) -> None:
        self.seek(self.player.position_ms + delta_ms)

    def set_speed(self, speed: float) -> None:
        index = self.speed_combo.findData(speed)
        if index >= 0:
            self.speed_combo.setCurrentIndex(index)

    def change_speed(self, steps: int) -> None:
        index = min(max(0, self.speed_combo.currentIndex() + steps), self.speed_combo.count() - 1)
        self.speed_combo.setCurrentIndex(index)

    def _on_speed(self, index: int) -> None:
        speed = self.speed_combo.itemData(index)
        if speed:
            self.player.set_speed(float(speed))

    # ------------------------------------------------------------------ slider
    def _on_slider_pressed(self) -> None:
        self._dragging = True

    def _on_slider_released(self) -> None:
        self._dragging = False
        self.seek(self.slider.value())

    def _on_slider_action(self, action: int) -> None:
        if action not in (QSlider.SliderAction.SliderMove, QSlider.SliderAction.SliderNoAction):
            # Keyboard or page clicks: the new value is set after this signal.
            QTimer.singleShot(0, lambda: self.seek(self.slider.value()))

    # ------------------------------------------------------------------ polling
    def _poll(self) -> None:
        position = self.player.position_ms
        if not self._dragging:
            self.slider.blockSignals(True)
            self.slider.setValue(position)
            self.slider.blockSignals(False)
        self._show_time(position)
        self.position_changed.emit(position)
        if not self.player.playing and self.timer.isActive():
            self.timer.stop()  # reached the end
            self._update_play_button()
            self.playing_changed.emit(False)

    def _show_time(self, position: int) -> None:
        total = self.player.duration_ms
        hours = total >= 3_600_000
        self.time_label.setText(f"{clock_text(position, hours=hours)} / {clock_text(total, hours=hours)}")

    def _update_play_button(self) -> None:
        playing = self.player.playing
        self.play_button.setText("Pause" if playing else "Play")
        self._playing_shown = playing
        self._show_play_icon()
        self.play_button.setAccessibleName("Pause" if playing else "Play")

    def shutdown(self) -> None:
        self.stop()
