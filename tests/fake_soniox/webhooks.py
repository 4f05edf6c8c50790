"""Webhook delivery: POST ``{"id", "status"}`` when a job ends, with the configured auth header.

Retries are few and fast (tests must stay quick) and every attempt is recorded. Only loopback
hosts are called: the emulator must never reach the network beyond this machine.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from urllib.parse import urlsplit

import aiohttp

from .records import WebhookDelivery
from .state import EmulatorState

log = logging.getLogger("fake_soniox.webhooks")

LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


@dataclass(frozen=True)
class WebhookPolicy:
    attempts: int = 3
    backoff_s: float = 0.05
    timeout_s: float = 2.0


@dataclass(frozen=True)
class WebhookCall:
    """What to send, copied out of the job under the state lock."""

    transcription_id: str
    status: str
    url: str
    header_name: str | None
    header_value: str | None


async def deliver(
    state: EmulatorState, session: aiohttp.ClientSession, call: WebhookCall, policy: WebhookPolicy
) -> None:
    body = {"id": call.transcription_id, "status": call.status}
    headers = {call.header_name: call.header_value} if call.header_name and call.header_value else {}
    host = urlsplit(call.url).hostname or ""
    if host not in LOCAL_HOSTS:
        state.record_webhook(
            WebhookDelivery(
                call.transcription_id,
                call.url,
                body,
                headers,
                1,
                None,
                "refused: the emulator only calls loopback webhook hosts",
            )
        )
        return
    for attempt in range(1, policy.attempts + 1):
        status: int | None = None
        error: str | None = None
        try:
            timeout = aiohttp.ClientTimeout(total=policy.timeout_s)
            async with session.post(call.url, json=body, headers=headers, timeout=timeout) as resp:
                status = resp.status
        except (aiohttp.ClientError, asyncio.TimeoutError, OSError) as exc:
            error = f"{type(exc).__name__}: {exc}"
        state.record_webhook(WebhookDelivery(call.transcription_id, call.url, body, headers, attempt, status, error))
        if status is not None and 200 <= status < 300:
            return
        log.info("webhook for %s: attempt %d failed (%s)", call.transcription_id, attempt, status or error)
        if attempt < policy.attempts:
            await asyncio.sleep(policy.backoff_s * 2 ** (attempt - 1))
