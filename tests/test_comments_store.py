"""Comment threads in the store (issue 16): add, resolve, count, undo, the review filter, what
others changed in a claim, and the annotty export, on SQLite and PostgreSQL."""

from __future__ import annotations

import io
import json

import jsonschema
import pytest

from annotations.export import export
from annotations.export.annotty_json import schema
from annotations.review.filters import ReviewError, ReviewFilter, where
from annotations.store import Store, StoreError
from annotations.store.comments import adjudication_item_id

pytestmark = pytest.mark.both_backends

TEXT = "Exports grew 12% in 2024, the minister said. Critics called the figure misleading."
FIRST = (0, TEXT.index(" Critics"))
SECOND = (TEXT.index("Critics"), len(TEXT))


def as_(store: Store, name: str) -> Store:
    """The same database, acting as ``name`` (a reviewer, an adjudicator)."""
    store.annotator = name
    return store


def test_a_thread_is_added_resolved_counted_and_undone(store: Store) -> None:
    doc, _ = store.add_document(TEXT, "t")
    claim = store.add_claim(doc.id, *FIRST, "statistical")
    first = store.add_comment("claim", claim.id, doc.id, "  Is 12% the right figure? ")
    as_(store, "bob")
    second = store.add_comment("claim", claim.id, doc.id, "Yes: see table 3.")
    store.add_comment("document", doc.id, doc.id, "Whole article is an opinion piece.")
    thread = store.comments("claim", claim.id)
    assert [(c.author, c.body) for c in thread] == [
        ("tester", "Is 12% the right figure?"),
        ("bob", "Yes: see table 3."),
    ]
    assert store.comment_counts(doc.id) == {
        ("claim", claim.id): (2, 2),
        ("document", doc.id): (1, 1),
    }

    assert store.resolve_thread("claim", claim.id) == 2
    assert all(c.resolved and c.resolved_by == "bob" for c in store.comments("claim", claim.id))
    assert store.comment_counts(doc.id, "claim") == {("claim", claim.id): (2, 0)}
    assert store.resolve_comment(first.id, resolved=False).resolved_at == ""
    assert store.comment_counts(doc.id, "claim")[("claim", claim.id)] == (2, 1)

    # every change is history, and undo takes bob's steps back one by one
    kinds = [(r["action"], r["kind"]) for r in store.history(doc.id) if r["kind"] == "comment"]
    assert kinds.count(("create", "comment")) == 3 and ("update", "comment") in kinds
    step = store.undo(doc.id)  # the reopening
    assert step is not None and step.kind == "comment"
    assert store.comments("claim", claim.id)[0].resolved
    store.undo(doc.id)  # the thread's resolution: one batch
    assert not any(c.resolved for c in store.comments("claim", claim.id))
    store.undo(doc.id)  # the document comment
    store.undo(doc.id)  # bob's comment on the claim
    assert [c.id for c in store.comments("claim", claim.id)] == [first.id]
    store.redo(doc.id)
    assert [c.id for c in store.comments("claim", claim.id)] == [first.id, second.id]

    with pytest.raises(StoreError, match="empty"):
        store.add_comment("claim", claim.id, doc.id, "   ")
    with pytest.raises(StoreError, match="kind"):
        store.add_comment("margin", claim.id, doc.id, "hi")
    with pytest.raises(StoreError, match="your own"):
        store.edit_comment(first.id, "rewritten by bob")
    assert store.edit_comment(second.id, "Yes: table 3, row 2.").body == "Yes: table 3, row 2."


def test_the_review_filter_finds_claims_with_open_comments(store: Store) -> None:
    doc, _ = store.add_document(TEXT, "t")
    open_one = store.add_claim(doc.id, *FIRST, "statistical")
    closed = store.add_claim(doc.id, *SECOND, "opinion")
    store.add_comment("claim", open_one.id, doc.id, "check the source")
    done = store.add_comment("claim", closed.id, doc.id, "fine")
    store.resolve_comment(done.id)

    def matching(**f: str) -> int:
        return store.count_claims_where(*where(ReviewFilter.from_dict(f), store))

    assert matching(comments="unresolved") == 1
    assert matching(comments="any") == 2
    assert matching(comments="unresolved", claim_type="opinion") == 0
    assert ReviewFilter.parse(["comments=any"]).describe() == "comments=any"
    with pytest.raises(ReviewError, match="unresolved, any"):
        ReviewFilter.parse(["comments=maybe"])


def test_others_changes_to_my_claim_are_marked_and_diffed(store: Store) -> None:
    doc, _ = store.add_document(TEXT, "t")
    mine = as_(store, "alice").add_claim(doc.id, *FIRST, "statistical", stance="favor")
    untouched = store.add_claim(doc.id, *SECOND, "opinion")
    assert store.changed_by_others(doc.id) == set()

    as_(store, "bob").update_claim(mine.id, claim_type="causal")
    store.review_claim(
        mine.id,
        {
            "review_status": "rejected",
            "reviewer": "bob",
            "review_note": "the figure is a forecast",
            "reviewed_at": "2026-11-30T10:00:00+00:00",
        },
    )
    assert store.changed_by_others(doc.id, "alice") == {mine.id}
    changes = store.claim_changes_by_others(mine.id)
    assert [(c.by, c.action) for c in changes] == [("bob", "update"), ("bob", "review")]
    assert changes[0].fields == (("claim_type", "statistical", "causal"),)
    assert ("review_status", "pending", "rejected") in changes[1].fields
    assert changes[1].note == "the figure is a forecast"
    assert store.claim_changes_by_others(untouched.id) == []

    as_(store, "alice").update_claim(mine.id, note="seen")  # saved again: no longer marked
    assert store.changed_by_others(doc.id) == set()


def test_the_annotty_export_carries_every_thread_and_validates(store: Store) -> None:
    doc, _ = store.add_document(TEXT, "t")
    claim = store.add_claim(doc.id, *FIRST, "statistical")
    note = store.add_comment("claim", claim.id, doc.id, 'a "quoted" <b>word</b>')
    store.resolve_comment(note.id)
    item = adjudication_item_id(doc.id, *SECOND)
    store.add_comment("document", doc.id, doc.id, "opinion piece")
    store.add_comment("adjudication", item, doc.id, "both versions are wrong")
    validator = jsonschema.Draft202012Validator(schema())
    for fmt in ("json", "jsonl"):
        buffer = io.StringIO()
        export(store, fmt, buffer)
        data = json.loads(buffer.getvalue())
        validator.validate(data)
        record = data["documents"][0] if fmt == "json" else data
        (exported,) = record["claims"]
        (thread,) = exported["comments"]
        assert thread["text"] == 'a "quoted" <b>word</b>' and thread["author"] == "tester"
        assert thread["resolved_by"] == "tester" and thread["resolved_at"]
        assert [(c["kind"], c["item_id"], c["text"]) for c in record["comments"]] == [
            ("document", doc.id, "opinion piece"),
            ("adjudication", item, "both versions are wrong"),
        ]
    bad = {"format": "annotty", "version": 1, **record}
    bad["claims"][0]["comments"][0].pop("author")
    with pytest.raises(jsonschema.ValidationError):
        validator.validate(bad)
