"""Packaging checks that take seconds: the spec's inputs and trimming rules, installer.nsi, the
macOS plists, dmg settings and scripts, the Linux launcher script and the release workflow.

Building the bundle takes a minute and is not a unit test: ``make dist`` (which .ci/run runs
after this suite) builds it and starts it with ``--self-test``.
"""

from __future__ import annotations

import ast
import importlib.util
import os
import plistlib
import re
import shutil
import struct
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from tests.paths import ROOT

PACKAGING = ROOT / "packaging"
NSI = ROOT / "installer.nsi"
RELEASE = ROOT / ".github" / "workflows" / "release.yml"


def _load(relative: str) -> ModuleType:
    """Import a packaging script by path (``packaging`` as a name is the PyPI library's)."""
    path = PACKAGING / relative
    name = "soniox_packaging_" + path.stem
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


version = _load("version.py")
rules = _load("bundle_rules.py")
postbuild = _load("postbuild.py")
sign_windows = _load("windows/sign.py")
size_report = _load("size_report.py")


# --- version ---------------------------------------------------------------------------------


def test_version_is_pyprojects_with_and_without_tomllib(monkeypatch: pytest.MonkeyPatch) -> None:
    tomllib = pytest.importorskip("tomllib")
    expected = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
    assert version.project_version() == expected
    monkeypatch.setitem(sys.modules, "tomllib", None)  # Python 3.10: the regex path
    assert version.project_version() == expected


@pytest.mark.parametrize(
    ("given", "four"),
    [("0.1.0", "0.1.0.0"), ("1.2", "1.2.0.0"), ("2.0.1rc3", "2.0.1.0"), ("1.2.3+local.7", "1.2.3.0")],
)
def test_windows_version_has_four_numbers(given: str, four: str) -> None:
    assert version.windows_version(given) == four


def test_windows_version_info_is_what_pyinstaller_parses() -> None:
    tree = ast.parse(version.windows_version_info("1.4.2"), mode="eval")
    assert isinstance(tree.body, ast.Call) and ast.unparse(tree.body.func) == "VSVersionInfo"
    strings = {
        node.args[0].value: node.args[1].value
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and ast.unparse(node.func) == "StringStruct"
    }
    assert strings["ProductVersion"] == strings["FileVersion"] == "1.4.2"
    assert strings["OriginalFilename"] == "soniox-desktop.exe"
    assert strings["FileDescription"] and strings["LegalCopyright"]
    assert "filevers=(1, 4, 2, 0)" in ast.unparse(tree)


def test_release_file_names_carry_the_version() -> None:
    assert version.release_files("3.1.4") == {
        "setup-exe": "Soniox-Desktop-3.1.4-setup.exe",
        "dmg": "Soniox-Desktop-3.1.4.dmg",
        "tarball": "Soniox-Desktop-3.1.4-linux-x86_64.tar.gz",
    }


# --- spec and trimming rules -----------------------------------------------------------------


def test_spec_parses_and_builds_from_the_launcher_and_rules() -> None:
    source = (PACKAGING / "soniox-desktop.spec").read_text(encoding="utf-8")
    ast.parse(source)
    assert "bundle_rules.resource_datas(ROOT)" in source
    assert "bundle_rules.trim(" in source and "bundle_rules.python_excludes(" in source
    assert "icu_data.rebuild_in_toc(" in source and "bundle_rules.icu_item_kept" in source
    assert "trim(a.binaries, a.datas, direct_imports)" in source  # each file's own DT_NEEDED
    assert 'copy_metadata("soniox-desktop")' in source and 'copy_metadata("soniox")' in source
    assert "console=False" in source and "exclude_binaries=True" in source  # one folder, windowed
    assert "CFBundleShortVersionString=VERSION" in source
    launcher = ast.parse((PACKAGING / "launcher.py").read_text(encoding="utf-8"))
    assert any(
        isinstance(node, ast.ImportFrom) and node.module == "desktop.app" and node.names[0].name == "main"
        for node in launcher.body
    )


def test_bundle_carries_every_resource_the_app_loads() -> None:
    from desktop.ui.resources import RESOURCE_FILES

    bundled = {(Path(src).resolve(), dest) for src, dest in rules.resource_datas(ROOT)}
    for name in RESOURCE_FILES:
        path = ROOT / "resources" / name
        assert (path.resolve(), str(Path("resources", name).parent)) in bundled, name
    assert not any(src.suffix in {".ico", ".icns"} for src, _ in bundled)  # packaging-only formats


def _imports_of(folder: Path) -> set[str]:
    names: set[str] = set()
    for path in folder.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names.add(node.module)
    return names


def test_no_excluded_module_is_imported_by_the_app() -> None:
    excludes = rules.python_excludes(rules.installed_pyside_modules())
    assert {f"PySide6.{m}" for m in rules.QT_MODULES_USED}.isdisjoint(excludes)
    assert "PySide6.QtNetwork" in excludes and "unittest" in excludes
    for module in sorted(_imports_of(ROOT / "desktop")):
        hit = [ex for ex in excludes if module == ex or module.startswith(ex + ".")]
        assert not hit, f"desktop imports {module}, which packaging/bundle_rules.py leaves out of the bundle"


_WITHOUT_EXCLUDES = """
import importlib, pkgutil, sys
EXCLUDES = sys.argv[1:]
class LeftOut:  # what the frozen app lacks: importing it fails as it does there
    def find_spec(self, name, path=None, target=None):
        if any(name == ex or name.startswith(ex + ".") for ex in EXCLUDES):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
sys.meta_path.insert(0, LeftOut())
import desktop, httpx, numpy
for info in pkgutil.walk_packages(desktop.__path__, "desktop."):
    importlib.import_module(info.name)
# What the app loads on first use: keyring's backends, audio, file tags.
for name in ("keyring.backends.SecretService", "secretstorage", "soundfile", "mutagen.oggopus", "mutagen.mp3"):
    importlib.import_module(name)
assert numpy.sqrt(numpy.array([4.0]))[0] == 2.0
print("\\n".join(sys.modules))
"""


def test_every_app_module_imports_without_the_excluded_modules() -> None:
    """The excludes also cover modules only imported lazily (``np.random``) or in a ``try`` with
    a fallback (httpx's command-line client): every module of the app must import without them,
    as in the frozen app, and none of them may be loaded."""
    excludes = rules.python_excludes(rules.installed_pyside_modules())
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    result = subprocess.run(
        [sys.executable, "-c", _WITHOUT_EXCLUDES, *excludes], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    loaded = set(result.stdout.split())
    assert {"desktop.app", "httpx", "soniox", "PySide6.QtWidgets", "keyring", "cryptography"} <= loaded
    assert not any(m == ex or m.startswith(ex + ".") for m in loaded for ex in excludes)


def test_no_model_of_the_sdk_or_app_needs_pydantics_v1_api() -> None:
    """pydantic imports pydantic.v1 (left out) only for a type with ``__get_validators__``."""
    import soniox

    for folder in (Path(soniox.__file__).parent, ROOT / "desktop"):
        for path in folder.rglob("*.py"):
            text = path.read_text(encoding="utf-8")
            assert "__get_validators__" not in text and "pydantic.v1" not in text, path


@pytest.mark.parametrize(
    "dest",
    [
        "PySide6/Qt/plugins/platforms/libqxcb.so",
        "PySide6/Qt/plugins/platforms/libqoffscreen.so",
        "PySide6/Qt/plugins/platforms/libqminimal.so",
        "PySide6\\plugins\\platforms\\qwindows.dll",
        "PySide6\\plugins\\platforms\\qoffscreen.dll",
        "PySide6/Qt/plugins/platforms/libqcocoa.dylib",
        "PySide6\\plugins\\styles\\qmodernwindowsstyle.dll",
        "PySide6/Qt/plugins/styles/libqmacstyle.dylib",
        "PySide6/Qt/plugins/imageformats/libqico.so",
        "PySide6/Qt/plugins/imageformats/libqjpeg.so",
        "PySide6/Qt/plugins/imageformats/libqsvg.so",
        "PySide6\\plugins\\imageformats\\qsvg.dll",
        "PySide6/Qt/plugins/iconengines/libqsvgicon.so",
        "PySide6\\plugins\\iconengines\\qsvgicon.dll",
        "PySide6/Qt/lib/libQt6Svg.so.6",
        "PySide6\\Qt6Svg.dll",
        "PySide6/Qt/lib/QtSvg.framework/Versions/A/QtSvg",
        "PySide6/QtSvg.abi3.so",
        "PySide6/Qt/plugins/platforminputcontexts/libibusplatforminputcontextplugin.so",
        "PySide6/Qt/plugins/platforminputcontexts/libcomposeplatforminputcontextplugin.so",
        "PySide6/Qt/lib/libQt6Core.so.6",
        "PySide6/Qt/lib/libQt6Gui.so.6",
        "PySide6/Qt/lib/libQt6Widgets.so.6",
        "PySide6/Qt/lib/libQt6DBus.so.6",
        "PySide6/Qt/lib/libQt6XcbQpa.so.6",
        "PySide6/Qt/lib/libicudata.so.73",
        "PySide6\\Qt6Core.dll",
        "PySide6\\Qt6Widgets.dll",
        "PySide6\\msvcp140.dll",
        "PySide6\\vcruntime140_1.dll",
        "PySide6\\Qt6Gui.dll",
        "PySide6\\Qt6Core.dll",
        "PySide6\\Qt6Svg.dll",
        "PySide6\\pyside6.abi3.dll",
        "PySide6\\QtWidgets.pyd",
        "PySide6\\plugins\\imageformats\\qico.dll",
        "PySide6\\plugins\\imageformats\\qjpeg.dll",
        "resources/icons/app-256.png",
        "PySide6/Qt/lib/QtGui.framework/Versions/A/QtGui",
        "PySide6/QtWidgets.abi3.so",
        "PySide6/QtSvg.abi3.so",  # the interface icons are SVG, drawn by QSvgRenderer
        "PySide6/Qt/lib/libQt6Svg.so.6",
        "PySide6\\Qt6Svg.dll",
        "resources/icons/ui/mic.svg",
        "numpy.libs/libscipy_openblas64_-32a4b2a6.so",
        "libportaudio.so.2",
        "_sounddevice_data/portaudio-binaries/libportaudio64bit.dll",
        "resources/style.qss",
        "certifi/cacert.pem",
    ],
)
def test_trimming_keeps(dest: str) -> None:
    assert rules.drop_reason(dest) is None


@pytest.mark.parametrize(
    "dest",
    [
        "PySide6/Qt/translations/qtbase_de.qm",
        "PySide6\\translations\\qtbase_de.qm",
        "PySide6/Qt/plugins/platforms/libqwayland.so",
        "PySide6/Qt/plugins/platforms/libqeglfs.so",
        "PySide6\\plugins\\platforms\\qdirect2d.dll",
        "PySide6/Qt/plugins/wayland-shell-integration/libxdg-shell.so",
        "PySide6/Qt/plugins/platformthemes/libqgtk3.so",
        "PySide6/Qt/plugins/tls/libqopensslbackend.so",
        "PySide6/Qt/plugins/imageformats/libqpdf.so",
        "PySide6/Qt/lib/libQt6Network.so.6",
        "PySide6/Qt/lib/libQt6SvgWidgets.so.6",
        "PySide6/Qt/lib/libQt6WaylandClient.so.6",
        "PySide6\\Qt6Network.dll",
        "PySide6/Qt/lib/QtNetwork.framework/Versions/A/QtNetwork",
        "PySide6\\opengl32sw.dll",
        "PySide6\\d3dcompiler_47.dll",
        "PySide6\\resources\\icudtl.dat",
        "PySide6/Qt/resources/icudtl.dat",
        "PySide6\\qml\\QtQuick\\Controls\\Windows\\qtquickcontrols2windowsstyleplugin.dll",
        "PySide6\\plugins\\vectorimageformats\\qlottievectorimage.dll",
        "PySide6\\plugins\\platforminputcontexts\\qtvirtualkeyboardplugin.dll",
        "PySide6\\plugins\\generic\\qtuiotouchplugin.dll",
        "PySide6\\plugins\\platforms\\qdirect2d.dll",
        "PySide6\\plugins\\tls\\qschannelbackend.dll",
        "PySide6\\plugins\\sqldrivers\\qsqlite.dll",
        "PySide6\\Qt6Quick.dll",
        "PySide6\\Qt6Qml.dll",
        "PySide6\\Qt6Pdf.dll",
        "PySide6\\Qt6OpenGL.dll",
        "PySide6\\Qt6VirtualKeyboard.dll",
        "PySide6\\translations\\qt_ja.qm",
    ],
)
def test_trimming_drops(dest: str) -> None:
    assert rules.drop_reason(dest)


def _imports(table: dict[str, list[str]]):
    return lambda src: [(name, None) for name in table.get(src, [])]


def test_trim_drops_only_what_dropped_files_alone_needed() -> None:
    binaries = [
        ("PySide6/Qt/plugins/platformthemes/libqgtk3.so", "/s/qgtk3", "BINARY"),
        ("libcairo.so.2", "/s/cairo", "BINARY"),
        ("libpixman-1.so.0", "/s/pixman", "BINARY"),
        ("libglib-2.0.so.0", "/s/glib", "BINARY"),
        ("PySide6/Qt/lib/libQt6Gui.so.6", "/s/gui", "BINARY"),
        ("PySide6/QtGui.abi3.so", "/s/qtgui-module", "EXTENSION"),
        ("PySide6/Qt/lib/libQt6Network.so.6", "/s/network", "BINARY"),
        ("libQt6Network.so.6", "PySide6/Qt/lib/libQt6Network.so.6", "SYMLINK"),
        ("libQt6Gui.so.6", "PySide6/Qt/lib/libQt6Gui.so.6", "SYMLINK"),
        ("libportaudio.so.2", "/s/portaudio", "BINARY"),  # loaded with dlopen: nothing links it
    ]
    datas = [("PySide6/Qt/translations/qtbase_fr.qm", "/s/fr.qm", "DATA"), ("resources/style.qss", "/s/qss", "DATA")]
    needs = {
        "/s/qgtk3": ["libcairo.so.2", "libglib-2.0.so.0", "libQt6Gui.so.6"],
        "/s/cairo": ["libpixman-1.so.0", "libglib-2.0.so.0"],
        "/s/gui": ["libglib-2.0.so.0"],
        "/s/qtgui-module": ["libQt6Gui.so.6"],
    }
    kept_bins, kept_datas, report = rules.trim(binaries, datas, _imports(needs))
    assert [e[0] for e in kept_bins] == [
        "libglib-2.0.so.0",
        "PySide6/Qt/lib/libQt6Gui.so.6",
        "PySide6/QtGui.abi3.so",
        "libQt6Gui.so.6",
        "libportaudio.so.2",
    ]
    assert [e[0] for e in kept_datas] == ["resources/style.qss"]
    orphans = {e[0] for e in report["libraries only dropped files needed"]}
    assert orphans == {"libcairo.so.2", "libpixman-1.so.0"}
    assert [e[0] for e in report["links to dropped files"]] == ["libQt6Network.so.6"]


def test_trim_leaves_host_libraries_to_the_host_with_what_only_they_needed() -> None:
    binaries = [
        ("PySide6/Qt/lib/libQt6Gui.so.6", "/s/gui", "BINARY"),
        ("libfontconfig.so.1", "/s/fontconfig", "BINARY"),
        ("libfreetype.so.6", "/s/freetype", "BINARY"),
        ("libexpat.so.1", "/s/expat", "BINARY"),
        ("libpng16.so.16", "/s/png", "BINARY"),
        ("libz.so.1", "/s/z", "BINARY"),
        ("libasound.so.2", "/s/asound", "BINARY"),
        ("libportaudio.so.2", "/s/portaudio", "BINARY"),
        ("libjack.so.0", "/s/jack", "BINARY"),
        ("libmvec.so.1", "/s/mvec", "BINARY"),
    ]
    needs = {
        "/s/gui": ["libfontconfig.so.1", "libfreetype.so.6", "libz.so.1"],
        "/s/fontconfig": ["libfreetype.so.6", "libexpat.so.1"],
        "/s/freetype": ["libpng16.so.16", "libz.so.1"],
        "/s/portaudio": ["libasound.so.2", "libjack.so.0"],
    }
    kept, _datas, report = rules.trim(binaries, [], _imports(needs))  # kept files may link host ones
    assert [e[0] for e in kept] == ["PySide6/Qt/lib/libQt6Gui.so.6", "libz.so.1", "libportaudio.so.2", "libjack.so.0"]
    host = {e[0] for e in report["system libraries the host provides"]}
    assert host == {"libfontconfig.so.1", "libfreetype.so.6", "libasound.so.2", "libmvec.so.1"}
    assert {e[0] for e in report["libraries only dropped files needed"]} == {"libexpat.so.1", "libpng16.so.16"}


@pytest.mark.parametrize(
    ("dest", "host"),
    [
        ("libX11.so.6", True),
        ("libX11-xcb.so.1", True),
        ("libfontconfig.so.1", True),
        ("libasound.so.2", True),
        ("libmvec.so.1", True),
        ("libjack.so.0", False),  # PortAudio needs it and not every host has it
        ("libportaudio.so.2", False),
        ("libdbus-1.so.3", True),
        ("libsystemd.so.0", False),  # goes only as an orphan of libdbus
        ("libstdc++.so.6", False),
        ("PySide6/Qt/lib/libQt6Gui.so.6", False),
    ],
)
def test_host_libraries(dest: str, host: bool) -> None:
    assert rules.host_provided(dest) is host


def _elf_needing(path: Path, *libraries: str) -> None:
    """A minimal ELF64 file with a dynamic section naming ``libraries`` (what elf_file reads)."""
    strtab = b"\0" + b"".join(name.encode() + b"\0" for name in libraries) + b"\0.shstrtab\0.dynstr\0.dynamic\0"
    offsets, at = [], 1
    for name in libraries:
        offsets.append(at)
        at += len(name) + 1
    shstr = strtab.index(b".shstrtab")
    dynamic = b"".join(struct.pack("<qQ", 1, offset) for offset in offsets) + struct.pack("<qQ", 0, 0)
    strtab_at, dynamic_at = 64, 64 + len(strtab) + (-len(strtab) % 8)
    shoff = dynamic_at + len(dynamic)
    header = (
        b"\x7fELF"
        + bytes([2, 1, 1])
        + bytes(9)
        + struct.pack("<HHIQQQIHHHHHH", 3, 62, 1, 0, 0, shoff, 0, 64, 0, 0, 64, 4, 1)
    )
    sections = [
        struct.pack("<IIQQQQIIQQ", 0, 0, 0, 0, 0, 0, 0, 0, 0, 0),
        struct.pack("<IIQQQQIIQQ", shstr, 3, 0, 0, strtab_at, len(strtab), 0, 0, 1, 0),
        struct.pack("<IIQQQQIIQQ", shstr + 10, 3, 0, 0, strtab_at, len(strtab), 0, 0, 1, 0),
        struct.pack("<IIQQQQIIQQ", shstr + 18, 6, 0, 0, dynamic_at, len(dynamic), 2, 0, 8, 16),
    ]
    body = header + strtab + bytes(dynamic_at - 64 - len(strtab)) + dynamic + b"".join(sections)
    path.write_bytes(body)


def test_postbuild_finds_libraries_neither_bundled_nor_on_the_host(tmp_path: Path) -> None:
    internal = tmp_path / "_internal"
    internal.mkdir()
    _elf_needing(internal / "libQt6Gui.so.6", "libQt6Core.so.6", "libfontconfig.so.1", "libc.so.6")
    _elf_needing(internal / "libQt6Core.so.6", "libicuuc.so.73", "libstdc++.so.6")
    (internal / "libstdc++.so.6").symlink_to("libQt6Core.so.6")  # present as a link is present
    (internal / "notes.txt").write_text("not a library")
    missing = postbuild.missing_libraries(tmp_path, postbuild.host_library)
    assert missing == {"libicuuc.so.73": ["_internal/libQt6Core.so.6"]}
    everything_bundled = postbuild.missing_libraries(tmp_path, lambda name: False)
    assert set(everything_bundled) == {"libicuuc.so.73", "libfontconfig.so.1", "libc.so.6"}


def test_trim_keeps_macos_framework_links_of_kept_frameworks_only() -> None:
    def framework(name: str) -> list[tuple[str, str, str]]:
        top = f"PySide6/Qt/lib/{name}.framework"
        return [
            (f"{top}/Versions/A/{name}", f"/s/{name}", "BINARY"),
            (f"{top}/Versions/A/Resources/Info.plist", f"/s/{name}.plist", "DATA"),
            (f"{top}/Versions/Current", "A", "SYMLINK"),
            (f"{top}/{name}", f"Versions/Current/{name}", "SYMLINK"),
            (f"{top}/Resources", "Versions/Current/Resources", "SYMLINK"),
        ]

    toc = framework("QtCore") + framework("QtNetwork")
    binaries = [e for e in toc if e[2] == "BINARY"]
    datas = [e for e in toc if e[2] != "BINARY"]
    kept_bins, kept_datas, report = rules.trim(binaries, datas, _imports({}))
    kept = {e[0] for e in (*kept_bins, *kept_datas)}
    assert kept == {e[0] for e in framework("QtCore")}
    assert len(report["links to dropped files"]) == 3


def test_trim_refuses_rules_that_break_a_kept_library() -> None:
    binaries = [
        ("PySide6/Qt/lib/libQt6Network.so.6", "/s/network", "BINARY"),
        ("PySide6/Qt/lib/libQt6Gui.so.6", "/s/gui", "BINARY"),
    ]
    with pytest.raises(ValueError, match="libqt6network"):
        rules.trim(binaries, [], _imports({"/s/gui": ["libQt6Network.so.6"]}))


def test_report_lines_sum_sizes_per_reason(tmp_path: Path) -> None:
    big, small = tmp_path / "big", tmp_path / "small"
    big.write_bytes(b"x" * 3_000_000)
    small.write_bytes(b"x" * 1_000_000)
    report = {"Qt translations": [("a.qm", str(small), "DATA")], "Qt libraries": [("l", str(big), "BINARY")]}
    assert rules.report_lines(report) == [
        "    3.0 MB     1 files  Qt libraries",
        "    1.0 MB     1 files  Qt translations",
    ]


def test_postbuild_strips_regular_libraries_but_not_numpy_libs_or_links(tmp_path: Path) -> None:
    internal = tmp_path / "_internal"
    (internal / "numpy.libs").mkdir(parents=True)
    (internal / "libfoo.so.1").write_bytes(b"\x7fELF")
    (internal / "numpy.libs" / "libopenblas.so").write_bytes(b"\x7fELF")
    (internal / "libfoo.so").symlink_to("libfoo.so.1")
    (internal / "gone.so").symlink_to("missing.so")
    assert postbuild.strippable(tmp_path) == [internal / "libfoo.so.1"]
    assert postbuild.remove_dangling_links(tmp_path) == [internal / "gone.so"]
    assert (internal / "libfoo.so").is_symlink()


def test_size_report_counts_regular_files_once_and_groups_them(tmp_path: Path) -> None:
    lib = tmp_path / "_internal" / "PySide6" / "Qt" / "lib"
    lib.mkdir(parents=True)
    (lib / "libicudata.so.73").write_bytes(b"i" * 3_000_000)
    (lib / "libQt6Core.so.6").write_bytes(b"q" * 1_000_000)
    (tmp_path / "_internal" / "libQt6Core.so.6").symlink_to(lib / "libQt6Core.so.6")  # counts nothing
    (tmp_path / "soniox-desktop").write_bytes(b"x" * 500_000)
    sizes = size_report.file_sizes(tmp_path)
    assert sum(sizes.values()) == 4_500_000
    assert size_report.contributors(sizes) == [
        ("ICU data (libicudata)", 3_000_000, 1),
        ("Qt libraries (libQt6*)", 1_000_000, 1),
        ("executable and Python archive (PYZ)", 500_000, 1),
    ]
    lines = list(size_report.table(sizes, top=1))
    assert " ".join(lines[0].split()) == "Total: 4500000 bytes = 4.5 MB 4.3 MiB (3 files)"
    assert "| ICU data (libicudata) | 3.0 | 2.9 | 1 |" in lines


# --- installer.nsi ---------------------------------------------------------------------------


def _nsi() -> str:
    return NSI.read_text(encoding="utf-8")


def test_installer_reads_the_projects_version() -> None:
    match = re.search(r'!searchparse /file "pyproject.toml" `(.*?)` VERSION `(.*?)`', _nsi())
    assert match, "installer.nsi no longer falls back to pyproject.toml for VERSION"
    before, after = match.groups()
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    start = text.index(before) + len(before)  # makensis takes the first occurrence
    assert text[start : text.index(after, start)] == version.project_version()
    for use in ('"DisplayVersion" "${VERSION}"', "-${VERSION}-setup.exe", 'VIProductVersion "${VERSION_WIN}"'):
        assert use in _nsi()


def test_installer_is_per_user_unicode_mui2_lzma_solid() -> None:
    nsi = _nsi()
    for line in (
        "Unicode true",
        "RequestExecutionLevel user",
        '!include "MUI2.nsh"',
        '!define COMPRESSOR "/SOLID lzma"',
        "SetCompressor ${COMPRESSOR}",
        'InstallDir "$LOCALAPPDATA\\Programs\\${APP_NAME}"',
        '!define MUI_FINISHPAGE_RUN "$INSTDIR\\${APP_EXE}"',
        '!define MUI_FINISHPAGE_RUN_TEXT "Run ${APP_NAME}"',
        'CreateShortCut "$SMPROGRAMS\\${APP_NAME}.lnk"',
        'Section "Desktop shortcut" SecDesktop',
    ):
        assert line in nsi, line
    assert (ROOT / re.search(r'!define MUI_ICON "(.*?)"', nsi).group(1).replace("\\", "/")).is_file()
    assert "HKLM" not in nsi  # per-user: nothing that needs administrator rights


def test_installer_registers_a_complete_uninstall_entry() -> None:
    written = set(re.findall(r'WriteReg(?:Str|DWORD) HKCU "\$\{UNINSTALL_KEY\}" "(\w+)"', _nsi()))
    required = {"DisplayName", "DisplayVersion", "Publisher", "DisplayIcon", "EstimatedSize", "UninstallString"}
    assert required <= written


def test_uninstall_asks_before_deleting_the_users_data_in_the_apps_folders(monkeypatch: pytest.MonkeyPatch) -> None:
    import platformdirs.windows

    from desktop import APP_ID, ORGANIZATION

    nsi = _nsi()
    uninstall = nsi[nsi.index('Section "Uninstall"') :]
    ask = uninstall.index("MessageBox MB_YESNO")
    assert "/SD IDNO IDNO keep_user_data" in uninstall[ask : ask + 300]  # silent uninstalls keep data
    assert ask < uninstall.index('RMDir /r "${USER_DATA}"') < uninstall.index("keep_user_data:")

    # Every folder the app writes on Windows (desktop/core/paths.py) is inside USER_DATA.
    user_data = re.search(r'!define USER_DATA "(.*?)"', nsi).group(1)
    parent = re.search(r'!define USER_DATA_PARENT "(.*?)"', nsi).group(1)
    user_data = user_data.replace("${USER_DATA_PARENT}", parent).replace("$LOCALAPPDATA", "C:\\Local")
    folders = {"CSIDL_LOCAL_APPDATA": "C:\\Local", "CSIDL_APPDATA": "C:\\Roaming"}
    monkeypatch.setattr(platformdirs.windows, "get_win_folder", folders.__getitem__)
    dirs = platformdirs.windows.Windows(appname=APP_ID, appauthor=ORGANIZATION)
    for folder in (dirs.user_config_dir, dirs.user_data_dir, dirs.user_log_dir, dirs.user_cache_dir):
        assert folder.replace("/", "\\").startswith(user_data), folder


@pytest.mark.skipif(not shutil.which("makensis"), reason="makensis not installed (CI compiles it after the suite)")
def test_installer_compiles_with_warnings_as_errors(tmp_path: Path) -> None:
    payload = tmp_path / "payload"
    (payload / "_internal").mkdir(parents=True)
    (payload / "soniox-desktop.exe").write_bytes(b"stand-in")
    result = subprocess.run(
        ["makensis", "-V2", "-WX", f"-DSRCDIR={payload}", f"-DOUTFILE={tmp_path / 'out.exe'}", str(NSI)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert (tmp_path / "out.exe").stat().st_size > 50_000


# --- macOS -----------------------------------------------------------------------------------


def test_info_plist_has_what_macos_and_the_microphone_need() -> None:
    info = plistlib.loads((PACKAGING / "macos" / "Info.plist").read_bytes())
    assert info["CFBundleIdentifier"] == version.BUNDLE_ID
    assert info["CFBundleName"] == info["CFBundleDisplayName"] == "Soniox Desktop"
    assert "microphone" in info["NSMicrophoneUsageDescription"]
    assert info["NSHighResolutionCapable"] is True
    assert tuple(map(int, info["LSMinimumSystemVersion"].split("."))) >= (13, 0)
    assert {"CFBundleShortVersionString", "CFBundleVersion"} <= info.keys()


def test_entitlements_allow_the_microphone_and_pyinstallers_runtime() -> None:
    entitlements = plistlib.loads((PACKAGING / "macos" / "entitlements.plist").read_bytes())
    assert entitlements == {
        "com.apple.security.device.audio-input": True,
        "com.apple.security.cs.allow-jit": True,
        "com.apple.security.cs.allow-unsigned-executable-memory": True,
        "com.apple.security.cs.disable-library-validation": True,
    }


def test_dmg_settings_hold_the_app_and_an_applications_link() -> None:
    settings: dict[str, object] = {"defines": {"app": "dist/Soniox Desktop.app"}}
    source = (PACKAGING / "macos" / "dmg_settings.py").read_text(encoding="utf-8")
    exec(compile(source, "dmg_settings.py", "exec"), settings)
    assert settings["files"] == ["dist/Soniox Desktop.app"]
    assert settings["symlinks"] == {"Applications": "/Applications"}
    assert set(settings["icon_locations"]) == {"Soniox Desktop.app", "Applications"}  # type: ignore[arg-type]
    assert (ROOT / str(settings["icon"])).is_file()


SCRIPTS = sorted([*PACKAGING.glob("macos/*.sh"), *PACKAGING.glob("linux/*.sh")])


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.name)
def test_shell_scripts_parse_and_pass_shellcheck(script: Path) -> None:
    assert os.access(script, os.X_OK), f"{script.name} is not executable"
    subprocess.run(["bash", "-n", str(script)], check=True)
    if shutil.which("shellcheck"):
        result = subprocess.run(["shellcheck", str(script)], capture_output=True, text=True, check=False)
        assert result.returncode == 0, result.stdout


@pytest.mark.parametrize(
    ("script", "args", "says"),
    [
        ("macos/sign.sh", ["dist/Soniox Desktop.app"], "left unsigned"),
        ("macos/notarize.sh", ["dist/x.dmg"], "not notarised"),
        ("macos/import_certificate.sh", [], "nothing imported"),
    ],
)
def test_signing_steps_skip_without_credentials(script: str, args: list[str], says: str) -> None:
    secrets = ("MACOS_", "APPLE_")
    env = {k: v for k, v in os.environ.items() if not k.startswith(secrets)}
    result = subprocess.run(
        ["bash", str(PACKAGING / script), *args], env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert says in result.stdout + result.stderr


def test_windows_signing_skips_without_a_certificate(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("WINDOWS_CERTIFICATE_PFX", "WINDOWS_CERTIFICATE_PFX_BASE64"):
        monkeypatch.delenv(name, raising=False)
    assert sign_windows.main(["setup.exe"]) == 0
    assert "not signed" in capsys.readouterr().out
    command = sign_windows.signtool_command("signtool", "c.pfx", "pw", "http://ts", ["a.exe"])
    assert command[:2] == ["signtool", "sign"] and command[-1] == "a.exe"
    assert command[command.index("/fd") : command.index("/fd") + 2] == ["/fd", "SHA256"]


def test_linux_desktop_entry_points_at_the_folder_and_can_be_removed(tmp_path: Path) -> None:
    folder = tmp_path / "My Apps" / "soniox-desktop"
    folder.mkdir(parents=True)
    shutil.copy(PACKAGING / "linux" / "install-desktop-entry.sh", folder)
    (folder / "soniox-desktop").write_text("#!/bin/sh\n")
    (folder / "soniox-desktop").chmod(0o755)
    (folder / "soniox-desktop.png").write_bytes(b"png")
    env = {**os.environ, "XDG_DATA_HOME": str(tmp_path / "share")}
    script = str(folder / "install-desktop-entry.sh")
    subprocess.run(["sh", script], env=env, check=True, capture_output=True)
    entry = (tmp_path / "share" / "applications" / "soniox-desktop.desktop").read_text()
    assert f'Exec="{folder}/soniox-desktop"' in entry
    assert (tmp_path / "share" / "icons" / "hicolor" / "256x256" / "apps" / "soniox-desktop.png").is_file()
    subprocess.run(["sh", script, "--remove"], env=env, check=True, capture_output=True)
    assert not (tmp_path / "share" / "applications" / "soniox-desktop.desktop").exists()


# --- workflows -------------------------------------------------------------------------------


def _actionlint() -> str | None:
    local = Path(sys.executable).parent / "actionlint"
    return str(local) if local.exists() else shutil.which("actionlint")


@pytest.mark.skipif(not _actionlint(), reason="actionlint not installed (make lint-workflows installs it)")
def test_workflows_pass_actionlint() -> None:
    workflows = sorted(str(p) for p in (ROOT / ".github" / "workflows").glob("*.yml"))
    result = subprocess.run([_actionlint(), *workflows], capture_output=True, text=True, check=False, cwd=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr


def test_release_workflow_uses_the_repositorys_own_scripts_and_names() -> None:
    workflow = RELEASE.read_text(encoding="utf-8")
    for path in set(re.findall(r"packaging/[\w./-]+\.(?:py|sh|spec)", workflow.replace("\\", "/"))):
        assert (ROOT / path).is_file(), path
    for name in version.release_files("${{ env.VERSION }}").values():
        assert f"dist/{name}" in workflow, name
    for runner in ("windows-latest", "macos-14", "ubuntu-22.04"):
        assert f"runs-on: {runner}" in workflow
    assert "bash .ci/run" in workflow  # Linux: the same lint, tests, bundle and checks as CI
    assert workflow.count("--self-test") >= 3  # the built app starts on every system
    assert "installer.nsi" in workflow and "dmgbuild -s packaging/macos/dmg_settings.py" in workflow
