from __future__ import annotations

import logging
from pathlib import Path

from desktop.core.logs import REDACTOR, setup_logging


def test_keys_are_redacted_in_the_log_file(tmp_path: Path) -> None:
    log_file = tmp_path / "logs" / "app.log"
    setup_logging(log_file)
    REDACTOR.add_secret("my-secret-key-0001")
    log = logging.getLogger("test.redaction")
    log.warning("plain known key my-secret-key-0001 in text")
    log.warning("header Authorization: Bearer other-unknown-key-999")
    log.warning('config {"api_key": "deprecated-field-key", "model": "stt-rt-v5"}')
    log.warning("temp key snx_temp_AbC.def-123 minted")
    try:
        raise RuntimeError("failed with key my-secret-key-0001")
    except RuntimeError:
        log.exception("with traceback")
    for handler in logging.getLogger().handlers:
        handler.flush()
    text = log_file.read_text()
    for secret in ("my-secret-key-0001", "other-unknown-key-999", "deprecated-field-key", "snx_temp_AbC"):
        assert secret not in text
    assert text.count("[REDACTED]") >= 5
    assert "stt-rt-v5" in text  # redaction must not eat ordinary content
