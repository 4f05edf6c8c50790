"""Turn what the user chose for a live session into a ``RealtimeSTTConfig`` the chosen model accepts.

The service rejects a whole session when one option is unknown to the model (``endpoint_sensitivity``
on a v4 model, a translation target the model does not offer ...), and the user would only learn it
after pressing Start. So the options are kept as the user set them (and remembered that way), and
this module decides, from the model's capability flags in ``GET /v1/models``, which of them go on
the wire. :func:`model_capabilities` tells the UI the same thing up front so it can disable what the
model cannot do, and :func:`dropped_options` lets it say what was left out and why.

When the model is unknown (the model list could not be loaded), tuning options that only some
models accept (strict hints, endpoint delay/sensitivity) are left out, because the service has
sensible defaults for them; translation is kept, because silently dropping a feature the user
explicitly asked for is worse than a clear "not supported" error from the service.
"""

from __future__ import annotations

import enum
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from desktop.core.audio_source import AudioFormat

if TYPE_CHECKING:
    from soniox.types import Model, RealtimeSTTConfig

ALL_LANGUAGES = "all_languages"

# The service's documented limits (RealtimeSTTConfig enforces the same ranges).
ENDPOINT_DELAY_MIN_MS = 500
ENDPOINT_DELAY_MAX_MS = 3000
SENSITIVITY_MIN = -1.0
SENSITIVITY_MAX = 1.0
CLIENT_REFERENCE_MAX = 256


class TranslationMode(str, enum.Enum):
    OFF = "off"
    ONE_WAY = "one_way"
    TWO_WAY = "two_way"


@dataclass
class TranslationOptions:
    """``one_way`` uses ``target_language``; ``two_way`` uses ``language_a``/``language_b``."""

    mode: TranslationMode = TranslationMode.OFF
    target_language: str = ""
    language_a: str = ""
    language_b: str = ""


@dataclass
class ContextOptions:
    """The structured context: key/value facts, terms to recognise, free text, translation terms."""

    general: list[tuple[str, str]] = field(default_factory=list)
    terms: list[str] = field(default_factory=list)
    text: str = ""
    translation_terms: list[tuple[str, str]] = field(default_factory=list)

    def cleaned(self) -> ContextOptions:
        """Without blank entries and surrounding whitespace, which the user types by accident."""
        return ContextOptions(
            general=[(k.strip(), v.strip()) for k, v in self.general if k.strip() and v.strip()],
            terms=[t.strip() for t in self.terms if t.strip()],
            text=self.text.strip(),
            translation_terms=[(s.strip(), t.strip()) for s, t in self.translation_terms if s.strip() and t.strip()],
        )

    @property
    def is_empty(self) -> bool:
        c = self.cleaned()
        return not (c.general or c.terms or c.text or c.translation_terms)


@dataclass
class LiveOptions:
    """Everything the user can set for a live session, independent of any model or widget.

    ``None`` for ``max_endpoint_delay_ms``/``endpoint_sensitivity`` means "service default".
    """

    model: str = ""
    language_hints: list[str] = field(default_factory=list)
    language_hints_strict: bool = False
    enable_speaker_diarization: bool = False
    enable_language_identification: bool = False
    enable_endpoint_detection: bool = False
    max_endpoint_delay_ms: int | None = None
    endpoint_sensitivity: float | None = None
    context: ContextOptions = field(default_factory=ContextOptions)
    translation: TranslationOptions = field(default_factory=TranslationOptions)
    client_reference_id: str = ""

    def to_dict(self) -> dict[str, Any]:
        """A JSON-safe dict for ``Settings.defaults["live"]``."""
        data = asdict(self)
        data["translation"]["mode"] = self.translation.mode.value
        data["context"]["general"] = [list(p) for p in self.context.general]
        data["context"]["translation_terms"] = [list(p) for p in self.context.translation_terms]
        return data

    @classmethod
    def from_dict(cls, data: Any) -> LiveOptions:
        """Rebuild options saved by :meth:`to_dict`; anything missing or malformed takes its default.

        Settings files outlive app versions and can be edited by hand, so this never raises.
        """
        if not isinstance(data, dict):
            return cls()
        d = cls()
        ctx = data.get("context")
        ctx_raw: dict[str, Any] = ctx if isinstance(ctx, dict) else {}
        tr = data.get("translation")
        tr_raw: dict[str, Any] = tr if isinstance(tr, dict) else {}
        try:
            mode = TranslationMode(tr_raw.get("mode", TranslationMode.OFF.value))
        except ValueError:
            mode = TranslationMode.OFF
        return cls(
            model=_str(data.get("model"), d.model),
            language_hints=_str_list(data.get("language_hints")),
            language_hints_strict=_bool(data.get("language_hints_strict"), d.language_hints_strict),
            enable_speaker_diarization=_bool(data.get("enable_speaker_diarization"), False),
            enable_language_identification=_bool(data.get("enable_language_identification"), False),
            enable_endpoint_detection=_bool(data.get("enable_endpoint_detection"), False),
            max_endpoint_delay_ms=_opt_int(data.get("max_endpoint_delay_ms")),
            endpoint_sensitivity=_opt_float(data.get("endpoint_sensitivity")),
            context=ContextOptions(
                general=_pairs(ctx_raw.get("general")),
                terms=_str_list(ctx_raw.get("terms")),
                text=_str(ctx_raw.get("text"), ""),
                translation_terms=_pairs(ctx_raw.get("translation_terms")),
            ),
            translation=TranslationOptions(
                mode=mode,
                target_language=_str(tr_raw.get("target_language"), ""),
                language_a=_str(tr_raw.get("language_a"), ""),
                language_b=_str(tr_raw.get("language_b"), ""),
            ),
            client_reference_id=_str(data.get("client_reference_id"), ""),
        )


def _str(value: Any, default: str) -> str:
    return value if isinstance(value, str) else default


def _bool(value: Any, default: bool) -> bool:
    return value if isinstance(value, bool) else default


def _opt_int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _opt_float(value: Any) -> float | None:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    return None


def _str_list(value: Any) -> list[str]:
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def _pairs(value: Any) -> list[tuple[str, str]]:
    if not isinstance(value, list):
        return []
    return [
        (p[0], p[1])
        for p in value
        if isinstance(p, (list, tuple)) and len(p) == 2 and all(isinstance(x, str) for x in p)
    ]


@dataclass(frozen=True)
class Capabilities:
    """What the UI should enable for a model. ``known`` is False when there is no model info."""

    model_id: str = ""
    known: bool = False
    realtime: bool = True
    languages: tuple[tuple[str, str], ...] = ()  # (code, name)
    language_hints_strict: bool = False
    max_endpoint_delay: bool = False
    endpoint_sensitivity: bool = False
    context: bool = True
    one_way_translation: bool = False
    two_way_translation: bool = False
    # Empty with one_way_translation=True means "any language of the model".
    one_way_targets: tuple[str, ...] = ()
    # Empty with two_way_translation=True means "any pair of the model's languages".
    two_way_pairs: tuple[tuple[str, str], ...] = ()
    one_way_any: bool = False
    two_way_any: bool = False

    @property
    def language_codes(self) -> frozenset[str]:
        return frozenset(code for code, _ in self.languages)

    def allows_one_way(self, target: str) -> bool:
        if not self.one_way_translation or not target:
            return False
        if self.one_way_any and (not self.languages or target in self.language_codes):
            return True
        return target in self.one_way_targets

    def allows_two_way(self, language_a: str, language_b: str) -> bool:
        if not self.two_way_translation or not language_a or not language_b or language_a == language_b:
            return False
        if self.two_way_any and (not self.languages or {language_a, language_b} <= self.language_codes):
            return True
        return (language_a, language_b) in self.two_way_pairs or (language_b, language_a) in self.two_way_pairs


def model_capabilities(model: Model | None) -> Capabilities:
    """Read the capability flags of ``model`` (as listed by ``GET /v1/models``)."""
    if model is None:
        return Capabilities()
    one_way_any = (model.one_way_translation or "") == ALL_LANGUAGES
    two_way_any = (model.two_way_translation or "") == ALL_LANGUAGES
    targets = tuple(t.target_language for t in model.translation_targets)
    pairs: list[tuple[str, str]] = []
    for pair in model.two_way_translation_pairs:
        a, sep, b = pair.partition(":")
        if sep and a and b:
            pairs.append((a, b))
    return Capabilities(
        model_id=model.id,
        known=True,
        realtime=model.transcription_mode == "real_time",
        languages=tuple((lang.code, lang.name) for lang in model.languages),
        language_hints_strict=bool(model.supports_language_hints_strict),
        max_endpoint_delay=bool(model.supports_max_endpoint_delay),
        endpoint_sensitivity=bool(model.supports_endpoint_sensitivity),
        context=model.context_version is not None,
        one_way_translation=one_way_any or bool(targets),
        two_way_translation=two_way_any or bool(pairs),
        one_way_targets=targets,
        two_way_pairs=tuple(pairs),
        one_way_any=one_way_any,
        two_way_any=two_way_any,
    )


def _plan(options: LiveOptions, model: Model | None) -> tuple[dict[str, Any], list[str]]:
    """The config fields to send (without audio/model), and a sentence for each option left out."""
    caps = model_capabilities(model)
    known = caps.known
    fields_out: dict[str, Any] = {}
    dropped: list[str] = []
    name = model.name if model is not None else (options.model or "the model")

    hints = list(dict.fromkeys(h.strip() for h in options.language_hints if h.strip()))
    if hints:
        fields_out["language_hints"] = hints
        if options.language_hints_strict:
            if caps.language_hints_strict:
                fields_out["language_hints_strict"] = True
            else:
                dropped.append(f"Strict language hints are not supported by {name}.")
    if options.enable_speaker_diarization:
        fields_out["enable_speaker_diarization"] = True
    if options.enable_language_identification:
        fields_out["enable_language_identification"] = True
    if options.enable_endpoint_detection:
        fields_out["enable_endpoint_detection"] = True
        if options.max_endpoint_delay_ms is not None:
            if caps.max_endpoint_delay:
                fields_out["max_endpoint_delay_ms"] = min(
                    ENDPOINT_DELAY_MAX_MS, max(ENDPOINT_DELAY_MIN_MS, int(options.max_endpoint_delay_ms))
                )
            else:
                dropped.append(f"Maximum endpoint delay is not supported by {name}.")
    if options.endpoint_sensitivity is not None:
        if caps.endpoint_sensitivity:
            fields_out["endpoint_sensitivity"] = min(
                SENSITIVITY_MAX, max(SENSITIVITY_MIN, float(options.endpoint_sensitivity))
            )
        else:
            dropped.append(f"Endpoint sensitivity is not supported by {name}.")

    translation = _translation(options.translation, caps, known, name, dropped)
    if translation is not None:
        fields_out["translation"] = translation

    ctx = options.context.cleaned()
    if not (known and not caps.context):
        context: dict[str, Any] = {}
        if ctx.general:
            context["general"] = [{"key": k, "value": v} for k, v in ctx.general]
        if ctx.text:
            context["text"] = ctx.text
        if ctx.terms:
            context["terms"] = list(dict.fromkeys(ctx.terms))
        if ctx.translation_terms and translation is not None:
            context["translation_terms"] = [{"source": s, "target": t} for s, t in ctx.translation_terms]
        if context:
            fields_out["context"] = context
    elif not options.context.is_empty:
        dropped.append(f"Context is not supported by {name}.")

    ref = options.client_reference_id.strip()
    if ref:
        fields_out["client_reference_id"] = ref[:CLIENT_REFERENCE_MAX]
    return fields_out, dropped


def _translation(
    tr: TranslationOptions, caps: Capabilities, known: bool, name: str, dropped: list[str]
) -> dict[str, str] | None:
    if tr.mode is TranslationMode.ONE_WAY:
        target = tr.target_language.strip()
        if not target:
            dropped.append("One-way translation needs a target language.")
        elif known and not caps.allows_one_way(target):
            dropped.append(f"Translation into '{target}' is not offered by {name}.")
        else:
            return {"type": "one_way", "target_language": target}
    elif tr.mode is TranslationMode.TWO_WAY:
        a, b = tr.language_a.strip(), tr.language_b.strip()
        if not a or not b or a == b:
            dropped.append("Two-way translation needs two different languages.")
        elif known and not caps.allows_two_way(a, b):
            dropped.append(f"Two-way translation between '{a}' and '{b}' is not offered by {name}.")
        else:
            return {"type": "two_way", "language_a": a, "language_b": b}
    return None


def build_realtime_config(options: LiveOptions, model: Model | None, audio: AudioFormat) -> RealtimeSTTConfig:
    """The start request for ``options`` on ``model``, declaring the source's audio format.

    Options the model does not support are left out (see :func:`dropped_options` for the reasons);
    empty context parts are omitted so the request stays minimal. Raises ``ValueError`` if no model
    id is known at all.
    """
    from soniox.types import RealtimeSTTConfig  # the SDK loads with the first session, not at start-up

    model_id = options.model.strip() or (model.id if model is not None else "")
    if not model_id:
        raise ValueError("No model chosen for the live session")
    fields_out, _ = _plan(options, model)
    audio_fields: dict[str, Any] = {"audio_format": audio.audio_format}
    if audio.is_raw:
        audio_fields["sample_rate"] = audio.sample_rate
        audio_fields["num_channels"] = audio.num_channels
    return RealtimeSTTConfig(model=model_id, **audio_fields, **fields_out)


def dropped_options(options: LiveOptions, model: Model | None) -> list[str]:
    """One sentence per option the user set that :func:`build_realtime_config` leaves out."""
    return _plan(options, model)[1]
