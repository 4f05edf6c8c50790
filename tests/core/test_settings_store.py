from __future__ import annotations

import json
from pathlib import Path

import pytest

from desktop.core.regions import CUSTOM_REGION, resolve_endpoints, validate_url
from desktop.core.settings import Settings, SettingsStore


def test_round_trip_and_unknown_keys_survive(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    path.write_text(json.dumps({"region": "eu", "from_a_newer_version": {"x": 1}}))
    store = SettingsStore(path)
    assert store.settings.region == "eu"
    store.settings.language_hints = ["en", "sl"]
    store.save()
    data = json.loads(path.read_text())
    assert data["language_hints"] == ["en", "sl"]
    assert data["from_a_newer_version"] == {"x": 1}
    assert SettingsStore(path).settings.language_hints == ["en", "sl"]


def test_broken_file_is_set_aside_not_fatal(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    path.write_text("{not json")
    store = SettingsStore(path)
    assert store.settings == Settings()
    assert (tmp_path / "settings.broken.json").read_text() == "{not json"


def test_wrong_types_fall_back_to_defaults(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    path.write_text(json.dumps({"region": 5, "language_hints": "en"}))
    assert SettingsStore(path).settings == Settings()


def test_refuses_to_write_anything_that_looks_like_a_key(tmp_path: Path) -> None:
    store = SettingsStore(tmp_path / "settings.json")
    store._extra["api_key"] = "sk-123"
    with pytest.raises(ValueError, match="secret"):
        store.save()
    assert not (tmp_path / "settings.json").exists()


def test_endpoints_overrides_win_and_custom_urls_are_validated() -> None:
    assert resolve_endpoints("eu").api_base_url == "https://api.eu.soniox.com/v1"
    assert resolve_endpoints("jp").websocket_url == "wss://stt-rt.jp.soniox.com/transcribe-websocket"
    custom = resolve_endpoints(CUSTOM_REGION, "http://127.0.0.1:9/v1/", "ws://127.0.0.1:9/ws")
    assert custom.api_base_url == "http://127.0.0.1:9/v1"
    override = resolve_endpoints("us", api_base_url_override="http://x/v1", websocket_url_override="ws://x/ws")
    assert (override.api_base_url, override.websocket_url) == ("http://x/v1", "ws://x/ws")
    assert validate_url("ftp://x", ("https", "http")) is not None
    assert validate_url("https://api.example.com/v1", ("https", "http")) is None


def test_wrong_entries_are_dropped_one_by_one_and_logged_without_their_values(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "settings.json"
    raw = {
        "region": "eu",
        "ui_state": {"live_file": "/a.wav", "live_source": ["file"], "live_url": 12, "geometry": "sk-secret-value"},
        "language_hints": ["en", 3],
        "defaults": {"live": {"model": "m"}, "jobs": [1]},
        "keep_recordings": "yes",
    }
    path.write_text(json.dumps(raw))
    with caplog.at_level("WARNING"):
        settings = SettingsStore(path).settings
    assert settings.region == "eu"
    assert settings.ui_state == {"live_file": "/a.wav", "geometry": "sk-secret-value"}
    assert settings.language_hints == []
    assert settings.defaults == {"live": {"model": "m"}}
    assert settings.keep_recordings is True
    for name in ("ui_state.live_source", "ui_state.live_url", "language_hints", "defaults.jobs", "keep_recordings"):
        assert name in caplog.text
    assert "/a.wav" not in caplog.text and "sk-secret-value" not in caplog.text


def test_ui_accessors_never_return_another_type(tmp_path: Path) -> None:
    store = SettingsStore(tmp_path / "settings.json")
    store.settings.ui_state.update({"text": "x", "geometry": "AQID", "bad64": "***", "count": "7", "word": "seven"})
    store.settings.ui_state["number"] = 5  # type: ignore[assignment] - what a caller could still put there
    assert store.ui_str("text") == "x"
    assert store.ui_str("number", "d") == "d"
    assert store.ui_str("missing") == ""
    assert store.ui_bytes("geometry") == b"\x01\x02\x03"
    assert store.ui_bytes("bad64") == b""
    assert store.ui_bytes("missing") == b""
    assert store.ui_int("count") == 7
    assert store.ui_int("word", 3) == 3
    assert store.ui_int("number", 4) == 4


@pytest.mark.parametrize("content", [b"[1, 2]", b"null", b"42"])
def test_wrong_top_level_type_starts_from_defaults(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "settings.json"
    path.write_bytes(content)
    assert SettingsStore(path).settings == Settings()


def test_binary_garbage_is_set_aside(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    garbage = bytes(range(256))
    path.write_bytes(garbage)
    assert SettingsStore(path).settings == Settings()
    assert (tmp_path / "settings.broken.json").read_bytes() == garbage
