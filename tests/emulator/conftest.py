"""Fixtures for the emulator's own tests: the emulator and SDK clients pointed at it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest
import pytest_asyncio
from soniox import AsyncSonioxClient, SonioxClient

from tests.fake_soniox import FakeSoniox
from tests.fake_soniox.pytest_plugin import fake_soniox  # noqa: F401  (the fixture, also for direct runs)


@pytest.fixture
def client(fake_soniox: FakeSoniox) -> Iterator[SonioxClient]:  # noqa: F811
    with SonioxClient(
        api_key="test-key", api_base_url=fake_soniox.api_base_url, websocket_base_url=fake_soniox.websocket_url
    ) as sdk:
        yield sdk


@pytest_asyncio.fixture
async def aclient(fake_soniox: FakeSoniox) -> AsyncIterator[AsyncSonioxClient]:  # noqa: F811
    async with AsyncSonioxClient(
        api_key="test-key", api_base_url=fake_soniox.api_base_url, websocket_base_url=fake_soniox.websocket_url
    ) as sdk:
        yield sdk
