"""The size of a one-folder build and its largest contributors, as the issue's goals measure it.

    python packaging/size_report.py dist/soniox-desktop [--top 25] [--installer dist/x-setup.exe]

The total is the sum of the regular files' sizes (symbolic links count nothing): what a user
unpacks, a little under ``du -sb --apparent-size``, which also counts folders and links. It is
printed in bytes, MB (10^6) and MiB (2^20); the issue's figures (181 MB for 189.9e6 bytes) are
MiB. Contributors are named groups (ICU data, Qt
libraries, numpy's OpenBLAS, the executable with the Python archive, ...) so a table from
before a change compares with one from after it.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

#: ``(group, pattern over the path inside the build, with "/" separators)``; first match wins.
GROUPS: tuple[tuple[str, str], ...] = (
    ("ICU data (libicudata)", r"(^|/)(lib)?icudt?\w*\.(so|dll|dat)"),
    ("ICU code (libicuuc, libicui18n)", r"(^|/)(lib)?icu(uc|i18n|in)"),
    ("Qt libraries (libQt6*)", r"(^|/)(lib)?Qt6\w+\.(so|dll)|\.framework/"),
    ("Qt plugins", r"/plugins/"),
    ("Qt translations", r"/translations/"),
    ("PySide6 bindings and shiboken", r"^_internal/(PySide6|shiboken6)/"),
    ("numpy's OpenBLAS, gfortran (numpy.libs)", r"^_internal/numpy\.libs/"),
    ("numpy extensions", r"^_internal/numpy/"),
    ("cryptography (SecretStorage's keyring)", r"^_internal/cryptography/"),
    ("pydantic-core", r"^_internal/pydantic_core/"),
    ("libsndfile (soundfile)", r"^_internal/_soundfile_data/"),
    ("PortAudio, JACK, libdb (sounddevice)", r"^_internal/lib(portaudio|jack|db-)"),
    ("executable and Python archive (PYZ)", r"^soniox-desktop(\.exe)?$"),
    ("Python runtime (libpython, base_library.zip)", r"^_internal/(lib)?python3|^_internal/base_library\.zip"),
    ("Python extension modules (lib-dynload)", r"/lib-dynload/|\.pyd$"),
    ("OpenSSL (libssl, libcrypto)", r"^_internal/lib(ssl|crypto)"),
    ("D-Bus, systemd and their libraries", r"^_internal/lib(dbus|systemd|gcrypt|gpg-error|lz4|cap)"),
    ("X11/xcb, xkbcommon, glib", r"^_internal/lib(xcb|X|xkb|glib|gthread|pcre)"),
    ("C++ runtime (libstdc++, MSVC)", r"^_internal/(lib(stdc|gcc_s)|msvcp|vcruntime|concrt)"),
    ("metadata (*.dist-info)", r"\.dist-info/"),
    ("app resources", r"^_internal/resources/"),
)


def file_sizes(folder: Path) -> dict[str, int]:
    """``{path inside folder: size}`` of the regular files (links are not counted)."""
    return {
        path.relative_to(folder).as_posix(): path.lstat().st_size
        for path in folder.rglob("*")
        if path.is_file() and not path.is_symlink()
    }


def group_of(path: str) -> str:
    for name, pattern in GROUPS:
        if re.search(pattern, path):
            return name
    return "other files"


def contributors(sizes: dict[str, int]) -> list[tuple[str, int, int]]:
    """``(group, bytes, files)``, largest first."""
    total: Counter[str] = Counter()
    count: Counter[str] = Counter()
    for path, size in sizes.items():
        total[group_of(path)] += size
        count[group_of(path)] += 1
    return [(name, size, count[name]) for name, size in total.most_common()]


def mb(size: int) -> str:
    return f"{size / 1e6:7.1f} MB {size / 2**20:7.1f} MiB"


def table(sizes: dict[str, int], top: int) -> Iterable[str]:
    total = sum(sizes.values())
    yield f"Total: {total} bytes = {mb(total).strip()} ({len(sizes)} files)"
    yield ""
    yield "| contributor | MB | MiB | files |"
    yield "|---|---:|---:|---:|"
    for name, size, files in contributors(sizes):
        yield f"| {name} | {size / 1e6:.1f} | {size / 2**20:.1f} | {files} |"
    yield ""
    yield f"Largest files (top {top}):"
    for path, size in sorted(sizes.items(), key=lambda item: -item[1])[:top]:
        yield f"  {mb(size)}  {path}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--top", type=int, default=20, help="how many of the largest files to list")
    parser.add_argument("--installer", type=Path, action="append", default=[], help="also print this file's size")
    args = parser.parse_args(argv)
    for line in table(file_sizes(args.folder), args.top):
        print(line)
    for installer in args.installer:
        print(f"Installer {installer}: {installer.stat().st_size} bytes = {mb(installer.stat().st_size).strip()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
