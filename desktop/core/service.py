"""The one place that builds SDK clients, so every call uses the current key and endpoints.

All Soniox traffic goes through the official ``soniox`` SDK; this module only decides which
key and which base URLs it gets. Clients are cheap, so a new one is made whenever the key or the
region changes, and the old one is closed.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from desktop.core.errors import UserError, describe_error
from desktop.core.logs import REDACTOR
from desktop.core.regions import Endpoints

if TYPE_CHECKING:
    from soniox import AsyncSonioxClient
    from soniox.types import Model

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT_S = 30.0


def make_client(api_key: str, endpoints: Endpoints, *, timeout_s: float = DEFAULT_TIMEOUT_S) -> AsyncSonioxClient:
    # The SDK (with httpx and pydantic, ~170 ms) is imported by the first client, which the app
    # makes after its window shows, not when this module is imported.
    from soniox import AsyncSonioxClient

    REDACTOR.add_secret(api_key)
    return AsyncSonioxClient(
        api_key=api_key,
        api_base_url=endpoints.api_base_url,
        websocket_base_url=endpoints.websocket_url,
        timeout_sec=timeout_s,
    )


@dataclass(frozen=True)
class KeyCheck:
    """The answer to "does this key work?", as the onboarding and settings dialogs show it."""

    ok: bool
    summary: str
    models: tuple[Model, ...] = ()
    error: UserError | None = None


async def check_key(api_key: str, endpoints: Endpoints, *, timeout_s: float = 15.0) -> KeyCheck:
    """List models with ``api_key``: the cheapest call that proves the key and the endpoint work."""
    key = api_key.strip()
    if not key:
        return KeyCheck(False, "Paste an API key first.")
    try:
        client = make_client(key, endpoints, timeout_s=timeout_s)
    except Exception as exc:  # the SDK validates the key's presence only
        err = describe_error(exc)
        return KeyCheck(False, err.text, error=err)
    try:
        response = await client.models.list()
    except Exception as exc:
        err = describe_error(exc)
        log.info("Key check failed: %s", err.error_type or type(exc).__name__)
        return KeyCheck(False, f"{err.message} {err.action}", error=err)
    finally:
        await client.aclose()
    models = tuple(response.models)
    realtime = sum(1 for m in models if m.transcription_mode == "real_time")
    return KeyCheck(
        True,
        f"The key works: {len(models)} models available ({realtime} live, {len(models) - realtime} for files).",
        models,
    )
