"""User settings, kept as JSON in the config folder.

The API key is deliberately not a field here: it lives in the OS keyring (``secrets.py``), so a
settings file that gets copied, synced or attached to a bug report never carries it. Unknown keys
in the file are kept on save, so a newer version's settings survive a run of an older one.
"""

from __future__ import annotations

import base64
import json
import logging
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from desktop.core.atomic_file import write_text_atomically
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
    # System audio: the output device whose sound is transcribed ("" follows the default output).
    system_output: str = ""
    # Meeting mode: cancel the other side's voice in the microphone (acoustic echo cancellation).
    meeting_echo_cancellation: bool = True
    # Dictation: the global hotkey in pynput's notation ("" = no global hotkey), "hold" (speak
    # while held) or "toggle", and how the words reach the focused app: "auto", "type", "paste".
    dictation_hotkey: str = "<ctrl>+<alt>+space"
    dictation_mode: str = "hold"
    dictation_insert: str = "auto"
    # Start at login (a login item / XDG autostart entry / Run key); off unless the user asks.
    start_at_login: bool = False
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
            log.warning("Settings file holds a %s, not an object; starting from defaults", type(raw).__name__)
            return Settings()
        self._extra = {k: v for k, v in raw.items() if k not in _FIELD_NAMES}
        return _validated(raw)

    # -- typed reads of the free-form ui_state --------------------------------------------------
    def ui_str(self, key: str, default: str = "") -> str:
        """``ui_state[key]`` if it is a string, else ``default``: a caller never gets another type."""
        value = self.settings.ui_state.get(key)
        return value if isinstance(value, str) else default

    def ui_bytes(self, key: str) -> bytes:
        """``ui_state[key]`` decoded from base64 (how Qt geometry is kept); ``b""`` if missing or not base64."""
        try:
            return base64.b64decode(self.ui_str(key).encode("ascii"), validate=True)
        except (ValueError, UnicodeEncodeError):
            log.warning("Ignoring ui_state %s: not base64", key)
            return b""

    def ui_int(self, key: str, default: int = 0) -> int:
        """``ui_state[key]`` read as an integer (it is stored as text); ``default`` if it is not one."""
        try:
            return int(self.ui_str(key, str(default)))
        except ValueError:
            return default

    def save(self) -> None:
        data = {**self._extra, **asdict(self.settings)}
        for key in data:
            if any(word in key.lower() for word in _SECRET_WORDS):
                raise ValueError(f"refusing to write secret-looking setting {key!r} to the settings file")
        write_text_atomically(self.path, json.dumps(data, indent=2, sort_keys=True), prefix=".settings-")


def _validated(raw: dict[str, Any]) -> Settings:
    """Build :class:`Settings` from a decoded file, dropping every value of the wrong type.

    Checked value by value, down into lists and dicts, because one wrong entry (a number where
    ``ui_state`` expects text) used to crash the app at every start. Only names and types are
    logged, never values, so nothing secret that someone pasted into the file reaches the log.
    """
    defaults = Settings()
    kept: dict[str, Any] = {}
    for name in _FIELD_NAMES & raw.keys():
        value = raw[name]
        expected = type(getattr(defaults, name))
        if expected is bool or expected is str:
            ok = type(value) is expected
        elif name == "language_hints":
            ok = isinstance(value, list) and all(isinstance(item, str) for item in value)
        elif name == "ui_state":
            ok = isinstance(value, dict)
            if ok:
                value = _only_text_entries(name, value)
        elif name == "defaults":
            ok = isinstance(value, dict)
            if ok:
                value = {key: entry for key, entry in value.items() if isinstance(entry, dict)}
                for key in raw[name].keys() - value.keys():
                    log.warning("Ignoring setting defaults.%s: not an object", key)
        else:  # a field added without a check here: keep the type test the dataclass implies
            ok = isinstance(value, expected)
        if ok:
            kept[name] = value
        else:
            log.warning("Ignoring setting %s of unexpected type %s", name, type(value).__name__)
    return Settings(**kept)


def _only_text_entries(name: str, values: dict[str, Any]) -> dict[str, str]:
    text = {key: value for key, value in values.items() if isinstance(value, str)}
    for key in values.keys() - text.keys():
        log.warning("Ignoring setting %s.%s of unexpected type %s", name, key, type(values[key]).__name__)
    return text
