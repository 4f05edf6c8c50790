"""System-audio output picker: "System default (…)" first, then every output, kept up to date.

The choice is an output *id* (``desktop.audio.system.OutputDevice.id``; ``""`` = follow the
default output, which the capture keeps following when it changes) that the owner stores in
``settings.system_output``: restore it with :meth:`OutputPicker.select_output`, listen to
:attr:`OutputPicker.output_changed` (user choices only), read it back with
:meth:`OutputPicker.selected_output`.

Listing asks the sound server (PulseAudio/PipeWire, WASAPI, Core Audio) and may block for a
moment, so it runs on a worker thread: when the picker is first shown, when its list is opened,
and every few seconds while it is visible (outputs come and go: headsets, HDMI, docks). A
remembered output that is missing stays selected as "Name (unavailable)" instead of silently
switching to another one.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from PySide6.QtCore import QTimer, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QComboBox, QWidget

from desktop.audio.system import OutputDevice, list_outputs
from desktop.ui.async_tools import spawn
from desktop.ui.widgets.choice_combo import fill_combo

log = logging.getLogger(__name__)

DEFAULT_KEY = ""
DEFAULT_NAME = "System default"

Lister = Callable[[], list[OutputDevice]]


class OutputPicker(QComboBox):
    """A combo box of outputs whose sound can be transcribed, remembering an unplugged choice."""

    #: The user picked another output; the argument is its id ("" = follow the default output).
    output_changed = Signal(str)

    def __init__(
        self,
        parent: QWidget | None = None,
        *,
        lister: Lister = list_outputs,
        poll_ms: int = 4000,
        list_now: bool = False,
    ) -> None:
        """``list_now=True`` lists at once on this thread (tests, or a lister known to be fast)."""
        super().__init__(parent)
        self.setObjectName("outputPicker")
        self.setAccessibleName("System audio output")
        self.setToolTip("The output whose sound (the other side of a call) is transcribed")
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.setMinimumContentsLength(24)
        self._lister = lister
        self._wanted = DEFAULT_KEY
        self._names: dict[str, str] = {}  # every output seen this run, for "Name (unavailable)"
        self._outputs: list[OutputDevice] = []
        self._shown: list[tuple[str, str]] = []
        self._listing = False
        self._listed = False
        self.error_text = ""
        self.activated.connect(self._on_activated)
        self._timer = QTimer(self)
        self._timer.setObjectName("outputPickerPoll")
        self._timer.setInterval(poll_ms)
        self._timer.timeout.connect(self._on_poll)
        self._timer.start()
        if list_now:
            self._show_outputs(self._list())
        else:
            self._rebuild()

    # -- public API ----------------------------------------------------------------------------

    def selected_output(self) -> str:
        """Id of the chosen output ("" = follow the default), even if it is unavailable now."""
        return self._wanted

    def select_output(self, output_id: str, name: str = "") -> None:
        """Select a remembered output (no ``output_changed``); ``name`` labels it while absent."""
        self._wanted = output_id or DEFAULT_KEY
        if name and output_id:
            self._names.setdefault(output_id, name)
        self._rebuild(force=True)

    def is_selected_available(self) -> bool:
        return self._wanted == DEFAULT_KEY or any(o.id == self._wanted for o in self._outputs)

    def selected_name(self) -> str:
        """The chosen output's name as shown (for labels: 'System audio “…”')."""
        return self.currentText()

    async def refresh(self) -> None:
        """List the outputs again (on a worker thread) and update the items."""
        if self._listing:
            return
        self._listing = True
        try:
            self._show_outputs(await asyncio.to_thread(self._list))
        finally:
            self._listing = False

    # -- internals -----------------------------------------------------------------------------

    def _list(self) -> list[OutputDevice]:
        try:
            outputs = self._lister()
        except Exception as exc:  # AudioSourceError: no sound server, no permission
            log.warning("Could not list sound outputs: %s", exc)
            self.error_text = str(exc)
            return []
        self.error_text = ""
        return outputs

    def _show_outputs(self, outputs: list[OutputDevice]) -> None:
        self._outputs = outputs
        self._names.update({o.id: o.name for o in outputs})
        self._listed = True
        self.setToolTip(self.error_text or "The output whose sound (the other side of a call) is transcribed")
        self._rebuild()

    def _items(self) -> list[tuple[str, str]]:
        default = next((o for o in self._outputs if o.is_default), None)
        if default is not None:
            first = f"{DEFAULT_NAME} ({default.name})"
        elif self._listed:
            first = f"{DEFAULT_NAME} (no output found)"
        else:
            first = DEFAULT_NAME
        items = [(DEFAULT_KEY, first)] + [(o.id, o.name) for o in self._outputs]
        if not any(key == self._wanted for key, _ in items):
            name = self._names.get(self._wanted, self._wanted)
            items.append((self._wanted, f"{name} (unavailable)" if self._listed else name))
        return items

    def _rebuild(self, force: bool = False) -> None:
        items = self._items()
        if items == self._shown and not force:
            return
        self._shown = items
        fill_combo(self, items, self._wanted)

    def _on_activated(self, index: int) -> None:
        key = self.itemData(index)
        if key is None or key == self._wanted:
            return
        self._wanted = key
        self.output_changed.emit(key)

    # -- Qt ------------------------------------------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt override
        super().showEvent(event)
        if not self._listed:
            spawn(self.refresh(), name="output-list", owner=self)

    def showPopup(self) -> None:  # noqa: N802 - Qt override
        spawn(self.refresh(), name="output-list-popup", owner=self)
        super().showPopup()

    def _on_poll(self) -> None:
        if self.isVisible() and not self._listing:
            spawn(self.refresh(), name="output-list-poll", owner=self)
