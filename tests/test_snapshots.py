"""What the screen looks like: the reader with entities and overlapping claims, the claim form,
the help screen, and the library. Regenerate with ``make snapshots`` after a deliberate change."""

from __future__ import annotations

from pathlib import Path

import pytest

from annotations.entities import builtin
from annotations.seeding import import_with_entities
from annotations.store import Store
from tests.conftest import SEEDS
from tui.app import AnnottyApp

SIZE = (100, 30)


@pytest.fixture
def app(tmp_path: Path) -> AnnottyApp:
    store = Store(tmp_path / "snap.db", annotator="ann")
    import_with_entities(store, [SEEDS], builtin())
    doc = next(d for d in store.documents() if d.title.startswith("004"))
    text = store.document(doc.id).text
    first = text.index("China and Russia enjoys")
    store.add_claim(doc.id, first, text.index(" for a new era") + 14, "opinion", stance="favor",
                    target="China-Russia relations", speaker="Guo Jiakun")
    store.add_claim(doc.id, first, first + 23, "statistical", stance="against")
    app = AnnottyApp(store)
    app.snapshot_doc = doc.id  # type: ignore[attr-defined]
    return app


async def open_004(pilot) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    pilot.app.open_document(pilot.app.snapshot_doc, 0)
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


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
        await pilot.pause(0.2)
        await pilot.press("3", "f")

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_help_screen(app: AnnottyApp, snap_compare) -> None:
    async def run_before(pilot) -> None:
        await open_004(pilot)
        await pilot.press("question_mark")

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)
