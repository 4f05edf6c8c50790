"""Drop files or links anywhere on the window to transcribe them, with a visible highlight.

Qt delivers a drag to the innermost widget under the cursor that accepts drops, which could be
any panel or text field. So the controller watches drag events for the whole application and
takes those aimed at its window that carry file or http(s) URLs; text drags into a text field
are left alone. While such a drag is over the window an overlay covers it (palette highlight,
translucent) saying what will happen; it ignores the mouse so it never steals the drop.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QEvent, QMimeData, QObject, Qt, QUrl
from PySide6.QtGui import QColor, QDragEnterEvent, QDragMoveEvent, QDropEvent, QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import QApplication, QDockWidget, QLabel, QVBoxLayout, QWidget

DRAG_EVENTS = (QEvent.Type.DragEnter, QEvent.Type.DragMove, QEvent.Type.DragLeave, QEvent.Type.Drop)


def split_mime(mime: QMimeData) -> tuple[list[Path], list[str]]:
    """Local files and remote http(s) URLs carried by a drag (a browser link counts as a URL)."""
    paths: list[Path] = []
    urls: list[str] = []
    candidates: list[QUrl] = list(mime.urls()) if mime.hasUrls() else []
    if not candidates and mime.hasText():
        for line in mime.text().splitlines():
            url = QUrl(line.strip())
            if url.isValid() and url.scheme().lower() in ("http", "https", "file"):
                candidates.append(url)
    for url in candidates:
        if url.isLocalFile():
            paths.append(Path(url.toLocalFile()))
        elif url.scheme().lower() in ("http", "https"):
            urls.append(url.toString())
    return paths, urls


class DropOverlay(QWidget):
    """The highlight shown over the window while files are dragged over it."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("dropOverlay")
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.setAttribute(Qt.WidgetAttribute.WA_NoSystemBackground)
        self.label = QLabel("Drop audio or video files, or a link, to transcribe them", self)
        self.label.setObjectName("dropOverlayText")
        self.label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.label.setWordWrap(True)
        font = self.label.font()
        font.setPointSizeF(font.pointSizeF() * 1.4)
        font.setBold(True)
        self.label.setFont(font)
        self.label.setForegroundRole(QPalette.ColorRole.HighlightedText)
        layout = QVBoxLayout(self)
        layout.addWidget(self.label)
        self.hide()

    def show_over(self, text: str) -> None:
        self.label.setText(text)
        parent = self.parentWidget()
        if parent is not None:
            self.setGeometry(parent.rect())
        self.raise_()
        self.show()

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        painter = QPainter(self)
        highlight = QColor(self.palette().color(QPalette.ColorRole.Highlight))
        fill = QColor(highlight)
        fill.setAlpha(150)
        painter.fillRect(self.rect(), fill)
        pen = painter.pen()
        pen.setColor(highlight)
        pen.setWidth(4)
        pen.setStyle(Qt.PenStyle.DashLine)
        painter.setPen(pen)
        painter.drawRoundedRect(self.rect().adjusted(6, 6, -6, -6), 10, 10)
        painter.end()


class FileDropController(QObject):
    """Makes ``window`` accept dropped files and links; calls ``on_paths``/``on_urls`` on drop."""

    def __init__(
        self,
        window: QWidget,
        on_paths: Callable[[list[Path]], None],
        on_urls: Callable[[list[str]], None],
    ) -> None:
        super().__init__(window)
        self.setObjectName("fileDropController")
        self.window = window
        self.on_paths = on_paths
        self.on_urls = on_urls
        self.overlay = DropOverlay(window)
        window.setAcceptDrops(True)
        app = QApplication.instance()
        assert app is not None
        app.installEventFilter(self)
        window.destroyed.connect(self._detach)

    def _detach(self) -> None:
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)

    def _targets_window(self, obj: QObject) -> bool:
        if obj is self.window:
            return True
        if not isinstance(obj, QWidget):
            return False
        top = obj.window()
        if top is self.window:
            return True
        # A floating dock (the jobs panel undocked) is its own window but still part of ours.
        owner = top.parentWidget()
        return isinstance(top, QDockWidget) and owner is not None and owner.window() is self.window

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802
        kind = event.type()
        if kind not in DRAG_EVENTS or not self._targets_window(obj):
            return False
        if kind == QEvent.Type.DragLeave:
            # Moving onto another drop-accepting child sends DragLeave then DragEnter, which shows
            # the overlay again at once; so hiding on every leave is right and never flickers long.
            self.overlay.hide()
            return False
        assert isinstance(event, (QDragEnterEvent, QDragMoveEvent, QDropEvent))
        paths, urls = split_mime(event.mimeData())
        if not paths and not urls:
            return False  # plain text into a text field etc.: not ours
        if kind == QEvent.Type.Drop:
            self.overlay.hide()
            event.setDropAction(Qt.DropAction.CopyAction)
            event.accept()
            if paths:
                self.on_paths(paths)
            if urls:
                self.on_urls(urls)
            return True
        event.setDropAction(Qt.DropAction.CopyAction)
        event.accept()
        over_our_window = isinstance(obj, QWidget) and obj.window() is self.window
        if over_our_window and (kind == QEvent.Type.DragEnter or not self.overlay.isVisible()):
            self.overlay.show_over(self._describe(paths, urls))
        return True

    @staticmethod
    def _describe(paths: list[Path], urls: list[str]) -> str:
        parts = []
        if paths:
            parts.append(f"{len(paths)} file" + ("" if len(paths) == 1 else "s"))
        if urls:
            parts.append(f"{len(urls)} link" + ("" if len(urls) == 1 else "s"))
        return f"Drop to transcribe {' and '.join(parts)}"
