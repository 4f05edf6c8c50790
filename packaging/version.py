"""The project's version and the names of the release files, from ``pyproject.toml`` alone.

The spec, the Makefile, the installer build and the release workflow all ask this module, so a
release only ever needs its version changed in one place. It runs before anything is installed
(``python packaging/version.py``), hence no third-party import.

Usage: ``python packaging/version.py [version|setup-exe|dmg|tarball|windows-version]``.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = ROOT / "pyproject.toml"

#: Shared by the spec, Info.plist, installer.nsi and the workflow; reverse-DNS as macOS wants it.
BUNDLE_ID = "com.soniox.desktop"
APP_NAME = "Soniox Desktop"
PUBLISHER = "Soniox Desktop developers"
#: The file stem of every release file: ``Soniox-Desktop-<version>...``.
FILE_STEM = "Soniox-Desktop"


def project_version(pyproject: Path = PYPROJECT) -> str:
    """``[project] version`` from pyproject.toml (tomllib where it exists, else a strict regex)."""
    text = pyproject.read_text(encoding="utf-8")
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10: the [project] table's own version line
        section = re.search(r"^\[project\]\s*$(.*?)(?=^\[|\Z)", text, re.M | re.S)
        match = re.search(r'^version\s*=\s*"([^"]+)"', section.group(1) if section else "", re.M)
        if not match:
            raise ValueError(f"no [project] version in {pyproject}") from None
        return match.group(1)
    return str(tomllib.loads(text)["project"]["version"])


def windows_version(version: str) -> str:
    """Four dotted numbers as Windows version resources need (``0.1.0rc1`` -> ``0.1.0.0``)."""
    numbers = [int(part) for part in re.findall(r"\d+", version.split("+")[0])[:3]]
    numbers += [0] * (4 - len(numbers))
    return ".".join(map(str, numbers[:4]))


def release_files(version: str) -> dict[str, str]:
    return {
        "setup-exe": f"{FILE_STEM}-{version}-setup.exe",
        "dmg": f"{FILE_STEM}-{version}.dmg",
        "tarball": f"{FILE_STEM}-{version}-linux-x86_64.tar.gz",
    }


def windows_version_info(version: str) -> str:
    """PyInstaller's text form of a Windows version resource (Explorer's Details tab, SmartScreen).

    Written as text so it can be built and checked on any system; PyInstaller parses it only
    when it builds the Windows executable.
    """
    numbers = tuple(int(n) for n in windows_version(version).split("."))
    strings = {
        "CompanyName": PUBLISHER,
        "FileDescription": APP_NAME,
        "FileVersion": version,
        "InternalName": "soniox-desktop",
        "LegalCopyright": f"{PUBLISHER}; Apache License 2.0",
        "OriginalFilename": "soniox-desktop.exe",
        "ProductName": APP_NAME,
        "ProductVersion": version,
    }
    table = ", ".join(f"StringStruct({key!r}, {value!r})" for key, value in strings.items())
    return (
        "VSVersionInfo(\n"
        f"  ffi=FixedFileInfo(filevers={numbers}, prodvers={numbers}, mask=0x3F, flags=0x0, OS=0x40004,"
        " fileType=0x1, subtype=0x0, date=(0, 0)),\n"
        f"  kids=[StringFileInfo([StringTable('040904B0', [{table}])]),\n"
        "        VarFileInfo([VarStruct('Translation', [1033, 1200])])],\n"
        ")\n"
    )


def main(argv: list[str]) -> int:
    what = argv[0] if argv else "version"
    version = project_version()
    answers = {"version": version, "windows-version": windows_version(version), **release_files(version)}
    if what not in answers:
        print(f"usage: version.py [{'|'.join(answers)}]", file=sys.stderr)
        return 2
    print(answers[what])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
