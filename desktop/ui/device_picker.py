"""Microphone picker: "System default (…)" first, then every input device, kept up to date.

The choice is a device *key* (see :mod:`desktop.audio.devices`; ``""`` = system default) that
the owner stores in settings: restore it with :meth:`DevicePicker.select_device`, listen to
:attr:`DevicePicker.device_changed` (emitted for user choices only), read it back with
:meth:`DevicePicker.selected_device`.

Devices come and go. PortAudio only sees that after a re-initialisation, which is impossible
while a stream is open, so the picker re-scans every few seconds while it is visible and no
stream is open, and also when its list is opened (through the rescanner the owner installs,
typically :meth:`~desktop.ui.level_meter.MicrophoneMonitor.rescan_devices`, which pauses the
meter's stream for the moment it takes). The scan runs on a worker thread. If the remembered
device is missing it stays selected as "Name (unavailable)" instead of silently switching to
another microphone; when it comes back it is simply there again.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from PySide6.QtCore import QTimer, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QComboBox, QWidget

from desktop.audio import devices as devmod
from desktop.audio.devices import InputDevice
from desktop.ui.async_tools import spawn
from desktop.ui.widgets.choice_combo import fill_combo

log = logging.getLogger(__name__)

Lister = Callable[[], list[InputDevice]]
Rescanner = Callable[[], Awaitable[bool]]


async def _default_rescan() -> bool:
    if devmod.open_stream_count():
        return False
    return await asyncio.to_thread(devmod.refresh_devices)


class DevicePicker(QComboBox):
    """A combo box of microphones that remembers a choice even while that device is unplugged."""

    #: The user picked another device; the argument is its key ("" = system default).
    device_changed = Signal(str)

    def __init__(
        self,
        parent: QWidget | None = None,
        *,
        lister: Lister = devmod.list_input_devices,
        rescanner: Rescanner | None = None,
        poll_ms: int = 4000,
        list_now: bool = True,
    ) -> None:
        """``list_now=False``: show only the remembered choice until the picker is first shown,
        then list on a worker thread (the first listing loads PortAudio, ~40 ms, which the main
        window's first paint need not wait for)."""
        super().__init__(parent)
        self.setObjectName("devicePicker")
        self.setAccessibleName("Microphone")
        self.setToolTip("The microphone used for live transcription")
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.setMinimumContentsLength(24)
        self._lister = lister
        self._rescanner: Rescanner = rescanner or _default_rescan
        self._wanted = devmod.DEFAULT_KEY
        self._shown: list[tuple[str, str]] = []
        self._devices: list[InputDevice] = []
        self._scanning = False
        self._listed = False
        self.activated.connect(self._on_activated)
        self._timer = QTimer(self)
        self._timer.setObjectName("devicePickerPoll")
        self._timer.setInterval(poll_ms)
        self._timer.timeout.connect(self._on_poll)
        self._timer.start()
        if list_now:
            self.reload()
        else:
            self._rebuild()

    # -- public API ----------------------------------------------------------------------------

    def selected_device(self) -> str:
        """Key of the chosen device ("" = system default), even if it is unavailable now."""
        return self._wanted

    def select_device(self, key: str) -> None:
        """Select a remembered device (no ``device_changed``); shown as unavailable if absent."""
        self._wanted = key or devmod.DEFAULT_KEY
        self._rebuild(force=True)

    def is_selected_available(self) -> bool:
        """False while the remembered device is missing (shown as unavailable)."""
        return any(d.key == self._wanted for d in self._devices)

    def set_rescanner(self, rescanner: Rescanner) -> None:
        """Install how to re-scan devices (e.g. the monitor's, which pauses its stream)."""
        self._rescanner = rescanner

    def reload(self) -> None:
        """Re-read PortAudio's current list (no re-scan) and update the items."""
        self._show_devices(self._list_devices())

    def _list_devices(self) -> list[InputDevice]:
        try:
            return self._lister()
        except Exception as exc:  # AudioSourceError: PortAudio missing
            log.warning("Could not list microphones: %s", exc)
            return [InputDevice(key="", label=devmod.DEFAULT_NAME, index=None, name="")]

    def _show_devices(self, devices: list[InputDevice]) -> None:
        self._devices = devices
        self._listed = True
        self._rebuild()

    async def _list_in_background(self) -> None:
        if self._scanning:
            return
        self._scanning = True
        try:
            self._show_devices(await asyncio.to_thread(self._list_devices))
        finally:
            self._scanning = False

    async def rescan(self) -> None:
        """Re-scan devices (when possible) and update the list; safe to call repeatedly."""
        if self._scanning:
            return
        self._scanning = True
        try:
            try:
                await self._rescanner()
            except Exception as exc:
                log.warning("Device re-scan failed: %s", exc)
            # Listing takes PortAudio's lock, which a re-scan elsewhere may hold: not on the UI thread.
            self._show_devices(await asyncio.to_thread(self._list_devices))
        finally:
            self._scanning = False

    # -- Qt ------------------------------------------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt override
        super().showEvent(event)
        if not self._listed:
            spawn(self._list_in_background(), name="device-list", owner=self)

    def showPopup(self) -> None:  # noqa: N802 - Qt override
        spawn(self.rescan(), name="device-rescan-popup")
        super().showPopup()

    def _on_poll(self) -> None:
        if not self.isVisible() or self._scanning or devmod.open_stream_count():
            return  # a scan would have to stop a stream; the popup forces one instead
        spawn(self.rescan(), name="device-rescan")

    def _on_activated(self, index: int) -> None:
        key = self.itemData(index)
        if key is None or key == self._wanted:
            return
        self._wanted = key
        self.device_changed.emit(key)

    def _rebuild(self, force: bool = False) -> None:
        items = [(d.key, d.label) for d in self._devices]
        if not any(key == self._wanted for key, _ in items):
            if self._listed:
                items.append((self._wanted, f"{self._wanted} (unavailable)"))
            else:  # not listed yet: the remembered choice, by its name (a device's key is its label)
                items.append((self._wanted, self._wanted or devmod.DEFAULT_NAME))
        if items == self._shown and not force:
            return
        self._shown = items
        fill_combo(self, items, self._wanted)
