"""Up-front refusal of files the service would refuse: the reason names what is wrong."""

from __future__ import annotations

import os
import struct
import sys
from pathlib import Path

import pytest

from desktop.core.jobs.file_checks import check_file, check_files, check_url, media_file_problem, path_problem
from desktop.core.media_sniff import sniff_container


def wav_bytes(seconds: float, rate: int = 16000) -> bytes:
    data_size = int(seconds * rate * 2)
    header = b"RIFF" + struct.pack("<I", 36 + data_size) + b"WAVE"
    fmt = b"fmt " + struct.pack("<IHHIIHH", 16, 1, 1, rate, rate * 2, 2, 16)
    return header + fmt + b"data" + struct.pack("<I", data_size)


def write(tmp_path: Path, name: str, content: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(content)
    return path


@pytest.mark.parametrize(
    ("head", "kind"),
    [
        (b"RIFF\x00\x00\x00\x00WAVEfmt ", "wav"),
        (b"ID3\x04\x00", "mp3"),
        (b"\xff\xfb\x90\x00", "mp3"),
        (b"\xff\xf1\x50\x80", "aac"),
        (b"fLaC\x00\x00", "flac"),
        (b"OggS\x00\x02", "ogg"),
        (b"\x00\x00\x00\x20ftypM4A ", "mp4"),
        (b"\x1a\x45\xdf\xa3\x01", "webm"),
        (b"FORM\x00\x00\x00\x00AIFF", "aiff"),
        (b"#!AMR\n", "amr"),
        (bytes.fromhex("3026b2758e66cf11a6d900aa0062ce6c"), "asf"),
        (b"%PDF-1.7", None),
        (b"hello", None),
    ],
)
def test_sniff_container_recognises_media_magic(head: bytes, kind: str | None) -> None:
    assert sniff_container(head) == kind


def test_real_audio_with_wrong_extension_is_accepted(tmp_path: Path) -> None:
    path = write(tmp_path, "recording.dat", wav_bytes(1) + b"\x00" * 32000)
    result = check_file(path)
    assert result.ok and result.kind == "wav"


def test_pdf_named_mp3_is_refused_with_what_it_is(tmp_path: Path) -> None:
    path = write(tmp_path, "talk.mp3", b"%PDF-1.7\n" + b"x" * 100)
    result = check_file(path)
    assert not result.ok
    assert result.message == "talk.mp3: this is a PDF document, not audio or video."


def test_text_file_is_refused(tmp_path: Path) -> None:
    result = check_file(write(tmp_path, "notes.txt", b"Meeting notes\nline two\n"))
    assert not result.ok and "text file" in result.reason


def test_unknown_binary_with_media_extension_goes_ahead(tmp_path: Path) -> None:
    """When in doubt the service decides: an unrecognised header with a media extension passes."""
    result = check_file(write(tmp_path, "odd.m4a", bytes(range(1, 64)) + b"\x00"))
    assert result.ok


def test_unknown_binary_without_media_extension_is_refused(tmp_path: Path) -> None:
    result = check_file(write(tmp_path, "blob.bin", bytes(range(1, 64)) + b"\x00"))
    assert not result.ok and "does not look like" in result.reason


def test_empty_missing_folder_and_too_large(tmp_path: Path) -> None:
    assert check_file(write(tmp_path, "empty.wav", b"")).reason == "the file is empty."
    assert check_file(tmp_path / "gone.wav").reason == "the file no longer exists."
    assert check_file(tmp_path).reason == "this is a folder, not a file."
    big = write(tmp_path, "big.wav", wav_bytes(1) + b"\x00" * 2000)
    result = check_file(big, max_bytes=1000)
    assert result.reason == "the file is 2.0 KB; Soniox accepts files up to 1.0 KB."


@pytest.mark.skipif(sys.platform == "win32", reason="symlinks need privileges on Windows")
def test_a_link_loop_or_a_link_to_a_folder_is_not_a_file(tmp_path: Path) -> None:
    loop = tmp_path / "loop.mp3"
    loop.symlink_to(loop)
    folder_link = tmp_path / "folder.mp3"
    folder_link.symlink_to(tmp_path)
    assert check_file(loop).message == "loop.mp3: this is a link that leads back to itself (a loop), not a file."
    assert check_file(folder_link).message == "folder.mp3: this is a folder, not a file."
    assert path_problem(loop) == "this is a link that leads back to itself (a loop), not a file."
    accepted, refused = check_files([loop, loop])
    assert accepted == [] and [r.path for r in refused] == [loop]


def test_program_named_mp3_is_refused_like_the_live_file_source_refuses_it(tmp_path: Path) -> None:
    path = write(tmp_path, "song.mp3", b"MZ\x90\x00" + bytes(100))
    assert check_file(path).message == "song.mp3: this is a program, not audio or video."
    # The live file source uses the same verdict, so both paths say the same words.
    assert media_file_problem(path) == "this is a program, not audio or video."
    assert media_file_problem(tmp_path / "gone.mp3", missing="the file does not exist.") == "the file does not exist."
    assert media_file_problem(write(tmp_path, "real.wav", wav_bytes(1))) is None


def test_wav_longer_than_the_service_limit_is_refused_from_its_header(tmp_path: Path) -> None:
    path = write(tmp_path, "long.wav", wav_bytes(301 * 60)[:44] + b"\x00" * 64)
    result = check_file(path)
    assert not result.ok
    assert "301 minutes" in result.reason and "300 minutes" in result.reason


@pytest.mark.skipif(sys.platform == "win32" or os.geteuid() == 0, reason="root reads everything")
def test_unreadable_file_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "locked.wav", wav_bytes(1) + b"\x00" * 100)
    path.chmod(0)
    try:
        result = check_file(path)
    finally:
        path.chmod(0o600)
    assert not result.ok and "permission" in result.reason


def test_read_error_is_refused_with_the_reason(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Covers the unreadable path where chmod cannot (running as root, or on Windows)."""
    path = write(tmp_path, "locked.wav", wav_bytes(1) + b"\x00" * 100)

    def denied(self: Path, *args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "open", denied)
    result = check_file(path)
    assert result.message == "locked.wav: you do not have permission to read this file."


def test_check_files_splits_and_deduplicates(tmp_path: Path) -> None:
    good = write(tmp_path, "a.wav", wav_bytes(1) + b"\x00" * 100)
    bad = write(tmp_path, "b.txt", b"plain text")
    accepted, refused = check_files([good, bad, good])
    assert [c.path for c in accepted] == [good]
    assert [c.path for c in refused] == [bad]


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("https://example.com/a.mp3", None),
        ("http://example.com/a.mp3?x=1", None),
        ("ftp://example.com/a.mp3", "http"),
        ("example.com/a.mp3", "http"),
        ("https://exa mple.com/a.mp3", "spaces"),
        ("", "Paste"),
        ("https://", "host"),
    ],
)
def test_check_url(text: str, problem: str | None) -> None:
    result = check_url(text)
    if problem is None:
        assert result is None
    else:
        assert result is not None and problem in result


def test_long_flac_is_refused_from_its_header(tmp_path: Path) -> None:
    """The duration limit applies to every container mutagen reads, not only WAV."""
    import numpy as np
    import soundfile

    path = tmp_path / "talk.flac"
    soundfile.write(str(path), np.zeros(16000 * 2, dtype="int16"), 16000, format="FLAC")
    assert check_file(path, max_duration_s=60).ok
    result = check_file(path, max_duration_s=1)
    assert not result.ok and result.kind == "flac"
    assert result.reason.startswith("the audio is ") and "minutes long" in result.reason
