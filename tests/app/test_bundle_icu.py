"""The bundle's ICU data rebuild (packaging/icu_data.py): the package format round-trips, the
keep rule leaves out only what Qt never reads, and the check calls ICU through a rebuilt library
and notices missing data. The tests over the real library use the installed PySide6's ICU and
binutils (``as``, ``ld``), as the build does; they skip where either is missing (not Linux).
"""

from __future__ import annotations

import importlib.util
import shutil
import struct
import sys
from pathlib import Path
from types import ModuleType

import pytest

from tests.paths import ROOT


def _load(name: str) -> ModuleType:
    path = ROOT / "packaging" / f"{name}.py"
    module_name = "soniox_packaging_" + name
    if module_name in sys.modules:
        return sys.modules[module_name]
    spec = importlib.util.spec_from_file_location(module_name, path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    spec.loader.exec_module(module)
    return module


icu = _load("icu_data")
rules = _load("bundle_rules")


def _package(items: dict[str, bytes]) -> bytes:
    info = struct.pack("<HHBBBB4s4s4s", 20, 0, 0, 0, 2, 0, b"CmnD", bytes([1, 0, 0, 0]), bytes(4))
    header = struct.pack("<HBB", 32, 0xDA, 0x27) + info
    header += b"\0" * (32 - len(header))
    return icu.write_package(header, items.items())


def test_package_round_trips_sorted_and_aligned() -> None:
    items = {"icudt73l/zone/de.res": b"Z" * 5, "icudt73l/coll/de.res": b"C" * 40, "icudt73l/cnvalias.icu": b"A"}
    package = _package(items)
    header, read = icu.read_package(package)
    assert len(header) == 32
    assert [name for name, _ in read] == sorted(items)
    for name, item in read:  # each item starts on 16 bytes and keeps its bytes (plus padding)
        assert item.startswith(items[name]) and len(item) % 16 == 0
        assert package.index(item) % 16 == 0
    assert icu.write_package(header, read) == package


def test_trim_package_keeps_a_readable_package_of_the_kept_items() -> None:
    package = _package({"icudt73l/brkitr/cjdict.dict": b"d" * 100, "icudt73l/coll/root.res": b"r" * 20})
    trimmed, dropped = icu.trim_package(package, rules.icu_item_kept)
    assert dropped == [("icudt73l/brkitr/cjdict.dict", 112)]
    assert [name for name, _ in icu.read_package(trimmed)[1]] == ["icudt73l/coll/root.res"]


def test_read_package_refuses_what_is_not_common_data() -> None:
    with pytest.raises(icu.IcuDataError, match="magic"):
        icu.read_package(b"\0" * 64)


@pytest.mark.parametrize(
    ("name", "kept"),
    [
        ("icudt73l/coll/sv.res", True),
        ("icudt73l/coll/ucadata.icu", True),
        ("icudt73l/zone/de.res", True),
        ("icudt73l/metaZones.res", True),
        ("icudt73l/zoneinfo64.res", True),
        ("icudt73l/de.res", True),
        ("icudt73l/cnvalias.icu", True),
        ("icudt73l/ibm-943_P15A-2003.cnv", True),
        ("icudt73l/nfkc.nrm", True),
        ("icudt73l/brkitr/cjdict.dict", False),
        ("icudt73l/unit/de.res", False),
        ("icudt73l/curr/de.res", False),
        ("icudt73l/lang/de.res", False),
        ("icudt73l/region/de.res", False),
        ("icudt73l/translit/root.res", False),
        ("icudt73l/rbnf/de.res", False),
        ("icudt73l/rfc3491.spp", False),
        ("icudt73l/unames.icu", False),
        ("icudt73l/uts46.nrm", False),
    ],
)
def test_icu_keep_rule(name: str, kept: bool) -> None:
    assert rules.icu_item_kept(name) is kept


# --- against the installed PySide6's ICU ------------------------------------------------------


def _qt_lib() -> Path | None:
    spec = importlib.util.find_spec("PySide6")
    if not spec or not spec.submodule_search_locations:
        return None
    folder = Path(next(iter(spec.submodule_search_locations))) / "Qt" / "lib"
    return folder if any(folder.glob("libicudata.so.*")) else None


QT_LIB = _qt_lib()
needs_icu = pytest.mark.skipif(
    QT_LIB is None or not (shutil.which("as") and shutil.which("ld")),
    reason="no bundled ICU in this PySide6 (not Linux) or no binutils",
)


def _icu_toc(folder: Path) -> list[tuple[str, str, str]]:
    names = ["libicudata", "libicuuc", "libicui18n"]
    toc = [(f"PySide6/Qt/lib/{p.name}", str(p), "BINARY") for n in names for p in folder.glob(f"{n}.so.*")]
    core = folder / "libQt6Core.so.6"
    return [*toc, ("PySide6/Qt/lib/libQt6Core.so.6", str(core), "BINARY")]


@needs_icu
def test_the_installed_qt_calls_only_the_icu_functions_the_pruning_was_checked_for() -> None:
    assert QT_LIB is not None
    version = next(QT_LIB.glob("libicudata.so.*")).name.rsplit(".", 1)[1]
    imports = icu.icu_imports((QT_LIB / "libQt6Core.so.6").read_bytes(), version)
    assert imports and imports <= icu.ICU_APIS_QT_USES
    assert "ucol_open" in imports  # the file dialog sorts names with it


@needs_icu
def test_rebuilt_icu_data_is_half_the_size_and_every_icu_call_of_qt_still_works(tmp_path: Path) -> None:
    assert QT_LIB is not None
    toc = _icu_toc(QT_LIB)
    new_toc, dropped = icu.rebuild_in_toc(toc, tmp_path, rules.icu_item_kept)
    data = next(Path(src) for dest, src, _ in new_toc if "libicudata" in dest)
    original = next(Path(src) for dest, src, _ in toc if "libicudata" in dest)
    assert data.parent == tmp_path / "icu" and data.name == original.name
    assert data.stat().st_size < original.stat().st_size * 0.6
    assert any("/brkitr/" in name for name, _ in dropped) and not any("/coll/" in name for name, _ in dropped)
    assert [e for e in new_toc if "libicudata" not in e[0]] == [e for e in toc if "libicudata" not in e[0]]
    symbol, package = icu.data_symbol(data.read_bytes())
    assert symbol.startswith("icudt") and icu.read_package(package)[1]


@needs_icu
def test_the_check_notices_data_qt_reads_going_missing(tmp_path: Path) -> None:
    assert QT_LIB is not None
    without_collation = lambda name: rules.icu_item_kept(name) and "/coll/" not in name  # noqa: E731
    with pytest.raises(icu.IcuDataError, match=r"ucol_open"):
        icu.rebuild_in_toc(_icu_toc(QT_LIB), tmp_path, without_collation)


@needs_icu
def test_rebuild_refuses_a_qt_that_calls_icu_functions_nobody_checked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert QT_LIB is not None
    monkeypatch.setattr(icu, "ICU_APIS_QT_USES", icu.ICU_APIS_QT_USES - {"ucal_open"})
    with pytest.raises(icu.IcuDataError, match=r"libQt6Core.*ucal_open"):
        icu.rebuild_in_toc(_icu_toc(QT_LIB), tmp_path, rules.icu_item_kept)


def test_a_bundle_without_icu_is_left_alone(tmp_path: Path) -> None:
    toc = [("PySide6\\Qt6Core.dll", "C:/s/Qt6Core.dll", "BINARY")]
    assert icu.rebuild_in_toc(toc, tmp_path, rules.icu_item_kept) == (toc, [])


def test_linking_without_binutils_says_what_is_missing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no as, no ld
    with pytest.raises(icu.IcuDataError, match="binutils"):
        icu.link_library(b"data", "icudt73_dat", "libicudata.so.73", tmp_path / "out.so")
