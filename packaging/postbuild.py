"""Finish a PyInstaller build: drop dangling links, strip Linux libraries, add the Linux launcher.

The spec cannot strip: PyInstaller's ``strip=True`` also strips numpy's bundled OpenBLAS, whose
segments then stop being page-aligned and numpy fails to import. Here only regular ``*.so*``
files outside ``numpy.libs`` are stripped (``strip`` on a symlink would replace the link with a
copy). The executable itself is never stripped: in a one-folder build PyInstaller appends the
Python archive to it. macOS binaries are left alone because stripping breaks their signatures;
Windows DLLs carry no symbols to strip.

Usage: ``python packaging/postbuild.py dist/soniox-desktop [--no-strip]``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
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
        add_linux_launcher(folder)
    after = folder_size(folder)
    print(
        f"postbuild: {folder}: {before / 1e6:.1f} MB -> {after / 1e6:.1f} MB "
        f"({len(dangling)} dangling links removed, {stripped} libraries stripped)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
