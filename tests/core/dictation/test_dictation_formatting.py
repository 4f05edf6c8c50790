"""How dictated words are fitted after the text already in the field."""

from __future__ import annotations

import pytest

from desktop.core.dictation.formatting import fit_text, utterance_text
from desktop.core.tokens import Token


@pytest.mark.parametrize(
    ("before", "heard", "inserted"),
    [
        ("", "hello there.", "Hello there."),  # empty field: capital, no space
        ("Dear Sam,\n", "thanks.", "Thanks."),  # line start
        ("It works.", "then what?", " Then what?"),  # after a sentence: space and capital
        ("It works!  ", "then", "Then"),  # after whitespace: no extra space
        ("I think", "maybe so.", " maybe so."),  # mid-sentence: the service's own case kept
        ("I think", "Paris is nice.", " Paris is nice."),
        ("call (", "me maybe", "me maybe"),  # an opening bracket hugs the word
        ("he said “", "yes", "yes"),
        ("one", ", two", ", two"),  # punctuation attaches to the word before
        ("x", "  lots   of  space ", " lots of space"),  # no double spaces
        ("Done.", "42 is the answer.", " 42 is the answer."),  # nothing to capitalize
        ("", "“quoted” words", "“Quoted” words"),
        ("ok", "", ""),
    ],
)
def test_fit_after_known_text(before: str, heard: str, inserted: str) -> None:
    assert fit_text(heard, before) == inserted


def test_unknown_context_assumes_a_space_and_keeps_the_case() -> None:
    assert fit_text("maybe so.", None) == " maybe so."
    assert fit_text(", then", None) == ", then"


def test_utterance_text_has_words_only() -> None:
    tokens = [
        Token(" hello", 0, 300, speaker="1"),
        Token(" world.", 300, 600, speaker="1"),
        Token("<end>"),
        Token(" hola", translation_status="translation"),
        Token("<fin>"),
    ]
    assert utterance_text(tokens) == "hello world."
