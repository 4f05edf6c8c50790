"""Live (realtime) transcription without Qt: options → config, and a self-healing session.

``config_builder`` turns the user's options into a start request the chosen model accepts;
``session`` runs it against an :class:`~desktop.core.audio_source.AudioSource`, reporting to a
:class:`~desktop.core.live.state.LiveSessionListener`.

The names below are loaded on first use: importing one submodule (the main window needs
``state`` at once) must not import the session and, with it, the SDK.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from desktop.core.live.config_builder import (
        Capabilities,
        ContextOptions,
        LiveOptions,
        TranslationMode,
        TranslationOptions,
        build_realtime_config,
        dropped_options,
        model_capabilities,
    )
    from desktop.core.live.session import LiveSession
    from desktop.core.live.state import LiveSessionListener, LiveState, LiveStats, NullListener

_WHERE = {
    "Capabilities": "config_builder",
    "ContextOptions": "config_builder",
    "LiveOptions": "config_builder",
    "TranslationMode": "config_builder",
    "TranslationOptions": "config_builder",
    "build_realtime_config": "config_builder",
    "dropped_options": "config_builder",
    "model_capabilities": "config_builder",
    "LiveSession": "session",
    "LiveSessionListener": "state",
    "LiveState": "state",
    "LiveStats": "state",
    "NullListener": "state",
}


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


__all__ = [
    "Capabilities",
    "ContextOptions",
    "LiveOptions",
    "LiveSession",
    "LiveSessionListener",
    "LiveState",
    "LiveStats",
    "NullListener",
    "TranslationMode",
    "TranslationOptions",
    "build_realtime_config",
    "dropped_options",
    "model_capabilities",
]
