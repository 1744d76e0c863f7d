"""The live team view on a server database: another annotator's save appears in an open reader
within a second or two (LISTEN/NOTIFY; a shared SQLite file's polling: tests/test_sync.py)."""

from __future__ import annotations

import time

from annotations.store import Store
from tests import test_reader_support as support
from tests.test_app_failures import wait_for
from tui.app import make_app

TEXT = "The minister said exports grew 12% in 2024. Critics called the figure misleading."


async def test_bobs_claim_appears_in_alices_open_reader(pg_url: str) -> None:
    alice = Store(pg_url, annotator="alice")
    bob = Store(pg_url, annotator="bob")
    try:
        doc, _ = alice.add_document(TEXT, "t")
        app = make_app(alice)
        async with app.run_test(size=(100, 30)) as pilot:
            reader = await support.open_reader(app, pilot, doc.id)
            await pilot.press("o")  # everyone's claims
            assert reader.all_claims == []
            bob.add_claim(doc.id, 0, 42, "statistical", note="from bob")
            saved = time.monotonic()
            await wait_for(pilot, lambda: any(c.annotator == "bob" for c in reader.all_claims))
            assert time.monotonic() - saved < 3.0  # a poll a second, plus a busy test machine
            shown = [(n.message, n.title) for n in app._notifications]
            assert any("bob changed claims in this document" in str(m) for m, _ in shown)
    finally:
        bob.close()
        alice.close()


async def test_an_assignment_touching_the_document_is_not_called_a_claim_change(
    pg_url: str,
) -> None:
    """The lead's `annotty assign` logs rows for the open document; the reader reloads but
    says nothing about claims, since none changed (it used to say "lead changed claims")."""
    alice = Store(pg_url, annotator="alice")
    lead = Store(pg_url, annotator="lead")
    try:
        doc, _ = alice.add_document(TEXT, "t")
        app = make_app(alice)
        async with app.run_test(size=(100, 30)) as pilot:
            reader = await support.open_reader(app, pilot, doc.id)
            lead.assign([(doc.id, "alice")])
            top = int(lead.query("select max(seq) as s from history")[0]["s"])
            await wait_for(pilot, lambda: app.watcher.seq >= top)
            lead.add_claim(doc.id, 0, 12, "statistical")  # and then a real change is said
            await wait_for(pilot, lambda: any(c.annotator == "lead" for c in reader.all_claims))
            await wait_for(
                pilot,
                lambda: any("changed claims" in str(n.message) for n in app._notifications),
            )
            said = [
                str(n.message) for n in app._notifications if "changed claims" in str(n.message)
            ]
            assert said == ["lead changed claims in this document."]
    finally:
        lead.close()
        alice.close()
