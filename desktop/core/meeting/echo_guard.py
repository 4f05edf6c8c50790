"""A text-level guard against the other side's words coming back as "You".

Echo cancellation (``desktop.audio.echo``) removes almost all of the loudspeakers' sound from the
microphone, but not all: the first moments of a turn before it has adapted, a loud burst, a
changed room. What leaks through is recognised by the microphone's session as words the other
side has just said, a fraction of a second earlier. This guard drops such "You" words.

The rules (all times on the meeting's shared clock, in ms):

* words are compared normalised: case-folded, punctuation stripped at both ends;
* a "You" word is an echo of an Others word with the same text that started ``offset`` ms
  earlier, where ``-tight_before_ms <= offset <= tight_after_ms`` (default -150...+400): an
  acoustic echo trails its original by the loudspeaker-to-microphone delay (tens to a couple of
  hundred ms), give or take the recognisers' timing;
* with a larger offset (up to ``window_ms``, 1.5 s, for when the two sessions' clocks are not
  perfectly aligned) one matching word is not enough: it must continue a *sequence*, i.e. the
  previous "You" word was an echo of the previous Others word with nearly the same offset
  (within ``sequence_tolerance_ms``);
* each Others word can be echoed once; a punctuation-only token follows the word before it.

Why single words count only when tightly aligned: people do repeat each other ("Yes." after
"Yes."), but a reply starts after the other's word has been said (300 ms or more after it
started, plus reaction time), outside the tight window, so it is kept; within the tight window an
identical word is, in practice, only ever the echo. Common words ("the", "and") are therefore
safe too: they are dropped only when they line up with the same word from the other side within
a few hundred ms, or continue a run of echoed words.
"""

from __future__ import annotations

import unicodedata
from collections import deque
from dataclasses import dataclass


def normalize(text: str) -> str:
    """Case-folded, without punctuation or spaces at either end ("Hello," -> "hello")."""
    word = text.strip().casefold()
    start, end = 0, len(word)
    while start < end and unicodedata.category(word[start])[0] in "PS":
        start += 1
    while end > start and unicodedata.category(word[end - 1])[0] in "PS":
        end -= 1
    return word[start:end]


@dataclass
class _Heard:
    norm: str
    start_ms: int
    end_ms: int
    index: int
    used: bool = False


@dataclass(frozen=True)
class _Echo:
    offset_ms: int
    end_ms: int
    index: int


class EchoGuard:
    """Decides, word by word, whether a "You" word is the other side's word heard back.

    Feed every Others word with :meth:`heard_others` (as it becomes final) and ask
    :meth:`accept_you` for every You word; the meeting merger asks after the Others side has
    finalised past the You word, so its original is already known.
    """

    def __init__(
        self,
        *,
        tight_before_ms: int = 150,
        tight_after_ms: int = 400,
        window_ms: int = 1500,
        sequence_tolerance_ms: int = 250,
        sequence_gap_ms: int = 1000,
        memory_ms: int = 10_000,
    ) -> None:
        self.tight_before_ms = tight_before_ms
        self.tight_after_ms = tight_after_ms
        self.window_ms = window_ms
        self.sequence_tolerance_ms = sequence_tolerance_ms
        self.sequence_gap_ms = sequence_gap_ms
        self.memory_ms = memory_ms
        self._others: deque[_Heard] = deque()
        self._count = 0
        self._links: list[_Echo] = []  # the previous You word's near matches (sequence starts)
        self._last_dropped = False
        #: You words dropped so far (for the meeting's counters and the benchmarks).
        self.dropped = 0

    def heard_others(self, token_text: str, start_ms: int, end_ms: int) -> None:
        """The other side said ``token_text`` at ``start_ms``...``end_ms``."""
        norm = normalize(token_text)
        if not norm:
            return
        self._others.append(_Heard(norm, start_ms, end_ms, self._count))
        self._count += 1
        horizon = max(start_ms, self._others[-1].start_ms) - self.memory_ms
        while self._others and self._others[0].start_ms < horizon:
            self._others.popleft()

    def accept_you(self, token_text: str, start_ms: int, end_ms: int) -> bool:
        """False when the You word ``token_text`` at ``start_ms`` is an echo of the other side."""
        norm = normalize(token_text)
        if not norm:
            return not self._last_dropped  # punctuation follows the word it belongs to
        candidates = self._candidates(norm, start_ms)
        match = self._echo_of(candidates, start_ms)
        # Every near match of this word may start a sequence the next word continues.
        self._links = [_Echo(start_ms - h.start_ms, end_ms, h.index) for h in candidates]
        self._last_dropped = match is not None
        if match is None:
            return True
        match.used = True
        self.dropped += 1
        return False

    def _candidates(self, norm: str, start_ms: int) -> list[_Heard]:
        return [
            h
            for h in self._others
            if not h.used and h.norm == norm and -self.tight_before_ms <= start_ms - h.start_ms <= self.window_ms
        ]

    def _follows(self, heard: _Heard, offset: int, start_ms: int) -> _Echo | None:
        """The previous You word's link this one continues (next Others word, same offset), if any."""
        for link in self._links:
            if (
                heard.index == link.index + 1
                and abs(offset - link.offset_ms) <= self.sequence_tolerance_ms
                and start_ms - link.end_ms <= self.sequence_gap_ms
            ):
                return link
        return None

    def _echo_of(self, candidates: list[_Heard], start_ms: int) -> _Heard | None:
        best: _Heard | None = None
        best_score = float("inf")
        for heard in candidates:
            offset = start_ms - heard.start_ms
            link = self._follows(heard, offset, start_ms)
            if link is not None:
                score = float(abs(offset - link.offset_ms))
            elif -self.tight_before_ms <= offset <= self.tight_after_ms:
                score = float(abs(offset)) + self.window_ms  # a sequence match is the better evidence
            else:
                continue
            if score < best_score:
                best, best_score = heard, score
        return best
