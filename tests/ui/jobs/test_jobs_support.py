"""Shared set-up for the jobs panel tests: a panel on the emulator with fast polling and retries.

Holds no tests itself; the other ``test_jobs_*``/``test_files_*``/``test_drop*`` modules import
its helpers, and each defines a ``host`` fixture with :func:`panel_host`.
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Iterator
from pathlib import Path

from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDragLeaveEvent, QDragMoveEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QMainWindow, QWidget

from desktop.core.backoff import Backoff
from desktop.core.jobs.retry import RetryPolicy
from desktop.ui.jobs.side_panel import JobsSidePanel


def fast_poll() -> Backoff:
    return Backoff(initial=0.02, factor=2, cap=0.1, jitter=0)


FAST_RETRY = RetryPolicy(attempts=3, initial_s=0.02, cap_s=0.05)


def wav_file(folder: Path, name: str = "talk.wav", seconds: float = 2.0) -> Path:
    rate = 16000
    data = b"\x00\x01" * int(seconds * rate)
    header = b"RIFF" + struct.pack("<I", 36 + len(data)) + b"WAVE"
    fmt = b"fmt " + struct.pack("<IHHIIHH", 16, 1, 1, rate, rate * 2, 2, 16)
    path = folder / name
    path.write_bytes(header + fmt + b"data" + struct.pack("<I", len(data)) + data)
    return path


def mime_for(paths: list[Path] = (), urls: list[str] = ()) -> QMimeData:  # type: ignore[assignment]
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths] + [QUrl(u) for u in urls])
    return mime


def drag_enter(target: QWidget, mime: QMimeData, at: tuple[int, int] = (40, 40)) -> QDragEnterEvent:
    event = QDragEnterEvent(
        QPoint(*at), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    )
    QApplication.sendEvent(target, event)
    return event


def drag_move(target: QWidget, mime: QMimeData, at: tuple[int, int] = (60, 60)) -> QDragMoveEvent:
    event = QDragMoveEvent(
        QPoint(*at), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    )
    QApplication.sendEvent(target, event)
    return event


def drag_leave(target: QWidget) -> None:
    QApplication.sendEvent(target, QDragLeaveEvent())


def drop(target: QWidget, mime: QMimeData, at: tuple[int, int] = (60, 60)) -> QDropEvent:
    event = QDropEvent(
        QPointF(*at), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    )
    QApplication.sendEvent(target, event)
    return event


def drag_and_drop(target: QWidget, mime: QMimeData) -> QDropEvent:
    """The sequence a real drag sends: enter, move, drop."""
    assert drag_enter(target, mime).isAccepted()
    drag_move(target, mime)
    return drop(target, mime)


class PanelHost(QMainWindow):
    """A bare main window holding the panel, as the app's main window does."""

    def __init__(self, panel_factory: Callable[[QWidget], JobsSidePanel]) -> None:
        super().__init__()
        self.setObjectName("testHost")
        self.resize(900, 640)
        self.panel = panel_factory(self)
        self.setCentralWidget(self.panel)
        self.panel.install_drop_target(self)


def panel_host(qtbot, fake_soniox, make_context, **panel_options: object) -> Iterator[PanelHost]:  # noqa: ANN001
    """Body of each module's ``host`` fixture: the panel on the emulator, shown, shut down after."""
    ctx = make_context(fake_soniox, key="test-key")
    options = {"poll_backoff": fast_poll(), "retry_policy": FAST_RETRY, "page_size": 100, **panel_options}
    window = PanelHost(lambda parent: JobsSidePanel(ctx, parent, **options))  # type: ignore[arg-type]
    qtbot.addWidget(window)
    window.show()
    window.panel.refresh()  # what the main window does once the connection check passes
    yield window
    window.panel.shutdown()
