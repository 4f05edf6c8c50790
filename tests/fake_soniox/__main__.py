"""Run the emulator as a process: ``python -m tests.fake_soniox --port 0``.

The first (and only) line on stdout is JSON with the two URLs, flushed at once, so a parent
process can read it and connect; logs go to stderr. Jobs follow the wall clock and end
``--job-seconds`` after creation. Runs until SIGINT or SIGTERM.
"""

from __future__ import annotations

import argparse
import json
import logging
import signal
import sys
import threading
from types import FrameType

from .script import load_script_file
from .server import FakeSoniox


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m tests.fake_soniox", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=0, help="port (0 = any free port)")
    parser.add_argument(
        "--api-key",
        action="append",
        dest="api_keys",
        metavar="KEY",
        help="accepted API key; repeat for several (default: test-key)",
    )
    parser.add_argument(
        "--job-seconds", type=float, default=3.0, help="seconds from creating a transcription to its end (default 3)"
    )
    parser.add_argument(
        "--idle-timeout", type=float, default=20.0, help="real-time idle timeout in seconds (default 20)"
    )
    parser.add_argument("--script", help="JSON file with the utterances real-time sessions recognise")
    parser.add_argument(
        "--acoustic",
        action="store_true",
        help="real-time sessions transcribe the tone-coded words in their audio (tests/fake_soniox/tones.py)",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging on stderr")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(
        stream=sys.stderr,
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(name)s %(levelname)s %(message)s",
    )
    queue_s = min(1.0, args.job_seconds / 3)
    emulator = FakeSoniox(
        api_keys=args.api_keys or ["test-key"],
        idle_timeout_s=args.idle_timeout,
        host=args.host,
        port=args.port,
        queue_s=queue_s,
        process_s=max(0.0, args.job_seconds - queue_s),
        real_time_jobs=True,
    )
    if args.script:
        emulator.set_script(load_script_file(args.script), loop=True)
    if args.acoustic:
        emulator.set_acoustic(True)
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    emulator.start()
    sys.stdout.write(
        json.dumps({"api_base_url": emulator.api_base_url, "websocket_url": emulator.websocket_url}) + "\n"
    )
    sys.stdout.flush()
    try:
        while not stop.wait(0.5):
            pass
    finally:
        emulator.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
