"""Colours and character formats of the transcript, derived from the widget's palette.

Nothing here is a fixed black or white: speaker colours keep a stable hue per speaker and get
their lightness from the palette's base colour, then are nudged until they reach a readable
contrast against it, so the same speaker is "the blue one" in a light and in a dark theme.
Everything is recomputed when the palette changes.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field
from enum import IntEnum

from PySide6.QtGui import QColor, QFont, QPalette, QTextCharFormat, QTextFormat

from desktop.core.transcript import YOU_SPEAKER_ID

#: Hand-picked, well separated hues (degrees) for the first speakers; later ones rotate further.
SPEAKER_HUES = (212, 18, 135, 275, 42, 185, 328, 95)
_GOLDEN_ANGLE = 137.508

#: Custom QTextFormat properties: what a fragment is, and whose it is.
ROLE_PROPERTY = QTextFormat.Property.UserProperty + 1
SPEAKER_PROPERTY = QTextFormat.Property.UserProperty + 2
BLOCK_KIND_PROPERTY = QTextFormat.Property.UserProperty + 3
BLOCK_SPEAKER_PROPERTY = QTextFormat.Property.UserProperty + 4

SPEAKER_HREF_PREFIX = "speaker:"


class Role(IntEnum):
    """What a run of text in the transcript document shows (stored in :data:`ROLE_PROPERTY`)."""

    PLAIN = 0  # separators between label and time
    FINAL = 1
    TAIL = 2
    LABEL = 3
    TIME = 4
    LANGUAGE = 5
    TRANSLATION = 6
    TAIL_TRANSLATION = 7
    MARKER = 8


def relative_luminance(color: QColor) -> float:
    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(color.redF()) + 0.7152 * channel(color.greenF()) + 0.0722 * channel(color.blueF())


def contrast_ratio(a: QColor, b: QColor) -> float:
    """WCAG contrast ratio, 1 (none) to 21 (black on white)."""
    la, lb = relative_luminance(a), relative_luminance(b)
    hi, lo = max(la, lb), min(la, lb)
    return (hi + 0.05) / (lo + 0.05)


def is_dark(palette: QPalette) -> bool:
    """Judged from the text background itself, so a dark palette set on one widget counts."""
    return palette.color(QPalette.ColorRole.Base).lightness() < 128


def blend(a: QColor, b: QColor, t: float) -> QColor:
    """``a`` moved by ``t`` (0..1) towards ``b``."""
    return QColor.fromRgbF(
        a.redF() + (b.redF() - a.redF()) * t,
        a.greenF() + (b.greenF() - a.greenF()) * t,
        a.blueF() + (b.blueF() - a.blueF()) * t,
    )


def ensure_contrast(color: QColor, background: QColor, minimum: float) -> QColor:
    """Shift ``color``'s lightness away from the background until the contrast is at least ``minimum``."""
    if contrast_ratio(color, background) >= minimum:
        return color
    dark_bg = background.lightnessF() < 0.5
    # The four getters, not getHslF(): the stubs type its tuple as ``object``. Hue is -1 for greys, as there.
    h, s, lightness, a = color.hslHueF(), color.hslSaturationF(), color.lightnessF(), color.alphaF()
    for _ in range(40):
        lightness = min(1.0, lightness + 0.025) if dark_bg else max(0.0, lightness - 0.025)
        candidate = QColor.fromHslF(max(h, 0.0), s, lightness, a)
        if contrast_ratio(candidate, background) >= minimum or lightness in (0.0, 1.0):
            return candidate
    return color


def speaker_index(speaker_id: str) -> int:
    """Soniox numbers speakers "1", "2", ...; anything else still gets a stable slot."""
    if speaker_id.isdigit():
        return max(int(speaker_id) - 1, 0)
    return zlib.crc32(speaker_id.encode("utf-8"))


#: "You" in a meeting: a hue of its own, away from the first three speakers' (blue, orange, green),
#: so the user's words never look like a diarized speaker's (by its id's hash it matched Speaker 7).
YOU_HUE = 300.0


def speaker_hue(speaker_id: str) -> float:
    if speaker_id == YOU_SPEAKER_ID:
        return YOU_HUE
    index = speaker_index(speaker_id)
    if index < len(SPEAKER_HUES):
        return float(SPEAKER_HUES[index])
    return (SPEAKER_HUES[index % len(SPEAKER_HUES)] + _GOLDEN_ANGLE * (index // len(SPEAKER_HUES))) % 360


def speaker_color(speaker_id: str, palette: QPalette) -> QColor:
    """A stable, readable colour for ``speaker_id`` on this palette's text background."""
    base = palette.color(QPalette.ColorRole.Base)
    dark = is_dark(palette)
    color = QColor.fromHslF(speaker_hue(speaker_id) / 360.0, 0.62 if dark else 0.78, 0.68 if dark else 0.36)
    return ensure_contrast(color, base, 4.5)


@dataclass
class TranscriptStyles:
    """Every colour and format the transcript document uses, for one palette and font."""

    palette: QPalette
    font: QFont
    text: QColor = field(init=False)
    tail: QColor = field(init=False)
    translation: QColor = field(init=False)
    muted: QColor = field(init=False)
    marker: QColor = field(init=False)
    pill_fg: QColor = field(init=False)
    pill_bg: QColor = field(init=False)
    match_bg: QColor = field(init=False)
    current_match_bg: QColor = field(init=False)
    current_match_fg: QColor = field(init=False)
    _speaker_cache: dict[str, QColor] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        pal = self.palette
        base = pal.color(QPalette.ColorRole.Base)
        self.text = pal.color(QPalette.ColorRole.Text)
        placeholder = pal.color(QPalette.ColorRole.PlaceholderText)
        if contrast_ratio(placeholder, base) < 2.5 or placeholder.alpha() < 255:
            placeholder = blend(self.text, base, 0.45)
        self.tail = ensure_contrast(placeholder, base, 3.0)
        self.muted = ensure_contrast(blend(self.text, base, 0.4), base, 3.0)
        link = pal.color(QPalette.ColorRole.Link)
        self.translation = ensure_contrast(blend(self.text, link, 0.6), base, 4.5)
        self.marker = ensure_contrast(blend(self.text, base, 0.55), base, 2.0)
        self.pill_fg = ensure_contrast(blend(self.text, base, 0.15), base, 4.5)
        self.pill_bg = blend(base, self.text, 0.1)
        highlight = pal.color(QPalette.ColorRole.Highlight)
        self.match_bg = blend(base, highlight, 0.35)
        self.current_match_bg = highlight
        self.current_match_fg = pal.color(QPalette.ColorRole.HighlightedText)

    @property
    def small_point_size(self) -> float:
        size = self.font.pointSizeF()
        return max(size * 0.85, 6.0) if size > 0 else 8.0

    def speaker_color(self, speaker_id: str | None) -> QColor:
        if speaker_id is None:
            return self.muted
        color = self._speaker_cache.get(speaker_id)
        if color is None:
            color = self._speaker_cache[speaker_id] = speaker_color(speaker_id, self.palette)
        return color

    def char_format(self, role: Role, speaker_id: str | None = None) -> QTextCharFormat:
        """The format of one role; ``speaker_id`` matters for labels (colour and link target)."""
        fmt = QTextCharFormat()
        fmt.setProperty(ROLE_PROPERTY, int(role))
        if speaker_id is not None:
            fmt.setProperty(SPEAKER_PROPERTY, speaker_id)
        if role == Role.TAIL:
            fmt.setForeground(self.tail)
            fmt.setFontItalic(True)
        elif role == Role.LABEL:
            fmt.setForeground(self.speaker_color(speaker_id))
            fmt.setFontWeight(QFont.Weight.Bold)
            if speaker_id is not None:
                fmt.setAnchor(True)
                fmt.setAnchorHref(SPEAKER_HREF_PREFIX + speaker_id)
                fmt.setToolTip("Click to rename this speaker (F2)")
        elif role == Role.TIME:
            fmt.setForeground(self.muted)
            fmt.setFontPointSize(self.small_point_size)
        elif role == Role.LANGUAGE:
            fmt.setForeground(self.pill_fg)
            fmt.setBackground(self.pill_bg)
            fmt.setFontWeight(QFont.Weight.DemiBold)
            fmt.setFontPointSize(self.small_point_size)
        elif role == Role.TRANSLATION:
            fmt.setForeground(self.translation)
            fmt.setFontItalic(True)
        elif role == Role.TAIL_TRANSLATION:
            fmt.setForeground(self.tail)
            fmt.setFontItalic(True)
        elif role == Role.MARKER:
            fmt.setForeground(self.marker)
        return fmt
