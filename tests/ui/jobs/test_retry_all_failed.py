""" "Retry all failed": one button (and Ctrl+Shift+R) for what the automatic re-sends could not fix."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton

from desktop.core.jobs.job_options import JobOptions
from desktop.core.jobs.submissions import Stage, Submission
from tests.ui.jobs.test_jobs_support import PanelHost, panel_host


@pytest.fixture
def host(qtbot, qloop, fake_soniox, make_context) -> Iterator[PanelHost]:  # noqa: ANN001
    yield from panel_host(qtbot, fake_soniox, make_context)


def submit(host: PanelHost, n: int) -> Submission:
    return host.panel.queue.add(
        Submission(JobOptions(model="stt-async-v5"), None, url=f"https://media.example.com/{n}.mp3")
    )


def test_the_button_appears_with_failures_and_retries_them_all(qtbot, host: PanelHost, fake_soniox) -> None:  # noqa: ANN001
    panel = host.panel
    button = panel.findChild(QPushButton, "retryAllFailedButton")
    assert button is panel.retry_all_button and button.accessibleName() == "Retry all failed uploads and jobs"
    assert not button.isVisible()  # nothing failed yet
    fake_soniox.set_balance_exhausted()
    subs = [submit(host, n) for n in range(3)]
    qtbot.waitUntil(lambda: all(s.stage is Stage.FAILED for s in subs), timeout=10_000)
    assert button.isVisible() and button.text() == "Retry all failed (3)"
    fake_soniox.set_balance_exhausted(None)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: all(s.stage is Stage.DONE for s in subs) and not panel.upload_list.rows, timeout=10_000)
    assert len(fake_soniox.transcriptions) == 3
    assert not button.isVisible()
    assert panel.queue.manual_retries == 3
    assert any("Retrying 3 failed submissions." in t for t in panel.notices.texts())


def test_ctrl_shift_r_retries_all_failed_from_the_keyboard(qtbot, host: PanelHost, fake_soniox) -> None:  # noqa: ANN001
    panel = host.panel
    fake_soniox.set_balance_exhausted()
    subs = [submit(host, n) for n in range(2)]
    qtbot.waitUntil(lambda: all(s.stage is Stage.FAILED for s in subs), timeout=10_000)
    fake_soniox.set_balance_exhausted(None)
    # No job exists yet, so the jobs table gives way to its empty state: the focus is on the
    # panel's first button, as after a user clicks into the panel.
    target = panel.add_files_button
    target.window().activateWindow()
    target.setFocus()
    qtbot.waitUntil(lambda: target.window().isActiveWindow() and target.hasFocus())
    ctrl_shift = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    qtbot.keyClick(target, Qt.Key.Key_R, ctrl_shift)
    qtbot.waitUntil(lambda: all(s.stage is Stage.DONE for s in subs), timeout=10_000)
    assert len(fake_soniox.transcriptions) == 2
