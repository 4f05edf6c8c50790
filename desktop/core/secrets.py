"""Where the API key lives: the environment, the OS keyring, a user-only file, or this run only.

The OS keyring is the default. Headless Linux has no keyring backend and ``keyring`` raises
``NoKeyringError`` there instead of falling back to anything, so the app asks the user what to do
(keep the key for this run only, or in a file only their account can read) rather than silently
writing it somewhere weaker.
"""

from __future__ import annotations

import enum
import logging
import os
import stat
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

KEYRING_SERVICE = "soniox-desktop"
KEYRING_USER = "api-key"
ENV_VAR = "SONIOX_API_KEY"


class KeySource(enum.Enum):
    NONE = "none"
    ENVIRONMENT = "environment"
    KEYRING = "keyring"
    FILE = "file"
    SESSION = "session"

    @property
    def description(self) -> str:
        return {
            KeySource.NONE: "No API key yet",
            KeySource.ENVIRONMENT: "From the SONIOX_API_KEY environment variable",
            KeySource.KEYRING: "Stored in the system keyring",
            KeySource.FILE: "Stored in a file only your account can read",
            KeySource.SESSION: "Kept for this run only",
        }[self]


class KeyStorageError(Exception):
    """Saving or reading the key failed in a way the user must hear about."""


@dataclass(frozen=True)
class LoadedKey:
    key: str
    source: KeySource


def mask_key(key: str) -> str:
    """What may be shown of a key: enough to recognise it, never enough to use it."""
    key = key.strip()
    if len(key) <= 8:
        return "•" * len(key)
    return f"{key[:4]}…{key[-4:]}"


class ApiKeyStore:
    def __init__(self, key_file: Path, environ: dict[str, str] | None = None) -> None:
        self.key_file = key_file
        self._environ = os.environ if environ is None else environ
        self._session_key: str | None = None

    def keyring_available(self) -> bool:
        """True when a real backend exists (not keyring's ``fail`` placeholder)."""
        import keyring

        try:
            backend = keyring.get_keyring()
        except Exception:  # a broken backend configuration counts as none
            return False
        priority = getattr(backend, "priority", 0)
        return type(backend).__module__ != "keyring.backends.fail" and (priority or 0) > 0

    def load(self) -> LoadedKey:
        env_key = self._environ.get(ENV_VAR, "").strip()
        if env_key:
            return LoadedKey(env_key, KeySource.ENVIRONMENT)
        if self._session_key:
            return LoadedKey(self._session_key, KeySource.SESSION)
        # keyring is imported here, not at the top: importing it and finding its backend takes
        # ~50-100 ms, which the app spends after its window has painted (see desktop.app).
        import keyring
        import keyring.errors

        try:
            stored = keyring.get_password(KEYRING_SERVICE, KEYRING_USER)
        except keyring.errors.NoKeyringError:
            stored = None
        except keyring.errors.KeyringError as exc:
            log.warning("Could not read the keyring: %s", type(exc).__name__)
            stored = None
        if stored:
            return LoadedKey(stored, KeySource.KEYRING)
        file_key = self._read_key_file()
        if file_key:
            return LoadedKey(file_key, KeySource.FILE)
        return LoadedKey("", KeySource.NONE)

    def save(self, key: str, source: KeySource) -> None:
        """Keep ``key`` where the user chose; raises KeyStorageError with a message they can act on."""
        key = key.strip()
        if not key:
            raise KeyStorageError("The API key is empty.")
        if source is KeySource.KEYRING:
            import keyring
            import keyring.errors

            try:
                keyring.set_password(KEYRING_SERVICE, KEYRING_USER, key)
            except keyring.errors.NoKeyringError as exc:
                raise KeyStorageError(
                    "This system has no keyring to keep the key in. Keep it for this run only, "
                    "or in a file only your account can read."
                ) from exc
            except keyring.errors.KeyringError as exc:
                raise KeyStorageError(f"The system keyring refused the key ({type(exc).__name__}).") from exc
            self._session_key = None
            self._remove_key_file()
        elif source is KeySource.FILE:
            self._write_key_file(key)
            self._session_key = None
        elif source is KeySource.SESSION:
            self._session_key = key
        else:
            raise ValueError(f"cannot save a key to {source}")

    def forget(self) -> None:
        """Remove the key from every place the app keeps it (not from the environment)."""
        self._session_key = None
        import keyring
        import keyring.errors

        try:
            keyring.delete_password(KEYRING_SERVICE, KEYRING_USER)
        except (keyring.errors.PasswordDeleteError, keyring.errors.NoKeyringError):
            pass
        except keyring.errors.KeyringError as exc:
            log.warning("Could not remove the key from the keyring: %s", type(exc).__name__)
        self._remove_key_file()

    def _read_key_file(self) -> str:
        try:
            mode = self.key_file.stat().st_mode
        except FileNotFoundError:
            return ""
        if os.name == "posix" and mode & (stat.S_IRWXG | stat.S_IRWXO):
            log.warning("Ignoring the key file: other users can read it (mode %o)", stat.S_IMODE(mode))
            return ""
        try:
            return self.key_file.read_text(encoding="utf-8").strip()
        except OSError as exc:
            log.warning("Could not read the key file: %s", type(exc).__name__)
            return ""

    def _write_key_file(self, key: str) -> None:
        self.key_file.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.key_file.with_name(self.key_file.name + ".tmp")
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(key)
            if os.name == "posix":
                os.chmod(tmp, 0o600)
            os.replace(tmp, self.key_file)
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            raise KeyStorageError(f"Could not write the key file {self.key_file}: {exc.strerror}") from exc

    def _remove_key_file(self) -> None:
        try:
            self.key_file.unlink()
        except FileNotFoundError:
            pass
