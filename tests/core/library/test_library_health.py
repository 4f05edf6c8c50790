"""An unusable library is classified (what, where, what to do) and can be set aside for a new one."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from desktop.core.library.health import LibraryProblem, check_file, classify, set_aside
from desktop.core.library.migrations import LATEST
from desktop.core.library.search import LibrarySearch
from desktop.core.library.store import Library, LibraryError
from tests.core.library.broken_files import damage_a_page, library_with_transcripts, write_future_library
from tests.library_helpers import spoken_tokens

REPO = Path(__file__).resolve().parents[3]


def open_failure(path: Path) -> LibraryError:
    with pytest.raises(LibraryError) as caught:
        Library(path)
    assert caught.value.failure is not None
    return caught.value


def test_a_file_of_garbage_is_damaged_and_left_as_it_was(tmp_path: Path) -> None:
    path = tmp_path / "library.sqlite3"
    garbage = b"this is not a database, it is a text file someone renamed " * 40
    path.write_bytes(garbage)
    error = open_failure(path)
    failure = error.failure
    assert failure is not None and failure.problem is LibraryProblem.DAMAGED and failure.path == path
    assert failure.user_error.title == "The library file is damaged"
    assert "not a database" in failure.user_error.message and "Start a new library" in failure.user_error.action
    assert str(path) in str(error) and failure.can_start_new
    assert path.read_bytes() == garbage


def test_a_library_from_a_newer_app_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "library.sqlite3"
    write_future_library(path, LATEST + 3)
    before = path.read_bytes()
    failure = open_failure(path).failure
    assert failure is not None and failure.problem is LibraryProblem.TOO_NEW
    assert failure.user_error.title == "The library was written by a newer version of Soniox Desktop"
    assert f"schema version {LATEST + 3}; this version reads up to {LATEST}" in failure.user_error.message
    assert "Update Soniox Desktop" in failure.user_error.action
    assert path.read_bytes() == before


_CLASSIFY_AS_OTHER_USER = """
import json, sys
from pathlib import Path
from desktop.core.library.store import Library, LibraryError
try:
    Library(Path(sys.argv[1]))
except LibraryError as exc:
    f = exc.failure
    print(json.dumps({"problem": f.problem.value, "title": f.user_error.title, "path": str(f.path)}))
else:
    print(json.dumps({"problem": None}))
"""


def test_a_file_the_user_may_not_read_says_permission_denied(tmp_path: Path) -> None:
    """As root a chmod cannot stop the process itself, so the check then runs as ``nobody``
    through ``setpriv``; without setpriv (or as root elsewhere) it is skipped."""
    if os.name != "posix":
        pytest.skip("file permissions are tested on POSIX only")
    as_root = os.geteuid() == 0
    setpriv = shutil.which("setpriv")
    if as_root and setpriv is None:
        pytest.skip("running as root without setpriv: a chmod 000 file stays readable, nothing to test")
    # ``nobody`` cannot enter pytest's private tmp folder: use a world-traversable one.
    folder = Path(tempfile.mkdtemp(prefix="library-perm-")) if as_root else tmp_path
    try:
        folder.chmod(0o777)
        path = folder / "library.sqlite3"
        library_with_transcripts(path, words=50)
        path.chmod(0)
        if as_root:
            assert setpriv is not None
            as_nobody = [setpriv, "--reuid=65534", "--regid=65534", "--clear-groups"]
            out = subprocess.run(
                [*as_nobody, sys.executable, "-c", _CLASSIFY_AS_OTHER_USER, str(path)],
                cwd=REPO,
                capture_output=True,
                text=True,
                timeout=60,
                check=True,
            )
            result = json.loads(out.stdout.strip().splitlines()[-1])
        else:
            failure = open_failure(path).failure
            assert failure is not None
            result = {"problem": failure.problem.value, "title": failure.user_error.title, "path": str(failure.path)}
        assert result == {
            "problem": "no_access",
            "title": "The library file cannot be read: permission denied",
            "path": str(path),
        }
    finally:
        if as_root:
            shutil.rmtree(folder, ignore_errors=True)


def test_a_damaged_page_is_found_at_open_not_shown_half_empty(tmp_path: Path) -> None:
    path = tmp_path / "library.sqlite3"
    library_with_transcripts(path)
    damage_a_page(path)
    failure = open_failure(path).failure
    assert failure is not None and failure.problem is LibraryProblem.DAMAGED
    assert failure.user_error.title == "The library file is damaged"
    assert check_file(path) is not None and check_file(path).problem is LibraryProblem.DAMAGED  # type: ignore[union-attr]


def test_a_large_file_opens_and_its_damage_is_found_in_the_background(tmp_path: Path) -> None:
    path = tmp_path / "library.sqlite3"
    ids = library_with_transcripts(path)
    damage_a_page(path)
    library = Library(path, check_max_bytes=0)  # "too large to check at open"
    heard = []
    library.on_damage(heard.append)
    try:
        assert library.count() == len(ids)  # the history itself is readable: it would look half-empty
        thread = library.check_in_background()
        assert thread is not None
        thread.join(timeout=30)
        assert [f.problem for f in heard] == [LibraryProblem.DAMAGED] and library.damage is heard[0]
    finally:
        library.close()


def test_a_read_that_meets_a_damaged_page_reports_it_once(tmp_path: Path) -> None:
    path = tmp_path / "library.sqlite3"
    ids = library_with_transcripts(path)
    damage_a_page(path)
    library = Library(path, check_max_bytes=0)
    heard = []
    library.on_damage(heard.append)
    try:
        failed = 0
        for tid in ids:
            try:
                library.tokens(tid)
            except sqlite3.DatabaseError as exc:
                assert "malformed" in str(exc)
                failed += 1
        assert failed >= 1
        assert len(heard) == 1 and heard[0].problem is LibraryProblem.DAMAGED and heard[0].path == path
        assert "malformed" in heard[0].user_error.message
    finally:
        library.close()


def test_a_search_that_meets_damage_reports_it(tmp_path: Path) -> None:
    path = tmp_path / "library.sqlite3"
    library_with_transcripts(path)
    damage_a_page(path, table="chunks")
    library = Library(path, check_max_bytes=0)
    heard = []
    library.on_damage(heard.append)
    search = LibrarySearch(path, on_error=library.report_error)
    try:
        with pytest.raises(sqlite3.DatabaseError):
            for word in ("budget", "meeting", "review", "project", "quick"):
                search.search(word + " ", limit=50)
        assert [f.problem for f in heard] == [LibraryProblem.DAMAGED]
    finally:
        search.close()
        library.close()


def test_other_failures_are_not_called_damage(tmp_path: Path) -> None:
    failure = classify(sqlite3.OperationalError("database is locked"), tmp_path / "library.sqlite3")
    assert failure.problem is LibraryProblem.FAILED and not failure.can_start_new
    assert "database is locked" in failure.user_error.message


def test_set_aside_keeps_the_file_with_its_side_files_and_a_new_library_starts(tmp_path: Path) -> None:
    path = tmp_path / "library.sqlite3"
    library = Library(path)
    tid = library.begin_live(title="Kept aside", source_kind="microphone")
    library.append_tokens(tid, spoken_tokens(80))
    library.close()
    # After a crash the -wal holds commits not yet in the file: it must move with it, as the -shm.
    sides = {"-wal": b"wal frames", "-shm": b"shared memory"}
    for suffix, content in sides.items():
        Path(str(path) + suffix).write_bytes(content)

    aside = set_aside(path, LibraryProblem.DAMAGED, now=1_700_000_000)
    assert aside.name.startswith("library-broken-") and aside.suffix == ".sqlite3" and aside.parent == tmp_path
    assert not any(Path(str(path) + s).exists() for s in ("", "-wal", "-shm"))
    assert {s: Path(str(aside) + s).read_bytes() for s in sides} == sides
    for suffix in sides:
        Path(str(aside) + suffix).unlink()
    old = sqlite3.connect(aside)  # every committed word is in the file set aside
    assert old.execute("SELECT COUNT(*) FROM tokens").fetchone()[0] == len(spoken_tokens(80))
    old.close()

    fresh = Library(path)
    try:
        assert fresh.count() == 0
    finally:
        fresh.close()
    # A second set-aside in the same second gets a name of its own.
    assert set_aside(path, LibraryProblem.DAMAGED, now=1_700_000_000) != aside and aside.exists()


def test_a_new_library_does_not_overwrite_recordings_of_the_one_set_aside(tmp_path: Path) -> None:
    path = tmp_path / "library.sqlite3"
    old = Library(path)
    tid = old.begin_live(title="Recorded", source_kind="microphone")
    recording = old.recording_path(tid, "ogg")
    recording.write_bytes(b"old audio")
    old.close()
    set_aside(path)
    fresh = Library(path)
    try:
        new_tid = fresh.begin_live(title="Recorded again", source_kind="microphone")
        assert new_tid == tid
        assert fresh.recording_path(new_tid, "ogg") != recording
        assert recording.read_bytes() == b"old audio"
    finally:
        fresh.close()
