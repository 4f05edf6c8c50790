"""Validation of the real-time start request (the first text frame).

The checks and their order follow what the service documents: the model must be a real-time
model, raw formats need ``sample_rate`` and ``num_channels``, feature options must be within
range *and* supported by the chosen model (``/v1/models`` flags). Messages come from the error
catalogue; unknown fields are ignored as the service does.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from . import errors as E
from .audio import RAW_FORMATS, SUPPORTED_FORMATS
from .errors import RealtimeFailure, rt_invalid
from .models_catalog import ModelInfo, find_model
from .recognizer import SessionOptions

MAX_CONTEXT_CHARS = 10_000


@dataclass(frozen=True)
class ValidatedConfig:
    """A start request that passed validation, reduced to what the session needs."""

    model: ModelInfo
    audio_format: str
    sample_rate: int | None
    num_channels: int | None
    options: SessionOptions


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _optional_bool(config: dict[str, Any], name: str) -> bool:
    value = config.get(name)
    if value is not None and not isinstance(value, bool):
        raise rt_invalid(E.RT_START_MALFORMED)
    return bool(value)


def _check_context(context: Any) -> None:
    if context is None:
        return
    if isinstance(context, str):
        size = len(context)
    elif isinstance(context, dict):
        general = context.get("general")
        terms = context.get("terms")
        tr_terms = context.get("translation_terms")
        text = context.get("text")
        ok = (
            (
                general is None
                or (
                    isinstance(general, list)
                    and all(
                        isinstance(g, dict) and isinstance(g.get("key"), str) and isinstance(g.get("value"), str)
                        for g in general
                    )
                )
            )
            and (terms is None or (isinstance(terms, list) and all(isinstance(t, str) for t in terms)))
            and (
                tr_terms is None
                or (
                    isinstance(tr_terms, list)
                    and all(
                        isinstance(t, dict) and isinstance(t.get("source"), str) and isinstance(t.get("target"), str)
                        for t in tr_terms
                    )
                )
            )
            and (text is None or isinstance(text, str))
        )
        if not ok:
            raise rt_invalid(E.RT_START_MALFORMED)
        size = len(json.dumps(context, ensure_ascii=False))
    else:
        raise rt_invalid(E.RT_START_MALFORMED)
    if size > MAX_CONTEXT_CHARS:
        raise rt_invalid(E.RT_CONTEXT_TOO_LONG)


def _check_translation(translation: Any, model: ModelInfo) -> dict[str, Any] | None:
    if translation is None:
        return None
    if not isinstance(translation, dict) or translation.get("type") not in ("one_way", "two_way"):
        raise rt_invalid("Invalid translation config.")  # not documented
    if translation["type"] == "one_way":
        if not model.one_way_translation:
            raise rt_invalid("Model does not support translations.")
        if translation.get("target_language") not in model.languages:
            raise rt_invalid(E.RT_INVALID_TRANSLATION_TARGET)
        return {"type": "one_way", "target_language": translation["target_language"]}
    if not model.two_way_translation:
        raise rt_invalid("Model does not support translations.")
    a, b = translation.get("language_a"), translation.get("language_b")
    if a not in model.languages or b not in model.languages or a == b:
        raise rt_invalid(E.RT_INVALID_TRANSLATION_TARGET)
    return {"type": "two_way", "language_a": a, "language_b": b}


def validate_config(config: dict[str, Any]) -> ValidatedConfig:
    """Validate a parsed start request; raise the ``RealtimeFailure`` the service would send."""
    model_id = config.get("model")
    model = find_model(model_id, "real_time") if isinstance(model_id, str) else None
    if model is None:
        raise RealtimeFailure(400, "model_not_available", E.RT_INVALID_MODEL)

    if "audio_format" not in config or config["audio_format"] in (None, ""):
        raise rt_invalid(E.RT_MISSING_FORMAT)
    audio_format = config["audio_format"]
    if not isinstance(audio_format, str) or audio_format not in SUPPORTED_FORMATS:
        raise rt_invalid(f"Invalid audio data format: {audio_format}")
    sample_rate, num_channels = config.get("sample_rate"), config.get("num_channels")
    if audio_format in RAW_FORMATS:
        if not _is_int(sample_rate) or sample_rate <= 0:
            raise rt_invalid(E.RT_MISSING_SAMPLE_RATE)
        if not _is_int(num_channels) or num_channels <= 0:
            raise rt_invalid(E.RT_MISSING_CHANNELS)

    hints = config.get("language_hints")
    if hints is not None:
        if not isinstance(hints, list) or not all(isinstance(h, str) for h in hints):
            raise rt_invalid(E.RT_INVALID_LANGUAGE_HINT)
        if any(h not in model.languages for h in hints):
            raise rt_invalid(E.RT_INVALID_LANGUAGE_HINT)
        if len(set(hints)) != len(hints):
            raise rt_invalid(E.RT_DUPLICATE_LANGUAGE_HINTS)
    if _optional_bool(config, "language_hints_strict") and not model.supports_language_hints_strict:
        raise rt_invalid("Model does not support language_hints_strict.")  # not documented

    _check_context(config.get("context"))
    diarization = _optional_bool(config, "enable_speaker_diarization")
    language_id = _optional_bool(config, "enable_language_identification")
    endpoint = _optional_bool(config, "enable_endpoint_detection")

    delay = config.get("max_endpoint_delay_ms")
    if delay is not None:
        if not _is_int(delay) or not 500 <= delay <= 3000:
            raise rt_invalid("max_endpoint_delay_ms must be between 500 and 3000.")  # not documented
        if not model.supports_max_endpoint_delay:
            raise rt_invalid("Model does not support max_endpoint_delay_ms.")  # not documented
    sensitivity = config.get("endpoint_sensitivity")
    if sensitivity is not None:
        if not _is_number(sensitivity) or not -1.0 <= float(sensitivity) <= 1.0:
            raise rt_invalid("endpoint_sensitivity must be between -1.0 and 1.0.")  # not documented
        if not model.supports_endpoint_sensitivity:
            raise rt_invalid("Model does not support endpoint_sensitivity.")  # not documented
    level = config.get("endpoint_latency_adjustment_level")
    if level is not None:
        if not _is_int(level) or level < 0:
            raise rt_invalid("endpoint_latency_adjustment_level must be between 0 and 3.")  # not documented
        if level > model.endpoint_latency_adjustment_max_level:
            raise rt_invalid(  # not documented
                "endpoint_latency_adjustment_level exceeds the maximum level "
                f"{model.endpoint_latency_adjustment_max_level} of model {model.id}."
            )

    translation = _check_translation(config.get("translation"), model)
    ref = config.get("client_reference_id")
    if ref is not None and (not isinstance(ref, str) or len(ref) > 256):
        raise rt_invalid(E.RT_CLIENT_REF_TOO_LONG)

    options = SessionOptions(
        diarization=diarization,
        language_identification=language_id,
        endpoint_detection=endpoint,
        max_endpoint_delay_ms=int(delay) if delay is not None else 2000,
        endpoint_sensitivity=float(sensitivity) if sensitivity is not None else 0.0,
        translation=translation,
    )
    return ValidatedConfig(model, audio_format, sample_rate, num_channels, options)
