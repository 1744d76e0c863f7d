"""Timing helpers and the table every benchmark prints into."""

from __future__ import annotations

import resource
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class Row:
    name: str
    value: float
    unit: str
    target: str = ""
    ok: bool | None = None


class Report:
    def __init__(self) -> None:
        self.rows: list[Row] = []

    def add(
        self, name: str, value: float, unit: str, target: str = "", ok: bool | None = None
    ) -> None:
        row = Row(name, value, unit, target, ok)
        self.rows.append(row)
        mark = "" if ok is None else ("  ok" if ok else "  MISSED")
        shown = f"{value:,.3f}" if value < 100 else f"{value:,.0f}"
        print(f"  {name:<58} {shown:>12} {unit:<8} {target:<14}{mark}", flush=True)

    def section(self, title: str) -> None:
        print(f"\n== {title}", flush=True)


def median_ms(fn: Callable[[], object], repeat: int = 25, warmup: int = 2) -> float:
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t0) * 1000)
    return statistics.median(samples)


def rss_mb() -> float:
    """Peak resident set size of this process so far, in MB (``VmHWM``: ``ru_maxrss`` would
    carry over the peak of the process that started this one)."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def current_rss_mb() -> float:
    with open("/proc/self/statm") as f:
        pages = int(f.read().split()[1])
    return pages * resource.getpagesize() / 1024 / 1024
