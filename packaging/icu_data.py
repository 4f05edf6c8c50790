"""Rebuild Qt's ICU data library (``libicudata.so.NN``, 32 MB) with only the items Qt can reach.

The library holds one symbol, ``icudtNN_dat``: an ICU "common data" package (format ``CmnD``)
of ~3,900 items. QtCore is the only bundled library that calls ICU, and the ICU functions it
imports (``ICU_APIS_QT_USES``) only read converters, collation, calendars and time-zone names;
break-iterator dictionaries, unit/currency/language/region display names, transliterators and
number spelling are never opened. This module reads the package, keeps what
:func:`bundle_rules.icu_item_kept` allows, writes a valid package and links it into a new
library with binutils (``as`` and ``ld``, which ``strip`` already needs), so nothing in ICU or
Qt changes. :func:`check_library` then calls those ICU functions through the rebuilt library
(packaging/icu_check.py) and fails the build when one of them no longer finds its data.

Format (ICU ``ucmndata.h``): a data header (``headerSize``, magic ``0xda27``, ``UDataInfo``),
then a table of contents ``uint32 count; {uint32 nameOffset, dataOffset}[count]`` whose offsets
count from the start of the table, the NUL-terminated names (``icudt73l/coll/de.res``) sorted
for a binary search, and the items, each aligned to 16 bytes. An item's length is the distance
to the next item, so items stay in name order.
"""

from __future__ import annotations

import os
import struct
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

sys.path.append(str(Path(__file__).resolve().parent))  # the packaging scripts import each other by name
import elf_file

#: The ICU functions QtCore imports from ICU 73 (``nm -D --undefined-only libQt6Core.so.6``),
#: without the version suffix. Data pruning is only safe for these: :func:`icu_imports` reads
#: the real list at build time and the build fails when a new Qt calls anything else.
ICU_APIS_QT_USES = frozenset(
    {
        "UCNV_FROM_U_CALLBACK_SUBSTITUTE",
        "UCNV_TO_U_CALLBACK_SUBSTITUTE",
        "u_strToLower",
        "u_strToUpper",
        "ucal_close",
        "ucal_getCanonicalTimeZoneID",
        "ucal_getTimeZoneDisplayName",
        "ucal_open",
        "ucnv_cbFromUWriteUChars",
        "ucnv_cbToUWriteUChars",
        "ucnv_close",
        "ucnv_countAvailable",
        "ucnv_fromUCountPending",
        "ucnv_fromUnicode",
        "ucnv_getAvailableName",
        "ucnv_getFromUCallBack",
        "ucnv_getMaxCharSize",
        "ucnv_getName",
        "ucnv_getStandardName",
        "ucnv_getToUCallBack",
        "ucnv_open",
        "ucnv_reset",
        "ucnv_setFromUCallBack",
        "ucnv_setToUCallBack",
        "ucnv_toUCountPending",
        "ucnv_toUnicode",
        "ucol_close",
        "ucol_getSortKey",
        "ucol_open",
        "ucol_setAttribute",
        "ucol_strcoll",
    }
)

_MAGIC = b"\xda\x27"
_ALIGN = 16
_FILL = b"\xaa"  # what ICU's pkgdata pads with


class IcuDataError(ValueError):
    """The library or package is not what this module knows how to rebuild."""


# --- the data library ---------------------------------------------------------------------


def data_symbol(elf: bytes) -> tuple[str, bytes]:
    """The ``icudtNN_dat`` symbol of an ICU data library and the package it holds."""
    found = [s for s in elf_file.dynamic_symbols(elf) if s[3] and s[0].startswith("icudt") and s[0].endswith("_dat")]
    if len(found) != 1:
        raise IcuDataError(f"expected one icudtNN_dat symbol, found {[s[0] for s in found]}")
    name, address, size, _defined = found[0]
    for _section, _type, addr, offset, length, _link in elf_file.sections(elf):
        if addr <= address and address + size <= addr + length and _type != elf_file.SHT_NOBITS:
            start = offset + address - addr
            return name, elf[start : start + size]
    raise IcuDataError(f"{name} is not inside a section with contents")


def icu_imports(elf: bytes, version: str) -> set[str]:
    """The ICU functions and constants a library imports, without ICU's ``_NN`` suffix."""
    suffix = f"_{version}"
    symbols = elf_file.dynamic_symbols(elf)
    return {name[: -len(suffix)] for name, _v, _s, defined in symbols if not defined and name.endswith(suffix)}


# --- the common data package ---------------------------------------------------------------


def read_package(package: bytes) -> tuple[bytes, list[tuple[str, bytes]]]:
    """The package's header and its ``(name, item)`` list, in table order."""
    if len(package) < 32 or package[2:4] != _MAGIC:
        raise IcuDataError("not an ICU data package (no 0xda27 magic)")
    (header_size,) = struct.unpack_from("<H", package, 0)
    if package[12:16] != b"CmnD" or package[16] != 1:
        raise IcuDataError(f"not a version-1 common data package: {package[12:17]!r}")
    (count,) = struct.unpack_from("<I", package, header_size)
    entries = [struct.unpack_from("<II", package, header_size + 4 + 8 * i) for i in range(count)]
    end = len(package) - header_size
    items = []
    for index, (name_offset, data_offset) in enumerate(entries):
        at = header_size + name_offset
        name = package[at : package.index(b"\0", at)].decode("ascii")
        following = entries[index + 1][1] if index + 1 < count else end
        if following < data_offset:
            raise IcuDataError("items are not stored in table order")
        items.append((name, package[header_size + data_offset : header_size + following]))
    return package[:header_size], items


def _pad(length: int) -> int:
    return -length % _ALIGN


def write_package(header: bytes, items: Iterable[tuple[str, bytes]]) -> bytes:
    """A package with ``items`` (sorted by name, as ICU's binary search needs)."""
    ordered = sorted(items, key=lambda item: item[0].encode("ascii"))
    names = b"".join(name.encode("ascii") + b"\0" for name, _ in ordered)
    table_size = 4 + 8 * len(ordered)
    data_start = table_size + len(names) + _pad(len(header) + table_size + len(names))
    table = [struct.pack("<I", len(ordered))]
    body = []
    name_offset, data_offset = table_size, data_start
    for name, item in ordered:
        table.append(struct.pack("<II", name_offset, data_offset))
        name_offset += len(name) + 1
        padded = item + _FILL * _pad(len(item))
        body.append(padded)
        data_offset += len(padded)
    gap = _FILL * (data_start - table_size - len(names))
    return header + b"".join(table) + names + gap + b"".join(body)


def trim_package(package: bytes, keep: Callable[[str], bool]) -> tuple[bytes, list[tuple[str, int]]]:
    """The package without the items ``keep`` rejects, and the ``(name, size)`` of those."""
    header, items = read_package(package)
    kept = [(name, item) for name, item in items if keep(name)]
    dropped = [(name, len(item)) for name, item in items if not keep(name)]
    return write_package(header, kept), dropped


# --- building and checking the library -----------------------------------------------------


def link_library(package: bytes, symbol: str, soname: str, out: Path) -> None:
    """Link ``package`` as ``symbol`` in a shared library like ICU's own data library."""
    with tempfile.TemporaryDirectory() as work:
        data = Path(work) / "icudata.bin"
        data.write_bytes(package)
        source = Path(work) / "icudata.s"
        source.write_text(
            "\n".join(
                [
                    '.section .rodata,"a"',
                    f".globl {symbol}",
                    f".type {symbol}, @object",
                    ".balign 16",
                    f"{symbol}:",
                    f'.incbin "{data}"',
                    f".size {symbol}, . - {symbol}",
                    '.section .note.GNU-stack,"",@progbits',
                    "",
                ]
            ),
            encoding="ascii",
        )
        obj = Path(work) / "icudata.o"
        try:
            subprocess.run(["as", "-o", str(obj), str(source)], check=True)
            link = ["ld", "-shared", "-soname", soname, "-z", "noexecstack", "--hash-style=both"]
            subprocess.run([*link, "-o", str(out), str(obj)], check=True)
        except FileNotFoundError as exc:
            raise IcuDataError(f"rebuilding ICU's data needs binutils ({exc.filename} is not on PATH)") from exc


def check_library(folder: Path, version: str) -> list[str]:
    """Call every ICU function Qt uses through the libraries in ``folder``; the failures."""
    result = subprocess.run(
        [sys.executable, str(Path(__file__).with_name("icu_check.py")), str(folder), version],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "ICU_DATA": os.devnull},  # only the linked data, never a system file
    )
    if result.returncode not in (0, 1):
        return [f"the ICU check crashed ({result.returncode}): {result.stderr.strip()}"]
    return [line for line in result.stdout.splitlines() if line]


TocEntry = tuple[str, str, str]


def rebuild_in_toc(
    binaries: list[TocEntry], workdir: Path, keep: Callable[[str], bool]
) -> tuple[list[TocEntry], list[tuple[str, int]]]:
    """Point the TOC's ICU data library at a rebuild with only the items ``keep`` accepts.

    Returns the new TOC and the ``(item, size)`` pairs left out; a TOC without a bundled ICU
    (Windows and macOS, where Qt uses the system's) comes back unchanged. Raises IcuDataError,
    failing the build, when a bundled library calls an ICU function this pruning was not
    checked for, or when an ICU function Qt calls no longer finds its data.
    """
    files = {os.path.basename(dest): (dest, src, kind) for dest, src, kind in binaries if kind != "SYMLINK"}
    found = sorted(name for name in files if name.startswith("libicudata.so."))
    if not found:
        return list(binaries), []
    dest, src, kind = files[found[0]]
    version = found[0].rsplit(".", 1)[1]
    for name, (_dest, path, _kind) in sorted(files.items()):
        if name.startswith("libicu") or ".so" not in name:  # ICU itself, or not an ELF library
            continue
        try:
            elf = Path(path).read_bytes()
            unknown = icu_imports(elf, version) - ICU_APIS_QT_USES
        except (OSError, ValueError, struct.error):
            continue
        if unknown:
            raise IcuDataError(f"{name} calls ICU functions the data pruning was not checked for: {sorted(unknown)}")
    symbol, package = data_symbol(Path(src).read_bytes())
    trimmed, dropped = trim_package(package, keep)
    folder = workdir / "icu"
    folder.mkdir(parents=True, exist_ok=True)
    out = folder / found[0]
    link_library(trimmed, symbol, found[0], out)
    for sibling in ("libicuuc", "libicui18n"):
        name = f"{sibling}.so.{version}"
        if name not in files:
            raise IcuDataError(f"{name} is not in the bundle next to {found[0]}")
        (folder / name).write_bytes(Path(files[name][1]).read_bytes())
    failures = check_library(folder, version)
    if failures:
        raise IcuDataError("the rebuilt ICU data lacks what Qt reads:\n  " + "\n  ".join(failures))
    return [(d, str(out), k) if (d, s, k) == (dest, src, kind) else (d, s, k) for d, s, k in binaries], dropped
