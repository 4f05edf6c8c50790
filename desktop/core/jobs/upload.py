"""Upload a file through the SDK while reporting real byte progress, without loading it whole.

``client.files.upload(file_obj, filename=...)`` hands the file object to httpx as a multipart
part. httpx 0.28 (``httpx._multipart.FileField.render_data``) reads such a part in 64 KiB chunks
while it writes the request body, and sizes the body with ``os.fstat`` on ``fileno()``, so a
2 GB file never sits in memory: only one chunk at a time does. :class:`ProgressFile` wraps the
open file to count how far httpx has read it; that is what the progress bar shows. It subclasses
``io.RawIOBase`` because the SDK's ``normalize_file`` only passes ``io.IOBase`` objects through.

Cancelling is cancelling the asyncio task running :func:`upload_file`: httpx aborts the request
between two chunks and the file is closed.
"""

from __future__ import annotations

import io
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from soniox import AsyncSonioxClient
from soniox.types import File

ProgressCallback = Callable[[int, int], None]
"""Called with (bytes read so far, total bytes)."""


class ProgressFile(io.RawIOBase):
    """A read-only binary file that reports how many bytes have been read from it.

    Reports are throttled to one every ``min_interval_s`` (and always the last one), because a
    1 GB upload is 16,000 reads of 64 KiB and a progress bar needs a few dozen updates a second
    at most.
    """

    def __init__(
        self,
        path: Path | str,
        on_progress: ProgressCallback | None = None,
        *,
        min_interval_s: float = 0.05,
        max_read: int = 1024 * 1024,
    ) -> None:
        super().__init__()
        self.path = Path(path)
        self.name = self.path.name
        self._raw = open(self.path, "rb", buffering=0)  # noqa: SIM115 - closed in close()
        self.total = os.fstat(self._raw.fileno()).st_size
        self._on_progress = on_progress
        self._min_interval_s = min_interval_s
        self._max_read = max_read
        self._last_report = 0.0
        self.position = 0
        self.high_water = 0
        self.largest_read = 0

    # io.RawIOBase interface -------------------------------------------------------------------
    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def fileno(self) -> int:
        return self._raw.fileno()

    def tell(self) -> int:
        return self.position

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        self.position = self._raw.seek(offset, whence)
        self._report(force=True)
        return self.position

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        if len(view) > self._max_read:
            view = view[: self._max_read]
        count = self._raw.readinto(view) or 0
        self._advance(count)
        return count

    def read(self, size: int | None = -1) -> bytes:
        """Read at most ``size`` bytes (and never more than ``max_read`` at once).

        Capping a single read keeps the streaming promise even if a caller asks for "everything":
        a short read is allowed for raw files, and httpx loops until it gets ``b""``.
        """
        if size is None or size < 0 or size > self._max_read:
            size = self._max_read
        data = self._raw.read(size)
        self._advance(len(data))
        return data

    def readall(self) -> bytes:
        raise io.UnsupportedOperation("ProgressFile streams; reading it whole is not allowed")

    def close(self) -> None:
        if not self.closed:
            self._raw.close()
        super().close()

    # progress ---------------------------------------------------------------------------------
    def _advance(self, count: int) -> None:
        self.position += count
        self.largest_read = max(self.largest_read, count)
        if self.position > self.high_water:
            self.high_water = self.position
        self._report(force=count == 0 or self.position >= self.total)

    def _report(self, *, force: bool = False) -> None:
        if self._on_progress is None:
            return
        now = time.monotonic()
        if force or now - self._last_report >= self._min_interval_s:
            self._last_report = now
            self._on_progress(min(self.position, self.total), self.total)


async def upload_file(
    client: AsyncSonioxClient,
    path: Path | str,
    *,
    on_progress: ProgressCallback | None = None,
    client_reference_id: str | None = None,
    filename: str | None = None,
) -> File:
    """Upload ``path`` with ``client.files.upload`` and return the service's ``File`` record."""
    path = Path(path)
    with ProgressFile(path, on_progress) as stream:
        return await client.files.upload(
            stream,  # type: ignore[arg-type]  # a BinaryIO in all but name: read(), name, seek()
            filename=filename or path.name,
            client_reference_id=client_reference_id or None,
        )
