"""Focused-app detection with the OS faked at the boundary (X11 runs for real in the e2e test)."""

from __future__ import annotations

from desktop.core.dictation.types import FocusedApp
from desktop.platform.focus import focus_provider
from desktop.platform.focus.macos import MacFocus
from desktop.platform.focus.windows import WindowsFocus
from desktop.platform.insert.session import DisplayServer


class FakeUser32:
    def __init__(self, hwnd: int, path: str, title: str) -> None:
        self.hwnd, self.path, self.title = hwnd, path, title

    def foreground_window(self) -> int:
        return self.hwnd

    def window_title(self, hwnd: int) -> str:
        assert hwnd == self.hwnd
        return self.title

    def process_path(self, hwnd: int) -> str:
        assert hwnd == self.hwnd
        return self.path


def test_windows_names_the_foreground_windows_program() -> None:
    focus = WindowsFocus(FakeUser32(42, r"C:\Windows\System32\notepad.exe", "notes.txt - Notepad"))
    assert focus() == FocusedApp("Notepad", "notepad.exe", "notes.txt - Notepad", is_terminal=False)
    term = WindowsFocus(FakeUser32(7, r"C:\Program Files\WindowsApps\WindowsTerminal.exe", "PowerShell"))()
    assert term is not None and term.name == "WindowsTerminal" and term.is_terminal


def test_windows_without_a_foreground_window_or_a_readable_process() -> None:
    assert WindowsFocus(FakeUser32(0, "", ""))() is None
    locked = WindowsFocus(FakeUser32(5, "", "Task Manager"))()  # an elevated process we may not open
    assert locked is not None and locked.name == "Task Manager"


class FakeWorkspace:
    def __init__(self, found: tuple[str, str] | None) -> None:
        self.found = found

    def frontmost(self) -> tuple[str, str] | None:
        return self.found


def test_macos_names_the_frontmost_application() -> None:
    assert MacFocus(FakeWorkspace(("TextEdit", "com.apple.TextEdit")))() == FocusedApp("TextEdit", "com.apple.TextEdit")
    terminal = MacFocus(FakeWorkspace(("Terminal", "com.apple.Terminal")))()
    assert terminal is not None and terminal.is_terminal
    assert MacFocus(FakeWorkspace(None))() is None


def test_a_failing_system_call_means_unknown_not_a_crash() -> None:
    class Broken:
        def frontmost(self) -> None:
            raise OSError("objc")

    assert MacFocus(Broken())() is None


def test_wayland_does_not_say() -> None:
    assert focus_provider(DisplayServer.WAYLAND)() is None
