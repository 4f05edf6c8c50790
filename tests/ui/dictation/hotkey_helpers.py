"""Give a main window a hotkey host with test parts (a fake dictation, a fake or real backend).

Once the app wires its own host into MainWindow, that one (real dictation, backend chosen from the
test machine) is taken out first, so the Settings dialog finds the host the test controls.
"""

from __future__ import annotations

from collections.abc import Callable

from desktop.core.dictation.trigger import DictationTarget
from desktop.platform.hotkeys import GlobalHotkey, HotkeySupport
from desktop.ui.dictation.hotkey_host import HotkeyHost, find_hotkey_host, install_dictation_hotkey
from desktop.ui.main_window import MainWindow


def install_test_hotkey(
    window: MainWindow,
    target_factory: Callable[[], DictationTarget],
    *,
    support: HotkeySupport | None = None,
    global_factory: Callable[[HotkeySupport], GlobalHotkey | None] | None = None,
) -> HotkeyHost:
    existing = find_hotkey_host(window)
    if existing is not None:
        existing.shutdown()
        existing.setParent(None)
        existing.deleteLater()
    return install_dictation_hotkey(
        window.context, target_factory, window, support=support, global_factory=global_factory
    )
