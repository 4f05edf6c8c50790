"""A crash must never cost a user their meeting: a REAL app process streams a file through the
emulator (also a separate process), is killed with SIGKILL mid-session, and

* the library on disk holds every final token the emulator had sent up to one second before the
  kill, identical (text, timing, speaker, language) and in order, and nothing it never sent;
* the next start of the app offers the interrupted session back, and the transcript window it
  opens shows it complete up to that point.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
import urllib.request
import wave
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tests.paths import ROOT

RATE = 16000
SCRIPT = [
    {
        "speaker": "1",
        "language": "en",
        "text": "We start the weekly planning meeting with the budget review.",
    },
    {"speaker": "2", "language": "en", "text": "The migration to the new servers is almost done and tested."},
    {"speaker": "1", "language": "en", "text": "Good, then we can ship the release candidate next Friday."},
]

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX"),
    pytest.mark.timeout(180),
]


def _speech_wav(path: Path, seconds: float) -> Path:
    """Noise (speech to the emulator) in 2.4 s runs with 0.8 s pauses, as 16 kHz mono WAV."""
    rng = np.random.default_rng(7)
    parts = []
    while sum(len(p) for p in parts) < seconds * RATE:
        parts.append((rng.standard_normal(int(2.4 * RATE)) * 0.2 * 32767).astype("<i2"))
        parts.append(np.zeros(int(0.8 * RATE), dtype="<i2"))
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(np.concatenate(parts).tobytes())
    return path


def _post(base: str, path: str, body: dict[str, Any]) -> None:
    request = urllib.request.Request(
        base + path, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=5) as response:
        response.read()


def _sessions(base: str) -> list[dict[str, Any]]:
    with urllib.request.urlopen(base + "/_emulator/realtime_sessions", timeout=5) as response:
        return json.loads(response.read())["sessions"]


def _final_tokens(base: str) -> list[dict[str, Any]]:
    sessions = _sessions(base)
    if not sessions:
        return []
    return [t for r in sessions[0]["responses"] for t in r.get("tokens", []) if t.get("is_final")]


@pytest.fixture
def emulator() -> Iterator[dict[str, str]]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.fake_soniox", "--port", "0", "--idle-timeout", "60"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert proc.stdout is not None
        urls = json.loads(proc.stdout.readline())
        urls["admin"] = urls["api_base_url"].rsplit("/v1", 1)[0]
        _post(urls["admin"], "/_emulator/script", {"utterances": SCRIPT, "loop": True})
        yield urls
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


def _app(home: Path, urls: dict[str, str], *extra: str) -> subprocess.Popen[str]:
    env = {
        **os.environ,
        "SONIOX_DESKTOP_HOME": str(home),
        "SONIOX_API_KEY": "test-key",
        "QT_QPA_PLATFORM": "offscreen",
        "PYTHONPATH": str(ROOT),
    }
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "desktop",
            "--no-onboarding",
            "--api-base-url",
            urls["api_base_url"],
            "--websocket-url",
            urls["websocket_url"],
            *extra,
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


def _stored(db: Path) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        conn.row_factory = sqlite3.Row
        rows = conn.execute("SELECT * FROM transcripts").fetchall()
        assert len(rows) == 1, f"expected one session, found {len(rows)}"
        tokens = conn.execute(
            "SELECT text, start_ms, end_ms, speaker, language FROM tokens WHERE transcript_id = ? ORDER BY seq",
            (rows[0]["id"],),
        ).fetchall()
        return dict(rows[0]), [dict(t) for t in tokens]
    finally:
        conn.close()


def _key(token: dict[str, Any]) -> tuple[Any, ...]:
    return (
        token["text"],
        token.get("start_ms"),
        token.get("end_ms"),
        token.get("speaker"),
        token.get("language"),
    )


def test_sigkill_mid_session_loses_at_most_the_last_second_and_is_offered_back(
    tmp_path: Path, emulator: dict[str, str]
) -> None:
    home = tmp_path / "home"
    audio = _speech_wav(tmp_path / "meeting.wav", 60)
    app = _app(home, emulator, "--live-file", str(audio))
    try:
        # Stream until the emulator has sent a good number of final words.
        deadline = time.monotonic() + 60
        while len(_final_tokens(emulator["admin"])) < 12:
            assert app.poll() is None, app.stderr.read() if app.stderr else ""
            assert time.monotonic() < deadline, "the app never streamed (no final words from the emulator)"
            time.sleep(0.1)
        sent_a_second_before = _final_tokens(emulator["admin"])
        time.sleep(1.0)
        sent_at_kill = _final_tokens(emulator["admin"])
        os.kill(app.pid, signal.SIGKILL)
        app.wait(10)
    finally:
        if app.poll() is None:
            app.kill()
            app.wait(10)
    assert app.returncode == -signal.SIGKILL

    db = home / "data" / "library" / "library.sqlite3"
    row, stored = _stored(db)
    assert row["status"] == "active"  # it was never finished: the crash is visible on disk
    assert row["kind"] == "live" and row["source_kind"] == "file" and row["title"] == "meeting.wav"
    assert row["audio_path"] == str(audio.resolve()) and row["audio_owned"] == 0
    # Nothing the service did not send, in the same order and with the same timing...
    assert [_key(t) for t in stored] == [_key(t) for t in sent_at_kill[: len(stored)]]
    # ...and everything it had sent a second before the kill.
    assert len(stored) >= len(sent_a_second_before), (
        len(stored),
        len(sent_a_second_before),
        len(sent_at_kill),
    )
    assert row["token_count"] == len(stored)

    # The next start offers the session back, complete up to the crash.
    report = tmp_path / "recovery.json"
    again = _app(home, emulator, "--recovery-report", str(report))
    try:
        _out, err = again.communicate(timeout=90)
    finally:
        if again.poll() is None:
            again.kill()
    assert again.returncode == 0, err
    result = json.loads(report.read_text(encoding="utf-8"))
    assert [o["id"] for o in result["offered"]] == [row["id"]]
    assert "meeting.wav" in result["offered"][0]["text"]
    opened = result["opened"]
    assert len(opened) == 1 and opened[0]["id"] == row["id"]
    assert opened[0]["status"] == "interrupted" and opened[0]["end_reason"] == "crash"
    assert [_key(t) for t in opened[0]["tokens"]] == [_key(t) for t in stored]
    words = [t["text"].strip() for t in stored if t["text"] not in ("<end>", "<fin>")]
    shown = opened[0]["view_text"]
    position = 0
    for word in words:  # every stored word is on screen, in order
        found = shown.find(word, position)
        assert found >= 0, f"{word!r} missing from the recovered transcript"
        position = found + len(word)
    row_after, _ = _stored(db)
    assert row_after["recovery_pending"] == 0 and row_after["status"] == "interrupted"
