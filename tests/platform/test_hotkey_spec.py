"""Hotkey text <-> parsed form <-> what the user reads, the portal's trigger and pynput's events."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from desktop.platform.hotkeys import hotkey_support
from desktop.platform.hotkeys.matcher import ComboMatcher
from desktop.platform.hotkeys.pynput_backend import token_of
from desktop.platform.hotkeys.spec import NAMED_KEYS, HotkeySpec, HotkeySpecError, parse_hotkey


def test_the_default_setting_parses_and_is_written_back_in_pynput_notation() -> None:
    spec = parse_hotkey("<ctrl>+<alt>+space")
    assert spec == HotkeySpec(frozenset({"ctrl", "alt"}), "space")
    assert spec.to_pynput() == "<ctrl>+<alt>+<space>"
    assert parse_hotkey(spec.to_pynput()) == spec
    assert spec.label("linux") == "Ctrl+Alt+Space"
    assert spec.label("darwin") == "Ctrl+Option+Space"
    assert spec.xdg_trigger() == "CTRL+ALT+space"


@pytest.mark.parametrize(
    ("text", "pynput", "label", "xdg"),
    [
        ("<cmd>+<shift>+d", "<shift>+<cmd>+d", "Shift+Super+D", "SHIFT+LOGO+d"),
        ("<ctrl_r>+<page_up>", "<ctrl>+<page_up>", "Ctrl+Page Up", "CTRL+Page_Up"),
        ("<f9>", "<f9>", "F9", "F9"),
        ("<ctrl>++", "<ctrl>++", "Ctrl++", "CTRL++"),
        ("<alt>+<65>", "<alt>+<65>", "Alt+Key 65", "ALT+vk65"),
        (" <CTRL>+Return ", "<ctrl>+<enter>", "Ctrl+Enter", "CTRL+Return"),
    ],
)
def test_round_trips(text: str, pynput: str, label: str, xdg: str) -> None:
    spec = parse_hotkey(text)
    assert spec is not None
    assert spec.to_pynput() == pynput
    assert spec.label("linux") == label
    assert spec.xdg_trigger() == xdg
    assert parse_hotkey(pynput) == spec


def test_empty_means_no_hotkey_and_nonsense_says_why() -> None:
    assert parse_hotkey("") is None
    with pytest.raises(HotkeySpecError, match="only modifiers"):
        parse_hotkey("<ctrl>+<alt>")
    with pytest.raises(HotkeySpecError, match="two keys"):
        parse_hotkey("<ctrl>+a+b")
    with pytest.raises(HotkeySpecError, match="not a key"):
        parse_hotkey("<ctrl>+<hyperdrive>")
    with pytest.raises(HotkeySpecError, match="ends with"):
        parse_hotkey("<ctrl>+")


def test_combinations_that_would_fire_while_typing_are_refused_in_words() -> None:
    assert "alone would start dictation" in (parse_hotkey("d").problem() or "")
    assert "alone would start dictation" in (parse_hotkey("<space>").problem() or "")
    assert "capital letter" in (parse_hotkey("<shift>+d").problem() or "")
    assert parse_hotkey("<f9>").problem() is None
    assert parse_hotkey("<ctrl>+<alt>+space").problem() is None


@dataclass
class Key:  # the shape of pynput's keyboard.Key members
    name: str


@dataclass
class KeyCode:  # the shape of pynput's keyboard.KeyCode
    char: str | None = None
    vk: int | None = None


def test_pynput_keys_become_tokens_on_each_system() -> None:
    assert token_of(Key("ctrl")) == "ctrl"
    assert token_of(Key("ctrl_r")) == "ctrl"
    assert token_of(Key("alt_gr")) == "alt_gr"
    assert token_of(Key("shift_r")) == "shift"
    assert token_of(Key("cmd")) == "cmd"
    assert token_of(Key("space")) == "space"
    assert token_of(Key("page_up")) == "page_up"
    assert token_of(KeyCode(char="D")) == "d"
    assert token_of(KeyCode(char="\x04", vk=0x44)) == "d"  # Windows: Ctrl+D as a control character
    assert token_of(KeyCode(vk=0xFFE7)) == "alt"  # X11 Meta_L (Alt with Shift held)
    assert token_of(KeyCode(vk=0x64)) == "d"  # X11 keysym of a character, no char decoded
    assert token_of(KeyCode(vk=0x1008FF12)) == f"vk{0x1008FF12}"  # a media key without a name


def test_the_combination_goes_down_with_exactly_its_modifiers_and_up_with_any_of_its_keys() -> None:
    events: list[str] = []
    matcher = ComboMatcher(
        parse_hotkey("<ctrl>+<alt>+space"), lambda: events.append("down"), lambda: events.append("up")
    )
    matcher.key_down("space")  # space before the modifiers: not the hotkey
    matcher.key_down("ctrl")
    matcher.key_down("alt")
    matcher.key_up("space")
    assert events == []
    matcher.key_down("space")
    matcher.key_down("space")  # auto-repeat: presses without releases
    matcher.key_down("space")
    assert events == ["down"]
    matcher.key_up("ctrl")
    assert events == ["down", "up"]
    matcher.key_up("alt")
    matcher.key_up("space")
    assert events == ["down", "up"]
    for key in ("ctrl", "alt", "shift", "space"):  # an extra modifier makes it another shortcut
        matcher.key_down(key)
    assert events == ["down", "up"]
    matcher.reset()
    matcher.key_down("ctrl")
    matcher.key_down("alt")
    matcher.key_down("space")
    matcher.reset()  # the listener restarted while it was held: it is released
    assert events == ["down", "up", "down", "up"]


def test_support_says_what_works_on_each_system() -> None:
    x11 = hotkey_support(system="linux", env={"DISPLAY": ":0", "XDG_SESSION_TYPE": "x11"})
    assert x11.backend == "x11" and x11.works_globally
    headless = hotkey_support(system="linux", env={})
    assert headless.backend == "none" and not headless.works_globally
    windows = hotkey_support(system="win32", env={})
    assert windows.backend == "pynput" and "administrator" in windows.message
    mac_ok = hotkey_support(system="darwin", env={}, mac_permission=lambda: True)
    assert mac_ok.backend == "pynput" and mac_ok.settings_url is None
    mac_denied = hotkey_support(system="darwin", env={}, mac_permission=lambda: False)
    assert "Accessibility" in mac_denied.message and "Input Monitoring" in mac_denied.message
    assert mac_denied.settings_url == "x-apple.systempreferences:com.apple.preference.security?Privacy_Accessibility"
    xwayland = {"DISPLAY": ":0", "WAYLAND_DISPLAY": "wayland-0", "XDG_SESSION_TYPE": "wayland"}
    assert hotkey_support(system="linux", env=xwayland, portal_version=lambda: None).backend == "focus_only"
    assert hotkey_support(system="linux", env=xwayland, portal_version=lambda: 1).backend == "portal"


def test_macos_permissions_are_read_from_pyobjc(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys
    import types

    from desktop.platform.hotkeys import macos

    hiservices = types.ModuleType("HIServices")
    quartz = types.ModuleType("Quartz")
    hiservices.AXIsProcessTrusted = lambda: True  # type: ignore[attr-defined]
    quartz.CGPreflightListenEventAccess = lambda: False  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "HIServices", hiservices)
    monkeypatch.setitem(sys.modules, "Quartz", quartz)
    assert macos.input_monitoring_allowed() is False  # Accessibility yes, Input Monitoring no
    quartz.CGPreflightListenEventAccess = lambda: True  # type: ignore[attr-defined]
    assert macos.input_monitoring_allowed() is True
    hiservices.AXIsProcessTrusted = lambda: False  # type: ignore[attr-defined]
    assert macos.accessibility_trusted() is False
    assert macos.input_monitoring_allowed() is False
    monkeypatch.setitem(sys.modules, "HIServices", None)
    monkeypatch.setitem(sys.modules, "ApplicationServices", None)
    monkeypatch.setitem(sys.modules, "Quartz", None)
    assert macos.input_monitoring_allowed() is None  # cannot be asked: no claim either way


def test_on_macos_the_keyboard_layout_is_read_on_the_starting_thread_not_the_listeners(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Recent macOS aborts the process when the Text Input Sources API is called off the main
    thread, which pynput's listener does at start; our listener class reads it up front."""
    import contextlib
    import sys
    import threading
    import types

    from desktop.platform.hotkeys.pynput_backend import listener_class

    tis_threads: list[int] = []

    @contextlib.contextmanager
    def keycode_context():  # noqa: ANN202 - pynput's shape
        tis_threads.append(threading.get_ident())
        yield ("kbd-type", b"layout")

    class RunLoop:  # pynput's ListenerMixin: the event tap loop, which reads self._context
        seen: list[object] = []

        def _run(self) -> None:
            RunLoop.seen.append(self._context)

    class DarwinListener(RunLoop):  # pynput.keyboard._darwin.Listener: reads the layout in _run
        def __init__(self, **_callbacks: object) -> None:
            self._context = None

        def _run(self) -> None:
            with keycode_context() as context:
                self._context = context
                super()._run()

    darwin_util = types.ModuleType("pynput._util.darwin")
    darwin_util.keycode_context = keycode_context  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "pynput._util.darwin", darwin_util)
    keyboard = types.SimpleNamespace(Listener=DarwinListener)

    assert listener_class(keyboard, system="linux") is DarwinListener
    cls = listener_class(keyboard, system="darwin")
    assert tis_threads == [threading.get_ident()]
    listener = cls(on_press=None, on_release=None)
    thread = threading.Thread(target=listener._run)
    thread.start()
    thread.join(5)
    assert tis_threads == [threading.get_ident()], "the layout was read on the listener's thread"
    assert RunLoop.seen == [("kbd-type", b"layout")]
    assert listener._context is None


@pytest.mark.parametrize("key", sorted(NAMED_KEYS))
def test_every_named_key_has_an_x11_keysym_to_grab(key: str) -> None:
    from desktop.platform.hotkeys.x11_grab import keysym_of

    keysym = keysym_of(HotkeySpec(frozenset({"ctrl"}), key))
    assert keysym == 0x20 or keysym >= 0xFF00, f"{key}: {keysym:#x} is not X's keysym of a named key"


def test_characters_and_raw_codes_map_to_their_x11_keysyms() -> None:
    from desktop.platform.hotkeys.x11_grab import keysym_of as grab_keysym

    def keysym_of(text: str) -> int:
        spec = parse_hotkey(text)
        assert spec is not None
        return grab_keysym(spec)

    assert keysym_of("<ctrl>+<alt>+d") == 0x64
    assert keysym_of("<ctrl>++") == 0x2B
    assert keysym_of("<ctrl>+ü") == 0xFC
    assert keysym_of("<ctrl>+ł") == 0x01000000 + ord("ł")
    assert keysym_of("<ctrl>+<65>") == 65
    assert keysym_of("<ctrl>+<f9>") == 0xFFC6
