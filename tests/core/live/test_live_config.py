"""The live config builder sends only what the chosen model accepts, and options round-trip as defaults."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from soniox.types import Model

from desktop.core.audio_source import AUTO, PCM16_MONO_16K, AudioFormat
from desktop.core.live.config_builder import (
    ContextOptions,
    LiveOptions,
    TranslationMode,
    TranslationOptions,
    build_realtime_config,
    dropped_options,
    model_capabilities,
)
from tests.paths import DATA

OAS = DATA / "openapi.json"


def _example_models() -> dict[str, dict[str, Any]]:
    data = json.loads(OAS.read_text(encoding="utf-8"))
    return {m["id"]: m for m in data["components"]["schemas"]["GetModelsResponse"]["example"]["models"]}


EXAMPLES = _example_models()


def model(model_id: str = "stt-rt-v4", **changes: Any) -> Model:
    raw = copy.deepcopy(EXAMPLES[model_id])
    raw.update(changes)
    return Model.model_validate(raw)


def v5() -> Model:
    """v5 as the service lists it: v4 plus endpoint sensitivity."""
    return model(
        id="stt-rt-v5",
        name="Speech-to-Text Real-time v5",
        supports_endpoint_sensitivity=True,
        supports_endpoint_latency_adjustment=True,
        endpoint_latency_adjustment_max_level=3,
    )


def everything() -> LiveOptions:
    return LiveOptions(
        model="",
        language_hints=["en", "de", " en ", ""],
        language_hints_strict=True,
        enable_speaker_diarization=True,
        enable_language_identification=True,
        enable_endpoint_detection=True,
        max_endpoint_delay_ms=1200,
        endpoint_sensitivity=0.4,
        context=ContextOptions(
            general=[("domain", "Medicine"), ("", "ignored"), ("doctor", "Dr. Smith")],
            terms=["Celebrex", " ", "Zyrtec"],
            text="Follow-up visit.",
            translation_terms=[("Mr. Smith", "Sr. Smith")],
        ),
        translation=TranslationOptions(TranslationMode.ONE_WAY, target_language="es"),
        client_reference_id="ref-1",
    )


def sent(options: LiveOptions, m: Model | None, audio: AudioFormat = PCM16_MONO_16K) -> dict[str, Any]:
    """The start request exactly as the SDK puts it on the wire."""
    return build_realtime_config(options, m, audio).model_dump(exclude_none=True)


def test_v5_gets_every_option_and_the_audio_format_of_the_source() -> None:
    body = sent(everything(), v5())
    assert body == {
        "model": "stt-rt-v5",
        "audio_format": "pcm_s16le",
        "sample_rate": 16000,
        "num_channels": 1,
        "language_hints": ["en", "de"],
        "language_hints_strict": True,
        "enable_speaker_diarization": True,
        "enable_language_identification": True,
        "enable_endpoint_detection": True,
        "max_endpoint_delay_ms": 1200,
        "endpoint_sensitivity": 0.4,
        "translation": {"type": "one_way", "target_language": "es"},
        "context": {
            "general": [{"key": "domain", "value": "Medicine"}, {"key": "doctor", "value": "Dr. Smith"}],
            "text": "Follow-up visit.",
            "terms": ["Celebrex", "Zyrtec"],
            "translation_terms": [{"source": "Mr. Smith", "target": "Sr. Smith"}],
        },
        "client_reference_id": "ref-1",
    }


def test_v4_leaves_out_endpoint_sensitivity_and_says_why() -> None:
    body = sent(everything(), model("stt-rt-v4"))
    assert "endpoint_sensitivity" not in body
    assert body["max_endpoint_delay_ms"] == 1200
    assert body["language_hints_strict"] is True
    assert dropped_options(everything(), model("stt-rt-v4")) == [
        "Endpoint sensitivity is not supported by Speech-to-Text Real-time v4."
    ]


def test_v3_leaves_out_max_endpoint_delay_but_keeps_endpoint_detection() -> None:
    body = sent(everything(), model("stt-rt-v3"))
    assert body["enable_endpoint_detection"] is True
    assert "max_endpoint_delay_ms" not in body
    assert "endpoint_sensitivity" not in body


def test_strict_hints_need_model_support_and_hints() -> None:
    no_strict = model("stt-rt-v4", supports_language_hints_strict=False)
    assert "language_hints_strict" not in sent(everything(), no_strict)
    assert any("Strict language hints" in d for d in dropped_options(everything(), no_strict))
    without_hints = LiveOptions(model="stt-rt-v4", language_hints_strict=True)
    assert "language_hints_strict" not in sent(without_hints, model())


def test_max_endpoint_delay_only_with_endpoint_detection_and_clamped() -> None:
    opts = LiveOptions(model="stt-rt-v4", max_endpoint_delay_ms=1500)
    assert "max_endpoint_delay_ms" not in sent(opts, model())
    opts.enable_endpoint_detection = True
    opts.max_endpoint_delay_ms = 99_999
    assert sent(opts, model())["max_endpoint_delay_ms"] == 3000


def test_one_way_translation_with_an_explicit_target_list() -> None:
    targets = [
        {"target_language": "fr", "source_languages": ["*"], "exclude_source_languages": []},
    ]
    listed = model("stt-rt-v4", one_way_translation=None, translation_targets=targets)
    fr = LiveOptions(model="stt-rt-v4", translation=TranslationOptions(TranslationMode.ONE_WAY, target_language="fr"))
    es = LiveOptions(model="stt-rt-v4", translation=TranslationOptions(TranslationMode.ONE_WAY, target_language="es"))
    assert sent(fr, listed)["translation"] == {"type": "one_way", "target_language": "fr"}
    assert "translation" not in sent(es, listed)
    assert dropped_options(es, listed) == ["Translation into 'es' is not offered by Speech-to-Text Real-time v4."]


def test_one_way_all_languages_requires_a_language_of_the_model() -> None:
    xx = LiveOptions(model="stt-rt-v4", translation=TranslationOptions(TranslationMode.ONE_WAY, target_language="xx"))
    assert "translation" not in sent(xx, model())
    no_translation = model("stt-rt-v4", one_way_translation=None, two_way_translation=None)
    es = LiveOptions(model="stt-rt-v4", translation=TranslationOptions(TranslationMode.ONE_WAY, target_language="es"))
    assert "translation" not in sent(es, no_translation)


def test_two_way_translation_by_pairs_or_all_languages() -> None:
    pairs = model("stt-rt-v4", two_way_translation=None, two_way_translation_pairs=["en:es"])
    es_en = LiveOptions(
        model="stt-rt-v4", translation=TranslationOptions(TranslationMode.TWO_WAY, language_a="es", language_b="en")
    )
    de_en = LiveOptions(
        model="stt-rt-v4", translation=TranslationOptions(TranslationMode.TWO_WAY, language_a="de", language_b="en")
    )
    assert sent(es_en, pairs)["translation"] == {"type": "two_way", "language_a": "es", "language_b": "en"}
    assert "translation" not in sent(de_en, pairs)
    assert sent(de_en, model())["translation"] == {"type": "two_way", "language_a": "de", "language_b": "en"}
    same = LiveOptions(
        model="stt-rt-v4", translation=TranslationOptions(TranslationMode.TWO_WAY, language_a="en", language_b="en")
    )
    assert "translation" not in sent(same, model())
    assert dropped_options(same, model()) == ["Two-way translation needs two different languages."]


def test_translation_terms_only_travel_with_translation() -> None:
    opts = LiveOptions(model="stt-rt-v4", context=ContextOptions(translation_terms=[("a", "b")]))
    assert "context" not in sent(opts, model())


def test_empty_context_and_defaults_are_omitted() -> None:
    opts = LiveOptions(model="stt-rt-v4", context=ContextOptions(general=[(" ", " ")], terms=[""], text="  "))
    assert sent(opts, model()) == {
        "model": "stt-rt-v4",
        "audio_format": "pcm_s16le",
        "sample_rate": 16000,
        "num_channels": 1,
    }


def test_container_audio_declares_only_the_format() -> None:
    body = sent(LiveOptions(model="stt-rt-v4"), model(), AUTO)
    assert body == {"model": "stt-rt-v4", "audio_format": "auto"}
    stereo = sent(LiveOptions(model="stt-rt-v4"), model(), AudioFormat("pcm_f32le", 48000, 2))
    assert (stereo["audio_format"], stereo["sample_rate"], stereo["num_channels"]) == ("pcm_f32le", 48000, 2)


def test_unknown_model_keeps_translation_but_not_model_specific_tuning() -> None:
    opts = everything()
    opts.model = "stt-rt-v9"
    body = sent(opts, None)
    assert body["model"] == "stt-rt-v9"
    assert body["translation"] == {"type": "one_way", "target_language": "es"}
    for key in ("language_hints_strict", "max_endpoint_delay_ms", "endpoint_sensitivity"):
        assert key not in body


def test_model_id_comes_from_options_or_model_and_is_required() -> None:
    assert sent(LiveOptions(), v5())["model"] == "stt-rt-v5"
    with pytest.raises(ValueError):
        build_realtime_config(LiveOptions(), None, PCM16_MONO_16K)


def test_capabilities_for_the_ui() -> None:
    caps = model_capabilities(v5())
    assert caps.known and caps.realtime
    assert caps.endpoint_sensitivity and caps.max_endpoint_delay and caps.language_hints_strict
    assert caps.one_way_translation and caps.two_way_translation
    assert ("en", "English") in caps.languages
    assert caps.allows_one_way("de") and not caps.allows_one_way("xx")
    v3 = model_capabilities(model("stt-rt-v3"))
    assert not v3.max_endpoint_delay and not v3.endpoint_sensitivity
    assert not model_capabilities(model("stt-async-v4")).realtime
    unknown = model_capabilities(None)
    assert not unknown.known and not unknown.endpoint_sensitivity
    pairs = model_capabilities(model("stt-rt-v4", two_way_translation=None, two_way_translation_pairs=["en:es"]))
    assert pairs.two_way_pairs == (("en", "es"),)
    assert pairs.allows_two_way("es", "en") and not pairs.allows_two_way("de", "en")


def test_options_round_trip_through_json() -> None:
    opts = everything()
    opts.translation = TranslationOptions(TranslationMode.TWO_WAY, language_a="en", language_b="ja")
    restored = LiveOptions.from_dict(json.loads(json.dumps(opts.to_dict())))
    assert restored == opts


@pytest.mark.parametrize(
    "raw",
    [
        None,
        "nonsense",
        {"translation": {"mode": "sideways"}, "language_hints": "en", "max_endpoint_delay_ms": "x"},
        {"context": {"general": [["only-one"], [1, 2]], "terms": [3, "ok"]}, "enable_speaker_diarization": 1},
    ],
)
def test_malformed_saved_options_fall_back_to_defaults(raw: Any) -> None:
    opts = LiveOptions.from_dict(raw)
    assert opts.translation.mode is TranslationMode.OFF
    assert opts.max_endpoint_delay_ms is None
    assert opts.context.general == []
    assert opts.enable_speaker_diarization is False
    assert opts.language_hints == []
    if isinstance(raw, dict) and "context" in raw:
        assert opts.context.terms == ["ok"]
