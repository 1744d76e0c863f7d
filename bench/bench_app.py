"""The app's own figures: start, open, page down, cursor move, claim save, memory.

Each document is measured in a fresh process, as a user would open it.

Runs the real app headless (``App.run_test``) on the seeds, on a generated 10 MB document and on
a document with 2,000 claims. "Key to repaint" is measured as the pilot's key press plus the
redraw of every visible row, which is what the terminal then shows.

Start-up is measured as a user sees it: ``annotty --db FILE`` started in a pseudo-terminal of
120x40, timed from the start of the process until the library's rows are on the screen (warm:
after one run, so Python's bytecode and the OS file cache are warm).
"""

from __future__ import annotations

import asyncio
import os
import re
import select
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path

from annotations.entities import builtin
from annotations.seeding import import_with_entities
from annotations.store import Store
from bench.corpus import SEEDS, big_text
from bench.report import Report, current_rss_mb

SIZE = (120, 40)
START_TARGET_MS = 500.0
RUNTIME_TARGET_MB = 250.0
_ANSI = re.compile(
    rb"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)"
    rb"|[PX^_][^\x1b]*\x1b\\|[@-Z\\-_])"
)


def cold_import_ms() -> float:
    code = "import time; t=time.perf_counter(); import tui.app; print((time.perf_counter()-t)*1000)"
    runs = [
        float(subprocess.check_output([sys.executable, "-c", code], text=True)) for _ in range(3)
    ]
    return statistics.median(runs)


def annotty_command() -> list[str]:
    """The installed ``annotty`` script beside this Python, as ``make run`` starts it."""
    script = Path(sys.executable).with_name("annotty")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "from annotations.cli import main; main()"]


def start_to_library_ms(
    argv: list[str], marker: bytes, env: dict[str, str], timeout: float = 30.0
) -> tuple[float, float] | None:
    """(wall, CPU) milliseconds from spawning ``argv`` (with ``env``) in a 120x40 pseudo-terminal
    until ``marker`` (text of the painted library) is on the screen; None if it never is.

    The app is then killed at once (it only read the database), so its CPU time, user + system,
    is what it spent getting there: a figure that other processes on a shared machine disturb
    much less than the wall-clock time.
    """
    import fcntl
    import pty
    import struct
    import termios

    t0 = time.perf_counter()
    pid, fd = pty.fork()
    if pid == 0:  # the child: the app, in a terminal of its own
        os.execvpe(argv[0], argv, env)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", SIZE[1], SIZE[0], 0, 0))
    screen = b""
    elapsed = None
    try:
        while time.perf_counter() - t0 < timeout:
            ready, _, _ = select.select([fd], [], [], 0.05)
            if not ready:
                continue
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                break
            if not chunk:
                break
            screen += chunk
            if marker in _ANSI.sub(b"", screen):
                elapsed = (time.perf_counter() - t0) * 1000
                break
    finally:
        os.kill(pid, signal.SIGKILL)
        _, _, usage = os.wait4(pid, 0)
        os.close(fd)
    if elapsed is None:
        return None
    return elapsed, (usage.ru_utime + usage.ru_stime) * 1000


def warm_start(report: Report, db: Path, title: str, runs: int = 7) -> None:
    """Median warm start of the real command to the library painted, beside its target."""
    argv = [*annotty_command(), "--db", str(db)]
    marker = title[:20].encode("utf-8")
    with tempfile.TemporaryDirectory() as cache:
        # as on a user's machine: Python keeps bytecode (here in a folder of its own, so the
        # working tree stays clean, even where PYTHONDONTWRITEBYTECODE is set)
        env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
        env.update(TERM="xterm-256color", PYTHONPYCACHEPREFIX=cache)
        start_to_library_ms(argv, marker, env)  # warm-up: bytecode compiled, files cached
        samples = [start_to_library_ms(argv, marker, env) for _ in range(runs)]
    done = [s for s in samples if s is not None]
    if len(done) < runs:
        report.add(
            f"warm start: library never painted in {runs - len(done)} of {runs} runs",
            runs - len(done),
            "runs",
            "0",
            False,
        )
    if done:
        wall = statistics.median(w for w, _ in done)
        report.add(
            f"warm start, annotty to library painted (median of {len(done)}, 120x40)",
            wall,
            "ms",
            f"<= {START_TARGET_MS:.0f} ms",
            wall <= START_TARGET_MS,
        )
        report.add(
            "  the same: CPU time of the app (user + system, median)",
            statistics.median(c for _, c in done),
            "ms",
        )
        print(
            f"    load average while measured: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs",
            flush=True,
        )
    if "numpy" in {d.metadata["Name"].lower() for d in metadata.distributions()}:
        print(
            "    (numpy is here with the dev extras and sqlite-utils imports it when present:"
            " `make run`'s environment, without it, starts faster)",
            flush=True,
        )


def runtime_size(report: Report) -> None:
    """The runtime environment ``make run`` installs (from this venv's installed metadata)."""
    from bench.install_size import runtime_megabytes

    total, sizes = runtime_megabytes()
    report.add(
        f"runtime environment: {len(sizes)} distributions, installed size",
        total,
        "MB",
        f"<= {RUNTIME_TARGET_MB:.0f} MB",
        total <= RUNTIME_TARGET_MB,
    )
    largest = ", ".join(f"{name} {mb:.1f}" for name, mb in sizes[:4])
    print(f"    largest (MB): {largest}", flush=True)


async def wait_until(predicate, timeout: float = 30.0, poll: float = 0.0) -> None:
    """Run the event loop until ``predicate`` holds. A zero ``poll`` spins (fine for short
    waits); waits on worker threads poll gently, since spinning would hold the GIL they need."""
    deadline = time.perf_counter() + timeout
    while not predicate():
        if time.perf_counter() > deadline:
            raise TimeoutError("condition not reached")
        await asyncio.sleep(poll)


def paint(view) -> None:
    for y in range(view.scrollable_content_region.height):
        view.render_line(y)


async def measure(report: Report, store: Store, doc_id: str, label: str, moves: int = 40) -> None:
    from tui.app import make_app
    from tui.screens.library import LibraryScreen
    from tui.screens.reader import ReaderScreen
    from tui.widgets.document_view import DocumentView

    app = make_app(store)
    t0 = time.perf_counter()
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(
            lambda: isinstance(app.screen, LibraryScreen) and app.screen.summaries, poll=0.002
        )
        start_ms = (time.perf_counter() - t0) * 1000
        t1 = time.perf_counter()
        app.open_document(doc_id)
        await wait_until(
            lambda: isinstance(app.screen, ReaderScreen) and app.screen.document is not None,
            poll=0.002,
        )
        view = app.screen.query_one(DocumentView)
        paint(view)
        open_ms = (time.perf_counter() - t1) * 1000
        report.add(f"{label}: app start to library painted (headless)", start_ms, "ms")
        report.add(
            f"{label}: document open to first paint", open_ms, "ms", "<= 500 ms", open_ms <= 500
        )
        await wait_until(lambda: view._layout is not None and view._layout.complete, poll=0.002)
        report.add(
            f"{label}: document open to fully wrapped (scrollbar exact)",
            (time.perf_counter() - t1) * 1000,
            "ms",
        )
        busy = [w for w in app.workers if not w.is_finished]
        if busy:  # entities still being recognized in the background: is the UI responsive?
            samples = []
            for _ in range(20):
                before = view.cursor
                t = time.perf_counter()
                app.simulate_key("down")
                await wait_until(lambda before=before: view.cursor != before)
                paint(view)
                samples.append((time.perf_counter() - t) * 1000)
            still = any(not w.is_finished for w in busy)
            report.add(
                f"{label}: cursor down while entities are recognized (median of 20)",
                statistics.median(samples),
                "ms",
                "<= 16 ms",
                statistics.median(samples) <= 16 if still else None,
            )
        await cursor_while_candidates_scored(report, app, view, label)
        await app.workers.wait_for_complete()  # entities recognized and cached
        await pilot.pause()
        if view.show_labels:  # inline labels (E): wrapped in a thread once entities are in
            await wait_until(
                lambda: view.labels_settled and bool(view._drawn), timeout=120, poll=0.01
            )
            report.add(
                f"{label}: document open to labels drawn", (time.perf_counter() - t1) * 1000, "ms"
            )
        for key, name in (
            ("pagedown", "page down"),
            ("down", "cursor down"),
            ("right", "cursor right"),
        ):
            samples = []
            for _ in range(moves):
                if view.layout_rows - view._layout.row_of(view.cursor) < 2 * SIZE[1]:
                    view.action_move("top")  # keep room to move (not timed)
                    await pilot.pause()
                before = view.cursor
                t = time.perf_counter()
                app.simulate_key(key)  # as a terminal's key arrives; we time until it lands
                await wait_until(lambda before=before: view.cursor != before)
                paint(view)
                samples.append((time.perf_counter() - t) * 1000)
            med = statistics.median(samples)
            report.add(
                f"{label}: {name}, key to repaint (median of {moves})",
                med,
                "ms",
                "<= 16 ms",
                med <= 16,
            )
        report.add(
            f"{label}: RSS with the document open",
            current_rss_mb(),
            "MB",
            "<= 200 MB",
            current_rss_mb() <= 200,
        )


async def cursor_while_candidates_scored(report: Report, app, view, label: str) -> None:
    """Once the entities are in, the reader scores claim candidates in a thread worker: the
    cursor must stay as quick meanwhile; and how long the scoring takes in the app."""
    reader = app.screen
    await wait_until(lambda: reader._entities_ready, timeout=600, poll=0.01)
    t0 = time.perf_counter()
    scoring = [w for w in app.workers if w.group == "candidate-scores" and not w.is_finished]
    if scoring and len(view.text) > 1_000_000:
        samples = []
        for _ in range(20):
            if view.layout_rows - view._layout.row_of(view.cursor) < 2 * SIZE[1]:
                view.action_move("top")
                await asyncio.sleep(0)
            before = view.cursor
            t = time.perf_counter()
            app.simulate_key("down")
            await wait_until(lambda before=before: view.cursor != before)
            paint(view)
            samples.append((time.perf_counter() - t) * 1000)
            await asyncio.sleep(0.02)  # spread the samples over the scoring
        still = any(not w.is_finished for w in scoring)
        med = statistics.median(samples)
        report.add(
            f"{label}: cursor down while claim candidates are scored (median of 20)",
            med,
            "ms",
            "<= 16 ms",
            med <= 16 if still else None,
        )
    await wait_until(lambda: reader._scored is not None, timeout=600, poll=0.01)
    seconds = time.perf_counter() - t0
    report.add(
        f"{label}: entities in to claim candidates shown, in the app",
        seconds * 1000,
        "ms",
    )


def save_latency(report: Report, store: Store, doc_id: str, label: str, n: int = 200) -> None:
    text_len = len(store.document(doc_id).text)
    samples = []
    for i in range(n):
        start = (i * 997) % max(1, text_len - 50)
        t = time.perf_counter()
        store.add_claim(doc_id, start, start + 40, "other", stance="none")
        samples.append((time.perf_counter() - t) * 1000)
    med = statistics.median(samples)
    report.add(
        f"{label}: save a claim, durable commit (median of {n})", med, "ms", "<= 10 ms", med <= 10
    )


def scenario(db: str, doc_id: str, label: str) -> None:
    """One document in a fresh process, as a user opens it: its RSS is the app's alone."""
    report = Report()
    store = Store(db, annotator="bench")
    store.set_setting("inline_labels:bench", "on" if "labels on" in label else "off")
    asyncio.run(measure(report, store, doc_id, label))
    save_latency(report, store, doc_id, label)
    store.close()


def run_scenario(db: Path, doc_id: str, label: str) -> None:
    subprocess.run([sys.executable, "-m", "bench.bench_app", str(db), doc_id, label], check=True)


def main() -> None:
    report = Report()
    report.section("install")
    runtime_size(report)
    report.section("start-up")
    report.add("cold import of tui.app (median of 3)", cold_import_ms(), "ms")
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(Path(tmp) / "seeds.db", annotator="bench")
        import_with_entities(store, [SEEDS], builtin())
        docs = store.documents()
        seed_doc, first_title = docs[-1].id, docs[0].title
        store.close()
        warm_start(report, Path(tmp) / "seeds.db", first_title)
        report.section("seed corpus (seed 004, 36k chars)")
        run_scenario(Path(tmp) / "seeds.db", seed_doc, "seed 004")

        store = Store(Path(tmp) / "big.db", annotator="bench")
        t = time.perf_counter()
        big, _ = store.add_document(big_text(), "10 MB generated")
        big_id, chars = big.id, len(big.text)
        del big
        store.close()
        report.section(f"generated document ({chars / 1e6:.1f} M chars)")
        report.add("import 10 MB document", (time.perf_counter() - t) * 1000, "ms")
        run_scenario(Path(tmp) / "big.db", big_id, "10 MB")
        run_scenario(Path(tmp) / "big.db", big_id, "10 MB, labels on")

        store = Store(Path(tmp) / "claims.db", annotator="bench")
        doc, _ = store.add_document(big_text(400_000), "2,000 claims")
        spacing = len(doc.text) // 2000
        for i in range(2000):
            start = i * spacing
            store.add_claim(
                doc.id,
                start,
                min(len(doc.text), start + spacing // 2 + (i % 3) * spacing),
                "other",
                stance=("favor", "against", "none")[i % 3],
            )
        store.close()
        report.section("document with 2,000 overlapping claims")
        run_scenario(Path(tmp) / "claims.db", doc.id, "2k claims")


if __name__ == "__main__":
    if len(sys.argv) == 4:
        scenario(*sys.argv[1:])
    else:
        main()
