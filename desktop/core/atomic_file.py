"""Replace a small text file so a reader sees the old content or the new, never a mix.

The temporary file is written in the same folder and renamed over the target (``os.replace`` is
atomic on one file system, on Linux, macOS and Windows). There is no fsync: what this protects is
readers (OBS reading a caption file, the app reading its settings), not the disk after a power
cut, and an fsync would cost milliseconds on the UI thread each time.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_text_atomically(path: Path, text: str, *, prefix: str | None = None) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=prefix or f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
