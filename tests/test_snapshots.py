"""What the screen looks like: the reader with entities and overlapping claims, the claim form,
the help screen, and the library. Regenerate with ``make snapshots`` after a deliberate change."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest

from annotations.entities import builtin
from annotations.seeding import import_with_entities
from annotations.store import Store
from tests.conftest import SEEDS
from tui.app import AnnottyApp, make_app
from tui.widgets.claim_form import ClaimForm

SIZE = (100, 30)


@pytest.fixture
def app(tmp_path: Path) -> AnnottyApp:
    store = Store(tmp_path / "snap.db", annotator="ann")
    import_with_entities(store, [SEEDS], builtin())
    doc = next(d for d in store.documents() if d.title.startswith("004"))
    text = store.document(doc.id).text
    first = text.index("China and Russia enjoys")
    store.add_claim(
        doc.id,
        first,
        text.index(" for a new era") + 14,
        "opinion",
        stance="favor",
        target="China-Russia relations",
        speaker="Guo Jiakun",
    )
    store.add_claim(doc.id, first, first + 23, "statistical", stance="against")
    app = make_app(store)
    app.snapshot_doc = doc.id  # type: ignore[attr-defined]
    return app


async def open_004(pilot) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    pilot.app.open_document(pilot.app.snapshot_doc, 0)
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def until_form(pilot) -> None:
    """Wait (a bounded number of frames) until the claim form is the screen."""
    for _ in range(200):
        if isinstance(pilot.app.screen, ClaimForm):
            return
        await pilot.pause()
    raise AssertionError("the claim form did not open")


def test_library(app: AnnottyApp, snap_compare) -> None:
    async def run_before(pilot) -> None:
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_reader_with_entities_and_overlapping_claims(app: AnnottyApp, snap_compare) -> None:
    async def run_before(pilot) -> None:
        await open_004(pilot)
        await pilot.press("down", "down", "w", "w")

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_claim_form(app: AnnottyApp, snap_compare) -> None:
    async def run_before(pilot) -> None:
        await open_004(pilot)
        await pilot.press("s", "c")
        await until_form(pilot)
        await pilot.press("3", "f")

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_help_screen(app: AnnottyApp, snap_compare) -> None:
    async def run_before(pilot) -> None:
        await open_004(pilot)
        await pilot.press("question_mark")

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_reader_light_theme_with_search_hits(app: AnnottyApp, snap_compare) -> None:
    """Entities, claims and search hits fitted to the light theme's background."""

    async def run_before(pilot) -> None:
        pilot.app.theme = "textual-light"
        await open_004(pilot)
        await pilot.press("slash", *"Russia", "enter")
        await pilot.pause()

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_claim_form_narrow(app: AnnottyApp, snap_compare) -> None:
    """60x15: no side panel, the form scrolls to the focused field, which is marked."""

    async def run_before(pilot) -> None:
        await open_004(pilot)
        await pilot.press("s", "c")
        await until_form(pilot)
        await pilot.press("3", "tab", *"trade", "tab")
        await pilot.pause()

    assert snap_compare(app, terminal_size=(60, 15), run_before=run_before)


def test_candidate_queue(app: AnnottyApp, snap_compare) -> None:
    """The corpus's candidates one at a time: the sentence in its paragraph, score, type,
    speaker, reasons, progress; after one acceptance and one skip."""

    async def run_before(pilot) -> None:
        from tui.screens.candidate_queue import CandidateQueueScreen

        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
        await pilot.press("c")
        for _ in range(200):
            await pilot.pause()
            await pilot.app.workers.wait_for_complete()
            screen = pilot.app.screen
            if isinstance(screen, CandidateQueueScreen) and screen.scoring is None:
                break
        await pilot.press("y", "n")
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_snapshots_hold_nothing_machine_dependent() -> None:
    """No temporary path, home folder, checkout path, user or host name in any snapshot (they
    made the suite depend on how many pytest runs the machine had seen)."""
    import getpass
    import html
    import socket

    folder = Path(__file__).parent / "__snapshots__" / "test_snapshots"
    svgs = sorted(folder.glob("*.svg"))
    assert svgs
    needles = {
        "/tmp/",
        "pytest-of",
        str(Path.home()),
        str(Path(__file__).parent.parent),
        tempfile.gettempdir(),
    }
    words = {getpass.getuser(), socket.gethostname()} - {"", "root", "localhost"}
    for svg in svgs:
        text = html.unescape(svg.read_text(encoding="utf-8")).replace("\xa0", " ")
        for needle in needles:
            assert needle not in text, (svg.name, needle)
        for word in words:
            assert f" {word} " not in text and f"{word}@" not in text, (svg.name, word)
