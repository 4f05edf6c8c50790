"""What the frozen app leaves out, as data and pure functions the spec applies and the tests check.

PyInstaller's Qt hooks collect every plugin and translation of the Qt modules they see, and the
dependency walk then pulls in the system libraries those plugins link (GTK's theme plugin alone
brings cairo, pango and friends). The app only uses QtCore, QtGui and QtWidgets, draws with the
raster engine, loads PNG and SVG icons and ships no Qt translations, so everything else is dead
weight.
Each rule names why it is safe; ``tests/app/test_packaging.py`` pins the files that must stay.
"""

from __future__ import annotations

import os
import posixpath
import re
from collections.abc import Callable, Iterable, Sequence
from fnmatch import fnmatchcase
from pathlib import Path, PurePosixPath

#: The only Qt bindings the app imports (``grep -r PySide6 desktop``), plus QtSvg for rendering
#: and tinting the SVG icon set in resources/ (0.1 MB).
QT_MODULES_USED = ("QtCore", "QtGui", "QtWidgets", "QtSvg")

#: Other Qt bindings qasync names in its import fallbacks; collecting two bindings breaks the build.
OTHER_QT_BINDINGS = ("PyQt5", "PyQt6", "PySide2")

#: Standard-library and third-party modules the app never imports at run time. Each is reached
#: only from debugging or tooling code paths (numpy.testing -> unittest/doctest -> pdb -> pydoc,
#: websockets.cli -> readline, pydantic.mypy, numpy.f2py), or only lazily, by an attribute or a
#: feature the app never uses: numpy loads random, fft, polynomial, ma, ctypeslib on first
#: ``np.random`` (3 MB of extensions); httpx imports its command-line client (click, rich,
#: markdown-it) in a ``try`` and falls back without it; websockets loads its legacy and trio
#: APIs on first use; concurrent.futures loads multiprocessing for process pools only; decimal
#: uses _pydecimal only without its C module; pydantic imports its V1 API only for V1-style
#: models and types (``__get_validators__``), which neither the SDK nor the app defines. The
#: xref report of a build lists who imports what (build/pyinstaller/soniox-desktop/
#: xref-soniox-desktop.html); tests/app/test_packaging.py imports every desktop module with
#: these unimportable and checks none of them is loaded.
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
    "pydantic.v1",
    "IPython",
    "matplotlib",
    "numpy.random",
    "numpy.fft",
    "numpy.polynomial",
    "numpy.ma",
    "numpy.testing",
    "numpy.ctypeslib",
    "numpy.lib.recfunctions",
    "numpy._core._multiarray_tests",
    "click",
    "rich",
    "markdown_it",
    "mdurl",
    "websockets.legacy",
    "websockets.trio",
    "websockets.cli",
    "anyio._backends._trio",
    "multiprocessing",
    "concurrent.futures.process",
    "_pydecimal",
)

#: Plugin folders no part of the app loads: Linux framebuffer/EGL input and devices
#: (egldeviceintegrations, generic), networking (gone with QtNetwork), GTK/portal themes (the app
#: styles itself; the GTK theme would load the system's GTK against bundled cairo/pango),
#: GLX/EGL glue (raster only), Wayland (XWayland serves it via xcb). The SVG icon engine
#: (iconengines/qsvgicon) stays: QIcon draws the SVG icons with it at every size.
DROPPED_PLUGIN_FOLDERS = (
    "egldeviceintegrations",
    "generic",
    "networkinformation",
    "tls",
    "bearer",
    "platformthemes",
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
    "vectorimageformats",
    "designer",
    "qmllint",
)

#: Platform plugins kept, by stem: the desktop ones, plus offscreen and minimal for --self-test.
KEPT_PLATFORMS = ("qxcb", "qwindows", "qcocoa", "qoffscreen", "qminimal")

#: Image formats the app never reads (PNG is built into QtGui; SVG stays for the icon set,
#: ICO/JPEG/GIF for icons and the standard file dialogs' previews).
DROPPED_IMAGE_FORMATS = ("qpdf", "qtiff", "qwebp", "qicns", "qtga", "qwbmp")

#: Qt libraries only the dropped plugins or modules need. QtDBus stays: QtGui links it (and the
#: AT-SPI accessibility bridge talks D-Bus); QtSvg stays for the SVG icons.
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

#: Linux system libraries the bundle takes from the host, like glibc, libxcb and the GL stack that
#: PyInstaller already leaves out, and as AppImage's excludelist does: each must match the rest
#: of the host. libmvec is part of glibc; libX11 and its X client helpers come with the libxcb
#: the host already supplies; fontconfig and FreeType read the host's fonts.conf (a bundled,
#: older fontconfig warns about or ignores newer configuration); ALSA loads the host's plugins
#: (PipeWire's, PulseAudio's), which are built against the host's libasound. libdbus is the
#: client of the host's session bus, present wherever there is one (AT-SPI and PulseAudio need
#: it too); the build host's copy links libsystemd, so it would not even load on hosts without
#: systemd, and brought libsystemd, libgcrypt, lz4, libgpg-error and libcap along (2.9 MB).
#: Libraries only these needed (those, expat, libpng, brotli) go as orphans. postbuild.py
#: checks that every library a bundled file needs is in the bundle or on this list or
#: PyInstaller's.
HOST_LIBRARIES = (
    "libmvec.so.*",
    "libX11.so.*",
    "libX11-xcb.so.*",
    "libXau.so.*",
    "libXdmcp.so.*",
    "libfontconfig.so.*",
    "libfreetype.so.*",
    "libasound.so.*",
    "libdbus-1.so.*",
)

#: Windows files for GL and Direct3D content, which a widgets app drawn by the raster engine has
#: none of: the software OpenGL (Mesa llvmpipe, 20.6 MB) and the shader compilers Qt's RHI loads
#: for Qt Quick or OpenGL widgets (Windows has its own d3dcompiler_47.dll in any case).
DROPPED_FILES = ("opengl32sw.dll", "d3dcompiler_47.dll", "dxcompiler.dll", "dxil.dll")

#: Folders of PySide6 that only Qt WebEngine, Qt PDF and QML read (icudtl.dat is Chromium's
#: own 10 MB ICU data, not Qt's), nor the Qt tools' metatypes and helper programs.
DROPPED_PYSIDE_FOLDERS = ("resources", "qml", "metatypes", "libexec")

#: ICU data trees QtCore never opens (packaging/icu_data.py rebuilds the data library without
#: them). Qt calls ICU only for converters, collation, calendars with time-zone names and case
#: mapping (icu_data.ICU_APIS_QT_USES); it breaks text with its own tables, formats numbers,
#: dates, currencies and language names from its own CLDR copy, so break-iterator dictionaries
#: (brkitr, 3.4 MB), units, currencies, language and region names, transliteration and number
#: spelling (rbnf) are dead weight.
DROPPED_ICU_TREES = ("brkitr", "unit", "curr", "lang", "region", "translit", "rbnf")

#: Top-level ICU data items no ICU function Qt calls reads: StringPrep profiles and UTS #46
#: (IDNA: Qt has its own), spoof-check confusables, character names, layout and emoji properties.
DROPPED_ICU_ITEMS = ("*.spp", "*.cfu", "uts46.nrm", "unames.icu", "ulayout.icu", "uemoji.icu")


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
        return "Windows OpenGL and Direct3D shader compilers"
    if "pyside6" in parts:
        below = parts[parts.index("pyside6") + 1 :]
        folder = below[1] if below[:1] == ["qt"] and len(below) > 2 else below[0] if len(below) > 1 else ""
        if folder in DROPPED_PYSIDE_FOLDERS:
            return f"PySide6 {folder}"
    return None


def icu_item_kept(name: str) -> bool:
    """Whether the rebuilt ICU data keeps ``name`` (``icudt73l/coll/de.res``: package/tree/item)."""
    parts = name.split("/")[1:]
    if len(parts) > 1:
        return parts[0] not in DROPPED_ICU_TREES
    return not any(fnmatchcase(parts[-1], pattern) for pattern in DROPPED_ICU_ITEMS)


def host_provided(dest: str) -> bool:
    """Whether ``dest`` is a Linux system library the bundle uses from the host (HOST_LIBRARIES)."""
    name = _normal(dest).rsplit("/", 1)[-1]
    return any(fnmatchcase(name, pattern.lower()) for pattern in HOST_LIBRARIES)


def _symlink_target(dest: str, target: str) -> str:
    return os.path.normpath(os.path.join(os.path.dirname(dest), target))


def trim(
    binaries: Sequence[TocEntry],
    datas: Sequence[TocEntry],
    get_imports: Callable[[str], Iterable[tuple[str, str | None]]],
) -> tuple[list[TocEntry], list[TocEntry], dict[str, list[TocEntry]]]:
    """Apply :func:`drop_reason` and :func:`host_provided`, then drop what only dropped files
    needed, and dangling links.

    A library is an orphan when a dropped or host-provided binary needs it (``get_imports``) and
    no kept binary does; removing only those never touches a library a hook collected for
    ``dlopen`` (such as PortAudio), because no dropped plugin links it. Raises ValueError when a
    kept binary links a dropped one (kept files may link host-provided ones: the host loads its
    own). Returns the kept TOCs and a report ``{reason: [entry, ...]}``.
    """
    report: dict[str, list[TocEntry]] = {}

    def note(reason: str, entry: TocEntry) -> None:
        report.setdefault(reason, []).append(entry)

    kept_bins: list[TocEntry] = []
    dropped_bins: list[TocEntry] = []
    host_bins: list[TocEntry] = []
    for entry in binaries:
        reason = None if entry[2] == "SYMLINK" else drop_reason(entry[0])
        if reason:
            note(reason, entry)
            dropped_bins.append(entry)
        elif entry[2] != "SYMLINK" and host_provided(entry[0]):
            note("system libraries the host provides", entry)
            host_bins.append(entry)
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

    candidates = closure([*dropped_bins, *host_bins]) & by_name.keys()
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
