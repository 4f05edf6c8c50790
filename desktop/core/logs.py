"""Rotating log files in the platform log folder, with keys scrubbed before they reach disk.

Redaction happens in a `logging.Formatter` (RedactingFormatter) shared by the file handler and the
`--verbose` console handler. It runs on the fully formatted record -- message, args and traceback
alike -- so a key that ends up in an exception text, a URL or a repr from a library is caught too.
"""

from __future__ import annotations

import logging
import logging.handlers
import re
from pathlib import Path

_PATTERNS = [
    # Authorization headers and bearer tokens, whatever the key looks like.
    re.compile(r"(?i)(authorization[\"']?\s*[:=]\s*[\"']?\s*bearer\s+)[^\s\"',}]+"),
    re.compile(r"(?i)(bearer\s+)[^\s\"',}]+"),
    # Temporary keys and JSON/query fields that carry a key.
    re.compile(r"()snx_temp_[A-Za-z0-9._\-]+"),
    re.compile(
        r"(?i)([\"']?(?:api_key|apikey|api-key|x-api-key|webhook_auth_header_value)[\"']?\s*[:=]\s*[\"']?)[^\s\"',}&]+"
    ),
]
REDACTED = "[REDACTED]"


class Redactor:
    """Replaces API keys in text: the known key verbatim, and anything shaped like a credential."""

    def __init__(self) -> None:
        self._known: set[str] = set()

    def add_secret(self, secret: str) -> None:
        secret = secret.strip()
        if len(secret) >= 6:
            self._known.add(secret)

    def __call__(self, text: str) -> str:
        for secret in sorted(self._known, key=len, reverse=True):
            text = text.replace(secret, REDACTED)
        for pattern in _PATTERNS:
            text = pattern.sub(lambda m: m.group(1) + REDACTED, text)
        return text


REDACTOR = Redactor()


class RedactingFormatter(logging.Formatter):
    """Formats a record, then scrubs the whole text: `super().format` has already merged args and the traceback."""

    def format(self, record: logging.LogRecord) -> str:
        return REDACTOR(super().format(record))


def setup_logging(log_file: Path, *, level: int = logging.INFO, console: bool = False) -> None:
    """Send the app's logs to a rotating file (5 x 1 MB) and optionally stderr, both redacted."""
    log_file.parent.mkdir(parents=True, exist_ok=True)
    root = logging.getLogger()
    root.setLevel(level)
    for handler in list(root.handlers):
        if getattr(handler, "_soniox_desktop", False):
            root.removeHandler(handler)
            handler.close()
    formatter = RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    file_handler = logging.handlers.RotatingFileHandler(log_file, maxBytes=1_000_000, backupCount=5, encoding="utf-8")
    file_handler.setFormatter(formatter)
    file_handler._soniox_desktop = True  # type: ignore[attr-defined]
    root.addHandler(file_handler)
    if console:
        stream = logging.StreamHandler()
        stream.setFormatter(formatter)
        stream._soniox_desktop = True  # type: ignore[attr-defined]
        root.addHandler(stream)
    # httpx logs every request URL at INFO; keep it quieter, it adds nothing for users.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("websockets").setLevel(logging.WARNING)
