"""The ``GET /v1/models`` catalogue, built once from the OpenAPI example.

Copying the example (language list, translation fields, flags) rather than typing a catalogue by
hand keeps the emulator faithful when the OAS file is refreshed. The OAS example predates v5, so
v5 entries are derived from the v4 ones with the v5 feature flags, and v4 becomes an alias of v5
the way Soniox aliases superseded model ids.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

OPENAPI_PATH = Path(__file__).resolve().parents[1] / "data" / "openapi.json"


@cache
def openapi() -> dict[str, Any]:
    """The parsed OAS document (read once per process)."""
    return json.loads(OPENAPI_PATH.read_text(encoding="utf-8"))


def _example_models() -> dict[str, dict[str, Any]]:
    example = openapi()["components"]["schemas"]["GetModelsResponse"]["example"]
    return {m["id"]: m for m in example["models"]}


def _v5_from(base: dict[str, Any], model_id: str, name: str, realtime: bool) -> dict[str, Any]:
    model = copy.deepcopy(base)
    model.update(
        id=model_id,
        name=name,
        aliased_model_id=None,
        supports_language_hints_strict=True,
        supports_endpoint_sensitivity=realtime,
        supports_endpoint_latency_adjustment=realtime,
        endpoint_latency_adjustment_max_level=3 if realtime else 0,
        supports_max_endpoint_delay=realtime,
    )
    return model


def _alias(base: dict[str, Any], target: dict[str, Any]) -> dict[str, Any]:
    """An alias reports the target's capabilities under its own id and name."""
    model = copy.deepcopy(target)
    model.update(id=base["id"], name=base["name"], aliased_model_id=target["id"])
    return model


@cache
def models_response() -> dict[str, Any]:
    """The full JSON body of ``GET /v1/models`` (treat as read-only)."""
    ex = _example_models()
    rt_v5 = _v5_from(ex["stt-rt-v4"], "stt-rt-v5", "Speech-to-Text Real-time v5", realtime=True)
    async_v5 = _v5_from(ex["stt-async-v4"], "stt-async-v5", "Speech-to-Text Async v5", realtime=False)
    models = [
        rt_v5,
        _alias(ex["stt-rt-v4"], rt_v5),
        copy.deepcopy(ex["stt-rt-v3"]),
        async_v5,
        _alias(ex["stt-async-v4"], async_v5),
        copy.deepcopy(ex["stt-async-v3"]),
    ]
    return {"models": models}


@dataclass(frozen=True)
class ModelInfo:
    """The capability flags the request validators need, looked up by model id."""

    id: str
    mode: str
    languages: frozenset[str]
    supports_language_hints_strict: bool
    supports_max_endpoint_delay: bool
    supports_endpoint_sensitivity: bool
    endpoint_latency_adjustment_max_level: int
    one_way_translation: bool
    two_way_translation: bool


@cache
def model_index() -> dict[str, ModelInfo]:
    index: dict[str, ModelInfo] = {}
    for m in models_response()["models"]:
        index[m["id"]] = ModelInfo(
            id=m["id"],
            mode=m["transcription_mode"],
            languages=frozenset(lang["code"] for lang in m["languages"]),
            supports_language_hints_strict=bool(m["supports_language_hints_strict"]),
            supports_max_endpoint_delay=bool(m["supports_max_endpoint_delay"]),
            supports_endpoint_sensitivity=bool(m["supports_endpoint_sensitivity"]),
            endpoint_latency_adjustment_max_level=int(m["endpoint_latency_adjustment_max_level"]),
            one_way_translation=m.get("one_way_translation") == "all_languages" or bool(m.get("translation_targets")),
            two_way_translation=m.get("two_way_translation") == "all_languages"
            or bool(m.get("two_way_translation_pairs")),
        )
    return index


def find_model(model_id: str, mode: str) -> ModelInfo | None:
    """The model if it exists *and* serves ``mode`` ("real_time" or "async"), else None."""
    info = model_index().get(model_id)
    return info if info is not None and info.mode == mode else None
