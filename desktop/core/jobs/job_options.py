"""The options of an async transcription job, as the job sheet edits and remembers them.

:class:`JobOptions` is plain data so it can be saved as the user's defaults
(``settings.defaults["jobs"]``) and turned into the SDK's create arguments. The conversion keeps
only what the chosen model supports (strict hints, structured context, the translation
languages it offers, its language list), so a default remembered for one model never makes a
create call fail on another.

The webhook's auth header value is a credential: it is never written to the settings file.
:func:`remember_secret`/:func:`recall_secret` keep it in the OS keyring when one exists.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass, field, fields
from typing import Any

from soniox.types import CreateTranscriptionConfig, Model

log = logging.getLogger(__name__)

TRANSLATION_NONE = "none"
TRANSLATION_ONE_WAY = "one_way"
TRANSLATION_TWO_WAY = "two_way"
TRANSLATION_KINDS = (TRANSLATION_NONE, TRANSLATION_ONE_WAY, TRANSLATION_TWO_WAY)

SECRET_FIELDS = ("webhook_auth_header_value",)
KEYRING_SERVICE = "soniox-desktop"
KEYRING_WEBHOOK_USER = "jobs-webhook-auth-header-value"


@dataclass
class JobOptions:
    model: str = ""
    language_hints: list[str] = field(default_factory=list)
    language_hints_strict: bool = False
    enable_speaker_diarization: bool = True
    enable_language_identification: bool = False
    context_general: list[tuple[str, str]] = field(default_factory=list)
    context_terms: list[str] = field(default_factory=list)
    context_text: str = ""
    translation: str = TRANSLATION_NONE
    translation_target: str = ""
    translation_language_a: str = ""
    translation_language_b: str = ""
    webhook_url: str = ""
    webhook_auth_header_name: str = ""
    webhook_auth_header_value: str = ""
    client_reference_id: str = ""

    # -- persistence ---------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dict for the settings file; secrets are left out."""
        data = asdict(self)
        for name in SECRET_FIELDS:
            data.pop(name, None)
        data["context_general"] = [[k, v] for k, v in self.context_general]
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> JobOptions:
        """Rebuild from a saved dict, ignoring unknown keys and values of the wrong type."""
        options = cls()
        if not isinstance(data, dict):
            return options
        for f in fields(cls):
            if f.name not in data or f.name in SECRET_FIELDS:
                continue
            value = data[f.name]
            current = getattr(options, f.name)
            if f.name == "context_general":
                if isinstance(value, list):
                    pairs = [
                        (str(item[0]), str(item[1]))
                        for item in value
                        if isinstance(item, (list, tuple)) and len(item) == 2
                    ]
                    setattr(options, f.name, pairs)
            elif isinstance(current, bool):
                if isinstance(value, bool):
                    setattr(options, f.name, value)
            elif isinstance(current, list):
                if isinstance(value, list):
                    setattr(options, f.name, [str(v) for v in value])
            elif isinstance(value, str):
                setattr(options, f.name, value)
        if options.translation not in TRANSLATION_KINDS:
            options.translation = TRANSLATION_NONE
        return options

    # -- what the model supports ---------------------------------------------------------------
    def problems(self, model: Model | None) -> list[str]:
        """Reasons the options cannot be sent as they are; empty when they can."""
        issues: list[str] = []
        if not self.model:
            issues.append("Choose a model.")
        codes = model_language_codes(model)
        if self.translation == TRANSLATION_ONE_WAY:
            if not self.translation_target:
                issues.append("Choose the language to translate into.")
            elif model is not None and self.translation_target not in one_way_targets(model):
                issues.append(f"{model.name} cannot translate into '{self.translation_target}'.")
        elif self.translation == TRANSLATION_TWO_WAY:
            a, b = self.translation_language_a, self.translation_language_b
            if not a or not b:
                issues.append("Choose both languages for two-way translation.")
            elif a == b:
                issues.append("Two-way translation needs two different languages.")
            elif model is not None and not supports_two_way(model, a, b):
                issues.append(f"{model.name} cannot translate between '{a}' and '{b}'.")
        unknown = [c for c in self.language_hints if codes and c not in codes]
        if unknown:
            issues.append("Unknown language hints: " + ", ".join(unknown) + ".")
        url = self.webhook_url.strip()
        if url and not url.lower().startswith(("http://", "https://")):
            issues.append("The webhook URL must start with http:// or https://.")
        if len(url) > 256:
            issues.append("The webhook URL is longer than 256 characters.")
        if bool(self.webhook_auth_header_name.strip()) != bool(self.webhook_auth_header_value):
            issues.append("Give both the webhook auth header name and its value, or neither.")
        if (self.webhook_auth_header_name.strip() or self.webhook_auth_header_value) and not url:
            issues.append("A webhook auth header needs a webhook URL.")
        if len(self.client_reference_id) > 256:
            issues.append("The client reference id is longer than 256 characters.")
        return issues

    def create_config(self, model: Model | None) -> CreateTranscriptionConfig:
        """The SDK config for ``client.stt.create``, with unsupported options left out."""
        codes = model_language_codes(model)
        hints = [c for c in dict.fromkeys(self.language_hints) if not codes or c in codes]
        data: dict[str, Any] = {
            "enable_speaker_diarization": self.enable_speaker_diarization,
            "enable_language_identification": self.enable_language_identification,
        }
        if hints:
            data["language_hints"] = hints
            if self.language_hints_strict and (model is None or model.supports_language_hints_strict):
                data["language_hints_strict"] = True
        context = self._context()
        if context and (model is None or model.context_version is not None):
            data["context"] = context
        translation = self._translation(model)
        if translation:
            data["translation"] = translation
        url = self.webhook_url.strip()
        if url:
            data["webhook_url"] = url
            if self.webhook_auth_header_name.strip() and self.webhook_auth_header_value:
                data["webhook_auth_header_name"] = self.webhook_auth_header_name.strip()
                data["webhook_auth_header_value"] = self.webhook_auth_header_value
        return CreateTranscriptionConfig.model_validate(data)

    def create_kwargs(self, model: Model | None) -> dict[str, Any]:
        """Keyword arguments for ``client.stt.create`` besides the audio source."""
        return {
            "model": self.model,
            "client_reference_id": self.client_reference_id.strip() or None,
            "config": self.create_config(model),
        }

    def _context(self) -> dict[str, Any]:
        context: dict[str, Any] = {}
        general = [{"key": k.strip(), "value": v.strip()} for k, v in self.context_general if k.strip() and v.strip()]
        if general:
            context["general"] = general
        terms = [t.strip() for t in self.context_terms if t.strip()]
        if terms:
            context["terms"] = list(dict.fromkeys(terms))
        if self.context_text.strip():
            context["text"] = self.context_text.strip()
        return context

    def _translation(self, model: Model | None) -> dict[str, str] | None:
        one_way_ok = model is None or self.translation_target in one_way_targets(model)
        if self.translation == TRANSLATION_ONE_WAY and self.translation_target and one_way_ok:
            return {"type": "one_way", "target_language": self.translation_target}
        if self.translation == TRANSLATION_TWO_WAY:
            a, b = self.translation_language_a, self.translation_language_b
            if a and b and a != b and (model is None or supports_two_way(model, a, b)):
                return {"type": "two_way", "language_a": a, "language_b": b}
        return None


def model_language_codes(model: Model | None) -> list[str]:
    return [lang.code for lang in model.languages] if model is not None else []


def one_way_targets(model: Model) -> list[str]:
    """Languages ``model`` can translate into (all of its languages when it says so)."""
    if model.one_way_translation == "all_languages":
        return model_language_codes(model)
    return [t.target_language for t in model.translation_targets]


def supports_translation(model: Model | None) -> bool:
    if model is None:
        return False
    return (
        bool(one_way_targets(model))
        or model.two_way_translation == "all_languages"
        or bool(model.two_way_translation_pairs)
    )


def supports_two_way(model: Model, a: str, b: str) -> bool:
    if model.two_way_translation == "all_languages":
        codes = model_language_codes(model)
        return a in codes and b in codes
    pairs = set()
    for pair in model.two_way_translation_pairs:
        for sep in (":", "-", "_", "/"):
            if sep in pair:
                x, y = pair.split(sep, 1)
                pairs.add(frozenset((x.strip(), y.strip())))
                break
    return frozenset((a, b)) in pairs


def find_model(models: list[Model], model_id: str) -> Model | None:
    return next((m for m in models if m.id == model_id), None)


def remember_secret(value: str) -> bool:
    """Keep the webhook auth header value in the OS keyring; False when there is none."""
    try:
        import keyring

        if value:
            keyring.set_password(KEYRING_SERVICE, KEYRING_WEBHOOK_USER, value)
        else:
            try:
                keyring.delete_password(KEYRING_SERVICE, KEYRING_WEBHOOK_USER)
            except Exception:
                pass
        return True
    except Exception:
        log.info("No keyring for the webhook auth header value; it is not remembered")
        return False


def recall_secret() -> str:
    try:
        import keyring

        return keyring.get_password(KEYRING_SERVICE, KEYRING_WEBHOOK_USER) or ""
    except Exception:
        return ""
