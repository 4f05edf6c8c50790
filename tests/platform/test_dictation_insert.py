"""Text insertion per system with the OS calls faked at the boundary (Win32, Quartz, pbcopy):
what keys would be sent, what the clipboard holds before, during and after a paste."""

from __future__ import annotations

import ctypes
from collections.abc import Callable, Sequence
from typing import Any

import pytest

from desktop.core.dictation.types import FocusedApp, InsertMethod
from desktop.platform.insert import (
    ClipboardOnlyInserter,
    DisplayServer,
    PasteInserter,
    auto_method,
    display_server,
    macos,
    make_inserter,
    windows,
)
from desktop.platform.insert.x11 import XTestTyper


class FakeWin32:
    def __init__(self, clipboard: str | None = "previous", blocked: bool = False) -> None:
        self.events: list[tuple[int, int, int]] = []
        self.clip = clipboard
        self.blocked = blocked

    def send_input(self, events: Sequence[tuple[int, int, int]]) -> int:
        if self.blocked:
            return 0
        self.events += events
        return len(events)

    def get_clipboard_text(self) -> str | None:
        return self.clip

    def set_clipboard_text(self, text: str) -> bool:
        self.clip = text
        return True


class Later:
    """call_later that runs only when the test says so."""

    def __init__(self) -> None:
        self.pending: list[tuple[float, Callable[[], None]]] = []

    def __call__(self, delay: float, fn: Callable[[], None]) -> None:
        self.pending.append((delay, fn))

    def run(self) -> None:
        pending, self.pending = self.pending, []
        for _, fn in pending:
            fn()


def typed(events: list[tuple[int, int, int]]) -> str:
    units = b"".join(
        scan.to_bytes(2, "little")
        for vk, scan, flags in events
        if flags & windows.KEYEVENTF_UNICODE and not flags & windows.KEYEVENTF_KEYUP
    )
    return units.decode("utf-16-le")


# ---------------------------------------------------------------------------------------- Windows
def test_windows_typing_sends_every_character_as_unicode_key_events() -> None:
    api = FakeWin32()
    text = "Grüße, 日本 😀"
    result = windows.WindowsTyper(api).insert(text)  # type: ignore[arg-type]
    assert result.ok and result.method is InsertMethod.TYPE
    assert typed(api.events) == text
    downs = [e for e in api.events if not e[2] & windows.KEYEVENTF_KEYUP]
    assert len(downs) * 2 == len(api.events)  # each press released
    assert len(downs) == len(text.encode("utf-16-le")) // 2  # the emoji is a surrogate pair: two units


def test_windows_input_structures_have_the_size_sendinput_checks() -> None:
    """sizeof(INPUT) is 40 on 64-bit Windows and 28 on 32-bit (SendInput fails on any other)."""
    array, size = windows.input_array([(0, ord("é"), windows.KEYEVENTF_UNICODE)])
    assert size == (40 if ctypes.sizeof(ctypes.c_void_p) == 8 else 28)
    assert array[0].type == windows.INPUT_KEYBOARD and array[0].ki.wScan == ord("é")
    assert array[0].ki.dwFlags == windows.KEYEVENTF_UNICODE and array[0].ki.wVk == 0


def test_windows_typing_sends_line_breaks_as_enter() -> None:
    api = FakeWin32()
    windows.WindowsTyper(api).insert("a\nb")  # type: ignore[arg-type]
    assert (windows.VK_RETURN, 0, 0) in api.events and typed(api.events) == "ab"


def test_windows_typing_blocked_by_an_elevated_window_says_so() -> None:
    result = windows.WindowsTyper(FakeWin32(blocked=True)).insert("hi")  # type: ignore[arg-type]
    assert not result.ok and "administrator" in result.message


def test_windows_paste_sends_ctrl_v_and_restores_the_clipboard() -> None:
    api = FakeWin32(clipboard="what the user copied")
    later = Later()
    inserter = PasteInserter(
        windows.WindowsClipboard(api),  # type: ignore[arg-type]
        lambda terminal: windows.send_paste(terminal, api),  # type: ignore[arg-type]
        later,
    )
    result = inserter.insert(" hello")
    assert result.ok and result.method is InsertMethod.PASTE
    assert api.clip == " hello"  # on the clipboard while the target reads it
    assert api.events == windows.PASTE_EVENTS
    assert later.pending and later.pending[0][0] > 0
    later.run()
    assert api.clip == "what the user copied"


def test_a_clipboard_changed_by_the_user_before_the_restore_is_left_alone() -> None:
    api = FakeWin32(clipboard="old")
    later = Later()
    inserter = PasteInserter(windows.WindowsClipboard(api), lambda t: None, later)  # type: ignore[arg-type]
    inserter.insert("dictated")
    api.clip = "copied by the user meanwhile"
    later.run()
    assert api.clip == "copied by the user meanwhile"


def test_two_quick_pastes_restore_the_original_clipboard() -> None:
    api = FakeWin32(clipboard="original")
    later = Later()
    inserter = PasteInserter(windows.WindowsClipboard(api), lambda t: None, later)  # type: ignore[arg-type]
    inserter.insert("first")
    inserter.insert("second")
    later.run()
    assert api.clip == "original"


# ------------------------------------------------------------------------------------------ macOS
class FakeQuartz:
    def __init__(self, trusted: bool = True, secure: bool = False) -> None:
        self._trusted = trusted
        self._secure = secure
        self.posted: list[tuple[int, bool, int]] = []

    def trusted(self) -> bool:
        return self._trusted

    def secure_input(self) -> bool:
        return self._secure

    def post_key(self, keycode: int, down: bool, flags: int) -> None:
        self.posted.append((keycode, down, flags))


class FakePasteboard:
    def __init__(self, text: str) -> None:
        self.text = text
        self.calls: list[list[str]] = []

    def run(self, args: list[str], **kw: Any) -> Any:
        self.calls.append(args)

        class Done:
            returncode = 0
            stdout = self.text.encode()

        if args[0] == "pbcopy":
            self.text = kw["input"].decode("utf-8")
        return Done()


def mac_inserter(quartz: FakeQuartz, board: FakePasteboard, later: Later) -> PasteInserter:
    return PasteInserter(
        macos.MacClipboard(board.run),
        lambda terminal: macos.send_paste(terminal, quartz),  # type: ignore[arg-type]
        later,
        blocked=lambda: macos.input_blocked(quartz),  # type: ignore[arg-type]
    )


def test_macos_paste_is_cmd_v_and_restores_the_pasteboard() -> None:
    quartz, board, later = FakeQuartz(), FakePasteboard("before"), Later()
    result = mac_inserter(quartz, board, later).insert("héllo")
    assert result.ok and board.text == "héllo"
    assert quartz.posted == [(9, True, macos.FLAG_COMMAND), (9, False, macos.FLAG_COMMAND)]
    later.run()
    assert board.text == "before"


@pytest.mark.parametrize(
    ("quartz", "words"),
    [(FakeQuartz(trusted=False), "Accessibility"), (FakeQuartz(secure=True), "password field")],
)
def test_macos_without_permission_or_in_a_password_field_only_copies(quartz: FakeQuartz, words: str) -> None:
    board, later = FakePasteboard("before"), Later()
    result = mac_inserter(quartz, board, later).insert("secret words")
    assert not result.ok and result.method is InsertMethod.CLIPBOARD and words in result.message
    assert quartz.posted == [] and board.text == "secret words" and later.pending == []


# ------------------------------------------------------------------------------- X11 and Wayland
def test_x11_typing_goes_through_the_pynput_controller() -> None:
    class Keyboard:
        typed: list[str] = []

        def type(self, text: str) -> None:
            if "\ufffe" in text:
                raise ValueError("no keysym")
            self.typed.append(text)

    keyboard = Keyboard()
    assert XTestTyper(keyboard).insert(" Grüße").ok and keyboard.typed == [" Grüße"]
    failed = XTestTyper(keyboard).insert("\ufffe")
    assert not failed.ok and "could not be typed" in failed.message


def test_wayland_only_copies_and_says_how_to_paste() -> None:
    class Board:
        value: str | None = None

        def text(self) -> str | None:
            return self.value

        def set_text(self, text: str) -> None:
            self.value = text

    board = Board()
    inserter = make_inserter("type", clipboard=board, call_later=Later(), server=DisplayServer.WAYLAND)
    assert isinstance(inserter, ClipboardOnlyInserter)
    result = inserter.insert(" hello")
    assert not result.ok and result.method is InsertMethod.CLIPBOARD and "Ctrl+V" in result.message
    assert board.value == "hello"


# ----------------------------------------------------------------------------------- the choice
@pytest.mark.parametrize(
    ("env", "platform", "server"),
    [
        ({"DISPLAY": ":0"}, "linux", DisplayServer.X11),
        ({"DISPLAY": ":0", "WAYLAND_DISPLAY": "wayland-0"}, "linux", DisplayServer.WAYLAND),
        ({"XDG_SESSION_TYPE": "wayland"}, "linux", DisplayServer.WAYLAND),
        ({}, "win32", DisplayServer.WINDOWS),
        ({}, "darwin", DisplayServer.MACOS),
    ],
)
def test_display_server(env: dict[str, str], platform: str, server: DisplayServer) -> None:
    assert display_server(env, platform) is server


def test_auto_means_type_on_x11_paste_on_windows_and_macos_clipboard_on_wayland() -> None:
    assert auto_method(DisplayServer.X11) is InsertMethod.TYPE
    assert auto_method(DisplayServer.WINDOWS) is InsertMethod.PASTE
    assert auto_method(DisplayServer.MACOS) is InsertMethod.PASTE
    assert auto_method(DisplayServer.WAYLAND) is InsertMethod.CLIPBOARD


def test_make_inserter_per_setting_and_system() -> None:
    later = Later()
    assert isinstance(make_inserter("auto", clipboard=None, call_later=later, server=DisplayServer.X11), XTestTyper)
    assert isinstance(
        make_inserter("paste", clipboard=FakeBoard(), call_later=later, server=DisplayServer.X11), PasteInserter
    )
    assert isinstance(
        make_inserter("auto", clipboard=None, call_later=later, server=DisplayServer.WINDOWS), PasteInserter
    )
    assert isinstance(
        make_inserter("type", clipboard=None, call_later=later, server=DisplayServer.WINDOWS), windows.WindowsTyper
    )
    mac = make_inserter("type", clipboard=None, call_later=later, server=DisplayServer.MACOS)
    assert isinstance(mac, PasteInserter)  # no typing path on macOS


class FakeBoard:
    def text(self) -> str | None:
        return None

    def set_text(self, text: str) -> None:
        pass


def test_a_terminal_gets_its_own_paste_shortcut() -> None:
    sent: list[bool] = []
    inserter = PasteInserter(
        FakeBoard(), sent.append, Later(), focused_app=lambda: FocusedApp("XTerm", is_terminal=True)
    )
    inserter.insert("ls")
    assert sent == [True]
