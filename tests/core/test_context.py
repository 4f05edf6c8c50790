"""The context tells panels to reload only when the key or the endpoints really change."""

from __future__ import annotations

from desktop.core.secrets import KeySource


def test_only_key_or_endpoint_changes_notify(make_context) -> None:  # noqa: ANN001
    ctx = make_context(key="key-one-123")
    changes: list[str] = []
    saved: list[str] = []
    ctx.on_change(lambda: changes.append(ctx.endpoints.api_base_url))
    ctx.on_settings_saved(lambda: saved.append("saved"))
    first = ctx.client()

    ctx.settings.language_hints = ["en"]
    ctx.settings_changed()
    assert changes == [] and saved == ["saved"]
    assert ctx.client() is first, "an unrelated save keeps the client"

    ctx.settings.region = "eu"
    ctx.settings_changed()
    assert changes == ["https://api.eu.soniox.com/v1"]
    assert ctx.client() is not first

    ctx.set_key("key-two-456", KeySource.SESSION)
    ctx.set_key("key-two-456", KeySource.SESSION)
    assert len(changes) == 2, "the same key twice is one change"
