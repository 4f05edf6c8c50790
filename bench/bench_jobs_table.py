"""The Jobs table with 10,000 jobs in the emulator: first page, memory, and scrolling smoothness.

The emulator (``tests/fake_soniox``, on a background thread of this process) is seeded with
10,000 finished transcriptions. A :class:`JobsSidePanel` (offscreen Qt, the app's qasync loop)
is built and shown, and we measure:

* time to first page shown: from building the panel to its first rows painted;
* time to load everything by scrolling to the end repeatedly (one page per scroll, as a user);
* scrolling: one viewport-height step at a time from top to bottom over all 10,000 rows, each
  step painted synchronously; median / 95th percentile / worst paint time per step;
* memory: resident set growth after the first page and with all rows loaded (per row too).

``python -m bench.bench_jobs_table [--jobs 10000] [--page-size 200]``
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

MB = 1024 * 1024


def rss_bytes() -> int:
    try:
        with open("/proc/self/statm") as handle:
            return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:
        import resource

        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return peak if sys.platform == "darwin" else peak * 1024


async def until(predicate, timeout_s: float = 120.0) -> None:  # noqa: ANN001
    deadline = time.perf_counter() + timeout_s
    while not predicate():
        if time.perf_counter() > deadline:
            raise TimeoutError("condition not reached")
        await asyncio.sleep(0.001)


async def run(jobs: int, page_size: int) -> dict[str, float]:
    import tempfile

    import keyring
    from PySide6.QtWidgets import QMainWindow

    from desktop.core.context import AppContext, EndpointOverrides
    from desktop.core.paths import AppPaths
    from desktop.core.secrets import KeySource
    from desktop.ui.jobs.side_panel import JobsSidePanel
    from tests.fake_soniox import FakeSoniox
    from tests.memory_keyring import MemoryKeyring

    os.environ["SONIOX_DESKTOP_HOME"] = tempfile.mkdtemp(prefix="bench-jobs-home-")
    keyring.set_keyring(MemoryKeyring())
    emu = FakeSoniox(api_keys={"test-key"}).start()
    try:
        emu.seed_transcriptions(jobs)
        ctx = AppContext.create(AppPaths.default(), EndpointOverrides(emu.api_base_url, emu.websocket_url))
        ctx.set_key("test-key", KeySource.SESSION)
        window = QMainWindow()
        window.resize(1000, 760)
        await asyncio.sleep(0.05)
        baseline = rss_bytes()

        started = time.perf_counter()
        panel = JobsSidePanel(ctx, window, page_size=page_size)
        window.setCentralWidget(panel)
        window.show()
        panel.refresh()  # as the main window does once the connection check passes
        table, model = panel.jobs_table, panel.jobs_model
        await until(lambda: model.rowCount() > 0)
        table.viewport().repaint()
        first_page_s = time.perf_counter() - started
        first_rows = model.rowCount()
        rss_first = rss_bytes() - baseline

        started = time.perf_counter()
        scroll = table.verticalScrollBar()
        while model.has_more:
            rows = model.rowCount()
            scroll.setValue(scroll.maximum())  # the view asks the model for more at the end
            await until(lambda r=rows: model.rowCount() > r or not model.has_more)
        load_all_s = time.perf_counter() - started
        assert model.rowCount() == jobs, model.rowCount()
        await asyncio.sleep(0.2)
        rss_all = rss_bytes() - baseline

        step = max(1, table.viewport().height())
        scroll.setValue(0)
        times: list[float] = []
        value = 0
        while value <= scroll.maximum():
            t0 = time.perf_counter()
            scroll.setValue(value)
            table.viewport().repaint()
            times.append(time.perf_counter() - t0)
            value += step
        times.sort()
        jump_times = []
        for fraction in (0.9, 0.1, 0.5, 0.99, 0.0, 0.75):
            t0 = time.perf_counter()
            scroll.setValue(int(scroll.maximum() * fraction))
            table.viewport().repaint()
            jump_times.append(time.perf_counter() - t0)
        panel.shutdown()
        window.close()
        return {
            "first_page_s": first_page_s,
            "first_rows": first_rows,
            "load_all_s": load_all_s,
            "pages": model.pages_loaded,
            "rss_first_mb": rss_first / MB,
            "rss_all_mb": rss_all / MB,
            "per_row_bytes": max(0, rss_all - rss_first) / max(1, jobs - first_rows),
            "steps": len(times),
            "step_median_ms": statistics.median(times) * 1000,
            "step_p95_ms": times[int(0.95 * (len(times) - 1))] * 1000,
            "step_max_ms": times[-1] * 1000,
            "jump_max_ms": max(jump_times) * 1000,
        }
    finally:
        emu.stop()


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=10_000)
    parser.add_argument("--page-size", type=int, default=200)
    args = parser.parse_args(argv)

    import qasync
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(sys.argv[:1])
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    with loop:
        r = loop.run_until_complete(run(args.jobs, args.page_size))
    print(f"Jobs table, {args.jobs:,} jobs in the emulator, pages of {args.page_size} (offscreen Qt, qasync)")
    print(f"  time to first page shown      {r['first_page_s'] * 1000:8.0f} ms  ({r['first_rows']:.0f} rows)")
    print(f"  load all by scrolling         {r['load_all_s']:8.2f} s   ({r['pages']:.0f} pages)")
    print(f"  memory after first page       {r['rss_first_mb']:8.1f} MB (panel + first page, RSS growth)")
    print(f"  memory with all rows          {r['rss_all_mb']:8.1f} MB (≈ {r['per_row_bytes'] / 1024:.1f} KB per row)")
    print(
        f"  scroll, one screen per step   median {r['step_median_ms']:.2f} ms, p95 {r['step_p95_ms']:.2f} ms, "
        f"worst {r['step_max_ms']:.2f} ms over {r['steps']:.0f} steps (paint included)"
    )
    print(f"  jump anywhere (worst of 6)    {r['jump_max_ms']:8.2f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
