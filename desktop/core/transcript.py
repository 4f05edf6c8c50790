"""The transcript of a live session or a file job, built from Soniox tokens (Qt-free).

Soniox realtime responses follow three rules: each response lists its final tokens first and its
non-final ones after them; a final token is sent exactly once; the non-final tokens of a response
replace all non-final tokens of the previous one. So the current transcript is "every final token
so far + the latest non-final tail". :class:`Transcript` keeps exactly that, and groups the final
tokens into :class:`Segment` s (speaker turns, also split at each ``<end>`` endpoint and where the
spoken language changes) *as they arrive*, so one response costs time proportional to its own
size, never to the length of the transcript: a two-hour meeting must stay as responsive as its
first minute.

:meth:`Transcript.apply` returns a :class:`TranscriptDelta` telling a view what to draw
incrementally: where each new final token goes (:class:`Placement`, naming its segment and, when
the token opens a segment, a :class:`SegmentHead`), and the complete new non-final tail laid out
the same way (as provisional segments continuing from the final state).

Translated tokens (``translation_status == "translation"``) carry no timestamps and arrive a
little after the words they translate; they are attached to the latest segment of the same
speaker (or simply the latest segment), so each segment holds its original text and its
translation.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

log = logging.getLogger(__name__)

END_TOKEN = "<end>"
FIN_TOKEN = "<fin>"
MARKERS = frozenset({END_TOKEN, FIN_TOKEN})

#: How many recent segments a late translation token may reach back to find its speaker's turn.
TRANSLATION_LOOKBACK = 16

_TOKEN_FIELDS = (
    "text",
    "start_ms",
    "end_ms",
    "confidence",
    "is_final",
    "speaker",
    "language",
    "translation_status",
    "source_language",
)


def _opt_int(value: Any) -> int | None:
    if value is None:
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _opt_float(value: Any) -> float | None:
    if value is None:
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _opt_str(value: Any) -> str | None:
    if value is None:
        return None
    return str(value)


@dataclass(frozen=True, slots=True)
class Token:
    """One token as Soniox sends it; immutable so it can be shared between model, view and export."""

    text: str
    start_ms: int | None = None
    end_ms: int | None = None
    confidence: float | None = None
    is_final: bool = True
    speaker: str | None = None
    language: str | None = None
    translation_status: str | None = None
    source_language: str | None = None

    @property
    def is_end(self) -> bool:
        """The endpoint marker: the speaker finished an utterance."""
        return self.text == END_TOKEN

    @property
    def is_fin(self) -> bool:
        """The manual-finalize marker: everything sent before the finalize request is now final."""
        return self.text == FIN_TOKEN

    @property
    def is_marker(self) -> bool:
        return self.text in MARKERS

    @property
    def is_translation(self) -> bool:
        return self.translation_status == "translation"

    def shifted(self, offset_ms: int) -> Token:
        """The same token moved by ``offset_ms`` (reconnects restart timestamps at zero)."""
        if not offset_ms or (self.start_ms is None and self.end_ms is None):
            return self
        return replace(
            self,
            start_ms=None if self.start_ms is None else self.start_ms + offset_ms,
            end_ms=None if self.end_ms is None else self.end_ms + offset_ms,
        )

    @classmethod
    def from_sdk(cls, token: Any, *, default_final: bool = True, offset_ms: int = 0) -> Token:
        """Convert a ``soniox.types.common.Token`` (or a mapping, or anything with its attributes).

        File transcripts have no ``is_final``; every token there is final, hence ``default_final``.
        ``offset_ms`` is added to the timestamps while building (a live session after a reconnect),
        so the token is made once per response, not built and then copied.
        """
        if isinstance(token, Token):
            return token.shifted(offset_ms)
        get = token.get if isinstance(token, Mapping) else lambda name: getattr(token, name, None)
        is_final = get("is_final")
        start_ms, end_ms = _opt_int(get("start_ms")), _opt_int(get("end_ms"))
        return cls(
            text=str(get("text") or ""),
            start_ms=None if start_ms is None else start_ms + offset_ms,
            end_ms=None if end_ms is None else end_ms + offset_ms,
            confidence=_opt_float(get("confidence")),
            is_final=default_final if is_final is None else bool(is_final),
            speaker=_opt_str(get("speaker")),
            language=_opt_str(get("language")),
            translation_status=_opt_str(get("translation_status")),
            source_language=_opt_str(get("source_language")),
        )

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, default_final: bool = True) -> Token:
        """Build from a JSON object as Soniox (or our JSON export) writes it; unknown keys are ignored."""
        return cls.from_sdk(data, default_final=default_final)

    def to_dict(self) -> dict[str, Any]:
        """Every field, ``None`` included, so the JSON schema is the same for every token."""
        return {name: getattr(self, name) for name in _TOKEN_FIELDS}


@dataclass(frozen=True, slots=True)
class SegmentHead:
    """What a view needs to open a segment: who speaks, in which language, and what changed."""

    index: int
    speaker: str | None
    language: str | None
    start_ms: int | None
    #: The speaker differs from the previous segment's (or this is the first segment): a new turn.
    turn_start: bool
    #: The language differs from the previous segment's (the first known language counts too).
    language_changed: bool


@dataclass(frozen=True, slots=True)
class Placement:
    """Where one token goes: the index of its segment, and the segment's head if it opens one."""

    token: Token
    segment: int
    opens: SegmentHead | None = None


@dataclass(frozen=True, slots=True)
class TranscriptDelta:
    """What one response changed, in the order a view must draw it.

    ``finals`` are the new final tokens (markers included) to append; ``tail`` is the complete new
    non-final tail (markers never appear there), laid out as if it continued the final text. When
    ``tail_changed`` is false and ``finals`` is empty the view has nothing to do.
    """

    finals: tuple[Placement, ...] = ()
    tail: tuple[Placement, ...] = ()
    tail_changed: bool = False
    endpoints: int = 0
    fin_seen: bool = False
    #: The response broke the final-first rule (a final token after a non-final one).
    out_of_order: bool = False
    #: The whole transcript must be redrawn (set by :meth:`Transcript.replay`).
    reset: bool = False

    @property
    def new_final_tokens(self) -> tuple[Token, ...]:
        return tuple(p.token for p in self.finals)

    @property
    def tail_tokens(self) -> tuple[Token, ...]:
        return tuple(p.token for p in self.tail)

    @property
    def is_empty(self) -> bool:
        return not self.finals and not self.tail_changed and not self.reset


@dataclass(frozen=True, slots=True)
class Segment:
    """A read-only snapshot of one segment: a speaker's utterance in one language."""

    index: int
    speaker: str | None
    language: str | None
    start_ms: int | None
    end_ms: int | None
    tokens: tuple[Token, ...]
    translation_tokens: tuple[Token, ...]
    ended: bool
    turn_start: bool
    language_changed: bool

    @property
    def text(self) -> str:
        return "".join(t.text for t in self.tokens if not t.is_marker).strip()

    @property
    def translation_text(self) -> str:
        return "".join(t.text for t in self.translation_tokens).strip()

    @property
    def translation_language(self) -> str | None:
        for t in self.translation_tokens:
            if t.language:
                return t.language
        return None


@dataclass(slots=True)
class _SegmentState:
    """The mutable segment the transcript grows; snapshots are handed out as :class:`Segment`."""

    head: SegmentHead
    tokens: list[Token] = field(default_factory=list)
    translation_tokens: list[Token] = field(default_factory=list)
    ended: bool = False
    start_ms: int | None = None
    end_ms: int | None = None

    def add(self, token: Token) -> None:
        if token.is_translation:
            self.translation_tokens.append(token)
            return
        self.tokens.append(token)
        if token.is_end:
            self.ended = True
        if token.is_marker:
            return
        if token.start_ms is not None and self.start_ms is None:
            self.start_ms = token.start_ms
        if token.end_ms is not None:
            self.end_ms = token.end_ms if self.end_ms is None else max(self.end_ms, token.end_ms)

    def snapshot(self) -> Segment:
        h = self.head
        return Segment(
            index=h.index,
            speaker=h.speaker,
            language=h.language,
            start_ms=self.start_ms if self.start_ms is not None else h.start_ms,
            end_ms=self.end_ms,
            tokens=tuple(self.tokens),
            translation_tokens=tuple(self.translation_tokens),
            ended=self.ended,
            turn_start=h.turn_start,
            language_changed=h.language_changed,
        )


@dataclass(slots=True)
class _Layout:
    """The segmentation cursor: enough state to place the next token in O(1).

    It is copied (cheaply: a few fields and a short deque) to lay out the non-final tail as
    provisional segments without touching the real ones.
    """

    count: int = 0  # number of segments so far
    speaker: str | None = None  # of the current (last) segment
    language: str | None = None
    ended: bool = True  # the current segment was closed by <end> (or there is none)
    recent: deque[tuple[int, str | None]] = field(default_factory=lambda: deque(maxlen=TRANSLATION_LOOKBACK))

    def copy(self) -> _Layout:
        return _Layout(
            self.count, self.speaker, self.language, self.ended, deque(self.recent, TRANSLATION_LOOKBACK)
        )

    def place(self, token: Token) -> Placement:
        """Decide the segment of ``token``, opening a new one when the rules say so."""
        if token.is_translation:
            target = self._translation_target(token.speaker)
            if target is not None:
                return Placement(token, target)
            return self._open(token, speaker=token.speaker, language=token.source_language)
        if token.is_marker:
            if token.is_end and self.count:
                self.ended = True
            return Placement(token, self.count - 1)
        speaker = token.speaker if token.speaker is not None else self.speaker
        language = token.language if token.language is not None else self.language
        if self.count == 0 or self.ended or speaker != self.speaker or language != self.language:
            return self._open(token, speaker=speaker, language=language)
        return Placement(token, self.count - 1)

    def _open(self, token: Token, *, speaker: str | None, language: str | None) -> Placement:
        first = self.count == 0
        head = SegmentHead(
            index=self.count,
            speaker=speaker,
            language=language,
            start_ms=token.start_ms,
            turn_start=first or speaker != self.speaker,
            language_changed=language is not None and (first or language != self.language),
        )
        self.count += 1
        self.speaker, self.language, self.ended = speaker, language, False
        self.recent.append((head.index, speaker))
        return Placement(token, head.index, head)

    def _translation_target(self, speaker: str | None) -> int | None:
        if not self.recent:
            return None
        if speaker is not None:
            for index, seg_speaker in reversed(self.recent):
                if seg_speaker == speaker:
                    return index
        return self.recent[-1][0]


class Transcript:
    """All final tokens so far, the current non-final tail, segments and speaker names."""

    def __init__(self) -> None:
        self._finals: list[Token] = []
        self._tail: tuple[Token, ...] = ()
        self._tail_placements: tuple[Placement, ...] = ()
        self._segments: list[_SegmentState] = []
        self._layout = _Layout()
        self._names: dict[str, str] = {}
        self._speakers: dict[str, None] = {}  # insertion-ordered set of speaker ids seen
        self.finalize_seen = False
        self.endpoint_count = 0
        self.anomalies = 0

    # ----------------------------------------------------------------------------- building
    @classmethod
    def from_tokens(cls, tokens: Iterable[Any]) -> Transcript:
        """A completed (file) transcript: every token is final, whatever its ``is_final`` says."""
        transcript = cls()
        for raw in tokens:
            token = Token.from_sdk(raw)
            if not token.is_final:
                token = replace(token, is_final=True)
            transcript._add_final(token)
        return transcript

    def apply(self, tokens: Iterable[Any], *, offset_ms: int = 0) -> TranscriptDelta:
        """Apply one realtime response; never raises on odd input (it is logged and counted).

        ``offset_ms`` is added to every timestamp: after a reconnect the new connection's clock
        starts at zero again, but the transcript continues.
        """
        finals: list[Placement] = []
        tail: list[Token] = []
        endpoints = 0
        fin_seen = False
        out_of_order = False
        for raw in tokens:
            try:
                token = Token.from_sdk(raw, default_final=False, offset_ms=offset_ms)
            except Exception:  # a malformed token must not end the session
                log.warning("ignoring a malformed token: %r", raw)
                self.anomalies += 1
                continue
            if token.is_final:
                if tail:
                    out_of_order = True
                finals.append(self._add_final(token))
                if token.is_end:
                    endpoints += 1
                elif token.is_fin:
                    fin_seen = True
            elif token.is_marker:
                # Markers are always final; a non-final one would be drawn as text, so drop it.
                out_of_order = True
            else:
                tail.append(token)
        if out_of_order:
            self.anomalies += 1
            log.warning("a realtime response broke the final-first token order; applied anyway")
        new_tail = tuple(tail)
        tail_changed = new_tail != self._tail
        self._tail = new_tail
        if tail_changed or finals:
            layout = self._layout.copy()
            self._tail_placements = tuple(layout.place(t) for t in new_tail)
        return TranscriptDelta(
            finals=tuple(finals),
            tail=self._tail_placements,
            tail_changed=tail_changed,
            endpoints=endpoints,
            fin_seen=fin_seen,
            out_of_order=out_of_order,
        )

    def discard_tail(self) -> TranscriptDelta:
        """Forget the non-final tail (its connection is gone and will never finalize it)."""
        changed = bool(self._tail)
        self._tail = ()
        self._tail_placements = ()
        return TranscriptDelta(tail_changed=changed)

    def expect_finalize(self) -> None:
        """Clear :attr:`finalize_seen` before asking the server to finalize."""
        self.finalize_seen = False

    def _add_final(self, token: Token) -> Placement:
        self._finals.append(token)
        placement = self._layout.place(token)
        if placement.opens is not None:
            self._segments.append(_SegmentState(placement.opens))
        if token.speaker is not None:
            self._speakers.setdefault(token.speaker, None)
        if token.is_end:
            self.endpoint_count += 1
        elif token.is_fin:
            self.finalize_seen = True
        if 0 <= placement.segment < len(self._segments):
            self._segments[placement.segment].add(token)
        return placement

    def replay(self) -> TranscriptDelta:
        """A delta that draws the whole transcript from scratch (for a view that starts late).

        Tokens are grouped per segment (original text, then its translation, then the endpoint),
        which draws the same picture as the live stream did, in far fewer edits.
        """
        placements: list[Placement] = []
        for seg in self._segments:
            head = seg.head
            originals = [t for t in seg.tokens if not t.is_marker]
            markers = [t for t in seg.tokens if t.is_marker]
            first = True
            for token in originals + seg.translation_tokens + markers:
                placements.append(Placement(token, head.index, head if first else None))
                first = False
        return TranscriptDelta(
            finals=tuple(placements), tail=self._tail_placements, tail_changed=True, reset=True
        )

    # ------------------------------------------------------------------------------ reading
    @property
    def final_tokens(self) -> Sequence[Token]:
        """The final tokens in arrival order (markers included); a copy, safe to keep."""
        return tuple(self._finals)

    @property
    def tail_tokens(self) -> tuple[Token, ...]:
        return self._tail

    @property
    def tail_placements(self) -> tuple[Placement, ...]:
        return self._tail_placements

    def __len__(self) -> int:
        return len(self._finals)

    @property
    def segment_count(self) -> int:
        return len(self._segments)

    def segments(self) -> list[Segment]:
        return [s.snapshot() for s in self._segments]

    def segment(self, index: int) -> Segment:
        return self._segments[index].snapshot()

    def text(self, *, include_tail: bool = False) -> str:
        """Plain original text, one line per segment."""
        lines = [s.snapshot().text for s in self._segments]
        text = "\n".join(line for line in lines if line)
        if include_tail and self._tail:
            tail = "".join(t.text for t in self._tail if not t.is_translation)
            text = (text + tail) if text else tail.strip()
        return text

    # ----------------------------------------------------------------------------- speakers
    @property
    def speakers(self) -> list[str]:
        """Speaker ids in order of first appearance (final tokens only)."""
        return list(self._speakers)

    @property
    def speaker_names(self) -> dict[str, str]:
        """The custom names given so far (ids without a name are absent)."""
        return dict(self._names)

    def rename_speaker(self, speaker_id: str, name: str) -> None:
        """Name a speaker for the whole transcript; an empty name restores "Speaker N"."""
        name = name.strip()
        if name and name != default_speaker_label(speaker_id):
            self._names[speaker_id] = name
        else:
            self._names.pop(speaker_id, None)

    def speaker_label(self, speaker_id: str | None) -> str:
        if speaker_id is None:
            return "Speaker"
        return self._names.get(speaker_id) or default_speaker_label(speaker_id)

    # ------------------------------------------------------------------------ serialisation
    def to_dict(self) -> dict[str, Any]:
        """``{"speakers": {id: label}, "tokens": [...]}``: final tokens only, markers included."""
        return {
            "speakers": {sid: self.speaker_label(sid) for sid in self._speakers},
            "tokens": [t.to_dict() for t in self._finals],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Transcript:
        transcript = cls.from_tokens(
            Token.from_dict(t) for t in data.get("tokens", ()) if isinstance(t, Mapping)
        )
        speakers = data.get("speakers") or {}
        if isinstance(speakers, Mapping):
            for sid, name in speakers.items():
                if isinstance(name, str):
                    transcript.rename_speaker(str(sid), name)
        return transcript


def default_speaker_label(speaker_id: str) -> str:
    return f"Speaker {speaker_id}"
