"""Live (realtime) transcription without Qt: options → config, and a self-healing session.

``config_builder`` turns the user's options into a start request the chosen model accepts;
``session`` runs it against an :class:`~desktop.core.audio_source.AudioSource`, reporting to a
:class:`~desktop.core.live.state.LiveSessionListener`.
"""

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
