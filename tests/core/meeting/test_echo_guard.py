"""EchoGuard: the other side's words heard back through the microphone are dropped, yours are kept."""

from __future__ import annotations

from desktop.core.meeting.echo_guard import EchoGuard, normalize


def others(guard: EchoGuard, words: str, start_ms: int, step_ms: int = 360) -> None:
    for k, word in enumerate(words.split()):
        guard.heard_others(word, start_ms + k * step_ms, start_ms + k * step_ms + 300)


def you(guard: EchoGuard, words: str, start_ms: int, step_ms: int = 360) -> list[str]:
    """The You words the guard keeps."""
    return [
        word
        for k, word in enumerate(words.split())
        if guard.accept_you(word, start_ms + k * step_ms, start_ms + k * step_ms + 300)
    ]


def test_normalize_ignores_case_and_punctuation() -> None:
    assert normalize(" Hello,") == "hello"
    assert normalize("numbers?") == "numbers"
    assert normalize("don't.") == "don't"
    assert normalize("¿Qué?") == "qué"
    assert normalize("...") == ""


def test_an_echo_trailing_the_original_is_dropped() -> None:
    guard = EchoGuard()
    others(guard, "Shall we start with the quarterly numbers?", 1000)
    # Heard back 80-200 ms later, with different case/punctuation from the other recogniser.
    assert you(guard, "shall we start with the quarterly numbers", 1080) == []
    assert guard.dropped == 7


def test_an_echo_slightly_before_the_original_is_dropped_too() -> None:
    guard = EchoGuard()
    others(guard, "revenue grew twelve percent", 5000)
    assert you(guard, "revenue grew twelve percent", 4900) == []


def test_your_own_words_are_kept() -> None:
    guard = EchoGuard()
    others(guard, "thanks for having me", 1000)
    assert you(guard, "hello everyone thanks for joining", 3000) == ["hello", "everyone", "thanks", "for", "joining"]


def test_a_phrase_of_yours_over_theirs_with_different_words_is_kept() -> None:
    guard = EchoGuard()
    others(guard, "let us move on to the product roadmap", 1000)
    # You talk at the same time: different words, one common word ("the") at a different moment.
    kept = you(guard, "wait I have a question about the numbers", 1100)
    assert kept == ["wait", "I", "have", "a", "question", "about", "the", "numbers"]


def test_a_reply_repeating_their_word_is_kept() -> None:
    guard = EchoGuard()
    guard.heard_others("Yes.", 1000, 1300)
    # "Yes." back as an answer starts after their word ended, plus a reaction: not an echo.
    assert guard.accept_you("Yes.", 1600, 1900)
    # And a common word alone far from theirs is kept.
    guard.heard_others("the", 3000, 3200)
    assert guard.accept_you("the", 3900, 4100)


def test_with_a_clock_offset_only_sequences_are_echoes() -> None:
    guard = EchoGuard()
    others(guard, "that is great news for the whole team", 1000)
    # The sessions' clocks disagree by ~0.9 s: the first word alone is not enough (kept), the
    # words that follow it in the same order and offset are recognised as the echo.
    kept = you(guard, "that is great news for the whole team", 1000 + 900)
    assert kept == ["that"]
    # A lone common word at that offset stays: no sequence around it.
    guard2 = EchoGuard()
    guard2.heard_others("the", 1000, 1300)
    assert guard2.accept_you("the", 1900, 2200)


def test_each_word_of_theirs_is_echoed_once() -> None:
    guard = EchoGuard()
    guard.heard_others("okay", 1000, 1300)
    assert not guard.accept_you("okay", 1100, 1400)
    assert guard.accept_you("okay", 1300, 1600)  # a second "okay" cannot echo the same one


def test_punctuation_tokens_follow_their_word() -> None:
    guard = EchoGuard()
    guard.heard_others("numbers", 1000, 1300)
    assert not guard.accept_you("numbers", 1100, 1400)
    assert not guard.accept_you("?", 1400, 1401)
    assert guard.accept_you("mine", 2000, 2300)
    assert guard.accept_you(".", 2300, 2301)


def test_old_words_are_forgotten() -> None:
    guard = EchoGuard(memory_ms=5000)
    guard.heard_others("budget", 0, 300)
    for k in range(30):
        guard.heard_others("filler", 1000 + k * 400, 1300 + k * 400)
    assert len(guard._others) < 20
    assert guard.accept_you("budget", 100, 400)  # its original is gone from memory
