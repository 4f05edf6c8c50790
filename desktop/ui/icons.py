"""The app's own interface icons: SVG files under ``resources/icons/ui``, tinted to the palette.

Each SVG draws with ``currentColor``; an icon is rendered with the palette's text colour in
place of it (and the disabled text colour for the disabled state), so one file serves light and
dark themes. Rendering goes through QtSvg's :class:`QSvgRenderer` directly, not through Qt's
``qsvg`` image-format or icon-engine plugins, so the bundle only needs the QtSvg library.

:func:`set_icon` remembers which icon a widget shows and repaints it when the application
palette changes (the OS switched between light and dark), as a hard-coded pixmap would not.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from functools import cache

from PySide6.QtCore import QByteArray, QObject, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QGuiApplication, QIcon, QImage, QPainter, QPalette, QPixmap
from PySide6.QtSvg import QSvgRenderer
from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel, QToolButton, QWidget

from desktop.ui.resources import resource_path

#: Every icon the app uses; ``--self-test`` loads each so a bundle that lost one fails there.
ICON_NAMES = (
    "alert",
    "check",
    "chevron-down",
    "chevron-right",
    "clock",
    "download",
    "file-audio",
    "history",
    "inbox",
    "info",
    "link",
    "list",
    "loader",
    "mic",
    "pause",
    "play",
    "record",
    "refresh",
    "search",
    "settings",
    "sliders",
    "stop",
    "trash",
    "upload",
    "waveform",
)

#: Sizes (logical pixels) rendered into each QIcon; Qt picks the nearest for a button.
_SIZES = (16, 24, 32, 48)


@cache
def svg_source(name: str) -> str:
    """The SVG text of icon ``name`` (raises FileNotFoundError for an unknown name)."""
    return resource_path(f"icons/ui/{name}.svg").read_text(encoding="utf-8")


def render(name: str, size: int, color: QColor, ratio: float = 1.0) -> QPixmap:
    """Icon ``name`` drawn ``size`` logical pixels square in ``color`` at device pixel ``ratio``."""
    data = svg_source(name).replace("currentColor", color.name(QColor.NameFormat.HexRgb))
    renderer = QSvgRenderer(QByteArray(data.encode("utf-8")))
    if not renderer.isValid():
        raise ValueError(f"icon {name!r} is not a valid SVG")
    pixels = max(1, round(size * ratio))
    image = QImage(pixels, pixels, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    if color.alpha() < 255:
        painter.setOpacity(color.alphaF())
    renderer.render(painter, QRectF(0, 0, pixels, pixels))
    painter.end()
    pixmap = QPixmap.fromImage(image)
    pixmap.setDevicePixelRatio(ratio)
    return pixmap


def _ratio() -> float:
    app = QGuiApplication.instance()
    screen = QGuiApplication.primaryScreen() if app is not None else None
    return screen.devicePixelRatio() if screen is not None else 1.0


def icon(
    name: str, palette: QPalette | None = None, *, role: QPalette.ColorRole = QPalette.ColorRole.ButtonText
) -> QIcon:
    """A QIcon of ``name`` in ``palette``'s ``role`` colour, with a dimmed disabled state."""
    pal = palette or QGuiApplication.palette()
    normal = pal.color(QPalette.ColorGroup.Active, role)
    disabled = pal.color(QPalette.ColorGroup.Disabled, role)
    ratio = _ratio()
    result = QIcon()
    for size in _SIZES:
        shown = render(name, size, normal, ratio)
        result.addPixmap(shown, QIcon.Mode.Normal)
        result.addPixmap(shown, QIcon.Mode.Active)
        result.addPixmap(render(name, size, disabled, ratio), QIcon.Mode.Disabled)
    return result


class _Retinter(QObject):
    """Re-applies every bound icon when the application palette changes (light ↔ dark)."""

    def __init__(self, app: QGuiApplication) -> None:
        super().__init__(app)
        self._bound: list[tuple[weakref.ref[QWidget], Callable[[QWidget], None]]] = []
        app.paletteChanged.connect(self.retint)

    def bind(self, widget: QWidget, apply: Callable[[QWidget], None]) -> None:
        self._bound = [(ref, fn) for ref, fn in self._bound if ref() is not None and ref() is not widget]
        self._bound.append((weakref.ref(widget), apply))
        apply(widget)

    def retint(self, *_args: object) -> None:
        alive = []
        for ref, apply in self._bound:
            widget = ref()
            if widget is None:
                continue
            try:
                apply(widget)
            except RuntimeError:  # the C++ widget is gone though the wrapper lives on
                continue
            alive.append((ref, apply))
        self._bound = alive


_retinter: _Retinter | None = None


def _bind(widget: QWidget, apply: Callable[[QWidget], None]) -> None:
    global _retinter
    app = QApplication.instance()
    if not isinstance(app, QGuiApplication):
        apply(widget)
        return
    if _retinter is None or _retinter.parent() is not app:
        _retinter = _Retinter(app)
    _retinter.bind(widget, apply)


def set_icon(
    button: QAbstractButton, name: str, size: int = 16, *, role: QPalette.ColorRole = QPalette.ColorRole.ButtonText
) -> None:
    """Show icon ``name`` on ``button`` now and after every palette change."""

    def apply(widget: QWidget) -> None:
        assert isinstance(widget, QAbstractButton)
        tinted = icon(name, widget.palette(), role=role)
        action = widget.defaultAction() if isinstance(widget, QToolButton) else None
        if action is not None:
            action.setIcon(tinted)  # a tool button re-reads its action's icon on every change
        else:
            widget.setIcon(tinted)
        widget.setIconSize(QSize(size, size))

    _bind(button, apply)


def set_pixmap(
    label: QLabel, name: str, size: int, *, role: QPalette.ColorRole = QPalette.ColorRole.PlaceholderText
) -> None:
    """Show icon ``name`` as ``label``'s picture, in ``role``'s colour, now and after palette changes."""

    def apply(widget: QWidget) -> None:
        assert isinstance(widget, QLabel)
        widget.setPixmap(render(name, size, widget.palette().color(role), _ratio()))

    _bind(label, apply)


def load_all_icons() -> list[str]:
    """Render every icon once (for ``--self-test``); raises if a file is missing or not SVG."""
    for name in ICON_NAMES:
        if render(name, 16, QColor("black")).isNull():
            raise OSError(f"cannot render icon {name}")
    return [f"icons/ui/{name}.svg" for name in ICON_NAMES]
