"""The reader after an edited article was imported: flagged claims are marked in the claims
list with their old words struck through; claims placed exactly are not."""

from __future__ import annotations

from test_review_support import settle

from annotations.store import Store
from tests import test_reader_support as support
from tui.app import make_app
from tui.screens.reader_versions import FLAG_MARK
from tui.widgets.side_lists import ClaimList

OLD = "The bridge cost four million euros. Traffic fell by half. The mayor was pleased.\n"
NEW = "The bridge cost five million euros. The mayor was pleased.\n"


async def test_flagged_claims_show_their_old_words(store: Store) -> None:
    doc, _ = store.add_document(OLD, "Bridge")
    ids = {}
    for quote in ("The bridge cost four million euros.", "Traffic fell by half.", "The mayor"):
        start = OLD.index(quote)
        ids[quote] = store.add_claim(doc.id, start, start + len(quote), "fact").id
    store.new_version(doc.id, NEW)
    app = make_app(store)
    async with app.run_test(size=(110, 30)) as pilot:
        reader = await support.open_reader(app, pilot, doc.id)
        await settle(pilot)
        listed = reader.query_one(ClaimList)
        # (a claim the version moved may also carry the "changed by others" mark)
        marks = {k: str(v) for k, v in listed.marks.items() if FLAG_MARK in str(v)}
        assert set(marks) == {
            ids["The bridge cost four million euros."],
            ids["Traffic fell by half."],
        }
        assert marks[ids["Traffic fell by half."]].endswith(FLAG_MARK + "Traffic fell by h…")
        lost = listed.marks[ids["Traffic fell by half."]]
        assert any("strike" in str(span.style) for span in lost.spans)
        rows = [listed.row(c, 100).plain for c in listed.claims]
        assert any(FLAG_MARK + "The bridge cost f…" in r and "five million" in r for r in rows)
