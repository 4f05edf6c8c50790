"""Why the library cannot be used, said in words, and the way out: set the file aside, start anew.

Without its library the app still transcribes, but History, search and crash recovery are gone
and live sessions are not kept. That must never happen silently, so every way the file can fail
is sorted into one of a few :class:`LibraryProblem` kinds, each with a message the user can act
on (:attr:`LibraryFailure.user_error`) and the file's path:

* ``DAMAGED``: not a database at all, or pages SQLite reports as malformed (at open, by
  ``PRAGMA quick_check``, or later when a read or write trips over them);
* ``TOO_NEW``: written by a newer app (schema version above what this one knows); never
  "upgraded" backwards, the newer app must still be able to open it;
* ``NO_ACCESS``: the operating system refuses to let this user read or write it;
* ``FAILED``: anything else (a disk error, a SQLite without FTS5): reported as it is.

:func:`set_aside` is the "Start a new library" half that does not need Qt: it renames the file
(with its ``-wal`` and ``-shm``, which hold committed data until a checkpoint) to
``library-broken-<time>.sqlite3`` in the same folder, so nothing is deleted and the next open
creates a fresh library.
"""

from __future__ import annotations

import errno
import functools
import logging
import os
import sqlite3
import time
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any, Concatenate, ParamSpec, Protocol, TypeVar

from desktop import APP_NAME
from desktop.core.errors import UserError

log = logging.getLogger(__name__)

#: SQLite primary result codes (``sqlite_errorcode & 0xFF``; extended codes keep them in the low byte).
SQLITE_PERM = 3
SQLITE_READONLY = 8
SQLITE_CORRUPT = 11
SQLITE_CANTOPEN = 14
SQLITE_AUTH = 23
SQLITE_NOTADB = 26
_ACCESS_CODES = frozenset({SQLITE_PERM, SQLITE_READONLY, SQLITE_CANTOPEN, SQLITE_AUTH})
_DAMAGE_CODES = frozenset({SQLITE_CORRUPT, SQLITE_NOTADB})
#: Words SQLite uses for damage, for errors that arrive without a code (e.g. re-raised ones).
_DAMAGE_WORDS = ("malformed", "not a database", "corrupt")

#: Side files that belong to the database and move with it.
SIDE_SUFFIXES = ("-wal", "-shm")


class LibraryProblem(Enum):
    DAMAGED = "damaged"
    TOO_NEW = "too_new"
    NO_ACCESS = "no_access"
    FAILED = "failed"


#: The name a set-aside file gets, by problem: it says why it was moved.
_ASIDE_PREFIX = {
    LibraryProblem.DAMAGED: "library-broken",
    LibraryProblem.TOO_NEW: "library-newer",
    LibraryProblem.NO_ACCESS: "library-broken",
    LibraryProblem.FAILED: "library-broken",
}


@dataclass(frozen=True)
class LibraryFailure:
    """What is wrong with the library file at ``path``; ``detail`` is what SQLite or the OS said."""

    problem: LibraryProblem
    path: Path
    detail: str = ""
    #: NO_ACCESS only: True when even reading is refused (else only writing is).
    unreadable: bool = False

    @property
    def can_start_new(self) -> bool:
        """Whether setting the file aside can help (a missing FTS5 or a full disk it cannot)."""
        return self.problem is not LibraryProblem.FAILED

    @property
    def user_error(self) -> UserError:
        detail = f" ({self.detail})" if self.detail else ""
        kept = "the old file is kept, renamed, in the same folder"
        if self.problem is LibraryProblem.DAMAGED:
            return UserError(
                "The library file is damaged",
                f"Parts of it cannot be read{detail}.",
                f"Start a new library ({kept}), or continue without the library for now.",
                error_type="library_damaged",
            )
        if self.problem is LibraryProblem.TOO_NEW:
            return UserError(
                f"The library was written by a newer version of {APP_NAME}",
                f"Its format is {self.detail or 'newer than this version reads'}. Nothing in it was changed.",
                f"Update {APP_NAME} to get your history back, or start a new library "
                "(the newer file is kept, renamed, in the same folder).",
                error_type="library_too_new",
            )
        if self.problem is LibraryProblem.NO_ACCESS:
            verb = "read" if self.unreadable else "written"
            return UserError(
                f"The library file cannot be {verb}: permission denied",
                f"Your user account is not allowed to {'read' if self.unreadable else 'write'} it{detail}.",
                "Give your account read and write access to the file and its folder, then restart; "
                f"or start a new library ({kept}).",
                error_type="library_no_access",
            )
        return UserError(
            "The library could not be opened",
            f"Opening it failed{detail}.",
            "Restart the app; if it keeps happening, open the logs folder from the Help menu and report it.",
            error_type="library_failed",
        )


def _code(exc: BaseException) -> int | None:
    code = getattr(exc, "sqlite_errorcode", None)
    return code & 0xFF if isinstance(code, int) else None


def is_damage(exc: BaseException) -> bool:
    """True when ``exc`` is SQLite saying the file (or a page of it) is malformed."""
    if not isinstance(exc, sqlite3.DatabaseError):
        return False
    code = _code(exc)
    if code is not None:
        return code in _DAMAGE_CODES
    return any(word in str(exc).lower() for word in _DAMAGE_WORDS)


def _refused(path: Path) -> tuple[bool, bool]:
    """(access refused at all, reading refused), asked of the OS itself: the real answer under
    ACLs, and ``os.access`` lies for root and on Windows."""
    try:
        with open(path, "rb") as handle:
            handle.read(1)
    except PermissionError:
        return True, True
    except OSError:
        pass
    if path.exists():
        try:
            with open(path, "r+b"):
                pass
        except PermissionError:
            return True, False
    folder = path.parent
    if folder.is_dir() and not os.access(folder, os.W_OK | os.X_OK):
        return True, False  # WAL needs to create -wal and -shm next to the file
    return False, False


def classify(
    exc: BaseException, path: Path, *, found: int | None = None, supported: int | None = None
) -> LibraryFailure:
    """Sort an exception raised while opening or using the library into a :class:`LibraryFailure`.

    ``found``/``supported`` are the schema versions when a newer app wrote the file.
    """
    path = Path(path)
    if found is not None:
        known = f"; this version reads up to {supported}" if supported is not None else ""
        return LibraryFailure(LibraryProblem.TOO_NEW, path, f"schema version {found}{known}")
    text = str(exc).rstrip(".")
    if is_damage(exc):
        return LibraryFailure(LibraryProblem.DAMAGED, path, text)
    if isinstance(exc, PermissionError) or (isinstance(exc, OSError) and exc.errno in (errno.EACCES, errno.EPERM)):
        where = Path(exc.filename) if exc.filename else path
        return LibraryFailure(LibraryProblem.NO_ACCESS, path, f"{exc.strerror or text}: {where}", unreadable=True)
    if isinstance(exc, sqlite3.Error) and _code(exc) in _ACCESS_CODES:
        refused, unreadable = _refused(path)
        if refused or _code(exc) == SQLITE_READONLY:
            return LibraryFailure(LibraryProblem.NO_ACCESS, path, text, unreadable=unreadable)
    return LibraryFailure(LibraryProblem.FAILED, path, text or type(exc).__name__)


def quick_check(conn: sqlite3.Connection, *, max_errors: int = 5) -> list[str]:
    """``PRAGMA quick_check``: the problems found (empty when the file is sound).

    It reads every page of the file once (it skips only the index-versus-table cross-check of
    ``integrity_check``), so its cost is the file's size: see ``bench/bench_library.py``.
    """
    rows = [str(row[0]) for row in conn.execute(f"PRAGMA quick_check({int(max_errors)})")]
    return [] if rows == ["ok"] else rows


def check_file(path: Path, *, keep: Callable[[sqlite3.Connection], None] | None = None) -> LibraryFailure | None:
    """Run :func:`quick_check` on its own read-only connection; None when the file is sound.

    For a thread other than the writer's: it reads the whole file, and WAL lets it do so while
    the app keeps writing. ``keep`` receives the connection first, so that another thread can
    ``interrupt()`` a long check.
    """
    try:
        conn = sqlite3.connect(Path(path).resolve().as_uri() + "?mode=ro", uri=True, check_same_thread=False)
    except sqlite3.Error as exc:
        return classify(exc, path)
    if keep is not None:
        keep(conn)
    try:
        problems = quick_check(conn)
    except sqlite3.Error as exc:
        return classify(exc, path)
    finally:
        conn.close()
    if problems:
        return LibraryFailure(LibraryProblem.DAMAGED, Path(path), "; ".join(problems[:2]))
    return None


def aside_path(path: Path, problem: LibraryProblem, when: float) -> Path:
    """A free name next to ``path`` for it and its side files, stamped with local ``when``."""
    path = Path(path)
    stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime(when))
    prefix = _ASIDE_PREFIX[problem]
    candidate = path.with_name(f"{prefix}-{stamp}{path.suffix}")
    n = 2
    while any(Path(str(candidate) + s).exists() for s in ("", *SIDE_SUFFIXES)):
        candidate = path.with_name(f"{prefix}-{stamp}-{n}{path.suffix}")
        n += 1
    return candidate


def set_aside(path: Path, problem: LibraryProblem = LibraryProblem.DAMAGED, *, now: float | None = None) -> Path:
    """Rename the library file and its ``-wal``/``-shm`` out of the way; returns the new name.

    Every connection to it must be closed first (Windows cannot rename an open file, and a
    connection left open would keep writing into the moved file). Raises ``OSError`` (with the
    file's name) when the folder does not allow it; the file is then left as it was.
    """
    path = Path(path)
    target = aside_path(path, problem, time.time() if now is None else now)
    moved: list[tuple[Path, Path]] = []
    try:
        for suffix in ("", *SIDE_SUFFIXES):
            source = Path(str(path) + suffix)
            if source.exists():
                destination = Path(str(target) + suffix)
                source.rename(destination)
                moved.append((destination, source))
    except OSError:
        for destination, source in reversed(moved):  # all or nothing: a db without its WAL loses data
            try:
                destination.rename(source)
            except OSError:
                log.exception("Could not move %s back to %s", destination, source)
        raise
    log.warning("Library file set aside: %s -> %s", path, target)
    return target


class DamageReporter(Protocol):
    def report_error(self, exc: BaseException) -> bool: ...


S = TypeVar("S", bound=DamageReporter)
P = ParamSpec("P")
R = TypeVar("R")


def reports_damage(method: Callable[Concatenate[S, P], R]) -> Callable[Concatenate[S, P], R]:
    """A library method whose ``sqlite3.DatabaseError`` is also reported (then re-raised as is),
    so damage met by any read or write reaches the user, not just the log."""

    @functools.wraps(method)
    def wrapper(self: S, /, *args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return method(self, *args, **kwargs)
        except sqlite3.DatabaseError as exc:
            self.report_error(exc)
            raise

    return wrapper


def reports_damage_async(
    method: Callable[Concatenate[S, P], Awaitable[R]],
) -> Callable[Concatenate[S, P], Coroutine[Any, Any, R]]:
    """:func:`reports_damage` for a coroutine method (work done on the library's worker)."""

    @functools.wraps(method)
    async def wrapper(self: S, /, *args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return await method(self, *args, **kwargs)
        except sqlite3.DatabaseError as exc:
            self.report_error(exc)
            raise

    return wrapper
