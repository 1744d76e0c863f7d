"""The HTML report of 10,000 claims: export time, file size, and how fast Chromium opens it.

    python -m bench report

The corpus (``bench_export.build``) is 100 documents of about 5,000 characters (seed paragraphs
with emoji), 100 claims each (heavily overlapping: 20 to 300 characters at random places; every
review status) and the built-in recognizer's entities. The report is opened five times in a
fresh page of headless Chromium (Debian's, as the browser tests use); the figure is the
navigation's ``loadEventEnd`` (the page parsed, styled and its script run), the target 2 s.
The first frame after load is shown beside it.
"""

from __future__ import annotations

import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from annotations.entities import builtin
from annotations.export import default_entity_source, export
from annotations.store import Store
from bench.bench_export import build
from bench.report import Report

DOCUMENTS = 100
CLAIMS_PER_DOC = 100
LOAD_TARGET_S = 2.0
RUNS = 5
STATUSES = ("pending", "accepted", "rejected")
FIRST_FRAME = "() => new Promise((done) => requestAnimationFrame(() => setTimeout(done)))"
TIMING = "() => performance.getEntriesByType('navigation')[0].loadEventEnd"


def chromium() -> str:
    """The system Chromium the browser tests use (nothing is downloaded)."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from tests.browser import chromium_path

    found = chromium_path()
    if found is None:
        raise SystemExit("no Chromium: sudo apt-get install chromium (or set ANNOTTY_CHROMIUM)")
    return found


def open_times(url: str) -> tuple[list[float], list[float]]:
    """Seconds to the load event and to the first frame after it, one fresh page per run."""
    from playwright.sync_api import sync_playwright

    loads, frames = [], []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium(), headless=True)
        try:
            for _ in range(RUNS + 1):  # the first run warms the browser's caches up
                page = browser.new_page(viewport={"width": 1280, "height": 900})
                page.goto(url, wait_until="load")
                page.evaluate(FIRST_FRAME)
                loads.append(page.evaluate(TIMING) / 1000)
                frames.append(page.evaluate("performance.now()") / 1000)
                page.close()
        finally:
            browser.close()
    return loads[1:], frames[1:]


def main() -> None:
    report = Report()
    folder = Path(tempfile.mkdtemp(prefix="annotty-bench-report-"))
    try:
        db = folder / "report.db"
        t0 = time.perf_counter()
        build(
            db,
            documents=DOCUMENTS,
            claims_per_doc=CLAIMS_PER_DOC,
            seed=15,
            statuses=STATUSES,
            reviewer="rev",
        )
        claims = DOCUMENTS * CLAIMS_PER_DOC
        report.section(
            f"HTML report of {claims:,} claims in {DOCUMENTS:,} documents"
            f" (built in {time.perf_counter() - t0:.1f} s)"
        )
        store = Store(db, annotator="bench")
        out = folder / "report.html"
        t0 = time.perf_counter()
        tally = export(store, "html", out, builtin().key, entity_source=default_entity_source())
        took = time.perf_counter() - t0
        store.close()
        assert tally.claims == claims, tally
        report.add(f"export ({out.stat().st_size / 1e6:,.1f} MB written)", took, "s")
        loads, frames = open_times(out.as_uri())
        load = statistics.median(loads)
        report.add(
            f"open in headless Chromium: load event (median of {RUNS})",
            load,
            "s",
            f"<= {LOAD_TARGET_S:.0f} s",
            load <= LOAD_TARGET_S,
        )
        report.add("open: first frame after load (median)", statistics.median(frames), "s")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
