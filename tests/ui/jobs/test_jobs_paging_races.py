"""The jobs table while pages are in flight: a reload mid-page and a job created mid-paging
must leave no stale rows and no duplicates.

The loader is driven by hand (each call returns a future the test resolves), so the races are
reproduced exactly instead of hoping the emulator is slow enough.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timezone

from soniox.types import Transcription

from desktop.core.jobs.jobs_repo import Page
from desktop.ui.jobs.jobs_model import JobsTableModel


def _job(job_id: str) -> Transcription:
    return Transcription(
        id=job_id,
        status="completed",
        created_at=datetime.now(timezone.utc),
        model="stt-async-v5",
        filename=f"{job_id}.wav",
        enable_speaker_diarization=False,
        enable_language_identification=False,
    )


class _HandDrivenLoader:
    """Records each page request and lets the test decide when (and with what) it answers."""

    def __init__(self) -> None:
        self.requests: list[tuple[str | None, asyncio.Future[Page]]] = []

    async def __call__(self, cursor: str | None) -> Page:
        future: asyncio.Future[Page] = asyncio.get_running_loop().create_future()
        self.requests.append((cursor, future))
        return await future


def _ids(model: JobsTableModel) -> list[str]:
    return [job.id for job in model.items()]


def test_reload_while_a_page_is_loading_drops_the_old_page(qtbot, qloop) -> None:  # noqa: ANN001
    loader = _HandDrivenLoader()
    model = JobsTableModel(loader)
    model.reload()
    qtbot.waitUntil(lambda: len(loader.requests) == 1)
    model.reload()  # e.g. the user changed the API key while the first page was on its way
    qtbot.waitUntil(lambda: len(loader.requests) == 2)

    loader.requests[0][1].set_result(Page(items=[_job("old-1"), _job("old-2")], next_cursor="old-c"))
    loader.requests[1][1].set_result(Page(items=[_job("new-1")], next_cursor=None))
    qtbot.waitUntil(lambda: not model.loading)

    assert _ids(model) == ["new-1"]
    assert model.has_more is False  # the stale page's cursor did not leak into the new list
    assert model.pages_loaded == 1


def test_job_created_while_paging_shows_once(qtbot, qloop) -> None:  # noqa: ANN001
    loader = _HandDrivenLoader()
    model = JobsTableModel(loader)
    model.reload()
    qtbot.waitUntil(lambda: len(loader.requests) == 1)
    loader.requests[0][1].set_result(Page(items=[_job("j5"), _job("j4")], next_cursor="c2"))
    qtbot.waitUntil(lambda: model.rowCount() == 2 and not model.loading)

    model.fetchMore()  # the user scrolls; page 2 is on its way ...
    qtbot.waitUntil(lambda: len(loader.requests) == 2)
    assert loader.requests[1][0] == "c2"
    model.prepend(_job("j6"))  # ... when a submitted file becomes a job
    # The list shifted on the service side: page 2 repeats j4 and also lists the new j6.
    loader.requests[1][1].set_result(Page(items=[_job("j4"), _job("j6"), _job("j3")], next_cursor=None))
    qtbot.waitUntil(lambda: not model.loading)

    assert _ids(model) == ["j6", "j5", "j4", "j3"]
    assert [model.row_of(key) for key in ("j6", "j5", "j4", "j3")] == [0, 1, 2, 3]
    assert model.rowCount() == 4
