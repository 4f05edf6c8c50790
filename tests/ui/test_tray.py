"""The tray: the live state on its icon, its menu reaching the window's actions, and close-to-tray asked once."""

from __future__ import annotations

from desktop.core.live.state import LiveState
from desktop.ui.main_window import MainWindow
from desktop.ui.tray import CLOSE_TO_TRAY_KEY, AppTray, state_of


def window_with_tray(qtbot, ctx, answers: list[bool | None]) -> tuple[MainWindow, AppTray, list[int]]:  # noqa: ANN001
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    tray = AppTray(
        ctx,
        window,
        start_stop=window._start_or_stop_live,
        actions={"captions": window.captions_action, "settings": window.settings_action, "quit": window.quit_action},
        available=lambda: True,
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
    assert names == ["trayShowAction", "trayLiveAction", "toggleCaptionsAction", "settingsAction", "quitAction"]
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


def test_job_news_comes_from_the_tray_while_the_window_is_hidden(qtbot, qloop, make_context) -> None:  # noqa: ANN001
    window, tray, _ = window_with_tray(qtbot, make_context(), [])
    shown: list[tuple[str, bool]] = []
    tray.notify = lambda text, *, error=False: shown.append((text, error))  # type: ignore[method-assign]
    window._on_jobs_notice("info", "Transcription finished: talk.wav")
    assert shown == []  # the window is visible: its status bar says it
    window.hide()
    window._on_jobs_notice("error", "Transcription failed: bad.wav. The audio could not be decoded.")
    assert shown == [("Transcription failed: bad.wav. The audio could not be decoded.", True)]
