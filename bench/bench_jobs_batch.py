"""A batch of 600 files on a flaky network: jobs billed twice, uploads orphaned, Retry presses, req/s.

The jobs service (no Qt) submits 600 tiny WAV files at once to the emulator (``tests/fake_soniox``,
in this process on a background thread) with its chaos mode on: a 15 requests/s limit answered
429 + ``Retry-After``, 10% of requests failed with 429/500/503, and 3% of answers lost after the
service acted (the connection drops). Jobs move with wall time (queued 0.5 s, processing 1 s).

Printed, read from the emulator's own records: jobs duplicated (two jobs with one submission's
client_reference_id), orphan uploads (files no job uses), jobs the app never heard of, manual
retries (rows that needed Retry; the bench presses "Retry all failed" only if something failed),
peak requests per second the service saw, and the wall time until every job was seen finished.

The app runs with its production pacing (``RateGate()`` defaults, 1 s first poll step) except
that the automatic re-send backoff starts at 0.2 s instead of 1 s.

``python -m bench.bench_jobs_batch [--files 600] [--limit 15] [--errors 0.1] [--lost 0.03] [--seed 1]``
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
from pathlib import Path

from desktop.core.backoff import Backoff
from desktop.core.jobs.rate import RateGate
from desktop.core.jobs.retry import RetryPolicy
from desktop.core.jobs.submissions import AUTO_ATTEMPTS
from tests.core.jobs.batch_support import chaos_emulator, run_batch


async def main(args: argparse.Namespace) -> int:
    emulator = chaos_emulator(queue_s=0.5, process_s=1.0)
    emulator.set_limits(max_files=max(1000, args.files * 2), max_pending_transcriptions=max(100, args.files))
    emulator.start()
    try:
        emulator.set_chaos(
            rate_limit_per_s=args.limit,
            retry_after_s=1,
            error_fraction=args.errors,
            error_statuses=[429, 500, 503],
            lose_fraction=args.lost,
            seed=args.seed,
        )
        with tempfile.TemporaryDirectory(prefix="bench-jobs-batch-") as folder:
            report = await run_batch(
                emulator,
                Path(folder),
                files=args.files,
                gate=RateGate(),
                submit_policy=RetryPolicy(attempts=AUTO_ATTEMPTS, initial_s=0.2, cap_s=30.0),
                poll_backoff=Backoff(initial=1.0, cap=30.0),
                retry_policy=RetryPolicy(),
                timeout_s=args.timeout,
            )
    finally:
        emulator.stop()
    print(
        f"{args.files} files; chaos: {args.limit:g} req/s limit, {args.errors:.0%} 429/500/503, "
        f"{args.lost:.0%} answers lost (seed {args.seed})"
    )
    for line in report.lines():
        print("  " + line)
    clean = (
        report.duplicated_jobs == 0
        and report.orphan_uploads == 0
        and report.unknown_jobs == 0
        and report.done == args.files
    )
    return 0 if clean else 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=600)
    parser.add_argument("--limit", type=float, default=15)
    parser.add_argument("--errors", type=float, default=0.10)
    parser.add_argument("--lost", type=float, default=0.03)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--timeout", type=float, default=900)
    sys.exit(asyncio.run(main(parser.parse_args())))
