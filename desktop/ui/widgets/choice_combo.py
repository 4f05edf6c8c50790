"""Filling a device combo box (microphones, outputs) without it announcing a user choice."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox


def fill_combo(combo: QComboBox, items: list[tuple[str, str]], current: str) -> None:
    """Replace ``combo``'s items by ``(key, label)`` pairs and select the one keyed ``current``.

    Signals are blocked: a rebuild after a re-scan is not the user picking something. Each label
    is also its item's tooltip, because long device names are cut short in the box.
    """
    combo.blockSignals(True)
    try:
        combo.clear()
        for key, label in items:
            combo.addItem(label, key)
            combo.setItemData(combo.count() - 1, label, Qt.ItemDataRole.ToolTipRole)
        combo.setCurrentIndex(next(i for i, (key, _) in enumerate(items) if key == current))
    finally:
        combo.blockSignals(False)
