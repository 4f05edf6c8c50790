"""The few facts about an ELF shared library the packaging checks need, read without binutils.

64-bit little-endian only (x86_64 and aarch64 Linux): the section table, the dynamic symbols
(``icu_data`` finds ICU's data symbol and the ICU functions a library imports) and the
libraries it needs (``postbuild`` checks every one is in the bundle or on every host).
"""

from __future__ import annotations

import struct

SHT_DYNSYM, SHT_DYNAMIC, SHT_NOBITS = 11, 6, 8
DT_NEEDED = 1
ELF_MAGIC = b"\x7fELF"


def sections(elf: bytes) -> list[tuple[str, int, int, int, int, int]]:
    """``(name, type, addr, offset, size, link)`` for every section; ValueError if not ELF64 LE."""
    if elf[:4] != ELF_MAGIC or elf[4] != 2 or elf[5] != 1:
        raise ValueError("not a 64-bit little-endian ELF file")
    (shoff,) = struct.unpack_from("<Q", elf, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", elf, 0x3A)
    raw = [struct.unpack_from("<IIQQQQIIQQ", elf, shoff + i * shentsize) for i in range(shnum)]
    names_at = raw[shstrndx][4] if shnum else 0
    return [(_string(elf, names_at + s[0]), s[1], s[3], s[4], s[5], s[6]) for s in raw]


def _string(elf: bytes, start: int) -> str:
    return elf[start : elf.index(b"\0", start)].decode()


def dynamic_symbols(elf: bytes) -> list[tuple[str, int, int, bool]]:
    """``(name, value, size, defined)`` of the dynamic symbol table."""
    table = sections(elf)
    dynsym = next((s for s in table if s[1] == SHT_DYNSYM), None)
    if dynsym is None:
        return []
    strtab = table[dynsym[5]][3]
    symbols = []
    for start in range(dynsym[3], dynsym[3] + dynsym[4], 24):
        st_name, _info, _other, shndx, value, size = struct.unpack_from("<IBBHQQ", elf, start)
        symbols.append((_string(elf, strtab + st_name), value, size, shndx != 0))
    return symbols


def needed(elf: bytes) -> list[str]:
    """The ``DT_NEEDED`` entries: the libraries the dynamic loader must find for this file."""
    table = sections(elf)
    dynamic = next((s for s in table if s[1] == SHT_DYNAMIC), None)
    if dynamic is None:
        return []
    strtab = table[dynamic[5]][3]
    names = []
    for start in range(dynamic[3], dynamic[3] + dynamic[4], 16):
        tag, value = struct.unpack_from("<qQ", elf, start)
        if tag == 0:
            break
        if tag == DT_NEEDED:
            names.append(_string(elf, strtab + value))
    return names


def needed_by_file(path: str) -> list[str] | None:
    """:func:`needed` of the file at ``path``, or None when it is not an ELF64 LE file."""
    with open(path, "rb") as file:
        if file.read(6) != ELF_MAGIC + b"\x02\x01":
            return None
        file.seek(0)
        return needed(file.read())
