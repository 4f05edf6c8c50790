"""Turn a :class:`~desktop.core.transcript.Transcript` into TXT, SRT, VTT, JSON or Markdown (Qt-free).

Only final tokens are exported: the provisional tail may still change, so a file must not
contain it. Each format groups text the way its readers expect:

* TXT and Markdown are for people: one block per speaker turn with its start time, translations
  under the original.
* SRT and VTT are for players: short cues (at most two lines of ~42 characters, at most ~7 s),
  split at word boundaries, never spanning two speakers or two utterances. Translated tokens
  carry no timestamps, so the plain subtitles hold the original speech; the bilingual ones put
  each segment's translation under its original, shared out over the segment's cues in
  proportion to their text (a translation does not follow the original word for word), and the
  translation-only ones time the translation by the original's cues.
* JSON keeps every token field and the speaker names, and loads back with
  :meth:`Transcript.from_dict` (see :func:`import_json`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from desktop.core.transcript import Segment, Token, Transcript

#: Subtitle shaping limits, after the common broadcast guidelines.
MAX_LINE_CHARS = 42
MAX_LINES = 2
MAX_CUE_MS = 7000
#: A cue holding at least this many characters ends at a sentence end rather than mid-thought.
SENTENCE_BREAK_CHARS = 24

_SENTENCE_END = (".", "?", "!", "…", "。", "？", "！")


@dataclass(frozen=True, slots=True)
class ExportFormat:
    key: str
    label: str
    extension: str
    #: A QFileDialog name filter, e.g. ``"SubRip subtitles (*.srt)"``.
    filter: str
    #: Only offered for a transcript that has translations.
    needs_translation: bool = False


FORMATS: dict[str, ExportFormat] = {
    "txt": ExportFormat("txt", "Plain text (.txt)", "txt", "Text files (*.txt)"),
    "srt": ExportFormat("srt", "SubRip subtitles (.srt)", "srt", "SubRip subtitles (*.srt)"),
    "vtt": ExportFormat("vtt", "WebVTT subtitles (.vtt)", "vtt", "WebVTT subtitles (*.vtt)"),
    "json": ExportFormat("json", "JSON with all tokens (.json)", "json", "JSON files (*.json)"),
    "md": ExportFormat("md", "Markdown (.md)", "md", "Markdown files (*.md)"),
    "srt2": ExportFormat(
        "srt2", "Bilingual subtitles, SRT (.srt)", "srt", "SubRip subtitles (*.srt)", needs_translation=True
    ),
    "vtt2": ExportFormat(
        "vtt2", "Bilingual subtitles, WebVTT (.vtt)", "vtt", "WebVTT subtitles (*.vtt)", needs_translation=True
    ),
    "srt_tr": ExportFormat(
        "srt_tr", "Translation subtitles, SRT (.srt)", "srt", "SubRip subtitles (*.srt)", needs_translation=True
    ),
    "vtt_tr": ExportFormat(
        "vtt_tr", "Translation subtitles, WebVTT (.vtt)", "vtt", "WebVTT subtitles (*.vtt)", needs_translation=True
    ),
}


def formats_for(transcript: Transcript) -> dict[str, ExportFormat]:
    """The formats worth offering for ``transcript`` (bilingual ones only when it is translated)."""
    translated = has_translation(transcript)
    return {k: f for k, f in FORMATS.items() if translated or not f.needs_translation}


def has_translation(transcript: Transcript) -> bool:
    return any(t.is_translation and t.text.strip() for t in transcript.final_tokens)


def export_transcript(transcript: Transcript, fmt: str, *, title: str = "Transcript") -> str:
    """The whole transcript (final tokens only) in ``fmt``; raises ``ValueError`` for other formats."""
    writers: dict[str, Callable[[Transcript], str]] = {
        "txt": to_txt,
        "srt": to_srt,
        "vtt": to_vtt,
        "json": to_json,
        "md": lambda t: to_markdown(t, title=title),
        "srt2": lambda t: to_srt(t, translation="both"),
        "vtt2": lambda t: to_vtt(t, translation="both"),
        "srt_tr": lambda t: to_srt(t, translation="only"),
        "vtt_tr": lambda t: to_vtt(t, translation="only"),
    }
    try:
        writer = writers[fmt]
    except KeyError:
        raise ValueError(f"unknown export format {fmt!r}; expected one of {', '.join(FORMATS)}") from None
    return writer(transcript)


def import_json(text: str) -> Transcript:
    """Load what :func:`to_json` wrote."""
    return Transcript.from_dict(json.loads(text))


# ------------------------------------------------------------------------------------ helpers
def hms(ms: int | None) -> str:
    """``hh:mm:ss`` (rounded down), as shown next to each turn."""
    seconds = max(0, ms or 0) // 1000
    return f"{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


def _clock(ms: int, separator: str) -> str:
    ms = max(0, ms)
    seconds, millis = divmod(ms, 1000)
    return f"{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}{separator}{millis:03d}"


def srt_time(ms: int) -> str:
    return _clock(ms, ",")


def vtt_time(ms: int) -> str:
    return _clock(ms, ".")


def turns(segments: Iterable[Segment]) -> list[list[Segment]]:
    """Consecutive segments of one speaker form a turn; empty segments are dropped.

    Without diarization (no speaker) every utterance is its own block, so a long recording does
    not become one endless paragraph.
    """
    result: list[list[Segment]] = []
    for seg in segments:
        if not seg.text and not seg.translation_text:
            continue
        if result and seg.speaker is not None and result[-1][-1].speaker == seg.speaker:
            result[-1].append(seg)
        else:
            result.append([seg])
    return result


def _translation_runs(turn: list[Segment]) -> list[tuple[str | None, str]]:
    """The turn's translations, consecutive ones of the same target language joined."""
    runs: list[tuple[str | None, str]] = []
    for seg in turn:
        text = seg.translation_text
        if not text:
            continue
        lang = seg.translation_language
        if runs and runs[-1][0] == lang:
            runs[-1] = (lang, runs[-1][1] + " " + text)
        else:
            runs.append((lang, text))
    return runs


def _turn_start(turn: list[Segment]) -> int | None:
    for seg in turn:
        if seg.start_ms is not None:
            return seg.start_ms
    return None


# ------------------------------------------------------------------------------------------ TXT
def to_txt(transcript: Transcript) -> str:
    """``[hh:mm:ss] Name: text`` per turn, translations indented under it, a blank line between."""
    blocks: list[str] = []
    for turn in turns(transcript.segments()):
        prefix = ""
        start = _turn_start(turn)
        if start is not None:
            prefix += f"[{hms(start)}] "
        if turn[0].speaker is not None:
            prefix += f"{transcript.speaker_label(turn[0].speaker)}: "
        lines = [(prefix + " ".join(s.text for s in turn if s.text)).rstrip()]
        for lang, text in _translation_runs(turn):
            tag = f"[{lang}] " if lang else ""
            lines.append(f"    {tag}{text}")
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n" if blocks else ""


# -------------------------------------------------------------------------------------- SRT/VTT
@dataclass(frozen=True, slots=True)
class Cue:
    start_ms: int
    end_ms: int
    speaker: str | None
    lines: tuple[str, ...]
    #: The share of the segment's translation that goes with this cue (wrapped like ``lines``).
    translation: tuple[str, ...] = ()


@dataclass(slots=True)
class _Word:
    text: str
    start_ms: int | None
    end_ms: int | None


def _words(tokens: Iterable[Token]) -> list[_Word]:
    """Join sub-word tokens into words: a token starting with whitespace starts a new word."""
    words: list[_Word] = []
    for token in tokens:
        if token.is_marker or token.is_translation or not token.text:
            continue
        starts_word = not words or token.text[:1].isspace()
        text = token.text.strip()
        if starts_word:
            if not text:
                continue
            words.append(_Word(text, token.start_ms, token.end_ms))
            continue
        word = words[-1]
        word.text += text
        if word.start_ms is None:
            word.start_ms = token.start_ms
        if token.end_ms is not None:
            word.end_ms = token.end_ms
    return words


def build_cues(transcript: Transcript, *, reserve: Callable[[str | None], int] = lambda _s: 0) -> list[Cue]:
    """Subtitle cues: per segment, greedy over words within the line, line-count and time limits.

    ``reserve(speaker)`` is the number of characters the first line must leave free (SRT writes
    "Name: " in front of it). Words without timestamps ride along with their neighbours.
    """
    cues: list[Cue] = []
    for seg in transcript.segments():
        first_cue = len(cues)
        first_limit = max(MAX_LINE_CHARS - reserve(seg.speaker), MAX_LINE_CHARS // 2)
        lines: list[str] = []
        words: list[_Word] = []
        for word in _words(seg.tokens):
            if lines and _must_break(lines, words, word, first_limit):
                _add_cue(cues, seg.speaker, lines, words)
                lines, words = [], []
            limit = first_limit if len(lines) <= 1 else MAX_LINE_CHARS
            if lines and len(lines[-1]) + 1 + len(word.text) <= limit:
                lines[-1] += " " + word.text
            else:
                lines.append(word.text)
            words.append(word)
        _add_cue(cues, seg.speaker, lines, words)
        if seg.translation_text:
            _share_translation(cues, first_cue, seg.translation_text)
    return _monotonic(cues)


def _share_translation(cues: list[Cue], first: int, translation: str) -> None:
    """Give cues[first:] (one segment's cues) its translation, split in proportion to their text."""
    own = cues[first:]
    if not own:
        return
    words = translation.split()
    sizes = [sum(len(line) for line in cue.lines) for cue in own]
    total = sum(sizes) or 1
    taken = 0
    done = 0
    for i, (cue, size) in enumerate(zip(own, sizes, strict=True)):
        done += size
        upto = len(words) if i == len(own) - 1 else round(len(words) * done / total)
        part, taken = words[taken:upto], max(taken, upto)
        cues[first + i] = Cue(cue.start_ms, cue.end_ms, cue.speaker, cue.lines, _wrap_words(part))


def _wrap_words(words: list[str]) -> tuple[str, ...]:
    lines: list[str] = []
    for word in words:
        if lines and len(lines[-1]) + 1 + len(word) <= MAX_LINE_CHARS:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return tuple(lines)


def _must_break(lines: list[str], words: list[_Word], word: _Word, first_limit: int) -> bool:
    start = next((w.start_ms for w in words if w.start_ms is not None), None)
    if start is not None and word.end_ms is not None and word.end_ms - start > MAX_CUE_MS:
        return True
    if words[-1].text.endswith(_SENTENCE_END) and sum(map(len, lines)) >= SENTENCE_BREAK_CHARS:
        return True
    limit = first_limit if len(lines) == 1 else MAX_LINE_CHARS
    fits = len(lines[-1]) + 1 + len(word.text) <= limit
    return not fits and len(lines) >= MAX_LINES


def _add_cue(cues: list[Cue], speaker: str | None, lines: list[str], words: list[_Word]) -> None:
    starts = [w.start_ms for w in words if w.start_ms is not None]
    ends = [w.end_ms for w in words if w.end_ms is not None]
    if not lines or not starts:
        return  # nothing to show, or nothing to time it by
    start = starts[0]
    cues.append(Cue(start, max(ends) if ends else start, speaker, tuple(lines)))


def _monotonic(cues: list[Cue]) -> list[Cue]:
    """Players expect cue starts in order and ends after starts, even across a reconnect glitch."""
    result: list[Cue] = []
    previous_start = 0
    for cue in cues:
        start = max(cue.start_ms, previous_start)
        end = max(cue.end_ms, start)
        result.append(Cue(start, end, cue.speaker, cue.lines, cue.translation))
        previous_start = start
    return result


def _cue_lines(cue: Cue, translation: str) -> list[str]:
    """The text lines of a cue: the original, the original then its translation, or the translation."""
    if translation == "only":
        return list(cue.translation)
    if translation == "both":
        return [*cue.lines, *cue.translation]
    return list(cue.lines)


def to_srt(transcript: Transcript, *, translation: str = "none") -> str:
    """SubRip; ``translation`` is "none", "both" (original lines, then translation) or "only"."""

    def prefix(speaker: str | None) -> str:
        return f"{transcript.speaker_label(speaker)}: " if speaker is not None else ""

    blocks = []
    cues = build_cues(transcript, reserve=lambda s: len(prefix(s)))
    number = 0
    for cue in cues:
        lines = _cue_lines(cue, translation)
        if not lines:
            continue
        number += 1
        lines[0] = prefix(cue.speaker) + lines[0]
        blocks.append(f"{number}\n{srt_time(cue.start_ms)} --> {srt_time(cue.end_ms)}\n" + "\n".join(lines))
    return "\n\n".join(blocks) + "\n" if blocks else ""


def _vtt_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def to_vtt(transcript: Transcript, *, translation: str = "none") -> str:
    """WebVTT; ``translation`` as for :func:`to_srt` (in "both", the translation is in italics)."""
    blocks = ["WEBVTT"]
    for cue in build_cues(transcript):
        original = [_vtt_escape(line) for line in cue.lines] if translation != "only" else []
        translated = [_vtt_escape(line) for line in cue.translation] if translation != "none" else []
        if translation == "both":
            translated = [f"<i>{line}</i>" for line in translated]
        if not original and not translated:
            continue
        text = "\n".join(original + translated)
        if cue.speaker is not None:
            text = f"<v {_vtt_escape(transcript.speaker_label(cue.speaker))}>{text}"
        blocks.append(f"{vtt_time(cue.start_ms)} --> {vtt_time(cue.end_ms)}\n{text}")
    return "\n\n".join(blocks) + "\n"


# ----------------------------------------------------------------------------------------- JSON
def to_json(transcript: Transcript) -> str:
    """One token per line: diffable and greppable, yet a fraction of the size of full indentation."""
    data = transcript.to_dict()
    speakers = json.dumps(data["speakers"], ensure_ascii=False)
    tokens = ",\n".join("    " + json.dumps(t, ensure_ascii=False) for t in data["tokens"])
    body = f"[\n{tokens}\n  ]" if tokens else "[]"
    return f'{{\n  "speakers": {speakers},\n  "tokens": {body}\n}}\n'


# ------------------------------------------------------------------------------------- Markdown
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|])")


def md_escape(text: str) -> str:
    return _MD_SPECIAL.sub(r"\\\1", text)


def to_markdown(transcript: Transcript, *, title: str = "Transcript") -> str:
    """A heading, then per turn a bold name, time and language, its paragraphs and translations."""
    out = [f"# {md_escape(title)}"]
    for turn in turns(transcript.segments()):
        head: list[str] = []
        if turn[0].speaker is not None:
            head.append(f"**{md_escape(transcript.speaker_label(turn[0].speaker))}**")
        start = _turn_start(turn)
        if start is not None:
            head.append(hms(start))
        if turn[0].language:
            head.append(f"`{turn[0].language.upper()}`")
        if head:
            out.append(" · ".join(head))
        shown_language = turn[0].language
        for seg in turn:
            if seg.text:
                tag = ""
                if seg.language and seg.language != shown_language:
                    tag = f"`{seg.language.upper()}` "
                    shown_language = seg.language
                out.append(tag + md_escape(seg.text))
            if seg.translation_text:
                lang = seg.translation_language
                tag = f"`{lang.upper()}` " if lang else ""
                out.append(f"> {tag}*{md_escape(seg.translation_text)}*")
    return "\n\n".join(out) + "\n"
