"""How the caption overlay looks and where it sits, remembered per screen (Qt-free).

Kept as one JSON string in ``settings.ui_state["captions"]`` (ui_state holds text only). Every
value is checked on load: a hand-edited or corrupt entry falls back to the default for that value
and never stops the overlay from opening.
"""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass, field
from typing import Any

log = logging.getLogger(__name__)

LINES_CHOICES = (1, 2, 3)
FONT_RANGE = (12, 72)
OPACITY_RANGE = (0.2, 1.0)


@dataclass
class CaptionPrefs:
    lines: int = 2
    font_pt: int = 26
    opacity: float = 0.75
    locked: bool = True
    show_original: bool = True  # with translation: the original above the translation, smaller
    #: screen name -> [x, y, width, height] in that screen's logical pixels
    geometry: dict[str, list[int]] = field(default_factory=dict)
    #: screen name -> that screen's lines, font_pt, opacity and locked (a projector wants bigger
    #: type than the laptop): applied when the overlay is placed on that screen
    screens: dict[str, dict[str, Any]] = field(default_factory=dict)

    def use_screen(self, name: str) -> None:
        """Take the look remembered for screen ``name`` (the current one stays if none is)."""
        saved = self.screens.get(name)
        if not saved:
            return
        self.lines = _choice(saved.get("lines"), LINES_CHOICES, self.lines)
        self.font_pt = _int_in(saved.get("font_pt"), FONT_RANGE, self.font_pt)
        self.opacity = _float_in(saved.get("opacity"), OPACITY_RANGE, self.opacity)
        locked = saved.get("locked")
        self.locked = locked if isinstance(locked, bool) else self.locked

    def remember_screen(self, name: str) -> None:
        """Keep the current look as screen ``name``'s."""
        self.screens[name] = {
            "lines": self.lines,
            "font_pt": self.font_pt,
            "opacity": self.opacity,
            "locked": self.locked,
        }

    def to_json(self) -> str:
        return json.dumps(asdict(self), separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> CaptionPrefs:
        prefs = cls()
        if not text:
            return prefs
        try:
            data = json.loads(text)
        except ValueError:
            log.warning("Ignoring unreadable caption settings")
            return prefs
        if not isinstance(data, dict):
            return prefs
        prefs.lines = _choice(data.get("lines"), LINES_CHOICES, prefs.lines)
        prefs.font_pt = _int_in(data.get("font_pt"), FONT_RANGE, prefs.font_pt)
        prefs.opacity = _float_in(data.get("opacity"), OPACITY_RANGE, prefs.opacity)
        locked = data.get("locked")
        prefs.locked = locked if isinstance(locked, bool) else prefs.locked
        show = data.get("show_original")
        prefs.show_original = show if isinstance(show, bool) else prefs.show_original
        geometry = data.get("geometry")
        if isinstance(geometry, dict):
            prefs.geometry = {
                str(k): [int(x) for x in v]
                for k, v in geometry.items()
                if isinstance(v, list) and len(v) == 4 and all(isinstance(x, int) for x in v)
            }
        screens = data.get("screens")
        if isinstance(screens, dict):
            prefs.screens = {str(k): v for k, v in screens.items() if isinstance(v, dict)}
        return prefs


def _choice(value: Any, choices: tuple[int, ...], default: int) -> int:
    return value if isinstance(value, int) and value in choices else default


def _int_in(value: Any, bounds: tuple[int, int], default: int) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        return default
    return min(max(value, bounds[0]), bounds[1])


def _float_in(value: Any, bounds: tuple[float, float], default: float) -> float:
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        return default
    return min(max(float(value), bounds[0]), bounds[1])
