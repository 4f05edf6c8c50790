"""A completed job as the SDK describes it, for window tests that need one but no server."""

from __future__ import annotations

from datetime import datetime, timezone

from soniox.types import Transcription


def completed_job(*, audio_duration_ms: int | None = None, filename: str = "talk.wav") -> Transcription:
    return Transcription(
        id="job-1",
        status="completed",
        created_at=datetime.now(timezone.utc),
        model="stt-async-v5",
        filename=filename,
        audio_duration_ms=audio_duration_ms,
        enable_speaker_diarization=False,
        enable_language_identification=False,
    )


class NeverLoads:
    """A transcript source that is offline: the window shows its frame and its error."""

    async def get(self, _job_id: str) -> object:
        raise RuntimeError("offline")
