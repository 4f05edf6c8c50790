"""Both kinds of timeout (httpx's own and the builtin TimeoutError) read the same to the user."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from desktop.core.errors import describe_error


@pytest.mark.parametrize(
    "exc",
    [httpx.ReadTimeout("slow"), httpx.ConnectTimeout("slow"), TimeoutError(), asyncio.TimeoutError()],
)
def test_timeouts_share_one_message(exc: BaseException) -> None:
    err = describe_error(exc)
    assert (err.title, err.message, err.action, err.retriable, err.error_type) == (
        "Soniox did not answer in time",
        "The request timed out.",
        "Check your internet connection and try again.",
        True,
        "timeout",
    )
