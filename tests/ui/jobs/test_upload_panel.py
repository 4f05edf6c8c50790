"""Upload rows in the panel: real byte progress, cancel mid-upload, nothing left behind."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop.core.jobs.job_options import JobOptions
from desktop.core.jobs.submissions import Stage, Submission
from tests.ui.jobs.test_jobs_support import PanelHost, panel_host

MB = 1024 * 1024


@pytest.fixture
def host(qtbot, qloop, fake_soniox, make_context) -> Iterator[PanelHost]:  # noqa: ANN001
    yield from panel_host(qtbot, fake_soniox, make_context)


def sparse_wav(path: Path, size: int) -> Path:
    with path.open("wb") as handle:
        handle.write(b"RIFF\x00\x00\x00\x00WAVEfmt ")
        handle.truncate(size)
    return path


def test_progress_bar_follows_the_bytes_read(qtbot, host: PanelHost, fake_soniox, tmp_path: Path) -> None:  # noqa: ANN001
    panel = host.panel
    fake_soniox.set_latency(0.5, r"^/v1/files$")  # the server reads the body late: progress is visible
    seen: list[int] = []
    sub = panel.queue.add(
        Submission(JobOptions(model="stt-async-v5"), None, path=sparse_wav(tmp_path / "x.wav", 32 * MB))
    )
    qtbot.waitUntil(lambda: sub.key in panel.upload_list.rows)
    row = panel.upload_list.rows[sub.key]
    row.progress.valueChanged.connect(seen.append)
    qtbot.waitUntil(lambda: sub.stage is Stage.DONE, timeout=20_000)
    assert seen and seen == sorted(seen) and seen[-1] == 1000
    assert any(0 < v < 1000 for v in seen)
    assert fake_soniox.files[0]["size"] == 32 * MB


def test_cancel_mid_upload_removes_the_row_and_creates_nothing(
    qtbot,
    host: PanelHost,
    fake_soniox,
    tmp_path: Path,  # noqa: ANN001
) -> None:
    panel = host.panel
    fake_soniox.set_latency(1.0, r"^/v1/files$")  # the upload stalls once the socket buffers are full
    sub = panel.queue.add(
        Submission(JobOptions(model="stt-async-v5"), None, path=sparse_wav(tmp_path / "y.wav", 64 * MB))
    )
    qtbot.waitUntil(lambda: sub.stage is Stage.UPLOADING and sub.sent > 0, timeout=10_000)
    row = panel.upload_list.rows[sub.key]
    assert row.cancel_button.isVisible()
    assert row.status.text().startswith("Uploading ")
    row.cancel_button.click()
    qtbot.waitUntil(lambda: not panel.upload_list.rows)
    assert sub.stage is Stage.CANCELLED and sub.sent < 64 * MB
    assert not panel.upload_list.isVisible()
    assert fake_soniox.transcriptions == [] and panel.jobs_model.rowCount() == 0


def test_a_row_waiting_to_send_again_says_why_and_when() -> None:
    """Between automatic tries the row told nothing ("Creating…"); now it says the cause and the wait."""
    from desktop.core.errors import UserError
    from desktop.ui.jobs.upload_list import stage_text

    sub = Submission(JobOptions(), path=Path("talk.wav"))
    sub.stage = Stage.CREATING
    sub.error = UserError("Soniox is busy", "Too many requests.", "Wait.", True, "limit_exceeded", 429)
    sub.wait_s, sub.attempts = 4.2, 2
    assert stage_text(sub) == "Soniox is busy: sending the job again in 4 s (try 3)…"
    sub.wait_s, sub.error = 0.0, None
    assert stage_text(sub) == "Creating the transcription job…"
