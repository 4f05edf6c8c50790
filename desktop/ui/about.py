"""The About box: versions and where the app keeps its files (what a bug report needs)."""

from __future__ import annotations

import platform
import sys
from importlib import metadata

import PySide6
from PySide6.QtCore import qVersion
from PySide6.QtWidgets import QMessageBox, QWidget

from desktop import APP_NAME, __version__
from desktop.core.context import AppContext


def _version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "?"


def about_text(context: AppContext) -> str:
    return (
        f"<h3>{APP_NAME} {__version__}</h3>"
        "<p>Live transcription and file jobs with the Soniox speech-to-text API.</p>"
        f"<p>Soniox SDK {_version('soniox')} · Qt {qVersion()} · PySide6 {PySide6.__version__} · "
        f"Python {sys.version.split()[0]} · {platform.system()} {platform.release()}</p>"
        f"<p>Settings: {context.paths.config_dir}<br>Data: {context.paths.data_dir}<br>"
        f"Logs: {context.paths.log_dir}</p>"
    )


def show_about(parent: QWidget, context: AppContext) -> None:
    box = QMessageBox(parent)
    box.setObjectName("aboutDialog")
    box.setWindowTitle(f"About {APP_NAME}")
    box.setIconPixmap(parent.windowIcon().pixmap(64, 64))
    box.setText(about_text(context))
    box.setStandardButtons(QMessageBox.StandardButton.Ok)
    box.open()
