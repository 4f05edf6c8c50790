"""Everything the app shares across windows, built once at start-up and passed down.

The UI receives an :class:`AppContext` instead of reaching for globals, so tests can build one
pointed at a temporary folder and the emulator, and widgets stay free of start-up order.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from desktop.core.logs import REDACTOR
from desktop.core.paths import AppPaths
from desktop.core.regions import Endpoints, resolve_endpoints
from desktop.core.secrets import ApiKeyStore, KeySource, LoadedKey
from desktop.core.service import make_client
from desktop.core.settings import Settings, SettingsStore

if TYPE_CHECKING:  # the SDK is imported when the first client is made, not at start-up
    from soniox import AsyncSonioxClient
    from soniox.types import Model

log = logging.getLogger(__name__)


@dataclass
class EndpointOverrides:
    """``--api-base-url`` / ``--websocket-url``: for this run only, never saved."""

    api_base_url: str | None = None
    websocket_url: str | None = None


@dataclass
class AppContext:
    paths: AppPaths
    settings_store: SettingsStore
    key_store: ApiKeyStore
    overrides: EndpointOverrides = field(default_factory=EndpointOverrides)
    models: tuple[Model, ...] = ()
    _key: LoadedKey = field(default_factory=lambda: LoadedKey("", KeySource.NONE))
    _key_looked_up: bool = False
    _client: AsyncSonioxClient | None = None
    _listeners: list[Callable[[], None]] = field(default_factory=list)
    _closing: list[AsyncSonioxClient] = field(default_factory=list)
    _identity: tuple[str, Endpoints] | None = None
    _settings_listeners: list[Callable[[], None]] = field(default_factory=list)

    @classmethod
    def create(
        cls, paths: AppPaths, overrides: EndpointOverrides | None = None, *, load_key: bool = True
    ) -> AppContext:
        """``load_key=False``: no key until :meth:`reload_key` (the app reads the keyring after
        its window has painted: finding the keyring's backend alone takes ~50 ms)."""
        paths.ensure()
        ctx = cls(
            paths=paths,
            settings_store=SettingsStore(paths.settings_file),
            key_store=ApiKeyStore(paths.key_file),
            overrides=overrides or EndpointOverrides(),
        )
        if load_key:
            ctx.reload_key()
        return ctx

    @property
    def settings(self) -> Settings:
        return self.settings_store.settings

    @property
    def endpoints(self) -> Endpoints:
        s = self.settings
        return resolve_endpoints(
            s.region,
            s.custom_api_base_url,
            s.custom_websocket_url,
            api_base_url_override=self.overrides.api_base_url,
            websocket_url_override=self.overrides.websocket_url,
        )

    @property
    def api_key(self) -> str:
        return self._key.key

    @property
    def key_source(self) -> KeySource:
        return self._key.source

    @property
    def key_looked_up(self) -> bool:
        """False until the key store has been read (the app reads it after its first paint)."""
        return self._key_looked_up

    def reload_key(self) -> None:
        self._key_looked_up = True
        self._key = self.key_store.load()
        if self._key.key:
            REDACTOR.add_secret(self._key.key)
        self._reset_client()

    def set_key(self, key: str, source: KeySource) -> None:
        """Store the key where the user chose and start using it (raises KeyStorageError)."""
        self.key_store.save(key, source)
        REDACTOR.add_secret(key)
        self._key = LoadedKey(key.strip(), source)
        self._key_looked_up = True
        self._reset_client()

    def settings_changed(self) -> None:
        """Call after editing settings: saves them, tells settings listeners, and switches to new
        endpoints if the region changed."""
        self.settings_store.save()
        for listener in list(self._settings_listeners):
            try:
                listener()
            except Exception:
                log.exception("Settings listener failed")
        self._reset_client()

    def on_settings_saved(self, listener: Callable[[], None]) -> None:
        """Run ``listener`` after settings are edited and saved (e.g. from the Settings dialog)."""
        self._settings_listeners.append(listener)

    def on_change(self, listener: Callable[[], None]) -> None:
        """Run ``listener`` whenever the key or the endpoints change (not on other settings)."""
        self._listeners.append(listener)

    def client(self) -> AsyncSonioxClient:
        """The SDK client for the current key and endpoints (raises if there is no key)."""
        if self._client is None:
            if not self._key.key:
                raise RuntimeError("No API key is set")
            self._client = make_client(self._key.key, self.endpoints)
        return self._client

    def set_models(self, models: tuple[Model, ...]) -> None:
        self.models = models

    async def load_models(self, *, force: bool = False) -> tuple[Model, ...]:
        """The model list from ``GET /v1/models``, fetched once and kept (``force`` refetches).

        Raises the SDK's error when it cannot be fetched, so callers can say why.
        """
        if self.models and not force:
            return self.models
        response = await self.client().models.list()
        self.models = tuple(response.models)
        return self.models

    def realtime_models(self) -> list[Model]:
        return [m for m in self.models if m.transcription_mode == "real_time"]

    def async_models(self) -> list[Model]:
        return [m for m in self.models if m.transcription_mode == "async"]

    def _reset_client(self) -> None:
        """Start using the current key and endpoints, if they changed; only then tell listeners.

        Saving unrelated settings (defaults, recordings) changes neither, so panels are not asked
        to reload and no client is thrown away. A replaced client is closed once nothing started
        on it can still be using it (at the latest when the app closes).
        """
        identity = (self._key.key, self.endpoints)
        if identity == self._identity:
            return
        self._identity = identity
        self.models = ()  # another key or region may offer other models
        old, self._client = self._client, None
        if old is not None:
            self._closing.append(old)
        for listener in list(self._listeners):
            try:
                listener()
            except Exception:
                log.exception("Context listener failed")

    async def aclose(self) -> None:
        """Close every SDK client this context made (the current one and replaced ones)."""
        clients = [*self._closing, *([self._client] if self._client else [])]
        self._closing.clear()
        self._client = None
        for client in clients:
            try:
                await client.aclose()
            except Exception:
                log.debug("Closing an SDK client failed", exc_info=True)
