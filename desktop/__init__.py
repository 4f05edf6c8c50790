"""Soniox Desktop: live transcription and file jobs on the Soniox speech-to-text API."""

from __future__ import annotations

from importlib import metadata

APP_NAME = "Soniox Desktop"
APP_ID = "soniox-desktop"
ORGANIZATION = "Soniox Desktop"

try:
    __version__ = metadata.version("soniox-desktop")
except metadata.PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+source"
