"""What the emulated recogniser "hears": a script of utterances.

A real model turns audio into words; the emulator cannot, so tests say which words come out and
the emulator decides *when* (from the audio it receives) and *how* (tokens, finality, timing).
The same script type drives the real-time engine and the async transcripts.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Utterance:
    """One speaker turn. ``translation`` is the text emitted when translation is requested."""

    speaker: str
    language: str
    text: str
    translation: str | None = None

    def words(self) -> list[str]:
        return self.text.split()

    def translation_words(self, target: str) -> list[str]:
        """Words of the translation into ``target``; a placeholder when the script has none.

        The placeholder is marked with the target language so a test can see which way the
        emulator translated without scripting every translation.
        """
        if self.translation:
            return self.translation.split()
        return [f"[{target}]", *self.words()]


DEFAULT_SCRIPT: tuple[Utterance, ...] = (
    Utterance(
        "1",
        "en",
        "Hello everyone, thanks for joining the call today.",
        "Hola a todos, gracias por unirse a la llamada de hoy.",
    ),
    Utterance(
        "2",
        "en",
        "Thanks for having me. Shall we start with the quarterly numbers?",
        "Gracias por invitarme. ¿Empezamos con las cifras trimestrales?",
    ),
    Utterance(
        "1",
        "en",
        "Sure. Revenue grew twelve percent compared to last year.",
        "Claro. Los ingresos crecieron un doce por ciento respecto al año pasado.",
    ),
    Utterance("2", "en", "That is great news for the whole team.", "Es una gran noticia para todo el equipo."),
    Utterance(
        "1",
        "en",
        "Let us move on to the product roadmap for next quarter.",
        "Pasemos a la hoja de ruta del producto para el próximo trimestre.",
    ),
)


def to_utterance(item: Utterance | Mapping[str, Any] | str) -> Utterance:
    """Accept the forms tests find handy: an Utterance, a dict, or bare text (speaker 1, en)."""
    if isinstance(item, Utterance):
        return item
    if isinstance(item, str):
        return Utterance("1", "en", item)
    text = str(item["text"])
    if not text.split():
        raise ValueError("an utterance needs at least one word")
    translation = item.get("translation")
    return Utterance(
        speaker=str(item.get("speaker", "1")),
        language=str(item.get("language", "en")),
        text=text,
        translation=None if translation is None else str(translation),
    )


def parse_script(items: Iterable[Utterance | Mapping[str, Any] | str]) -> list[Utterance]:
    script = [to_utterance(item) for item in items]
    if not script:
        raise ValueError("a script needs at least one utterance")
    return script


def load_script_file(path: str | Path) -> list[Utterance]:
    """Read a JSON list of utterances (the CLI's ``--script FILE``)."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    if not isinstance(data, list):
        raise ValueError("a script file must hold a JSON list of utterances")
    return parse_script(data)


def script_text(script: Iterable[Utterance]) -> str:
    """The text a full, uninterrupted pass over ``script`` produces (words joined by spaces)."""
    return " ".join(word for utt in script for word in utt.words())
