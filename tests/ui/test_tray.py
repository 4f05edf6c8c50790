"""The tray: the live state on its icon, its menu reaching the window's actions, and close-to-tray asked once."""

from __future__ import annotations

from collections.abc import Callable

from desktop.core.library.store import Library
from desktop.core.live.state import LiveState
from desktop.core.transcript import Token
from desktop.ui.library import startup
from desktop.ui.main_window import MainWindow
from desktop.ui.tray import CLOSE_TO_TRAY_KEY, AppTray, state_of


def window_with_tray(
    qtbot,  # noqa: ANN001
    ctx,  # noqa: ANN001
    answers: list[bool | None],
    dictate: Callable[[], object] | None = None,
) -> tuple[MainWindow, AppTray, list[int]]:
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    tray = AppTray(
        ctx,
        window,
        start_stop=window._start_or_stop_live,
        actions={"captions": window.captions_action, "settings": window.settings_action, "quit": window.quit_action},
        available=lambda: True,
        dictate=dictate,
        recent=window.recent_transcripts,
        open_transcript=window.open_library_transcript,
    )
    asked: list[int] = []

    def ask() -> bool | None:
        asked.append(1)
        return answers.pop(0) if answers else False  # teardown closes the window too

    tray._ask = ask  # type: ignore[method-assign]
    window.tray = tray
    window.live_panel.session_state_changed.connect(lambda state: tray.follow(state))
    return window, tray, asked


def test_the_icon_and_menu_follow_the_live_state(qtbot, qloop, make_context) -> None:  # noqa: ANN001
    assert [state_of(s) for s in (LiveState.IDLE, LiveState.RUNNING, LiveState.RECONNECTING, LiveState.ERROR)] == [
        "idle",
        "listening",
        "listening",
        "error",
    ]
    window, tray, _ = window_with_tray(qtbot, make_context(), [])
    names = [a.objectName() for a in tray.menu.actions() if a.objectName()]
    assert names == [
        "trayShowAction",
        "trayLiveAction",
        "trayDictateAction",
        "trayRecentAction",
        "toggleCaptionsAction",
        "settingsAction",
        "quitAction",
    ]
    assert not tray.dictate_action.isVisible()  # no dictation host: no "Dictate"
    tray.follow(LiveState.RUNNING)
    assert tray.state == "listening" and tray.live_action.text() == "S&top live session"
    assert tray.icon.toolTip() == "Soniox Desktop — listening"
    tray.follow(LiveState.ERROR, "Out of credit")
    assert tray.state == "error" and tray.icon.toolTip() == "Soniox Desktop — Out of credit"
    window.hide()
    tray.show_action.trigger()
    assert window.isVisible()
    next(a for a in tray.menu.actions() if a.objectName() == "toggleCaptionsAction").trigger()
    assert window.captions.visible  # the same action as View > Live captions
    window.captions_action.setChecked(False)


def test_closing_the_window_asks_once_then_keeps_running_in_the_tray(qtbot, qloop, make_context) -> None:  # noqa: ANN001
    ctx = make_context()
    window, _tray, asked = window_with_tray(qtbot, ctx, [None, True])
    closed: list[int] = []
    window.closed.connect(lambda: closed.append(1))
    window.close()  # the user backs out of the question: nothing changes
    assert window.isVisible() and asked == [1] and ctx.settings_store.ui_str(CLOSE_TO_TRAY_KEY) == ""
    window.close()  # "Keep running"
    assert not window.isVisible() and closed == [] and ctx.settings_store.ui_str(CLOSE_TO_TRAY_KEY) == "yes"
    window.show()
    window.close()
    assert asked == [1, 1] and not window.isVisible() and closed == []  # not asked again
    window.show()
    window.quit_action.trigger()  # Ctrl+Q quits for real
    assert closed == [1]


def test_choosing_quit_makes_closing_quit(qtbot, qloop, make_context) -> None:  # noqa: ANN001
    ctx = make_context()
    window, _tray, _asked = window_with_tray(qtbot, ctx, [False])
    closed: list[int] = []
    window.closed.connect(lambda: closed.append(1))
    window.close()
    assert closed == [1] and ctx.settings_store.ui_str(CLOSE_TO_TRAY_KEY) == "no"


def test_without_a_tray_closing_quits_as_before(qtbot, qloop, make_context) -> None:  # noqa: ANN001
    window = MainWindow(make_context())
    qtbot.addWidget(window)
    window.show()
    assert window.install_tray() is None  # the offscreen platform has no tray
    closed: list[int] = []
    window.closed.connect(lambda: closed.append(1))
    window.close()
    assert closed == [1]


class RecordingNotifier:
    """Stands in for the system's notifications (tests/platform/test_notify.py covers D-Bus)."""

    def __init__(self) -> None:
        self.shown: list[tuple[str, str, bool]] = []
        self.clicks: list[Callable[[], object] | None] = []

    def notify(self, title: str, body: str, *, error: bool = False, on_click=None) -> None:  # noqa: ANN001
        self.shown.append((title, body, error))
        self.clicks.append(on_click)


def test_finished_and_failed_jobs_notify_while_the_window_is_hidden(qtbot, qloop, make_context) -> None:  # noqa: ANN001
    from desktop.ui.jobs.notifications import Level

    window, tray, _ = window_with_tray(qtbot, make_context(), [])
    tray.notifier = RecordingNotifier()  # type: ignore[assignment]
    assert window.notifier is tray.notifier  # what the dictation host is handed too
    notices = window.jobs_panel.notices
    opened: list[str] = []
    notices.post("Transcription finished: talk.wav.", Level.INFO, action=("Open", lambda: opened.append("talk")))
    assert tray.notifier.shown == []  # the window is visible: its panel and status bar say it
    window.hide()
    notices.post("Started transcribing talk.wav.", Level.INFO)
    assert tray.notifier.shown == []  # progress is not worth a notification
    notices.post("Transcription finished: talk.wav.", Level.INFO, action=("Open", lambda: opened.append("talk")))
    notices.post(
        "Transcription failed: bad.wav. The audio could not be decoded.",
        Level.ERROR,
        action=("Retry", lambda: opened.append("retried!")),
    )
    assert tray.notifier.shown == [
        ("Transcription finished", "talk.wav.", False),
        ("Transcription failed", "bad.wav. The audio could not be decoded.", True),
    ]
    open_it, show_window = tray.notifier.clicks
    open_it()  # clicking the "finished" notification opens that transcript
    assert opened == ["talk"]
    show_window()  # clicking the failure brings the window with its Retry button, never retries by itself
    assert window.isVisible() and opened == ["talk"]


def test_without_a_notification_service_the_tray_balloon_says_it(qtbot, qloop, make_context) -> None:  # noqa: ANN001
    from desktop.platform.notify import DesktopNotifications

    _window, tray, _ = window_with_tray(qtbot, make_context(), [])
    balloons: list[tuple[str, str]] = []
    tray.icon.showMessage = lambda title, body, *_args: balloons.append((title, body))  # type: ignore[method-assign]
    tray._notifications = DesktopNotifications("Soniox Desktop", fallback=tray.show_message, make_notifier=lambda: None)
    tray.notifier = tray._notifications
    clicked: list[int] = []
    tray.notify("Transcription finished: talk.wav.", on_click=lambda: clicked.append(1))
    qtbot.waitUntil(lambda: balloons == [("Transcription finished", "talk.wav.")], timeout=3000)
    tray.icon.messageClicked.emit()
    assert clicked == [1]
    tray.notify("Something without a colon")
    qtbot.waitUntil(lambda: balloons[-1] == ("Soniox Desktop", "Something without a colon"), timeout=3000)
    tray.notify("Quitting: still on its way")
    tray.shutdown()  # the app quits before it is sent: given up, and the icon goes
    qtbot.wait(100)
    assert balloons[-1] == ("Soniox Desktop", "Something without a colon") and not tray.icon.isVisible()


def test_dictate_runs_the_hosts_action_and_dictating_shows_on_the_icon(qtbot, qloop, make_context) -> None:  # noqa: ANN001
    pressed: list[int] = []
    _window, tray, _ = window_with_tray(qtbot, make_context(), [], dictate=lambda: pressed.append(1))
    seen: list[str] = []
    tray.state_changed.connect(seen.append)
    assert tray.dictate_action.isVisible() and tray.dictate_action.text() == "&Dictate"
    tray.dictate_action.trigger()
    assert pressed == [1]
    tray.follow_dictation(True)
    assert tray.state == "dictating" and tray.icon.toolTip() == "Soniox Desktop — dictating"
    assert tray.dictate_action.text() == "Stop &dictating"
    tray.follow(LiveState.RUNNING)  # a live session under a dictation: the dictation shows
    assert tray.state == "dictating"
    tray.follow_dictation(False)
    assert tray.state == "listening" and tray.icon.toolTip() == "Soniox Desktop — listening"
    assert tray.dictate_action.text() == "&Dictate"
    assert seen == ["dictating", "listening"]
    tray.set_dictate(None)
    assert not tray.dictate_action.isVisible()


def _add(library: Library, title: str, words: str, started_at: float) -> int:
    tid = library.begin_live(title=title, source_kind="microphone", started_at=started_at)
    library.append_tokens(tid, [Token(f" {w}", i * 300, i * 300 + 200) for i, w in enumerate(words.split())])
    library.finish_live(tid)
    return tid


def _recent_texts(tray: AppTray) -> list[str]:
    tray.menu.aboutToShow.emit()  # as when the user opens the tray menu
    return [a.text() for a in tray.recent_menu.actions()]


def test_recent_transcripts_lists_the_newest_and_opens_one_from_the_tray(qtbot, qloop, make_context) -> None:  # noqa: ANN001
    ctx = make_context()
    library = startup.open_library(ctx)
    assert library is not None
    window, tray, _ = window_with_tray(qtbot, ctx, [])
    try:
        startup.attach(window, library)
        assert _recent_texts(tray) == ["(none yet)"]
        assert not tray.recent_menu.actions()[0].isEnabled()
        now = 1_780_000_000.0
        first = _add(library, "Microphone", "budget review before friday", now - 600)
        for minute in range(1, 6):
            _add(library, f"Talk {minute} & more", f"words of talk {minute}", now - 600 + 60 * minute)
        texts = _recent_texts(tray)  # refreshed when the menu is about to show
        assert len(texts) == 5 and texts[0].startswith("&1 Talk 5 && more · ") and "“words of talk 5”" in texts[0]
        assert [t.split(" ", 1)[0] for t in texts] == ["&1", "&2", "&3", "&4", "&5"]
        assert not any("budget" in t for t in texts)  # the sixth newest is not listed
        library.delete(library.list_transcripts(limit=1)[0].id)
        texts = _recent_texts(tray)
        assert "Talk 5" not in texts[0] and "budget review before friday" in texts[-1]

        window.hide()  # from the tray, with the window away
        tray.recent_menu.actions()[-1].trigger()
        viewer = window.history_panel.windows.get(first)
        assert viewer is not None and viewer.isVisible()  # the History panel's own window for it
        qtbot.waitUntil(lambda: "budget review" in viewer.view.toPlainText(), timeout=5000)
        viewer.close()
    finally:
        startup.shutdown(window, library)


def test_without_a_library_the_recent_menu_says_so(qtbot, qloop, make_context) -> None:  # noqa: ANN001
    _window, tray, _ = window_with_tray(qtbot, make_context(), [])
    assert _recent_texts(tray) == ["(the library is not available)"]


def test_a_hidden_start_waits_for_the_tray_to_appear_then_gives_up(qtbot, qloop) -> None:  # noqa: ANN001
    import asyncio

    from desktop.ui.tray import install_when_ready

    class Window:
        def __init__(self, ready_after: int) -> None:
            self.calls = 0
            self.ready_after = ready_after

        def install_tray(self) -> object | None:
            self.calls += 1
            return "tray" if self.calls > self.ready_after else None

    late = Window(ready_after=2)  # the panel came up a moment after the app
    found = asyncio.ensure_future(install_when_ready(late, wait_s=5, step_s=0.01))
    qtbot.waitUntil(found.done, timeout=3000)
    assert found.result() == "tray" and late.calls == 3
    never = Window(ready_after=10_000)
    gave_up = asyncio.ensure_future(install_when_ready(never, wait_s=0.1, step_s=0.01))
    qtbot.waitUntil(gave_up.done, timeout=3000)
    assert gave_up.result() is None and never.calls > 2


def test_the_dictation_host_may_come_before_or_after_the_tray(qtbot, qloop, make_context) -> None:  # noqa: ANN001
    from desktop.ui import tray as tray_module

    window = MainWindow(make_context())
    qtbot.addWidget(window)
    pressed: list[int] = []
    window.set_dictation(lambda: pressed.append(1))  # before: the tray picks it up when built
    window.show_dictating(True)
    real = tray_module.AppTray

    def with_tray(*args, **kw):  # noqa: ANN002, ANN003, ANN202 - the offscreen platform has no tray
        return real(*args, **kw, available=lambda: True)

    tray_module.AppTray = with_tray  # type: ignore[misc]
    try:
        tray = window.install_tray()
    finally:
        tray_module.AppTray = real  # type: ignore[misc]
    assert tray is not None and tray.dictate_action.isVisible() and tray.state == "dictating"
    tray._ask = lambda: False  # type: ignore[method-assign]  # teardown closes the window: quit, do not ask
    tray.dictate_action.trigger()
    assert pressed == [1]
    window.show_dictating(False)  # after: forwarded to the tray
    assert tray.state == "idle"
    window.set_dictation(None)
    assert not tray.dictate_action.isVisible()


def test_the_windows_own_dictation_host_is_the_trays_dictate(qtbot, qloop, make_context) -> None:  # noqa: ANN001
    """Wired by the app, not by the test: the tray's Dictate starts the main window's dictation."""
    from desktop.core.dictation.service import DictationState
    from desktop.ui import tray as tray_module

    window = MainWindow(make_context())  # no API key: a dictation that starts fails and says why
    qtbot.addWidget(window)
    said: list[str] = []
    window.dictation.notice.connect(said.append)
    real = tray_module.AppTray

    def with_tray(*args, **kw):  # noqa: ANN002, ANN003, ANN202 - the offscreen platform has no tray
        return real(*args, **kw, available=lambda: True)

    tray_module.AppTray = with_tray  # type: ignore[misc]
    try:
        tray = window.install_tray()
    finally:
        tray_module.AppTray = real  # type: ignore[misc]
    assert tray is not None and tray.dictate_action.isVisible()
    tray._ask = lambda: False  # type: ignore[method-assign]
    tray.dictate_action.trigger()
    qtbot.waitUntil(lambda: window.dictation.state is DictationState.ERROR or bool(said), timeout=5000)
    assert any("API key" in text for text in said), said
