"""Every error type from the service meets the user as a clear message that says what to do.

400 (with its validation errors), 401, 402, 404, 409, 429 and 5xx, each driven through the
emulator. Safe calls (lists, gets, deletes) retry 429/5xx by themselves and say so; creates and
uploads are sent again by themselves only when that cannot bill twice (a 429 or 503 proves
nothing happened; a lost answer is looked up first), and one that still fails stays in the list
with its error and a Retry button.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from desktop.core.jobs.job_options import JobOptions
from desktop.core.jobs.submissions import AUTO_ATTEMPTS, Stage, Submission
from desktop.ui.jobs.side_panel import JobsSidePanel
from tests.ui.jobs.test_jobs_support import PanelHost, panel_host, wav_file


@pytest.fixture
def host(qtbot, qloop, fake_soniox, make_context) -> Iterator[PanelHost]:  # noqa: ANN001
    yield from panel_host(qtbot, fake_soniox, make_context)


@pytest.fixture
def shown(host: PanelHost) -> list[tuple[str, str]]:
    """Every notice the panel showed, even those replaced or timed out since."""
    seen: list[tuple[str, str]] = []
    host.panel.notification.connect(lambda level, text: seen.append((level, text)))
    return seen


def ready(qtbot, panel: JobsSidePanel) -> None:  # noqa: ANN001
    qtbot.waitUntil(lambda: not panel.jobs_model.loading and panel.tabText(0) != "Jobs", timeout=10_000)


def submit(panel: JobsSidePanel, url: str = "https://media.example.com/talk.mp3", **options: object) -> Submission:
    opts = JobOptions(**{"model": "stt-async-v5", **options})  # type: ignore[arg-type]
    return panel.queue.add(Submission(opts, None, url=url))


def failed_row_text(qtbot, panel: JobsSidePanel, sub: Submission) -> str:  # noqa: ANN001
    qtbot.waitUntil(lambda: sub.stage is Stage.FAILED, timeout=10_000)
    row = panel.upload_list.rows[sub.key]
    assert row.retry_button.isVisible() and row.dismiss_button.isVisible()
    return row.status.text()


def test_400_shows_the_validation_errors_and_the_job_stays_with_retry(qtbot, host: PanelHost, fake_soniox) -> None:  # noqa: ANN001
    panel = host.panel
    ready(qtbot, panel)
    sub = submit(panel, model="stt-async-v0")
    text = failed_row_text(qtbot, panel, sub)
    assert text.startswith("Could not create the job: Request not accepted.")
    assert "model: Invalid model" in text
    assert "Check the options you chose and try again." in text
    assert fake_soniox.transcriptions == []
    # Dismiss is the only way it leaves the list.
    panel.upload_list.rows[sub.key].dismiss_button.click()
    qtbot.waitUntil(lambda: not panel.upload_list.rows)


def test_401_on_loading_says_to_check_the_key(qtbot, host: PanelHost, fake_soniox, shown) -> None:  # noqa: ANN001
    panel = host.panel
    ready(qtbot, panel)
    fake_soniox.remove_api_key("test-key")
    panel.refresh()
    qtbot.waitUntil(lambda: any("Could not load jobs: API key not accepted." in t for t in panel.notices.texts()))
    text = next(t for t in panel.notices.texts() if "Could not load jobs" in t)
    assert "Check the key in Settings" in text
    assert not any(level == "warning" and "retrying" in t for level, t in shown)  # 401 is not retried


def test_402_on_create_says_to_add_credit(qtbot, host: PanelHost, fake_soniox) -> None:  # noqa: ANN001
    panel = host.panel
    ready(qtbot, panel)
    fake_soniox.set_balance_exhausted()
    sub = submit(panel)
    text = failed_row_text(qtbot, panel, sub)
    assert text.startswith("Could not create the job: Out of credit.")
    assert "Add credit in the Soniox console, then try again." in text
    fake_soniox.set_balance_exhausted(None)
    panel.upload_list.rows[sub.key].retry_button.click()
    qtbot.waitUntil(lambda: panel.jobs_model.rowCount() == 1 and not panel.upload_list.rows)
    assert len(fake_soniox.transcriptions) == 1


def test_create_failure_after_upload_retries_without_uploading_again(
    qtbot,
    host: PanelHost,
    fake_soniox,
    tmp_path,  # noqa: ANN001
) -> None:
    panel = host.panel
    ready(qtbot, panel)
    # 500s outlast the automatic tries (each one looked up first: a 500 may hide a created job).
    fake_soniox.fail_next("POST", r"^/v1/transcriptions$", 500, times=AUTO_ATTEMPTS)
    sub = panel.queue.add(Submission(JobOptions(model="stt-async-v5"), None, path=wav_file(tmp_path, "call.wav")))
    text = failed_row_text(qtbot, panel, sub)
    assert text.startswith("Could not create the job: Soniox had a problem.")
    assert len(fake_soniox.files) == 1 and fake_soniox.transcriptions == []
    panel.upload_list.rows[sub.key].retry_button.click()
    qtbot.waitUntil(lambda: panel.jobs_model.rowCount() == 1 and not panel.upload_list.rows)
    assert len(fake_soniox.files) == 1  # the upload was reused
    assert fake_soniox.transcriptions[0]["file_id"] == fake_soniox.files[0]["id"]


def test_upload_failure_names_the_file_and_the_limit(qtbot, host: PanelHost, fake_soniox, tmp_path) -> None:  # noqa: ANN001
    panel = host.panel
    ready(qtbot, panel)
    fake_soniox.set_limits(max_files=0)
    sub = panel.queue.add(Submission(JobOptions(model="stt-async-v5"), None, path=wav_file(tmp_path, "a.wav")))
    text = failed_row_text(qtbot, panel, sub)
    assert panel.upload_list.rows[sub.key].name.text() == "a.wav"
    assert text.startswith("Upload failed: Limit reached. Total file count limit has been exceeded")


def test_404_for_a_job_deleted_elsewhere_removes_it_from_the_list(qtbot, host: PanelHost, fake_soniox) -> None:  # noqa: ANN001
    panel = host.panel
    ready(qtbot, panel)
    submit(panel)
    qtbot.waitUntil(lambda: panel.jobs_model.rowCount() == 1)
    job_id = panel.jobs_model.item_at(0).id
    fake_soniox.state.delete_job(job_id)  # gone on the service (another client deleted it)
    qtbot.waitUntil(lambda: panel.jobs_model.rowCount() == 0)
    assert not panel.poller.running


def test_409_when_the_job_started_processing_says_to_wait(qtbot, host: PanelHost, fake_soniox) -> None:  # noqa: ANN001
    panel = host.panel
    ready(qtbot, panel)
    submit(panel)
    qtbot.waitUntil(lambda: panel.jobs_model.rowCount() == 1)
    job = panel.jobs_model.item_at(0)
    panel.poller.stop()  # the row still says "queued" while the service already processes it
    fake_soniox.advance(1.0)
    panel.item_actions.delete_jobs([job], destroy=False)
    next(b for b in panel.confirm_box.buttons() if b.objectName() == "jobsConfirmYes").click()
    qtbot.waitUntil(lambda: any("Not possible right now" in t for t in panel.notices.texts()))
    text = next(t for t in panel.notices.texts() if "Not possible right now" in t)
    assert text.startswith("Could not delete https://media.example.com/talk.mp3: Not possible right now.")
    assert "Wait until it has finished, then try again." in text
    assert panel.jobs_model.rowCount() == 1


@pytest.mark.parametrize(
    ("status", "lead"), [(429, "Soniox is busy"), (500, "Soniox had a problem"), (503, "Service interrupted")]
)
def test_429_and_5xx_on_listing_are_retried_and_shown(
    qtbot,
    host: PanelHost,
    fake_soniox,
    shown,
    status: int,
    lead: str,  # noqa: ANN001
) -> None:
    panel = host.panel
    ready(qtbot, panel)
    fake_soniox.seed_transcriptions(3)
    fake_soniox.fail_next("GET", r"^/v1/transcriptions$", status, times=2)
    panel.refresh()
    qtbot.waitUntil(lambda: panel.jobs_model.rowCount() == 3, timeout=10_000)
    retries = [t for level, t in shown if level == "warning" and "retrying" in t]
    assert len(retries) == 2
    assert retries[0].startswith(f"{lead} while loading jobs; retrying in")
    assert "(attempt 2 of 3)" in retries[0] and "(attempt 3 of 3)" in retries[1]
    assert not any(level == "error" for level, _t in shown)


def test_retries_that_run_out_end_in_a_clear_error_with_try_again(qtbot, host: PanelHost, fake_soniox) -> None:  # noqa: ANN001
    panel = host.panel
    ready(qtbot, panel)
    fake_soniox.seed_transcriptions(2)
    fake_soniox.fail_next("GET", r"^/v1/transcriptions$", 429, times=3)
    panel.refresh()
    qtbot.waitUntil(lambda: any(t.startswith("Could not load jobs: Limit reached.") for t in panel.notices.texts()))
    notice = next(n for n in panel.notices.notices if n.text.startswith("Could not load jobs"))
    assert "Requests per minute limit for async transcription has been exceeded" in notice.text
    notice.action_button.click()  # "Try again"
    qtbot.waitUntil(lambda: panel.jobs_model.rowCount() == 2)


def test_429_on_create_is_sent_again_by_itself_once(qtbot, host: PanelHost, fake_soniox) -> None:  # noqa: ANN001
    panel = host.panel
    ready(qtbot, panel)
    fake_soniox.fail_next(
        "POST",
        r"^/v1/transcriptions$",
        429,
        message=("Pending transcription count limit for your organization has been exceeded."),
    )
    sub = submit(panel)
    qtbot.waitUntil(lambda: panel.jobs_model.rowCount() == 1 and not panel.upload_list.rows)
    assert sub.stage is Stage.DONE and panel.queue.manual_retries == 0
    assert len(fake_soniox.transcriptions) == 1  # a 429 proves nothing was made: no duplicate


def test_a_full_account_is_not_retried_and_says_so(qtbot, host: PanelHost, fake_soniox) -> None:  # noqa: ANN001
    panel = host.panel
    ready(qtbot, panel)
    fake_soniox.set_limits(max_transcriptions=0)
    sub = submit(panel)
    text = failed_row_text(qtbot, panel, sub)
    assert text.startswith("Could not create the job: Limit reached. Total transcription count limit")
    assert sub.attempts == 0  # waiting would not help; only deleting jobs does


def test_no_key_shows_what_to_do(qtbot, qloop, fake_soniox, make_context) -> None:  # noqa: ANN001
    ctx = make_context(fake_soniox)  # no key
    panel = JobsSidePanel(ctx)
    qtbot.addWidget(panel)
    panel.show()
    qtbot.waitUntil(lambda: panel.jobs_empty.isVisible())
    assert panel.jobs_empty.text() == "Add your Soniox API key in Settings to see and start file transcriptions."
    panel.open_url_dialog("https://media.example.com/a.mp3")
    qtbot.waitUntil(lambda: "Add your Soniox API key in Settings first." in panel.notices.texts())
    panel.shutdown()


def test_polling_failures_are_shown_and_polling_goes_on(qtbot, host: PanelHost, fake_soniox, shown) -> None:  # noqa: ANN001
    panel = host.panel
    ready(qtbot, panel)
    submit(panel)
    qtbot.waitUntil(lambda: panel.jobs_model.rowCount() == 1)
    fake_soniox.fail_next("GET", r"^/v1/transcriptions/[0-9a-f-]+$", 503, times=2)
    qtbot.waitUntil(
        lambda: any(t.startswith("Could not check the running jobs: Service interrupted.") for _l, t in shown)
    )
    fake_soniox.finish_all_jobs()
    qtbot.waitUntil(lambda: panel.jobs_model.item_at(0).status == "completed", timeout=10_000)


def test_a_new_key_reloads_the_lists(qtbot, host: PanelHost, fake_soniox) -> None:  # noqa: ANN001
    from desktop.core.secrets import KeySource

    panel = host.panel
    fake_soniox.seed_transcriptions(2)
    panel.refresh()
    qtbot.waitUntil(lambda: panel.jobs_model.rowCount() == 2)
    panel.context.set_key("revoked-key", KeySource.SESSION)  # the user pasted another key in Settings
    qtbot.waitUntil(
        lambda: any(t.startswith("Could not load jobs: API key not accepted.") for t in panel.notices.texts())
    )
    assert panel.jobs_model.rowCount() == 0


def test_dynamic_rows_and_notices_are_named(qtbot, host: PanelHost, fake_soniox) -> None:  # noqa: ANN001
    from tests.a11y import unnamed_controls

    panel = host.panel
    ready(qtbot, panel)
    fake_soniox.set_balance_exhausted()
    sub = submit(panel)
    failed_row_text(qtbot, panel, sub)
    panel.notices.post("Something to read", action=("Open", lambda: None))
    assert unnamed_controls(panel) == []
