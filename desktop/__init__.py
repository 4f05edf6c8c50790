"""Soniox Desktop: live transcription and file jobs on the Soniox speech-to-text API."""

from __future__ import annotations

import functools

APP_NAME = "Soniox Desktop"
APP_ID = "soniox-desktop"
ORGANIZATION = "Soniox Desktop"


@functools.cache
def version() -> str:
    """The installed version. ``importlib.metadata`` takes ~25 ms to import, so it is loaded on
    the first call (the app asks after its window has painted), not with this package."""
    from importlib import metadata

    try:
        return metadata.version("soniox-desktop")
    except metadata.PackageNotFoundError:  # running from a source tree that was never installed
        return "0.0.0+source"


def __getattr__(name: str) -> str:
    if name == "__version__":  # ``desktop.__version__`` still works, computed on first use
        return version()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
