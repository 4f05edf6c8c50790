"""Shared fixtures: an isolated app home, an in-memory keyring, and a qasync loop for Qt tests.

The qasync fixture: the loop is made current and "running" so ``asyncSlot`` and
``asyncio.get_running_loop()`` work from synchronous tests, while Qt's own event processing
(qtbot.wait/waitUntil) drives it. It is closed once at the end, never stopped: ``stop()`` calls
``app.exit()`` and breaks every later test's waits.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Iterator
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_API", "pyside6")
os.environ.pop("SONIOX_API_KEY", None)  # a developer's real key must not leak into tests

import keyring
import pytest

from tests.memory_keyring import MemoryKeyring

pytest_plugins = ["tests.fake_soniox.pytest_plugin"]


@pytest.fixture(autouse=True)
def app_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own settings/data/log folders and an empty in-memory keyring."""
    home = tmp_path / "home"
    monkeypatch.setenv("SONIOX_DESKTOP_HOME", str(home))
    monkeypatch.delenv("SONIOX_API_KEY", raising=False)
    keyring.set_keyring(MemoryKeyring())
    return home


@pytest.fixture(scope="session")
def _session_qloop(qapp) -> Iterator[asyncio.AbstractEventLoop]:  # noqa: ANN001 - pytest-qt's QApplication
    """One qasync loop for the whole run: closing and re-creating loops per test left qasync's
    timer objects behind, and a later timer event hit a deleted QObject (segfault)."""
    import qasync

    loop = qasync.QEventLoop(qapp)
    yield loop
    asyncio._set_running_loop(None)
    loop.close()
    asyncio.set_event_loop(None)


@pytest.fixture
def qloop(qapp, _session_qloop: asyncio.AbstractEventLoop) -> Iterator[asyncio.AbstractEventLoop]:  # noqa: ANN001
    """The qasync loop, current and "running" so asyncSlot/ensure_future work from sync tests.

    Qt's event processing (qtbot.wait/waitUntil) drives it. At teardown every task the test left
    behind is cancelled and given time to unwind, so nothing leaks into the next test.
    """
    loop = _session_qloop
    asyncio.set_event_loop(loop)
    asyncio._set_running_loop(loop)
    try:
        yield loop
    finally:
        pending = [t for t in asyncio.all_tasks(loop) if not t.done()]
        for task in pending:
            task.cancel()
        deadline = time.monotonic() + 5.0
        while pending and not all(t.done() for t in pending) and time.monotonic() < deadline:
            qapp.processEvents()
            time.sleep(0.005)
        asyncio._set_running_loop(None)
        asyncio.set_event_loop(None)


@pytest.fixture
def make_context(app_home: Path):
    """Build an AppContext in the isolated home, pointed at an emulator, optionally with a key."""
    from desktop.core.context import AppContext, EndpointOverrides
    from desktop.core.paths import AppPaths
    from desktop.core.secrets import KeySource

    def _make(emulator=None, key: str | None = None, source: KeySource = KeySource.KEYRING):
        overrides = EndpointOverrides()
        if emulator is not None:
            overrides = EndpointOverrides(emulator.api_base_url, emulator.websocket_url)
        ctx = AppContext.create(AppPaths.default(), overrides)
        if key:
            ctx.set_key(key, source)
        return ctx

    return _make


@pytest.fixture
def live_ctx(fake_soniox, make_context):  # noqa: ANN001, ANN201
    """A context with the test key, pointed at the emulator."""
    ctx = make_context(fake_soniox, key="test-key")
    return ctx
