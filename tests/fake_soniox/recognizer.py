"""The real-time recognition model: turns (duration, voiced) windows into Soniox responses.

Pure logic, no I/O, so it can be reasoned about (and tested) without sockets. The rules mirror
what the Soniox protocol promises a client:

* words come from the script, paced by *voiced* audio (``ms_per_word`` of speech per word);
  silence never produces words;
* a recognised word is first sent as non-final; it becomes final once ``final_lag_ms`` more audio
  has arrived after it ended. Finals are sent exactly once, always before the non-final tokens
  of the same response, and each response carries *all* current non-final tokens (they replace
  the previous ones). The word still being spoken is sent as a prefix (" wor" before " world");
* endpoint detection: after words, silence of ``max_endpoint_delay_ms`` (or the shorter
  ``boundary_silence_ms`` when the speaker finished a script utterance) finalises everything and
  adds a final ``<end>``; never two ``<end>`` without words in between;
* ``finalize`` finalises everything and adds ``<fin>``; ``finish`` finalises everything and ends
  with ``finished: true``;
* translation: once an utterance's words are final, its translation follows as final tokens
  with ``translation_status: "translation"`` and no timestamps.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from .script import Utterance
from .tones import HeardWord
from .transcript import translation_target


@dataclass(frozen=True)
class RecognizerSettings:
    """Timing knobs; defaults are close to what a live Soniox session feels like."""

    ms_per_word: float = 300.0
    final_lag_ms: float = 600.0
    response_interval_ms: float = 120.0
    boundary_silence_ms: float = 500.0


@dataclass(frozen=True)
class SessionOptions:
    """The parts of a validated session config that change the output."""

    diarization: bool = False
    language_identification: bool = False
    endpoint_detection: bool = False
    max_endpoint_delay_ms: int = 2000
    endpoint_sensitivity: float = 0.0
    translation: dict[str, Any] | None = None


@dataclass
class _Word:
    text: str
    lead_space: bool
    utt_seq: int
    utterance: Utterance
    word_index: int
    start_ms: float
    end_ms: float
    confidence: float
    progress_ms: float = 0.0
    ends_utterance: bool = False  # the last word of a script utterance, or (acoustic) ends with . ? !
    heard_id: int | None = None  # acoustic mode: the decoder's run this word came from


@dataclass
class _UtteranceState:
    utterance: Utterance
    total_words: int
    final_words: int = 0
    translated_words: int = 0
    target: str | None = None


@dataclass
class _ScriptCursor:
    """Walks the script word by word; loops when allowed."""

    script: Sequence[Utterance]
    loop: bool
    utt_index: int = 0
    word_index: int = 0
    utt_seq: int = 0
    exhausted: bool = False

    def next_word(self) -> tuple[int, Utterance, int, str] | None:
        if self.exhausted:
            return None
        utt = self.script[self.utt_index]
        words = utt.words()
        item = (self.utt_seq, utt, self.word_index, words[self.word_index])
        self.word_index += 1
        if self.word_index >= len(words):
            self.word_index = 0
            self.utt_index += 1
            self.utt_seq += 1
            if self.utt_index >= len(self.script):
                self.utt_index = 0
                self.exhausted = not self.loop
        return item


@dataclass
class Recognizer:
    """State of one session's recognition. Call ``feed_window`` then ``take_response``."""

    script: Sequence[Utterance]
    options: SessionOptions
    settings: RecognizerSettings = field(default_factory=RecognizerSettings)
    loop: bool = True
    seed: int = 0

    def __post_init__(self) -> None:
        self._cursor = _ScriptCursor(self.script, self.loop)
        self._rng = random.Random(self.seed)
        self.audio_ms = 0.0
        self._current: _Word | None = None
        self._pending: list[_Word] = []
        self._out: list[dict[str, Any]] = []
        self._utterances: dict[int, _UtteranceState] = {}
        self._silence_ms = 0.0
        self._words_since_marker = False
        self._turn_start = True
        self._last_response_ms = 0.0
        self._urgent = False
        self._final_proc_ms = 0.0
        self._last_final_was_boundary = False
        self._with_language = self.options.language_identification or bool(self.options.translation)
        self._acoustic_seq = 0
        self._heard_done: set[int] = set()

    # ----------------------------------------------------------------------------- audio
    def feed_window(self, duration_ms: float, voiced: bool) -> None:
        """Account for one window of received audio (script mode: voiced audio says script words)."""
        start = self._advance(duration_ms, voiced)
        if voiced:
            self._speak(start, duration_ms)
        self._after_audio()

    def feed_heard(self, duration_ms: float, voiced: bool, heard: HeardWord | None) -> None:
        """Account for one hop of audio in acoustic mode: ``heard`` is the word the audio carries.

        The words come from the audio itself (see ``tones.py``), not from the script; everything
        after that (non-final prefixes, finality lag, endpoints, finalize, speakers) is the same.
        """
        start = self._advance(duration_ms, voiced or heard is not None)
        self._hear(start, duration_ms, heard)
        self._after_audio()

    def _advance(self, duration_ms: float, voiced: bool) -> float:
        start = self.audio_ms
        self.audio_ms += duration_ms
        if voiced:
            self._silence_ms = 0.0
        else:
            self._silence_ms += duration_ms
        return start

    def _after_audio(self) -> None:
        self._finalize_by_lag()
        if (
            self.options.endpoint_detection
            and self._words_since_marker
            and self._silence_ms >= self._endpoint_threshold()
        ):
            self._finalize_all()
            self._out.append({"text": "<end>", "is_final": True})
            self._words_since_marker = False
            self._turn_start = True
            self._urgent = True

    def _speak(self, start: float, duration_ms: float) -> None:
        if self._current is None:
            nxt = self._cursor.next_word()
            if nxt is None:
                return  # the script is over: further speech is not recognised
            utt_seq, utt, w_idx, text = nxt
            if utt_seq not in self._utterances:
                self._utterances[utt_seq] = _UtteranceState(
                    utt, len(utt.words()), target=translation_target(self.options.translation, utt.language)
                )
            self._current = _Word(
                text=text,
                lead_space=not self._turn_start,
                utt_seq=utt_seq,
                utterance=utt,
                word_index=w_idx,
                start_ms=start,
                end_ms=start,
                confidence=round(self._rng.uniform(0.6, 0.99), 3),
                ends_utterance=w_idx == len(utt.words()) - 1,
            )
            self._turn_start = False
            self._words_since_marker = True
        word = self._current
        word.progress_ms += duration_ms
        word.end_ms = start + duration_ms
        if word.progress_ms >= self.settings.ms_per_word:
            self._pending.append(word)
            self._current = None

    def _hear(self, start: float, duration_ms: float, heard: HeardWord | None) -> None:
        cur = self._current
        if cur is not None and (heard is None or heard.ident != cur.heard_id):
            self._pending.append(cur)  # the run ended: the word is complete (still non-final)
            self._current = None
        if heard is None or heard.ident in self._heard_done:
            return  # nothing, or the rest of a word that finalize already made final
        if self._current is None:
            utt = Utterance(heard.speaker, "en", heard.text)
            seq = self._acoustic_seq
            self._acoustic_seq += 1
            self._utterances[seq] = _UtteranceState(
                utt, 1, target=translation_target(self.options.translation, utt.language)
            )
            self._current = _Word(
                text=heard.text,
                lead_space=not self._turn_start,
                utt_seq=seq,
                utterance=utt,
                word_index=0,
                start_ms=heard.start_ms,
                end_ms=start + duration_ms,
                confidence=round(self._rng.uniform(0.6, 0.99), 3),
                ends_utterance=heard.text[-1:] in (".", "?", "!"),
                heard_id=heard.ident,
            )
            self._turn_start = False
            self._words_since_marker = True
        word = self._current
        word.end_ms = start + duration_ms
        word.progress_ms = word.end_ms - word.start_ms

    def _endpoint_threshold(self) -> float:
        delay = float(self.options.max_endpoint_delay_ms)
        last = self._pending[-1] if self._pending else None
        at_boundary = self._current is None and last is not None and last.ends_utterance
        if not at_boundary and self._current is None and not self._pending:
            # Everything already final by lag: judge by the last finalised word.
            at_boundary = self._last_final_was_boundary
        if at_boundary:
            boundary = self.settings.boundary_silence_ms * (1.0 - 0.5 * self.options.endpoint_sensitivity)
            return min(delay, boundary)
        return delay

    # ----------------------------------------------------------------------------- finality
    def _emit_final(self, word: _Word) -> None:
        self._out.append(self._token(word, final=True))
        self._final_proc_ms = max(self._final_proc_ms, word.end_ms)
        state = self._utterances[word.utt_seq]
        state.final_words += 1
        self._last_final_was_boundary = word.ends_utterance
        if word.heard_id is not None:
            self._heard_done.add(word.heard_id)
        if state.final_words == state.total_words:
            self._emit_translation(word.utt_seq)

    def _finalize_by_lag(self) -> None:
        while self._pending and self.audio_ms - self._pending[0].end_ms >= self.settings.final_lag_ms:
            self._emit_final(self._pending.pop(0))

    def _finalize_all(self) -> None:
        """Make every heard word final, the half-spoken one included (as the full word)."""
        if self._current is not None and self._current.progress_ms > 0:
            self._pending.append(self._current)
            self._current = None
        while self._pending:
            self._emit_final(self._pending.pop(0))
        for utt_seq in sorted(self._utterances):
            self._emit_translation(utt_seq)
        self._final_proc_ms = self.audio_ms

    def _emit_translation(self, utt_seq: int) -> None:
        """Send the not-yet-sent part of an utterance's translation, in proportion to what is final."""
        state = self._utterances[utt_seq]
        if state.target is None or state.final_words == 0:
            return
        words = state.utterance.translation_words(state.target)
        upto = (
            len(words)
            if state.final_words >= state.total_words
            else math.ceil(len(words) * state.final_words / state.total_words)
        )
        for word in words[state.translated_words : upto]:
            token: dict[str, Any] = {
                "text": " " + word,
                "confidence": round(self._rng.uniform(0.6, 0.99), 3),
                "is_final": True,
                "translation_status": "translation",
                "language": state.target,
                "source_language": state.utterance.language,
            }
            if self.options.diarization:
                token["speaker"] = state.utterance.speaker
            self._out.append(token)
        state.translated_words = max(state.translated_words, upto)

    # ----------------------------------------------------------------------------- tokens
    def _token(self, word: _Word, final: bool, text: str | None = None) -> dict[str, Any]:
        body = text if text is not None else word.text
        token: dict[str, Any] = {
            "text": (" " if word.lead_space else "") + body,
            "start_ms": int(word.start_ms),
            "end_ms": max(int(word.start_ms) + 1, int(word.end_ms)),
            "confidence": word.confidence,
            "is_final": final,
        }
        if self.options.diarization:
            token["speaker"] = word.utterance.speaker
        if self._with_language:
            token["language"] = word.utterance.language
        if self.options.translation:
            token["translation_status"] = "original" if self._utterances[word.utt_seq].target else "none"
        return token

    def _non_final_tokens(self) -> list[dict[str, Any]]:
        tokens = [self._token(w, final=False) for w in self._pending]
        cur = self._current
        if cur is not None and cur.progress_ms > 0:
            fraction = min(1.0, cur.progress_ms / self.settings.ms_per_word)
            chars = max(1, int(len(cur.text) * fraction))
            tokens.append(self._token(cur, final=False, text=cur.text[:chars]))
        return tokens

    def _response(self) -> dict[str, Any]:
        tokens, self._out = self._out, []
        tokens.extend(self._non_final_tokens())
        if self._pending or (self._current is not None and self._current.progress_ms > 0):
            first = self._pending[0].start_ms if self._pending else self._current.start_ms  # type: ignore[union-attr]
            floor = min(self.audio_ms - self.settings.final_lag_ms, first)
        else:
            floor = self.audio_ms - self.settings.final_lag_ms
        self._final_proc_ms = min(self.audio_ms, max(self._final_proc_ms, floor, 0.0))
        self._last_response_ms = self.audio_ms
        self._urgent = False
        return {
            "tokens": tokens,
            "final_audio_proc_ms": int(self._final_proc_ms),
            "total_audio_proc_ms": int(self.audio_ms),
        }

    # ----------------------------------------------------------------------------- public
    def take_response(self) -> dict[str, Any] | None:
        """A response if one is due (every ``response_interval_ms`` of audio, or at once after
        an endpoint); None otherwise."""
        if self._urgent or self.audio_ms - self._last_response_ms >= self.settings.response_interval_ms:
            return self._response()
        return None

    def finalize(self) -> dict[str, Any]:
        """Handle ``{"type": "finalize"}``: everything heard so far becomes final, then ``<fin>``."""
        self._finalize_all()
        self._out.append({"text": "<fin>", "is_final": True})
        self._words_since_marker = False
        return self._response()

    def finish(self) -> list[dict[str, Any]]:
        """Handle end of audio: the remaining finals (if any), then the ``finished`` response."""
        self._finalize_all()
        responses: list[dict[str, Any]] = []
        if self._out:
            responses.append(self._response())
        responses.append(
            {
                "tokens": [],
                "final_audio_proc_ms": int(self.audio_ms),
                "total_audio_proc_ms": int(self.audio_ms),
                "finished": True,
            }
        )
        return responses
