"""Job options: only what the model supports reaches the create call; defaults round-trip."""

from __future__ import annotations

import copy
from typing import Any

import keyring
import pytest
from soniox.types import Model

from desktop.core.jobs.job_options import (
    JobOptions,
    one_way_targets,
    recall_secret,
    remember_secret,
    supports_two_way,
)


def model(**changes: Any) -> Model:
    base: dict[str, Any] = {
        "id": "stt-async-v5",
        "name": "Async v5",
        "context_version": 2,
        "transcription_mode": "async",
        "languages": [{"code": c, "name": c.upper()} for c in ("en", "de", "fr", "sl")],
        "supports_language_hints_strict": True,
        "translation_targets": [],
        "two_way_translation_pairs": [],
        "one_way_translation": "all_languages",
        "two_way_translation": "all_languages",
    }
    base.update(changes)
    return Model.model_validate(copy.deepcopy(base))


def full_options() -> JobOptions:
    return JobOptions(
        model="stt-async-v5",
        language_hints=["en", "de"],
        language_hints_strict=True,
        enable_speaker_diarization=True,
        enable_language_identification=True,
        context_general=[("domain", "medicine"), ("", "ignored")],
        context_terms=["Soniox", " ", "Soniox", "diarization"],
        context_text="A talk about speech.",
        translation="one_way",
        translation_target="fr",
        webhook_url="https://hooks.example.com/done",
        webhook_auth_header_name="X-Token",
        webhook_auth_header_value="s3cret-value",
        client_reference_id="ref-1",
    )


def test_full_options_become_the_sdk_payload() -> None:
    kwargs = full_options().create_kwargs(model())
    assert kwargs["model"] == "stt-async-v5"
    assert kwargs["client_reference_id"] == "ref-1"
    config = kwargs["config"].model_dump(exclude_none=True)
    assert config == {
        "language_hints": ["en", "de"],
        "language_hints_strict": True,
        "enable_speaker_diarization": True,
        "enable_language_identification": True,
        "translation": {"type": "one_way", "target_language": "fr"},
        "context": {
            "general": [{"key": "domain", "value": "medicine"}],
            "terms": ["Soniox", "diarization"],
            "text": "A talk about speech.",
        },
        "webhook_url": "https://hooks.example.com/done",
        "webhook_auth_header_name": "X-Token",
        "webhook_auth_header_value": "s3cret-value",
    }


def test_unsupported_options_are_left_out() -> None:
    limited = model(
        supports_language_hints_strict=False,
        context_version=None,
        one_way_translation=None,
        two_way_translation=None,
        languages=[{"code": "en", "name": "English"}, {"code": "de", "name": "German"}],
    )
    options = full_options()
    options.language_hints = ["en", "sl"]
    config = options.create_config(limited).model_dump(exclude_none=True)
    assert config["language_hints"] == ["en"]
    assert "language_hints_strict" not in config
    assert "context" not in config
    assert "translation" not in config
    assert options.problems(limited) == [
        "Async v5 cannot translate into 'fr'.",
        "Unknown language hints: sl.",
    ]


def test_two_way_translation_and_its_checks() -> None:
    options = JobOptions(model="stt-async-v5", translation="two_way", translation_language_a="en")
    assert options.problems(model()) == ["Choose both languages for two-way translation."]
    options.translation_language_b = "en"
    assert options.problems(model()) == ["Two-way translation needs two different languages."]
    options.translation_language_b = "de"
    assert options.problems(model()) == []
    config = options.create_config(model()).model_dump(exclude_none=True)
    assert config["translation"] == {"type": "two_way", "language_a": "en", "language_b": "de"}
    pairs_only = model(two_way_translation=None, two_way_translation_pairs=["en:de"])
    assert supports_two_way(pairs_only, "de", "en")
    assert not supports_two_way(pairs_only, "en", "fr")


def test_one_way_targets_from_an_explicit_list() -> None:
    listed = model(
        one_way_translation=None,
        translation_targets=[{"target_language": "de", "source_languages": ["en"], "exclude_source_languages": []}],
    )
    assert one_way_targets(listed) == ["de"]


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"webhook_url": "ftp://x"}, "The webhook URL must start with http:// or https://."),
        ({"webhook_auth_header_value": ""}, "Give both the webhook auth header name and its value, or neither."),
        ({"webhook_url": ""}, "A webhook auth header needs a webhook URL."),
        ({"model": ""}, "Choose a model."),
        ({"client_reference_id": "x" * 257}, "The client reference id is longer than 256 characters."),
    ],
)
def test_problems_name_what_to_fix(changes: dict[str, Any], problem: str) -> None:
    options = full_options()
    for name, value in changes.items():
        setattr(options, name, value)
    assert problem in options.problems(model())


def test_defaults_round_trip_without_the_secret() -> None:
    options = full_options()
    saved = options.to_dict()
    assert "webhook_auth_header_value" not in saved
    assert "s3cret-value" not in repr(saved)
    restored = JobOptions.from_dict(saved)
    options.webhook_auth_header_value = ""
    assert restored == options


def test_from_dict_ignores_garbage() -> None:
    restored = JobOptions.from_dict(
        {"model": 5, "language_hints": "en", "translation": "sideways", "context_general": [["a"]], "bogus": 1}
    )
    assert restored == JobOptions()
    assert JobOptions.from_dict(None) == JobOptions()


def test_secret_is_kept_in_the_keyring() -> None:
    assert remember_secret("hook-secret")
    assert recall_secret() == "hook-secret"
    assert keyring.get_password("soniox-desktop", "jobs-webhook-auth-header-value") == "hook-secret"
    remember_secret("")
    assert recall_secret() == ""
