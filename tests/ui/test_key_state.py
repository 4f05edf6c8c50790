"""The status bar never says "No API key" before the key has been looked up, and --no-onboarding
still checks the connection."""

from __future__ import annotations

import os

from desktop.core.context import AppContext, EndpointOverrides
from desktop.core.paths import AppPaths
from desktop.ui.main_window import MainWindow
from desktop.ui.status import Connection


def _window(qtbot, ctx: AppContext) -> MainWindow:  # noqa: ANN001
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    return window


def test_before_the_key_is_read_the_status_says_starting_then_the_truth(qtbot, qloop, app_home) -> None:  # noqa: ANN001
    ctx = AppContext.create(AppPaths.default(), load_key=False)  # as the app starts: keyring after the paint
    window = _window(qtbot, ctx)
    assert window.status.connection.state is Connection.STARTING
    ctx.reload_key()
    window.start_up(onboarding=False)
    assert window.status.connection.state is Connection.NO_KEY and window.onboarding is None


def test_without_onboarding_a_stored_key_is_still_checked(qtbot, qloop, app_home, fake_soniox, monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.setitem(os.environ, "SONIOX_API_KEY", "test-key")
    overrides = EndpointOverrides(fake_soniox.api_base_url, fake_soniox.websocket_url)
    ctx = AppContext.create(AppPaths.default(), overrides, load_key=False)
    window = _window(qtbot, ctx)
    ctx.reload_key()
    window.start_up(onboarding=False)
    qtbot.waitUntil(lambda: window.status.connection.state is Connection.READY, timeout=5000)
