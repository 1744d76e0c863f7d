"""Run the benchmarks: ``python -m bench [NAME ...]`` (names without the ``bench_`` prefix).

Each module runs in its own process so one's memory does not count against another's RSS.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def main(argv: list[str]) -> int:
    here = Path(__file__).parent
    names = sorted(p.stem for p in here.glob("bench_*.py"))
    wanted = [n for n in names if not argv or n.removeprefix("bench_") in argv]
    failed = 0
    for name in wanted:
        print(f"\n##### {name}", flush=True)
        failed += subprocess.call([sys.executable, "-m", f"bench.{name}"]) != 0
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
