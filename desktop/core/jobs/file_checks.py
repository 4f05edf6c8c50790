"""Refuse files up front that the service would refuse after a long upload.

Dropping a folder of mixed files is common, so every file gets a quick local check: it must exist,
be readable, not be empty, fit the service's limits and look like audio or video. "Look like" is
decided from the first bytes (container magic numbers) first and the extension second, so a
``.mp3`` that is really a PDF is refused while an odd extension on a real WAV still goes ahead.
Only files that are *clearly* not media are refused; when in doubt the service decides.
"""

from __future__ import annotations

import errno
import mimetypes
import os
import stat
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from desktop.core.media_duration import media_duration_s
from desktop.core.media_sniff import not_media_reason, sniff_container

# Soniox async limits (https://soniox.com/docs/stt/async/limits-and-quotas): files count against a
# 10 GB storage quota, so no single file can be larger; audio longer than 300 minutes is refused
# and that limit "cannot be increased".
MAX_FILE_BYTES = 10 * 1000**3
MAX_DURATION_S = 300 * 60
# The upload's multipart filename is limited to 256 characters by the Files API.
MAX_FILENAME_CHARS = 256

HEAD_BYTES = 64

MISSING = "the file no longer exists."  # the jobs' wording: the file was there when it was picked

MEDIA_EXTENSIONS = frozenset(
    {
        "aac", "ac3", "aif", "aifc", "aiff", "amr", "ape", "asf", "au", "avi", "caf", "flac", "flv",
        "m2ts", "m4a", "m4b", "m4v", "mka", "mkv", "mov", "mp2", "mp3", "mp4", "mpeg", "mpg", "mts",
        "oga", "ogg", "ogv", "opus", "qt", "snd", "spx", "3gp", "3g2", "ts", "wav", "wave", "webm",
        "wma", "wmv", "wv",
    }
)  # fmt: skip


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


def _stat(path: Path, missing: str) -> tuple[str | None, int]:
    """(why ``path`` is not a regular file one can read, or None; its size)."""
    try:
        info = path.stat()
    except FileNotFoundError:
        return missing, 0  # also a link whose target is gone
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return "this is a link that leads back to itself (a loop), not a file.", 0
        return f"the file cannot be read ({exc.strerror or exc}).", 0
    if stat.S_ISDIR(info.st_mode):
        return "this is a folder, not a file.", 0
    if not stat.S_ISREG(info.st_mode):
        return "this is not a regular file.", 0
    return None, info.st_size


def _read_head(path: Path) -> tuple[str | None, bytes]:
    """(why the first bytes of ``path`` cannot be read, or None; those bytes)."""
    try:
        with path.open("rb") as handle:
            head = handle.read(HEAD_BYTES)
    except PermissionError:
        return "you do not have permission to read this file.", b""
    except OSError as exc:
        return f"the file cannot be read ({exc.strerror or exc}).", b""
    if not os.access(path, os.R_OK):
        return "you do not have permission to read this file.", b""
    return None, head


def path_problem(path: Path | str, *, missing: str = MISSING) -> str | None:
    """Why ``path`` is not a file at all (missing, a folder, a link loop, a device), or None."""
    return _stat(Path(path), missing)[0]


def media_file_problem(path: Path | str, *, missing: str = MISSING) -> str | None:
    """Why ``path`` cannot be media the app reads, in the words the jobs checks use; None if it may be.

    The live file source refuses with it what an upload would refuse: no file (a folder, a link
    loop), an empty or unreadable one, or one whose first bytes say it is something else (a
    program or a PDF renamed ``.mp3``). The upload limits (size, name, length) are the jobs' own.
    """
    path = Path(path)
    problem, size = _stat(path, missing)
    if problem is None and size == 0:
        problem = "the file is empty."
    if problem is None:
        problem, head = _read_head(path)
        problem = problem or not_media_reason(head)
    return problem


def check_file(
    path: Path | str, *, max_bytes: int = MAX_FILE_BYTES, max_duration_s: float = MAX_DURATION_S
) -> FileCheck:
    """Decide whether ``path`` may be uploaded; the reason says what is wrong in plain words."""
    path = Path(path)
    problem, size = _stat(path, MISSING)
    if problem is not None:
        return FileCheck(path, False, problem)
    if size == 0:
        return FileCheck(path, False, "the file is empty.")
    if size > max_bytes:
        return FileCheck(
            path, False, f"the file is {_human_size(size)}; Soniox accepts files up to {_human_size(max_bytes)}.", size
        )
    if len(path.name) > MAX_FILENAME_CHARS:
        return FileCheck(path, False, f"the file name is longer than {MAX_FILENAME_CHARS} characters.", size)
    problem, head = _read_head(path)
    if problem is not None:
        return FileCheck(path, False, problem, size)
    kind = sniff_container(head)
    if kind is None:
        not_media = not_media_reason(head)
        if not_media:
            return FileCheck(path, False, not_media, size)
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
