"""Which audio/video container a file or stream is, from its first bytes — or what else it is.

One table for the whole app: the job checks and the live file and URL sources refuse what is
clearly not media (with the same words), the live sources pace and label what they stream, and
recordings of URL streams take their extension from it.
"""

from __future__ import annotations


def sniff_container(head: bytes) -> str | None:
    """Name the audio/video container the first bytes of a file announce, or None if unknown."""
    if len(head) >= 12 and head[:4] == b"RIFF":
        form = head[8:12]
        if form == b"WAVE":
            return "wav"
        if form.startswith(b"AVI"):
            return "avi"
    if head[:4] == b"RF64" or head[:4] == b"BW64":
        return "wav"
    if head[:4] == b"fLaC":
        return "flac"
    if head[:4] == b"OggS":
        return "ogg"
    if head[:3] == b"ID3":
        return "mp3"
    if head[:4] == b"\x1a\x45\xdf\xa3":
        return "webm"
    if len(head) >= 12 and head[:4] == b"FORM" and head[8:12] in (b"AIFF", b"AIFC"):
        return "aiff"
    if head[:5] == b"#!AMR":
        return "amr"
    if head[:4] == b"caff":
        return "caf"
    if head[:4] == b".snd":
        return "au"
    if head[:4] == b"wvpk":
        return "wv"
    if head[:4] == b"MAC ":
        return "ape"
    if head[:16] == bytes.fromhex("3026b2758e66cf11a6d900aa0062ce6c"):
        return "asf"
    if len(head) >= 8 and head[4:8] in (b"ftyp", b"moov", b"mdat", b"wide", b"free", b"skip"):
        return "mp4"
    if head[:4] in (b"\x00\x00\x01\xba", b"\x00\x00\x01\xb3"):
        return "mpeg"
    if head[:3] == b"FLV":
        return "flv"
    if len(head) >= 2 and head[0] == 0xFF and (head[1] & 0xE0) == 0xE0:
        # MPEG audio frame sync (MP3 without ID3) or ADTS AAC (layer bits 00).
        return "aac" if (head[1] & 0x06) == 0 else "mp3"
    if head[:2] == b"\x0b\x77":
        return "ac3"
    return None


# Magic numbers of formats that are certainly not audio or video.
_NOT_MEDIA_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive or office document"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"\x7fELF", "a program"),
    (b"MZ", "a program"),
    (b"\xcf\xfa\xed\xfe", "a program"),
    (b"\xce\xfa\xed\xfe", "a program"),
    (b"\xca\xfe\xba\xbe", "a program"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"7z\xbc\xaf", "a 7-Zip archive"),
    (b"Rar!", "a RAR archive"),
    (b"SQLite format 3", "a database"),
    (b"BM", "a bitmap image"),
)


def not_media_kind(head: bytes) -> str | None:
    """What a file or stream certainly is when its first bytes say it is not media ("a PDF document").

    Only for bytes :func:`sniff_container` does not recognise: "BM" or "MZ" could begin anything.
    """
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


def not_media_reason(head: bytes) -> str | None:
    """The words every path uses to refuse such bytes ("this is a program, not audio or video."), or None.

    None also when the bytes announce a known container, so a real recording is never refused.
    """
    if sniff_container(head) is not None:
        return None
    what = not_media_kind(head)
    return f"this is {what}, not audio or video." if what else None
