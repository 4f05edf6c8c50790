"""Soniox endpoints per region, and how settings and command-line overrides pick one.

A temporary key only works in the region that minted it, and data stays in its region, so the
region is a user setting rather than something the app guesses.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Endpoints:
    api_base_url: str
    websocket_url: str


REGIONS: dict[str, tuple[str, Endpoints]] = {
    "us": ("United States", Endpoints("https://api.soniox.com/v1", "wss://stt-rt.soniox.com/transcribe-websocket")),
    "eu": (
        "European Union",
        Endpoints("https://api.eu.soniox.com/v1", "wss://stt-rt.eu.soniox.com/transcribe-websocket"),
    ),
    "jp": ("Japan", Endpoints("https://api.jp.soniox.com/v1", "wss://stt-rt.jp.soniox.com/transcribe-websocket")),
}
CUSTOM_REGION = "custom"
DEFAULT_REGION = "us"


def resolve_endpoints(
    region: str,
    custom_api_base_url: str = "",
    custom_websocket_url: str = "",
    *,
    api_base_url_override: str | None = None,
    websocket_url_override: str | None = None,
) -> Endpoints:
    """The endpoints to use: one-run overrides win, then the region (or the custom URLs)."""
    if region == CUSTOM_REGION:
        base = Endpoints(
            custom_api_base_url.strip() or REGIONS[DEFAULT_REGION][1].api_base_url,
            custom_websocket_url.strip() or REGIONS[DEFAULT_REGION][1].websocket_url,
        )
    else:
        base = REGIONS.get(region, REGIONS[DEFAULT_REGION])[1]
    return Endpoints(
        (api_base_url_override or base.api_base_url).rstrip("/"),
        websocket_url_override or base.websocket_url,
    )


def validate_url(url: str, schemes: tuple[str, ...]) -> str | None:
    """A message saying what is wrong with a user-typed URL, or None when it is usable."""
    text = url.strip()
    if not text:
        return "Enter a URL."
    scheme, sep, rest = text.partition("://")
    if not sep or scheme.lower() not in schemes or not rest or " " in text:
        return f"Use a URL that starts with {' or '.join(s + '://' for s in schemes)}."
    return None
