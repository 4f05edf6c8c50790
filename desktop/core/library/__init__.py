"""The local library: every live session and fetched job transcript, kept on disk (Qt-free).

The service deletes what it holds after a while, and a crash must never cost a user their
meeting, so the app keeps its own copy in one SQLite file in the platform data folder:

* :mod:`.db` opens it (WAL, pragmas) and :mod:`.migrations` brings its schema up to date;
* :mod:`.store` is the repository API (:class:`~.store.Library`);
* :mod:`.autosave` writes a live session's final tokens in batches, at least twice a second;
* :mod:`.search` answers full-text queries (FTS5) with snippets;
* :mod:`.edits` applies word corrections on top of the original tokens;
* :mod:`.chunks` cuts a transcript into the short passages the search index holds;
* :mod:`.live_sink` ties a live session to the library (tokens, counts, recording, end);
* :mod:`.instance_lock` tells a crashed session from one another running instance owns.
* :mod:`.health` says why a file cannot be used (damaged, newer, no access) and sets it aside.
"""

from desktop.core.library.store import Library, LibraryError, TranscriptInfo

__all__ = ["Library", "LibraryError", "TranscriptInfo"]
