"""Finish a PyInstaller build: drop dangling links, strip Linux libraries, check every library
a bundled file needs is there, add the Linux launcher.

The spec cannot strip: PyInstaller's ``strip=True`` also strips numpy's bundled OpenBLAS, whose
segments then stop being page-aligned and numpy fails to import. Here only regular ``*.so*``
files outside ``numpy.libs`` are stripped (``strip`` on a symlink would replace the link with a
copy). The executable itself is never stripped: in a one-folder build PyInstaller appends the
Python archive to it. macOS binaries are left alone because stripping breaks their signatures;
Windows DLLs carry no symbols to strip.

On Linux every ELF file's ``DT_NEEDED`` libraries must then be in the bundle, or be a system
library the bundle deliberately takes from the host (PyInstaller's exclude list: glibc, libxcb,
GL; ``bundle_rules.HOST_LIBRARIES``); anything else fails the build with the files that need it,
so a trimming rule can never ship an app that does not start.

Usage: ``python packaging/postbuild.py dist/soniox-desktop [--no-strip]``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.append(str(ROOT / "packaging"))  # the packaging scripts import each other by name
import bundle_rules  # noqa: E402
import elf_file  # noqa: E402

#: Libraries whose layout must not change (see the module docstring).
NEVER_STRIP = ("numpy.libs",)


def folder_size(folder: Path) -> int:
    return sum(p.lstat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink())


def remove_dangling_links(folder: Path) -> list[Path]:
    dangling = [p for p in folder.rglob("*") if p.is_symlink() and not p.exists()]
    for link in dangling:
        link.unlink()
    return dangling


def strippable(folder: Path) -> list[Path]:
    found = []
    for path in sorted(folder.rglob("*.so*")):
        if path.is_symlink() or not path.is_file():
            continue
        if any(part in NEVER_STRIP for part in path.relative_to(folder).parts):
            continue
        found.append(path)
    return found


def strip_libraries(folder: Path) -> int:
    """Strip symbols the loader does not need; returns the number of files stripped."""
    strip = shutil.which("strip")
    if not strip:
        print("postbuild: no strip on PATH, libraries left as built", file=sys.stderr)
        return 0
    files = strippable(folder)
    for start in range(0, len(files), 200):
        subprocess.run([strip, "--strip-unneeded", *map(str, files[start : start + 200])], check=True)
    return len(files)


def pyinstaller_leaves_to_host(name: str) -> bool:
    """PyInstaller's own list of libraries it never collects on this system (glibc, libxcb, GL)."""
    from PyInstaller.depend import dylib

    return bool(dylib.exclude_list.check_library(name))


def missing_libraries(folder: Path, host: Callable[[str], bool]) -> dict[str, list[str]]:
    """``{library: [files that need it]}`` for libraries neither bundled nor ``host``-provided."""
    present = {path.name for path in folder.rglob("*")}
    missing: dict[str, list[str]] = {}
    for path in sorted(folder.rglob("*")):
        if path.is_symlink() or not path.is_file():
            continue
        with path.open("rb") as file:
            if file.read(4) != elf_file.ELF_MAGIC:
                continue
        try:
            names = elf_file.needed(path.read_bytes())
        except (ValueError, IndexError):
            continue
        for name in names:
            if name not in present and not host(name):
                missing.setdefault(name, []).append(str(path.relative_to(folder)))
    return missing


def host_library(name: str) -> bool:
    """Libraries the bundle takes from the host: the dynamic loader, PyInstaller's and ours."""
    return name.startswith("ld-linux") or bundle_rules.host_provided(name) or pyinstaller_leaves_to_host(name)


def add_linux_launcher(folder: Path) -> None:
    """The desktop-entry installer and the icon it points at, next to the executable."""
    script = folder / "install-desktop-entry.sh"
    shutil.copyfile(ROOT / "packaging" / "linux" / "install-desktop-entry.sh", script)
    os.chmod(script, 0o755)
    shutil.copyfile(ROOT / "resources" / "icons" / "app-256.png", folder / "soniox-desktop.png")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path, help="the one-folder build, e.g. dist/soniox-desktop")
    parser.add_argument("--no-strip", action="store_true", help="keep symbols (for debugging a crash)")
    args = parser.parse_args(argv)
    folder: Path = args.folder
    if not (folder / "_internal").is_dir():
        parser.error(f"{folder} is not a PyInstaller one-folder build")

    before = folder_size(folder)
    dangling = remove_dangling_links(folder)
    stripped = 0
    if sys.platform.startswith("linux"):
        if not args.no_strip:
            stripped = strip_libraries(folder)
        missing = missing_libraries(folder, host_library)
        if missing:
            for name, users in sorted(missing.items()):
                print(f"postbuild: {name} is not in the bundle but {', '.join(users[:3])} need it", file=sys.stderr)
            print("postbuild: a rule in packaging/bundle_rules.py left out a library kept files need", file=sys.stderr)
            return 1
        add_linux_launcher(folder)
    after = folder_size(folder)
    print(
        f"postbuild: {folder}: {before / 1e6:.1f} MB -> {after / 1e6:.1f} MB "
        f"({len(dangling)} dangling links removed, {stripped} libraries stripped)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
