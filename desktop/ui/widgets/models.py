"""How a Soniox model is named in every combo box."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from soniox.types import Model


def model_label(model: Model) -> str:
    """ "Speech-to-Text Real-time v5 (stt-rt-v5)"; an alias shows what it points to."""
    alias = f" → {model.aliased_model_id}" if model.aliased_model_id else ""
    return f"{model.name} ({model.id}{alias})"
