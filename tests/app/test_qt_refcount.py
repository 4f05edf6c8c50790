"""Guard against PySide6 6.12.0's refcount bug on CPython < 3.12.

With 6.12.0 on 3.11 every void Qt call drops a reference to ``None``; after a few thousand calls
(a live transcript makes that many in minutes) the process aborts with "none_dealloc". The pin in
pyproject.toml avoids it; this test fails if an upgrade brings it back.
"""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QLabel, QPushButton


def test_void_qt_calls_keep_none_refcount(qapp) -> None:
    label = QLabel()
    button = QPushButton()
    before = sys.getrefcount(None)
    for i in range(1000):
        label.setText(f"word {i}")
        button.setEnabled(i % 2 == 0)
        label.setToolTip("")
    after = sys.getrefcount(None)
    if sys.version_info >= (3, 12):
        return  # None is immortal there; its refcount is meaningless but harmless
    assert abs(after - before) < 50, f"None refcount moved by {after - before} over 3000 Qt calls"
