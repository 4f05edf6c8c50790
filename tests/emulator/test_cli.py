"""``python -m tests.fake_soniox``: the process developers (and kill tests) run the app against."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from soniox import SonioxClient
from soniox.errors import SonioxAuthenticationError
from websockets.sync.client import connect

REPO = Path(__file__).resolve().parents[2]
KEY = "dev-secret-key-4242"


@pytest.fixture
def emulator_process(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[str], dict[str, str], Path]]:
    stderr_path = tmp_path / "stderr.log"
    with stderr_path.open("w") as stderr:
        proc = subprocess.Popen(
            [sys.executable, "-m", "tests.fake_soniox", "--port", "0", "--api-key", KEY, "--job-seconds", "0.6"],
            cwd=REPO,
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        try:
            assert proc.stdout is not None
            line = proc.stdout.readline()
            urls = json.loads(line)
            yield proc, urls, stderr_path
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait(timeout=10)


def test_cli_serves_and_stops_on_sigterm(emulator_process: tuple[subprocess.Popen[str], dict[str, str], Path]) -> None:
    proc, urls, stderr_path = emulator_process
    assert set(urls) == {"api_base_url", "websocket_url"}
    assert urls["api_base_url"].startswith("http://127.0.0.1:") and urls["api_base_url"].endswith("/v1")
    assert urls["websocket_url"].endswith("/transcribe-websocket")

    with SonioxClient(api_key=KEY, api_base_url=urls["api_base_url"]) as client:
        assert client.models.list().models
        job = client.stt.create(model="stt-async-v5", audio_url="https://example.com/a.mp3")
        # The job clock follows wall time in CLI mode: no advance() needed.
        done = client.stt.wait(job.id, interval_sec=0.1, timeout_sec=10)
        assert done.status == "completed"
    with (
        SonioxClient(api_key="test-key", api_base_url=urls["api_base_url"]) as stranger,
        pytest.raises(SonioxAuthenticationError),
    ):
        stranger.files.count()

    base = urls["api_base_url"].removesuffix("/v1")
    admin = httpx.Client(base_url=base + "/_emulator", timeout=10)
    assert admin.post("/script", json={"utterances": [{"text": "hello from the cli"}]}).json() == {"ok": True}
    with connect(urls["websocket_url"], additional_headers={"Authorization": f"Bearer {KEY}"}) as ws:
        ws.send(
            json.dumps({"model": "stt-rt-v5", "audio_format": "pcm_s16le", "sample_rate": 16000, "num_channels": 1})
        )
        ws.send(b"\x10\x27" * 16000 * 2)  # 2 s of a loud constant: four words of "speech"
        ws.send("")
        frames: list[dict[str, Any]] = [json.loads(m) for m in ws]
    assert frames[-1]["finished"] is True
    sessions = admin.get("/realtime_sessions").json()["sessions"]
    assert sessions[0]["final_text"] == "hello from the cli"
    assert sessions[0]["audio_bytes"] == 64000
    assert admin.get("/state").json()["transcriptions"] == 1
    admin.close()

    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=15) == 0
    assert proc.stdout is not None and proc.stdout.read() == ""  # one line of JSON, nothing else
    assert KEY not in stderr_path.read_text()


def test_cli_admin_controls(emulator_process: tuple[subprocess.Popen[str], dict[str, str], Path]) -> None:
    proc, urls, _ = emulator_process
    base = urls["api_base_url"].removesuffix("/v1")
    with httpx.Client(base_url=base, timeout=10) as http:
        assert (
            http.post(
                "/_emulator/fail_next", json={"method": "GET", "path_regex": "^/v1/models$", "status": 503}
            ).status_code
            == 200
        )
        failed = http.get("/v1/models", headers={"Authorization": f"Bearer {KEY}"})
        assert failed.status_code == 503 and failed.json()["error_type"] == "service_unavailable"
        seeded = http.post("/_emulator/seed_transcriptions", json={"n": 3}).json()["ids"]
        assert len(seeded) == 3
        assert http.post("/_emulator/advance", json={"seconds": 5}).json() == {"ok": True}
        assert http.post("/_emulator/inject", json={"error_code": 503}).json() == {"ok": True}
        assert http.post("/_emulator/inject", json={"bogus": 1}).status_code == 400
        assert http.post("/_emulator/balance", json={"error_type": None}).status_code == 200
        assert http.get("/_emulator/webhooks").json() == {"deliveries": []}
    started = time.monotonic()
    proc.send_signal(signal.SIGINT)
    assert proc.wait(timeout=15) == 0
    assert time.monotonic() - started < 10
