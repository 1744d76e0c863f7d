"""Claims a new version of their article flagged, in review: ``anchor=`` finds them, and a
decision (accept or reject, one claim or all matching) clears the flag."""

from __future__ import annotations

import pytest

from annotations.model import Document
from annotations.review.decisions import decide, decide_matching
from annotations.review.filters import ReviewError, ReviewFilter, where
from annotations.store import Store

pytestmark = pytest.mark.both_backends

OLD = "The bridge cost four million euros. Traffic fell by half. The mayor was pleased.\n"
NEW = "The bridge cost five million euros. The mayor was pleased.\n"
QUOTES = ("The bridge cost four million euros.", "Traffic fell by half.", "The mayor")


def edited(store: Store) -> tuple[Document, dict[str, str]]:
    """Three claims on OLD, then the version NEW: one reworded (``review``), one gone (``lost``),
    one placed exactly (no flag). Returns the document and the claim ids by their old quote."""
    doc, _ = store.add_document(OLD, "Bridge")
    ids = {}
    for quote in QUOTES:
        start = OLD.index(quote)
        ids[quote] = store.add_claim(doc.id, start, start + len(quote), "fact").id
    store.new_version(doc.id, NEW)
    return doc, ids


def flags(store: Store, ids: dict[str, str]) -> dict[str, str]:
    doc_id = store.claim(ids["The mayor"]).doc_id
    anchors = store.claim_anchors(doc_id)
    return {quote: anchors[i].flag if i in anchors else "" for quote, i in ids.items()}


def matching(store: Store, **f: str) -> set[str]:
    """The ids of the claims the filter ``f`` selects."""
    cond, params = where(ReviewFilter.from_dict(f), store)
    with store.reading() as conn:
        return {str(r[0]) for r in conn.execute(f"select c.id from claims c where {cond}", params)}


def test_the_anchor_filter_finds_the_flagged_claims(store: Store) -> None:
    _, ids = edited(store)
    bridge, traffic = ids["The bridge cost four million euros."], ids["Traffic fell by half."]
    assert flags(store, ids) == {QUOTES[0]: "review", QUOTES[1]: "lost", QUOTES[2]: ""}
    assert matching(store, anchor="flagged") == {bridge, traffic}
    assert matching(store, anchor="review") == {bridge}
    assert matching(store, anchor="lost", claim_type="fact") == {traffic}
    assert ReviewFilter.parse(["anchor=lost"]).describe() == "anchor=lost"
    with pytest.raises(ReviewError, match="flagged, review, lost"):
        ReviewFilter.parse(["anchor=moved"])


def test_a_decision_clears_the_flag_and_pending_does_not(store: Store) -> None:
    _, ids = edited(store)
    bridge, traffic = ids["The bridge cost four million euros."], ids["Traffic fell by half."]
    decide(store, bridge, "pending")
    assert flags(store, ids)[QUOTES[0]] == "review"
    decide(store, bridge, "accepted")
    decide(store, traffic, "rejected", "the sentence was cut")
    assert flags(store, ids) == dict.fromkeys(QUOTES, "")
    assert matching(store, anchor="flagged") == set()
    # the record of where the claim came from stays; undoing the decision keeps it unflagged
    assert store.claim_anchors(store.claim(traffic).doc_id)[traffic].old_quote == QUOTES[1]
    store.undo()
    assert store.claim(traffic).review_status == "pending"
    assert flags(store, ids)[QUOTES[1]] == ""


def test_deciding_every_flagged_claim_at_once_decides_and_unflags_them(store: Store) -> None:
    _, ids = edited(store)
    result = decide_matching(store, ReviewFilter(anchor="flagged"), "accepted", "checked")
    assert result.count == 2
    assert flags(store, ids) == dict.fromkeys(QUOTES, "")
    statuses = {quote: store.claim(i).review_status for quote, i in ids.items()}
    assert statuses == {QUOTES[0]: "accepted", QUOTES[1]: "accepted", QUOTES[2]: "pending"}
    store.undo()  # one batch
    assert {store.claim(i).review_status for i in ids.values()} == {"pending"}
