"""Fit dictated words after the text already in the field: spacing and a capital where one belongs.

The service's own punctuation and casing are kept (it knows the sentence); only the seam with
what is already there is decided here. When the OS does not say what is before the cursor, the
text last dictated into the same app stands in for it, and with nothing at all a space is
assumed (a missing space joins two words; an extra one at a field's start is harmless).
"""

from __future__ import annotations

import re

from desktop.core.tokens import MARKERS, Token

#: After these no space is added: an opening bracket or quote hugs the word after it.
OPENERS = frozenset("([{<«‹“‘„‚¿¡\"'")
#: These end a sentence: the next word gets a capital.
SENTENCE_ENDS = frozenset(".!?…。！？")
#: Dictated text starting with these attaches to the word before it ("…it , then").
CLOSERS = frozenset(".,;:!?…)]}»›”’%")
_SPACES = re.compile(r"[ \t\u00a0]{2,}")


def utterance_text(tokens: list[Token] | tuple[Token, ...]) -> str:
    """The words of an utterance: no ``<end>``/``<fin>`` markers, no translations, no speakers."""
    parts = [t.text for t in tokens if t.text and t.text not in MARKERS and t.translation_status != "translation"]
    return _SPACES.sub(" ", "".join(parts)).strip()


def fit_text(text: str, before: str | None) -> str:
    """``text`` as it should be inserted after ``before`` (None: not known, a space is assumed)."""
    text = _SPACES.sub(" ", text).strip()
    if not text:
        return ""
    if before is None:
        return text if text[0] in CLOSERS else " " + text
    if before == "" or before[-1] == "\n":
        return _capitalized(text)
    space = not (before[-1].isspace() or before[-1] in OPENERS or text[0] in CLOSERS)
    stripped = before.rstrip()
    if not stripped or stripped[-1] in SENTENCE_ENDS:
        text = _capitalized(text)
    return (" " if space else "") + text


def _capitalized(text: str) -> str:
    for i, char in enumerate(text):
        if char.isalpha():
            return text[:i] + char.upper() + text[i + 1 :]
        if not (char in OPENERS or char.isspace()):
            return text  # starts with a digit or a symbol: nothing to capitalize
    return text
