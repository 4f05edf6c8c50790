from __future__ import annotations

import os
import stat
from pathlib import Path

import keyring
import pytest
from keyring.backends.fail import Keyring as FailKeyring

from desktop.core.secrets import ApiKeyStore, KeySource, KeyStorageError, mask_key


def test_keyring_is_the_default_store(tmp_path: Path) -> None:
    store = ApiKeyStore(tmp_path / "api-key", environ={})
    assert store.keyring_available()
    store.save("  key-123456  ", KeySource.KEYRING)
    assert store.load().key == "key-123456"
    assert store.load().source is KeySource.KEYRING
    assert not (tmp_path / "api-key").exists()
    store.forget()
    assert store.load().source is KeySource.NONE


def test_environment_wins(tmp_path: Path) -> None:
    store = ApiKeyStore(tmp_path / "api-key", environ={"SONIOX_API_KEY": "from-env"})
    store.save("stored", KeySource.KEYRING)
    loaded = store.load()
    assert (loaded.key, loaded.source) == ("from-env", KeySource.ENVIRONMENT)


def test_no_keyring_backend_is_reported_not_papered_over(tmp_path: Path) -> None:
    keyring.set_keyring(FailKeyring())
    store = ApiKeyStore(tmp_path / "api-key", environ={})
    assert not store.keyring_available()
    with pytest.raises(KeyStorageError, match="no keyring"):
        store.save("key-123456", KeySource.KEYRING)
    assert store.load().source is KeySource.NONE
    assert not (tmp_path / "api-key").exists()


def test_session_only_key_never_touches_disk(tmp_path: Path) -> None:
    keyring.set_keyring(FailKeyring())
    store = ApiKeyStore(tmp_path / "cfg" / "api-key", environ={})
    store.save("key-session", KeySource.SESSION)
    assert store.load() == store.load()
    assert store.load().source is KeySource.SESSION
    assert not any(tmp_path.rglob("*"))
    assert ApiKeyStore(tmp_path / "cfg" / "api-key", environ={}).load().source is KeySource.NONE


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_file_store_is_readable_by_the_user_only(tmp_path: Path) -> None:
    keyring.set_keyring(FailKeyring())
    path = tmp_path / "cfg" / "api-key"
    store = ApiKeyStore(path, environ={})
    store.save("key-in-file", KeySource.FILE)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert ApiKeyStore(path, environ={}).load().key == "key-in-file"
    path.chmod(0o644)  # someone loosened it: the app must not trust it any more
    assert ApiKeyStore(path, environ={}).load().source is KeySource.NONE


def test_mask_key_never_shows_the_whole_key() -> None:
    key = "abcdefghijklmnopqrstuvwxyz"
    masked = mask_key(key)
    assert masked.startswith("abcd") and masked.endswith("wxyz") and key not in masked
    assert mask_key("short") == "•••••"
