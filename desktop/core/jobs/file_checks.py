"""Refuse files up front that the service would refuse after a long upload.

Dropping a folder of mixed files is common, so every file gets a quick local check: it must exist,
be readable, not be empty, fit the service's limits and look like audio or video. "Look like" is
decided from the first bytes (container magic numbers) first and the extension second, so a
``.mp3`` that is really a PDF is refused while an odd extension on a real WAV still goes ahead.
Only files that are *clearly* not media are refused; when in doubt the service decides.
"""

from __future__ import annotations

import mimetypes
import os
import stat
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from desktop.core.media_duration import media_duration_s
from desktop.core.media_sniff import sniff_container

# Soniox async limits (https://soniox.com/docs/stt/async/limits-and-quotas): files count against a
# 10 GB storage quota, so no single file can be larger; audio longer than 300 minutes is refused
# and that limit "cannot be increased".
MAX_FILE_BYTES = 10 * 1000**3
MAX_DURATION_S = 300 * 60
# The upload's multipart filename is limited to 256 characters by the Files API.
MAX_FILENAME_CHARS = 256

HEAD_BYTES = 64

MEDIA_EXTENSIONS = frozenset(
    {
        "aac", "ac3", "aif", "aifc", "aiff", "amr", "ape", "asf", "au", "avi", "caf", "flac", "flv",
        "m2ts", "m4a", "m4b", "m4v", "mka", "mkv", "mov", "mp2", "mp3", "mp4", "mpeg", "mpg", "mts",
        "oga", "ogg", "ogv", "opus", "qt", "snd", "spx", "3gp", "3g2", "ts", "wav", "wave", "webm",
        "wma", "wmv", "wv",
    }
)  # fmt: skip

# Magic numbers of formats that are certainly not audio or video.
_NOT_MEDIA_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive or office document"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"\x7fELF", "a program"),
    (b"MZ", "a program"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"7z\xbc\xaf", "a 7-Zip archive"),
    (b"Rar!", "a RAR archive"),
    (b"SQLite format 3", "a database"),
    (b"BM", "a bitmap image"),
)


@dataclass(frozen=True)
class FileCheck:
    """The verdict on one file; ``reason`` is a sentence fragment naming why it is refused."""

    path: Path
    ok: bool
    reason: str = ""
    size: int = 0
    kind: str = ""

    @property
    def message(self) -> str:
        """What the user reads: the file's name and the reason, in one line."""
        return f"{self.path.name}: {self.reason}" if not self.ok else f"{self.path.name}: ready"


def _not_media(head: bytes) -> str | None:
    for magic, what in _NOT_MEDIA_MAGIC:
        if head.startswith(magic):
            return what
    if head and b"\x00" not in head:
        try:
            text = head.decode("utf-8")
        except UnicodeDecodeError:
            return None
        printable = sum(ch.isprintable() or ch in "\r\n\t" for ch in text)
        if printable >= 0.95 * len(text):
            return "a text file"
    return None


def _extension_is_media(path: Path) -> bool:
    ext = path.suffix.lower().lstrip(".")
    if ext in MEDIA_EXTENSIONS:
        return True
    guessed, _ = mimetypes.guess_type(path.name)
    return guessed is not None and guessed.split("/", 1)[0] in ("audio", "video")


def _human_size(size: int) -> str:
    value = float(size)
    for unit in ("bytes", "KB", "MB", "GB"):
        if value < 1000 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "bytes" else f"{value:.1f} {unit}"
        value /= 1000
    return f"{value:.1f} GB"


def check_file(
    path: Path | str, *, max_bytes: int = MAX_FILE_BYTES, max_duration_s: float = MAX_DURATION_S
) -> FileCheck:
    """Decide whether ``path`` may be uploaded; the reason says what is wrong in plain words."""
    path = Path(path)
    try:
        info = path.stat()
    except FileNotFoundError:
        return FileCheck(path, False, "the file no longer exists.")
    except OSError as exc:
        return FileCheck(path, False, f"the file cannot be read ({exc.strerror or exc}).")
    if stat.S_ISDIR(info.st_mode):
        return FileCheck(path, False, "this is a folder, not a file.")
    if not stat.S_ISREG(info.st_mode):
        return FileCheck(path, False, "this is not a regular file.")
    size = info.st_size
    if size == 0:
        return FileCheck(path, False, "the file is empty.")
    if size > max_bytes:
        return FileCheck(
            path, False, f"the file is {_human_size(size)}; Soniox accepts files up to {_human_size(max_bytes)}.", size
        )
    if len(path.name) > MAX_FILENAME_CHARS:
        return FileCheck(path, False, f"the file name is longer than {MAX_FILENAME_CHARS} characters.", size)
    try:
        with path.open("rb") as handle:
            head = handle.read(HEAD_BYTES)
    except PermissionError:
        return FileCheck(path, False, "you do not have permission to read this file.", size)
    except OSError as exc:
        return FileCheck(path, False, f"the file cannot be read ({exc.strerror or exc}).", size)
    if not os.access(path, os.R_OK):
        return FileCheck(path, False, "you do not have permission to read this file.", size)
    kind = sniff_container(head)
    if kind is None:
        not_media = _not_media(head)
        if not_media:
            return FileCheck(path, False, f"this is {not_media}, not audio or video.", size)
        if not _extension_is_media(path):
            return FileCheck(path, False, "this does not look like an audio or video file.", size)
        kind = path.suffix.lower().lstrip(".")
    # Headers only (mutagen, then soundfile), so this stays quick for a folder of long recordings.
    duration = media_duration_s(path)
    if duration is not None and duration > max_duration_s:
        return FileCheck(
            path,
            False,
            f"the audio is {duration / 60:.0f} minutes long; "
            f"Soniox transcribes up to {max_duration_s / 60:.0f} minutes.",
            size,
            kind,
        )
    return FileCheck(path, True, "", size, kind)


def check_files(paths: Iterable[Path | str], **limits: float) -> tuple[list[FileCheck], list[FileCheck]]:
    """Split ``paths`` into (accepted, refused), dropping duplicates while keeping the order."""
    accepted: list[FileCheck] = []
    refused: list[FileCheck] = []
    seen: set[Path] = set()
    for raw in paths:
        path = Path(raw)
        key = path.resolve() if path.exists() else path
        if key in seen:
            continue
        seen.add(key)
        result = check_file(path, **limits)  # type: ignore[arg-type]
        (accepted if result.ok else refused).append(result)
    return accepted, refused


def check_url(text: str) -> str | None:
    """Return why ``text`` is not an http(s) URL the service can fetch, or None when it is."""
    url = text.strip()
    if not url:
        return "Paste the address of an audio or video file."
    lowered = url.lower()
    if not (lowered.startswith("http://") or lowered.startswith("https://")):
        return "The address must start with http:// or https://."
    if any(ch.isspace() for ch in url):
        return "The address must not contain spaces."
    if len(url) > 4096:
        return "The address is longer than the 4096 characters Soniox accepts."
    if len(url.split("://", 1)[1].split("/", 1)[0]) == 0:
        return "The address has no host name."
    return None
