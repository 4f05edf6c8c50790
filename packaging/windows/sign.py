"""Authenticode-sign Windows files with signtool, when a certificate is given; else skip.

    python packaging/windows/sign.py dist/soniox-desktop/soniox-desktop.exe [more files...]

installer.nsi calls it for the uninstaller and the finished setup.exe when built with
``-DSIGN="python packaging\\windows\\sign.py"``. The certificate comes from the environment:
``WINDOWS_CERTIFICATE_PFX`` (a .pfx path) or ``WINDOWS_CERTIFICATE_PFX_BASE64`` (its contents, as
CI secrets hold it), with ``WINDOWS_CERTIFICATE_PASSWORD``. ``WINDOWS_TIMESTAMP_URL`` overrides
the RFC 3161 timestamp server. With no certificate it prints that it skipped and exits 0, so the
same build commands work for everyone.
"""

from __future__ import annotations

import base64
import glob
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

DEFAULT_TIMESTAMP_URL = "http://timestamp.digicert.com"


def find_signtool() -> str | None:
    """signtool from PATH, else the newest x64 one in the Windows SDK (where runners have it)."""
    found = shutil.which("signtool")
    if found:
        return found
    kits = os.path.join(os.environ.get("PROGRAMFILES(X86)", r"C:\Program Files (x86)"), "Windows Kits", "10", "bin")
    candidates = sorted(glob.glob(os.path.join(kits, "10.*", "x64", "signtool.exe")))
    return candidates[-1] if candidates else None


def signtool_command(signtool: str, pfx: str, password: str, timestamp_url: str, files: list[str]) -> list[str]:
    command = [signtool, "sign", "/f", pfx, "/fd", "SHA256", "/tr", timestamp_url, "/td", "SHA256"]
    if password:
        command += ["/p", password]
    return [*command, *files]


def main(argv: list[str]) -> int:
    files = [str(Path(f)) for f in argv]
    if not files:
        print(__doc__, file=sys.stderr)
        return 2
    pfx = os.environ.get("WINDOWS_CERTIFICATE_PFX", "")
    pfx_base64 = os.environ.get("WINDOWS_CERTIFICATE_PFX_BASE64", "")
    if not pfx and not pfx_base64:
        print(f"sign.py: no Windows certificate set, not signed: {' '.join(files)}")
        return 0
    signtool = find_signtool()
    if not signtool:
        print("sign.py: a certificate is set but signtool was not found (install the Windows SDK)", file=sys.stderr)
        return 1
    password = os.environ.get("WINDOWS_CERTIFICATE_PASSWORD", "")
    timestamp_url = os.environ.get("WINDOWS_TIMESTAMP_URL", DEFAULT_TIMESTAMP_URL)
    with tempfile.TemporaryDirectory() as scratch:
        if not pfx:
            pfx = os.path.join(scratch, "certificate.pfx")
            Path(pfx).write_bytes(base64.b64decode(pfx_base64))
        command = signtool_command(signtool, pfx, password, timestamp_url, files)
        result = subprocess.run(command, check=False)
        if result.returncode != 0:
            return result.returncode
    return subprocess.run([signtool, "verify", "/pa", *files], check=False).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
