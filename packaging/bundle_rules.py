"""What the frozen app leaves out, as data and pure functions the spec applies and the tests check.

PyInstaller's Qt hooks collect every plugin and translation of the Qt modules they see, and the
dependency walk then pulls in the system libraries those plugins link (GTK's theme plugin alone
brings cairo, pango and friends). The app only uses QtCore, QtGui and QtWidgets, draws with the
raster engine, loads PNG icons and ships no Qt translations, so everything else is dead weight.
Each rule names why it is safe; ``tests/app/test_packaging.py`` pins the files that must stay.
"""

from __future__ import annotations

import os
import posixpath
import re
from collections.abc import Callable, Iterable, Sequence
from fnmatch import fnmatchcase
from pathlib import Path, PurePosixPath

#: The only Qt bindings the app imports (``grep -r PySide6 desktop``).
#: QtSvg draws the interface icons (resources/icons/ui/*.svg) through QSvgRenderer (desktop/ui/icons.py).
QT_MODULES_USED = ("QtCore", "QtGui", "QtSvg", "QtWidgets")

#: Other Qt bindings qasync names in its import fallbacks; collecting two bindings breaks the build.
OTHER_QT_BINDINGS = ("PyQt5", "PyQt6", "PySide2")

#: Standard-library and third-party modules the app never imports at run time. Each is reached
#: only from debugging or tooling code paths (numpy.testing -> unittest/doctest -> pdb -> pydoc,
#: websockets.cli -> readline, pydantic.mypy, numpy.f2py); the xref report of a build lists who
#: imports what (build/pyinstaller/soniox-desktop/xref-soniox-desktop.html).
PYTHON_EXCLUDES = (
    "tkinter",
    "turtle",
    "turtledemo",
    "idlelib",
    "lib2to3",
    "curses",
    "readline",
    "unittest",
    "doctest",
    "pdb",
    "pydoc",
    "pydoc_data",
    "xmlrpc",
    "ensurepip",
    "venv",
    "distutils",
    "setuptools",
    "pkg_resources",
    "dbm",
    "test",
    "pygments",
    "numpy.f2py",
    "numpy.distutils",
    "pydantic.mypy",
    "pydantic.v1.mypy",
    "IPython",
    "matplotlib",
)

#: Plugin folders no part of the app loads: Linux framebuffer/EGL input and devices
#: (egldeviceintegrations, generic), networking (gone with QtNetwork), GTK/portal themes (the app
#: styles itself; the GTK theme would load the system's GTK against bundled cairo/pango), SVG
#: icon engine (the app draws its SVG icons itself with QtSvg), GLX/EGL glue (raster only),
#: Wayland (XWayland serves it via xcb).
DROPPED_PLUGIN_FOLDERS = (
    "egldeviceintegrations",
    "generic",
    "networkinformation",
    "tls",
    "bearer",
    "platformthemes",
    "iconengines",
    "xcbglintegrations",
    "wayland-*",
    "virtualkeyboard",
    "sqldrivers",
    "qmltooling",
    "printsupport",
    "multimedia",
    "position",
    "renderers",
    "scenegraph",
)

#: Platform plugins kept, by stem: the desktop ones, plus offscreen and minimal for --self-test.
KEPT_PLATFORMS = ("qxcb", "qwindows", "qcocoa", "qoffscreen", "qminimal")

#: Image formats the app never reads (PNG is built into QtGui; ICO/JPEG/GIF stay for icons
#: and the standard file dialogs' previews; SVG icons go through QtSvg's renderer, not qsvg).
DROPPED_IMAGE_FORMATS = ("qpdf", "qtiff", "qwebp", "qicns", "qsvg", "qtga", "qwbmp")

#: Qt libraries only the dropped plugins or modules need. QtDBus stays: QtGui links it.
DROPPED_QT_LIBRARIES = (
    "Network",
    "Pdf",
    "SvgWidgets",
    "OpenGL",
    "OpenGLWidgets",
    "Qml",
    "QmlModels",
    "QmlMeta",
    "QmlWorkerScript",
    "Quick",
    "QuickWidgets",
    "QuickControls2",
    "VirtualKeyboard",
    "WaylandClient",
    "WaylandEglClientHwIntegration",
    "WlShellIntegration",
    "EglFSDeviceIntegration",
    "EglFsKmsSupport",
    "EglFsKmsGbmSupport",
    "PrintSupport",
    "Sql",
    "Xml",
    "Test",
    "Concurrent",
    "Designer",
    "Help",
    "UiTools",
)

#: Windows' software OpenGL (Mesa llvmpipe, ~20 MB): only for GL content, which the app has none of.
DROPPED_FILES = ("opengl32sw.dll",)

_QT_LIB_RE = re.compile(
    r"(?:^|/)(?:lib)?qt6?(" + "|".join(name.lower() for name in DROPPED_QT_LIBRARIES) + r")(?:\.|_debug\.|/|$)"
)

#: Files inside the resources folder that only packaging uses (embedded in the .exe / .app).
PACKAGING_ONLY_RESOURCES = ("*.ico", "*.icns")

TocEntry = tuple[str, str, str]


def python_excludes(pyside_modules: Iterable[str]) -> list[str]:
    """Module names for ``Analysis(excludes=...)``: unused PySide6 modules plus the fixed list."""
    unused_qt = sorted(f"PySide6.{name}" for name in pyside_modules if name not in QT_MODULES_USED)
    return [*unused_qt, *OTHER_QT_BINDINGS, *PYTHON_EXCLUDES]


def installed_pyside_modules() -> list[str]:
    """The Qt* extension modules of the installed PySide6 (names differ a little per version)."""
    import importlib.util

    spec = importlib.util.find_spec("PySide6")
    if spec is None or not spec.submodule_search_locations:
        return []
    folder = Path(next(iter(spec.submodule_search_locations)))
    names = {path.name.split(".")[0] for path in folder.iterdir() if path.suffix in {".so", ".pyd"}}
    return sorted(name for name in names if name.startswith("Qt"))


def _normal(dest: str) -> str:
    return PurePosixPath(dest.replace("\\", "/")).as_posix().lower()


def _stem(name: str) -> str:
    stem = name.split(".")[0]
    return stem[3:] if stem.startswith("lib") else stem


def drop_reason(dest: str) -> str | None:
    """Why the bundle leaves ``dest`` (a TOC destination path) out, or None to keep it."""
    path = _normal(dest)
    parts = path.split("/")
    if "translations" in parts and ("pyside6" in parts or path.endswith(".qm")):
        return "Qt translations"
    if "plugins" in parts:
        index = parts.index("plugins")
        folder = parts[index + 1] if len(parts) > index + 2 else ""
        name = parts[-1]
        if any(fnmatchcase(folder, pattern) for pattern in DROPPED_PLUGIN_FOLDERS):
            return f"Qt plugins: {folder}"
        if folder == "platforms" and _stem(name) not in KEPT_PLATFORMS:
            return "Qt plugins: platforms"
        if folder == "imageformats" and _stem(name) in DROPPED_IMAGE_FORMATS:
            return "Qt plugins: imageformats"
        if folder == "platforminputcontexts" and "virtualkeyboard" in name:
            return "Qt plugins: platforminputcontexts"
    if "pyside6" in parts and _QT_LIB_RE.search(path):
        return "Qt libraries"
    if parts[-1] in DROPPED_FILES:
        return "Windows software OpenGL"
    return None


def _symlink_target(dest: str, target: str) -> str:
    return os.path.normpath(os.path.join(os.path.dirname(dest), target))


def trim(
    binaries: Sequence[TocEntry],
    datas: Sequence[TocEntry],
    get_imports: Callable[[str], Iterable[tuple[str, str | None]]],
) -> tuple[list[TocEntry], list[TocEntry], dict[str, list[TocEntry]]]:
    """Apply :func:`drop_reason`, then drop what only dropped files needed, and dangling links.

    A library is an orphan when a dropped binary needs it (``get_imports``) and no kept binary
    does; removing only those never touches a library a hook collected for ``dlopen`` (such as
    PortAudio), because no dropped plugin links it. Raises ValueError when a kept binary links a
    dropped one. Returns the kept TOCs and a report ``{reason: [entry, ...]}``.
    """
    report: dict[str, list[TocEntry]] = {}

    def note(reason: str, entry: TocEntry) -> None:
        report.setdefault(reason, []).append(entry)

    kept_bins: list[TocEntry] = []
    dropped_bins: list[TocEntry] = []
    for entry in binaries:
        reason = None if entry[2] == "SYMLINK" else drop_reason(entry[0])
        if reason:
            note(reason, entry)
            dropped_bins.append(entry)
        else:
            kept_bins.append(entry)

    by_name: dict[str, list[TocEntry]] = {}
    for entry in kept_bins:
        if entry[2] != "SYMLINK":
            by_name.setdefault(os.path.basename(entry[0]).lower(), []).append(entry)

    imports_cache: dict[str, set[str]] = {}

    def needed(entry: TocEntry) -> set[str]:
        src = entry[1]
        if src not in imports_cache:
            try:
                imports_cache[src] = {os.path.basename(name).lower() for name, _path in get_imports(src)}
            except Exception:  # not a binary it can read: it needs nothing we know of
                imports_cache[src] = set()
        return imports_cache[src]

    def closure(roots: Iterable[TocEntry]) -> set[str]:
        seen: set[str] = set()
        queue = list(roots)
        while queue:
            for name in needed(queue.pop()):
                if name not in seen:
                    seen.add(name)
                    queue.extend(by_name.get(name, []))
        return seen

    candidates = closure(dropped_bins) & by_name.keys()
    roots = [e for e in kept_bins if e[2] != "SYMLINK" and os.path.basename(e[0]).lower() not in candidates]
    still_needed = closure(roots)
    orphans = candidates - still_needed
    broken = still_needed & {os.path.basename(e[0]).lower() for e in dropped_bins}
    if broken:  # a rule dropped a library something kept links: fail the build, not the user's start
        raise ValueError(f"trim rules drop libraries that kept files link: {sorted(broken)}")
    final_bins = []
    for entry in kept_bins:
        if entry[2] != "SYMLINK" and os.path.basename(entry[0]).lower() in orphans:
            note("libraries only dropped files needed", entry)
        else:
            final_bins.append(entry)

    kept_datas = []
    for entry in datas:
        reason = None if entry[2] == "SYMLINK" else drop_reason(entry[0])
        if reason:
            note(reason, entry)
        else:
            kept_datas.append(entry)

    dangling = dangling_links([*final_bins, *kept_datas])
    for entry in dangling:
        note("links to dropped files", entry)
    final_bins = [e for e in final_bins if e not in dangling]
    kept_datas = [e for e in kept_datas if e not in dangling]
    return final_bins, kept_datas, report


def dangling_links(toc: Sequence[TocEntry]) -> list[TocEntry]:
    """SYMLINK entries whose target is no longer collected.

    Targets are resolved through other links first: a macOS framework's ``QtCore`` link points
    at ``Versions/Current/QtCore`` and ``Current`` is itself a link to ``A``. A link to a folder
    lives as long as any collected file is inside it.
    """
    links = {_normal(e[0]): _normal(_symlink_target(e[0], e[1])) for e in toc if e[2] == "SYMLINK"}
    files = {_normal(e[0]) for e in toc if e[2] != "SYMLINK"}
    folders = {str(parent) for f in files for parent in PurePosixPath(f).parents}

    def resolve(path: str) -> str:
        for _ in range(40):  # bounded: a link cycle must not hang the build
            parts = path.split("/")
            for i in range(len(parts), 0, -1):
                prefix = "/".join(parts[:i])
                if prefix in links:
                    path = posixpath.normpath("/".join([links[prefix], *parts[i:]]))
                    break
            else:
                return path
        return path

    alive = files | folders
    return [e for e in toc if e[2] == "SYMLINK" and resolve(_normal(e[0])) not in alive]


def resource_datas(root: Path) -> list[tuple[str, str]]:
    """``(source, destination folder)`` pairs for every run-time file under ``resources/``."""
    resources = root / "resources"
    pairs = []
    for path in sorted(resources.rglob("*")):
        if path.is_file() and not any(fnmatchcase(path.name, p) for p in PACKAGING_ONLY_RESOURCES):
            pairs.append((str(path), str(path.parent.relative_to(root))))
    return pairs


def _size(entry: TocEntry) -> int:
    try:
        return 0 if entry[2] == "SYMLINK" else os.path.getsize(entry[1])
    except OSError:
        return 0


def report_lines(report: dict[str, list[TocEntry]]) -> list[str]:
    """One line per reason: how many files and bytes (before compression) it dropped, biggest first."""
    rows = [(sum(map(_size, entries)), reason, len(entries)) for reason, entries in report.items()]
    return [f"{size / 1e6:7.1f} MB  {count:4d} files  {reason}" for size, reason, count in sorted(rows, reverse=True)]
