"""pytest fixture ``fake_soniox``: a started emulator accepting the key "test-key".

Function scope on purpose: every test gets an empty account, its own port and no faults left
over from another test.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from .server import FakeSoniox


@pytest.fixture
def fake_soniox() -> Iterator[FakeSoniox]:
    emulator = FakeSoniox(api_keys={"test-key"}).start()
    try:
        yield emulator
    finally:
        emulator.stop()
