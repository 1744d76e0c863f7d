"""Two annotators on one database: each sees the other's work without restarting."""

from __future__ import annotations

import asyncio
from pathlib import Path

from annotations.store import Store
from tests.test_reader_support import open_reader
from tui.app import make_app

TEXT = "Alice thinks trade grew. Bob thinks it shrank. Nobody knows for sure."


async def test_others_claims_arrive_live_and_show_on_request(tmp_path: Path) -> None:
    path = tmp_path / "team.db"
    alice = Store(path, annotator="alice")
    bob = Store(path, annotator="bob")
    doc, _ = alice.add_document(TEXT, "t")
    mine = alice.add_claim(doc.id, 0, 24, "opinion", stance="favor")
    app = make_app(alice)
    async with app.run_test(size=(100, 24)) as pilot:
        reader = await open_reader(app, pilot, doc.id)
        assert [c.id for c in reader.claims] == [mine.id]

        theirs = bob.add_claim(doc.id, 25, 46, "opinion", stance="against")  # another process
        for _ in range(40):  # the app polls about once a second
            await asyncio.sleep(0.1)
            await pilot.pause()
            if any(c.id == theirs.id for c in reader.all_claims):
                break
        assert any(c.id == theirs.id for c in reader.all_claims)
        assert [c.id for c in reader.claims] == [mine.id]  # only mine by default

        await pilot.press("o")
        assert {c.id for c in reader.claims} == {mine.id, theirs.id}
        reader.view.cursor = 30  # on bob's claim: it cannot be deleted by alice
        await pilot.press("d")
        await pilot.pause()
        await app.workers.wait_for_complete()
        assert {c.id for c in alice.claims()} == {mine.id, theirs.id}
    bob.close()
    alice.close()
