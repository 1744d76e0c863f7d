"""Correcting entities in the reader: add, relabel, remove, apply everywhere, undo, mentions."""

from __future__ import annotations

from pathlib import Path

from annotations.entities import corrections
from annotations.store import Store
from tui.app import AnnottyApp, make_app
from tui.screens.reader import ReaderScreen

TEXT = (
    "Zorblax Dynamics announced a deal with Beijing. Zorblax Dynamics will hire.\n"
    "Later, analysts at Zorblax Dynamics said more."
)
OTHER = "A second story: Zorblax Dynamics again."


async def settle(app: AnnottyApp, pilot) -> None:
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()


async def open_doc(app: AnnottyApp, pilot, doc_id: str) -> ReaderScreen:
    await pilot.pause()
    app.open_document(doc_id, 0)
    await settle(app, pilot)
    assert isinstance(app.screen, ReaderScreen)
    return app.screen


async def test_add_relabel_remove_undo_and_apply_everywhere(tmp_path: Path) -> None:
    store = Store(tmp_path / "p.db", annotator="ann")
    doc, _ = store.add_document(TEXT, "t")
    other, _ = store.add_document(OTHER, "o")
    app = make_app(store)
    async with app.run_test(size=(110, 30)) as pilot:
        reader = await open_doc(app, pilot, doc.id)
        assert not any(
            TEXT[e.start : e.end] == "Zorblax Dynamics" and e.label == "ORG"
            for e in reader.entities
        )
        await pilot.press("W", "W", "l", "o", "enter")  # select the name, label it ORG, here
        await settle(app, pilot)
        added = [e for e in reader.entities if (e.start, e.end) == (0, 16)]
        assert [(e.label, e.source) for e in added] == [("ORG", "manual")]

        await pilot.press("home", "l", "p", "enter")  # on the entity: relabel as PERSON
        await settle(app, pilot)
        assert [e.label for e in reader.entities if (e.start, e.end) == (0, 16)] == ["PERSON"]

        await pilot.press("u")  # undo the relabel
        await settle(app, pilot)
        assert [e.label for e in reader.entities if (e.start, e.end) == (0, 16)] == ["ORG"]

        beijing = TEXT.index("Beijing")
        reader.view.cursor = beijing
        await pilot.press("L")  # remove the machine entity
        await settle(app, pilot)
        assert not any(e.start == beijing for e in reader.entities)
        assert [
            c.removes for c in corrections.corrections(store, doc.id) if c.start == beijing
        ] == [True]

        await pilot.press("home", "l", "o", "asterisk", "enter")  # apply everywhere
        await settle(app, pilot)
        assert "Zorblax Dynamics" in (tmp_path / "entities.yaml").read_text(encoding="utf-8")
        mentions = [e.start for e in reader.entities if TEXT[e.start : e.end] == "Zorblax Dynamics"]
        assert len(mentions) == 3

        reader.view.cursor = 0
        await pilot.press("m")
        assert reader.view.cursor == mentions[1]
        await pilot.press("M")
        assert reader.view.cursor == 0
    shown = corrections.document_entities(store, other.id, app.recognizer)
    assert any(OTHER[e.start : e.end] == "Zorblax Dynamics" and e.label == "ORG" for e in shown)
    store.close()
