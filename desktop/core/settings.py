"""User settings, kept as JSON in the config folder.

The API key is deliberately not a field here: it lives in the OS keyring (``secrets.py``), so a
settings file that gets copied, synced or attached to a bug report never carries it. Unknown keys
in the file are kept on save, so a newer version's settings survive a run of an older one.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from desktop.core.regions import DEFAULT_REGION

log = logging.getLogger(__name__)


@dataclass
class Settings:
    region: str = DEFAULT_REGION
    custom_api_base_url: str = ""
    custom_websocket_url: str = ""
    realtime_model: str = ""
    async_model: str = ""
    language_hints: list[str] = field(default_factory=list)
    input_device: str = ""
    hold_to_talk_key: str = "Space"
    keep_recordings: bool = True
    # Free-form state owned by the UI (window geometry, splitter sizes, last folders ...).
    ui_state: dict[str, str] = field(default_factory=dict)
    # Option sets remembered per feature ("live", "jobs"): whatever each form wants to keep.
    defaults: dict[str, dict[str, Any]] = field(default_factory=dict)


_FIELD_NAMES = {f.name for f in fields(Settings)}
_SECRET_WORDS = ("api_key", "apikey", "secret", "token", "password")


class SettingsStore:
    """Loads and atomically saves :class:`Settings`; a broken file is set aside, never fatal."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._extra: dict[str, Any] = {}
        self.settings = self._load()

    def _load(self) -> Settings:
        try:
            raw = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return Settings()
        except (OSError, ValueError) as exc:
            broken = self.path.with_suffix(".broken.json")
            log.warning("Settings file unreadable (%s); starting from defaults, old file kept as %s", exc, broken)
            try:
                self.path.replace(broken)
            except OSError:
                pass
            return Settings()
        if not isinstance(raw, dict):
            return Settings()
        known = {k: v for k, v in raw.items() if k in _FIELD_NAMES}
        self._extra = {k: v for k, v in raw.items() if k not in _FIELD_NAMES}
        defaults = Settings()
        for name, value in list(known.items()):
            if not isinstance(value, type(getattr(defaults, name))):
                log.warning("Ignoring setting %s of unexpected type %s", name, type(value).__name__)
                del known[name]
        return Settings(**known)

    def save(self) -> None:
        data = {**self._extra, **asdict(self.settings)}
        for key in data:
            if any(word in key.lower() for word in _SECRET_WORDS):
                raise ValueError(f"refusing to write secret-looking setting {key!r} to the settings file")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".settings-", dir=self.path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(data, handle, indent=2, sort_keys=True)
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
