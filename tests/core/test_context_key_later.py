"""The app reads the key after its window has painted: a context made with ``load_key=False``
has no key until ``reload_key``, which then tells the panels once (issue 14, start-up)."""

from __future__ import annotations

from pathlib import Path

import keyring

from desktop.core.context import AppContext
from desktop.core.paths import AppPaths
from desktop.core.secrets import KEYRING_SERVICE, KEYRING_USER, KeySource


def test_a_context_can_read_its_key_later(app_home: Path) -> None:
    keyring.set_password(KEYRING_SERVICE, KEYRING_USER, "stored-key-123")
    ctx = AppContext.create(AppPaths.default(), load_key=False)
    changes: list[str] = []
    ctx.on_change(lambda: changes.append(ctx.api_key))
    assert ctx.api_key == "" and ctx.key_source is KeySource.NONE
    ctx.reload_key()
    assert ctx.api_key == "stored-key-123" and ctx.key_source is KeySource.KEYRING
    assert changes == ["stored-key-123"]


def test_a_context_reads_its_key_at_once_by_default(app_home: Path) -> None:
    keyring.set_password(KEYRING_SERVICE, KEYRING_USER, "stored-key-123")
    assert AppContext.create(AppPaths.default()).api_key == "stored-key-123"
