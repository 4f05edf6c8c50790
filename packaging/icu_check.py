"""Call every ICU function Qt uses, through the ICU libraries in one folder; print what failed.

    python packaging/icu_check.py <folder with libicuuc/libicui18n/libicudata> <ICU major version>

packaging/icu_data.py runs it in a child process after rebuilding the ICU data library, so a
data item Qt reads that the keep rule left out fails the build instead of a user's file dialog
(collation), clipboard (converters) or time-zone name. Exit status 1 when a call failed.
"""

from __future__ import annotations

import ctypes
import sys
from typing import Any

UCOL_NUMERIC_COLLATION, UCOL_ON, UCOL_GREATER = 7, 17, 1
UCAL_STANDARD = 0


def utf16(text: str) -> tuple[Any, int]:
    raw = text.encode("utf-16-le")
    return (ctypes.c_uint16 * (len(raw) // 2 + 1)).from_buffer_copy(raw + b"\0\0"), len(raw) // 2


def text_of(buffer: Any, length: int) -> str:
    return bytes(buffer)[: 2 * max(length, 0)].decode("utf-16-le")


def run(folder: str, version: str) -> list[str]:
    uc = ctypes.CDLL(f"{folder}/libicuuc.so.{version}")
    i18n = ctypes.CDLL(f"{folder}/libicui18n.so.{version}")
    failed: list[str] = []

    def fn(lib: ctypes.CDLL, name: str, restype: Any = ctypes.c_int) -> Any:
        function = getattr(lib, f"{name}_{version}")
        function.restype = restype
        return function

    def check(what: str, status: ctypes.c_int) -> None:
        if status.value > 0:  # negative values are warnings, such as falling back to the root locale
            failed.append(f"{what}: ICU error {status.value}")

    # Collation: the file dialogs sort names with QCollator (numeric mode).
    for locale in (b"", b"en_US", b"de_DE", b"ja_JP", b"zh_Hans_CN", b"sv_SE", b"ar_EG", b"pt_BR", b"xx_YY"):
        status = ctypes.c_int(0)
        collator = fn(i18n, "ucol_open", ctypes.c_void_p)(locale, ctypes.byref(status))
        check(f"ucol_open({locale!r})", status)
        if not collator:
            continue
        status = ctypes.c_int(0)
        fn(i18n, "ucol_setAttribute", None)(
            ctypes.c_void_p(collator), UCOL_NUMERIC_COLLATION, UCOL_ON, ctypes.byref(status)
        )
        check(f"ucol_setAttribute({locale!r})", status)
        (a, na), (b, nb) = utf16("file 10.wav"), utf16("File 9.wav")
        if fn(i18n, "ucol_strcoll")(ctypes.c_void_p(collator), a, na, b, nb) != UCOL_GREATER:
            failed.append(f"ucol_strcoll({locale!r}) does not sort 9 before 10")
        fn(i18n, "ucol_close", None)(ctypes.c_void_p(collator))

    # Converters: QStringDecoder and QStringEncoder for any encoding beyond UTF and Latin-1.
    for name in (b"windows-1252", b"ISO-8859-2", b"KOI8-R", b"Shift_JIS", b"GB18030", b"Big5", b"EUC-KR"):
        status = ctypes.c_int(0)
        converter = fn(uc, "ucnv_open", ctypes.c_void_p)(name, ctypes.byref(status))
        check(f"ucnv_open({name!r})", status)
        if converter:
            fn(uc, "ucnv_close", None)(ctypes.c_void_p(converter))
    if fn(uc, "ucnv_countAvailable")() < 100:
        failed.append("ucnv_countAvailable lists fewer than 100 converters")

    # Time zones: QTimeZone::displayName and the canonical IDs.
    zone, nzone = utf16("Europe/Berlin")
    for locale in (b"en_US", b"de_DE", b"ja_JP"):
        status = ctypes.c_int(0)
        calendar = fn(i18n, "ucal_open", ctypes.c_void_p)(zone, nzone, locale, 0, ctypes.byref(status))
        check(f"ucal_open({locale!r})", status)
        if not calendar:
            continue
        out, status = (ctypes.c_uint16 * 128)(), ctypes.c_int(0)
        length = fn(i18n, "ucal_getTimeZoneDisplayName")(
            ctypes.c_void_p(calendar), UCAL_STANDARD, locale, out, 128, ctypes.byref(status)
        )
        check(f"ucal_getTimeZoneDisplayName({locale!r})", status)
        name = text_of(out, length)
        if not name or name.startswith("GMT"):  # "GMT+01:00" is ICU's fallback without zone names
            failed.append(f"ucal_getTimeZoneDisplayName({locale!r}) has no zone name: {name!r}")
        fn(i18n, "ucal_close", None)(ctypes.c_void_p(calendar))
    out, status, system = (ctypes.c_uint16 * 64)(), ctypes.c_int(0), ctypes.c_int8(0)
    alias, nalias = utf16("US/Pacific")
    length = fn(i18n, "ucal_getCanonicalTimeZoneID")(alias, nalias, out, 64, ctypes.byref(system), ctypes.byref(status))
    check("ucal_getCanonicalTimeZoneID", status)
    if text_of(out, length) != "America/Los_Angeles":
        failed.append("ucal_getCanonicalTimeZoneID does not map US/Pacific to America/Los_Angeles")

    # Case mapping: QLocale::toUpper with a locale's own rules.
    source, nsource = utf16("istanbul")
    out, status = (ctypes.c_uint16 * 32)(), ctypes.c_int(0)
    length = fn(uc, "u_strToUpper")(out, 32, source, nsource, b"tr_TR", ctypes.byref(status))
    check("u_strToUpper", status)
    if text_of(out, length) != "\u0130STANBUL":
        failed.append("u_strToUpper(tr_TR) lost the Turkish dotted capital I")
    return failed


if __name__ == "__main__":
    failures = run(sys.argv[1], sys.argv[2])
    print("\n".join(failures))
    sys.exit(1 if failures else 0)
