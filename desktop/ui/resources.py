"""Find and load the files under ``resources/`` from a source tree, an install or a frozen build.

``--self-test`` calls :func:`load_all_resources` so a frozen bundle that lost a file fails its
smoke test instead of showing a broken window to a user.
"""

from __future__ import annotations

import sys
from functools import cache
from pathlib import Path

from PySide6.QtGui import QIcon, QPixmap

RESOURCE_FILES = (
    "icons/app.png",
    "icons/app-16.png",
    "icons/app-32.png",
    "icons/app-48.png",
    "icons/app-256.png",
    "style.qss",
)


@cache
def resources_dir() -> Path:
    candidates = []
    frozen_root = getattr(sys, "_MEIPASS", None)
    if frozen_root:
        candidates.append(Path(frozen_root) / "resources")
    package_dir = Path(__file__).resolve().parent.parent
    candidates.append(package_dir / "resources")  # installed wheel: desktop/resources
    candidates.append(package_dir.parent / "resources")  # source tree / editable install
    for candidate in candidates:
        if (candidate / "icons" / "app.png").is_file():
            return candidate
    raise FileNotFoundError("resources folder not found; looked in " + ", ".join(map(str, candidates)))


def resource_path(name: str) -> Path:
    return resources_dir() / name


def app_icon() -> QIcon:
    icon = QIcon()
    for size in (16, 32, 48, 256):
        icon.addFile(str(resource_path(f"icons/app-{size}.png")))
    return icon


def stylesheet() -> str:
    return resource_path("style.qss").read_text(encoding="utf-8")


def load_all_resources() -> list[str]:
    """Load every resource the app uses; raises if any is missing or unreadable."""
    loaded = []
    for name in RESOURCE_FILES:
        path = resource_path(name)
        if name.endswith(".png"):
            if QPixmap(str(path)).isNull():
                raise OSError(f"cannot load image resource {path}")
        else:
            path.read_text(encoding="utf-8")
        loaded.append(name)
    from desktop.ui.icons import load_all_icons  # here, not at import: QtSvg only when checking

    loaded.extend(load_all_icons())
    return loaded
