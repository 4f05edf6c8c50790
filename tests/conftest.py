"""Shared fixtures: an isolated app home, an in-memory keyring, and a qasync loop for Qt tests.

The qasync fixture follows what proved reliable with pytest-qt: the loop is made current and
"running" so ``asyncSlot`` and ``asyncio.get_running_loop()`` work from synchronous tests, while
Qt's own event processing (qtbot.wait/waitUntil) drives it. The loop is closed, never stopped:
``stop()`` calls ``app.exit()`` and breaks every later test's waits.
"""

from __future__ import annotations

import asyncio
import importlib.util
import os
from collections.abc import Iterator
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_API", "pyside6")
os.environ.pop("SONIOX_API_KEY", None)  # a developer's real key must not leak into tests

import keyring
import pytest

from tests.memory_keyring import MemoryKeyring

pytest_plugins = (
    ["tests.fake_soniox.pytest_plugin"] if importlib.util.find_spec("tests.fake_soniox.pytest_plugin") else []
)


@pytest.fixture(autouse=True)
def app_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own settings/data/log folders and an empty in-memory keyring."""
    home = tmp_path / "home"
    monkeypatch.setenv("SONIOX_DESKTOP_HOME", str(home))
    monkeypatch.delenv("SONIOX_API_KEY", raising=False)
    keyring.set_keyring(MemoryKeyring())
    return home


@pytest.fixture
def qloop(qapp) -> Iterator[asyncio.AbstractEventLoop]:
    import qasync

    loop = qasync.QEventLoop(qapp)
    asyncio.set_event_loop(loop)
    asyncio._set_running_loop(loop)
    try:
        yield loop
    finally:
        pending = [t for t in asyncio.all_tasks(loop) if not t.done()]
        for task in pending:
            task.cancel()
        for _ in range(100):
            if all(t.done() for t in pending):
                break
            qapp.processEvents()
        asyncio._set_running_loop(None)
        loop.close()
        asyncio.set_event_loop(None)



@pytest.fixture
def make_context(app_home: Path):
    """Build an AppContext in the isolated home, pointed at an emulator, optionally with a key."""
    from desktop.core.context import AppContext, EndpointOverrides
    from desktop.core.paths import AppPaths
    from desktop.core.secrets import KeySource

    made = []

    def _make(emulator=None, key: str | None = None, source: KeySource = KeySource.KEYRING):
        overrides = EndpointOverrides()
        if emulator is not None:
            overrides = EndpointOverrides(emulator.api_base_url, emulator.websocket_url)
        ctx = AppContext.create(AppPaths.default(), overrides)
        if key:
            ctx.set_key(key, source)
        made.append(ctx)
        return ctx

    return _make
