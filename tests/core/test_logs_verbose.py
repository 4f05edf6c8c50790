"""`--verbose` console output is redacted exactly like the log file (same formatter on both handlers)."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop.core.logs import REDACTOR, setup_logging

KEY = "abcDEF1234567890secretkey"
TEMP = "snx_temp_Zx9_8y7-w6.v5"


@pytest.fixture
def handlers(tmp_path: Path) -> Iterator[tuple[Path, io.StringIO]]:
    """Set logging up as `app.py --verbose` does, with the console stream captured."""
    root = logging.getLogger()
    before = list(root.handlers)
    level = root.level
    REDACTOR.add_secret(KEY)
    log_file = tmp_path / "logs" / "app.log"
    setup_logging(log_file, console=True)
    console = io.StringIO()
    ours = [h for h in root.handlers if getattr(h, "_soniox_desktop", False)]
    streams = [h for h in ours if type(h) is logging.StreamHandler]
    assert len(streams) == 1
    streams[0].setStream(console)
    yield log_file, console
    for h in ours:
        root.removeHandler(h)
        h.close()
    root.handlers[:] = before
    root.setLevel(level)


def _emit_all() -> None:
    log = logging.getLogger("desktop.test_verbose")
    log.info(f"message key={KEY} temp {TEMP}")
    log.info("args %s and %s", KEY, TEMP)
    try:
        raise RuntimeError(f"boom {KEY} {TEMP}")
    except RuntimeError:
        log.exception("traceback follows")


def test_console_and_file_redact_identically(handlers: tuple[Path, io.StringIO]) -> None:
    log_file, console = handlers
    _emit_all()
    for h in logging.getLogger().handlers:
        h.flush()
    on_disk = log_file.read_text(encoding="utf-8")
    on_console = console.getvalue()
    for text in (on_disk, on_console):
        assert KEY not in text and "snx_temp_" not in text
        assert text.count("[REDACTED]") == 6
        assert "message key=[REDACTED] temp [REDACTED]" in text
        assert "args [REDACTED] and [REDACTED]" in text
        assert "RuntimeError: boom [REDACTED] [REDACTED]" in text
        assert "Traceback (most recent call last)" in text
    assert on_disk == on_console
