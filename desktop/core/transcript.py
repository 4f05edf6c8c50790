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
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from typing import Any

from desktop.core.segments import (
    TRANSLATION_LOOKBACK,
    Placement,
    Segment,
    SegmentHead,
    TranscriptDelta,
    _Layout,
    _SegmentState,
)
from desktop.core.tokens import END_TOKEN, FIN_TOKEN, MARKERS, Token

log = logging.getLogger(__name__)


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
        self._joining = False  # a new connection's first word may need a space before it

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
            if self._joining and not token.is_marker and token.text:
                token = self._joined(token, first_in_tail=not tail)
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

    def start_connection(self) -> None:
        """A new realtime connection continues this transcript (after a reconnect).

        A connection's first word carries no leading space (it starts a text, as far as the
        service knows), so without this the words either side of a reconnect ran together:
        "fourfive".
        """
        self._joining = bool(self._finals)

    def _joined(self, token: Token, *, first_in_tail: bool) -> Token:
        """The first word after a reconnect, spaced from the text before it where the script uses spaces."""
        if token.is_final:
            self._joining = False
        elif not first_in_tail:
            return token
        before = next((t.text for t in reversed(self._finals) if t.text and not t.is_marker), "")
        if not before or before[-1].isspace() or token.text[0].isspace():
            return token
        if _unspaced(before[-1]) or _unspaced(token.text[0]):
            return token
        return replace(token, text=" " + token.text)

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
        return TranscriptDelta(finals=tuple(placements), tail=self._tail_placements, tail_changed=True, reset=True)

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
        transcript = cls.from_tokens(Token.from_dict(t) for t in data.get("tokens", ()) if isinstance(t, Mapping))
        speakers = data.get("speakers") or {}
        if isinstance(speakers, Mapping):
            for sid, name in speakers.items():
                if isinstance(name, str):
                    transcript.rename_speaker(str(sid), name)
        return transcript


#: The speaker id of the user's own microphone in a meeting (``desktop.core.meeting``): "You".
YOU_SPEAKER_ID = "you"


def default_speaker_label(speaker_id: str) -> str:
    """ "Speaker 1" for Soniox's diarization ids; "You" for the meeting's microphone side."""
    if speaker_id == YOU_SPEAKER_ID:
        return "You"
    return f"Speaker {speaker_id}"


# Re-exported so imports written before the split (tokens.py, segments.py) keep working.
__all__ = [
    "END_TOKEN",
    "FIN_TOKEN",
    "MARKERS",
    "TRANSLATION_LOOKBACK",
    "Placement",
    "Segment",
    "SegmentHead",
    "Token",
    "Transcript",
    "TranscriptDelta",
    "default_speaker_label",
]


def _unspaced(char: str) -> bool:
    """Scripts written without spaces between words (Chinese, Japanese, Thai...): never insert one."""
    return unicodedata.east_asian_width(char) in ("W", "F") or "\u0e00" <= char <= "\u0eff"
