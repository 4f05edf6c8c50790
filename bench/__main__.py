"""Run every benchmark module (``bench/bench_*.py``) in its own process and keep the output.

Each benchmark prints its own table; this runner only sequences them, so one that crashes does not
hide the others' figures. Output also goes to ``bench-results/<name>.txt``.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
RESULTS = HERE.parent / "bench-results"


def main(argv: list[str]) -> int:
    wanted = set(argv)
    RESULTS.mkdir(exist_ok=True)
    failures = 0
    for path in sorted(HERE.glob("bench_*.py")):
        name = path.stem
        if wanted and name not in wanted and name.removeprefix("bench_") not in wanted:
            continue
        print(f"\n=== {name} ===", flush=True)
        started = time.perf_counter()
        result = subprocess.run(
            [sys.executable, "-m", f"bench.{name}"], cwd=HERE.parent, capture_output=True, text=True, timeout=1800
        )
        output = result.stdout + (f"\n[stderr]\n{result.stderr}" if result.returncode else "")
        print(output, flush=True)
        (RESULTS / f"{name}.txt").write_text(output, encoding="utf-8")
        print(f"({name}: {time.perf_counter() - started:.1f} s, exit {result.returncode})")
        failures += result.returncode != 0
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
