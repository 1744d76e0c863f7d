"""The candidate queue's core (issue 13): which candidates, in which order (score, uncertainty),
fed document by document while the walk goes on, and how many are decided."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annotations.entities import builtin
from annotations.model import Entity
from annotations.store import Store
from annotations.suggest import corpus_queue as cq
from annotations.suggest.builtin import BuiltinSuggester
from annotations.suggest.candidate import Candidate
from annotations.suggest.learned import uncertainty
from annotations.suggest.units import units

TEXT = (
    "Exports rose 12% in 2024 to $3.5 billion, the Ministry of Commerce said on Monday.\n"
    "I think it is nice.\n"
    "The new law will cut tariffs by 40 percent by 2030, according to the ministry.\n"
    "What a day!\n"
    "Unemployment fell to 3.9% last year, the lowest level since 1969, officials said.\n"
)


def item(doc: str, start: int, score: float, rank: int = 0) -> cq.QueueItem:
    candidate = Candidate(start=start, end=start + 5, score=score, claim_type="statistical")
    return cq.QueueItem(doc, doc, rank, candidate, "x" * (start + 5), 0)


def batch(
    doc: str, items: Sequence[cq.QueueItem], closed: Sequence[tuple[int, int]] = ()
) -> cq.DocumentBatch:
    rank = items[0].rank if items else 0
    return cq.DocumentBatch(doc, doc, rank, tuple(items), frozenset(closed))


def key_of(held: cq.QueueItem | None) -> cq.Key | None:
    return None if held is None else held.key


def walk(queue: cq.CandidateQueue) -> list[cq.Key]:
    """Every open candidate from the current one on, by skipping (the queue is left at its end)."""
    seen = []
    while queue.current is not None:
        seen.append(queue.current.key)
        queue.skip()
    return seen


scores = st.floats(min_value=0, max_value=1, allow_nan=False).map(lambda s: round(s, 2))
corpora = st.lists(st.lists(scores, max_size=6), min_size=1, max_size=6)


def corpus_batches(corpus: list[list[float]]) -> list[cq.DocumentBatch]:
    return [
        batch(f"d{rank}", [item(f"d{rank}", 10 * i, s, rank) for i, s in enumerate(doc)])
        for rank, doc in enumerate(corpus)
    ]


@settings(max_examples=60, deadline=None)
@given(corpora, st.data(), st.sampled_from(cq.ORDERS))
def test_the_walk_is_in_order_however_the_documents_came_in(
    corpus: list[list[float]], data: st.DataObject, order: cq.Order
) -> None:
    batches = corpus_batches(corpus)
    queue = cq.CandidateQueue(order)
    at = 0
    key = cq.sort_key(order)
    shown_first = None
    while at < len(batches):  # in groups of any size, as the scoring worker hands them on
        size = data.draw(st.integers(min_value=1, max_value=len(batches) - at))
        queue.merge(batches[at : at + size])
        if shown_first is None:
            shown_first = min(
                (i for b in batches[at : at + size] for i in b.open), key=key, default=None
            )
        at += size
    everything = [i for b in batches for i in b.open]
    expected = sorted(everything, key=key)
    if shown_first is not None:  # on screen since the first group came: it stays current
        expected.remove(shown_first)
        expected.insert(0, shown_first)
    assert walk(queue) == [i.key for i in expected]
    queue.set_order(order)  # from the top: the whole walk in order
    expected = sorted(everything, key=key)
    assert walk(queue) == [i.key for i in expected]
    scored = [i.candidate.score for i in expected]
    if order == "score":
        assert scored == sorted(scored, reverse=True)
    else:  # least sure first; equally unsure: the higher score first
        pairs = [(uncertainty(s), s) for s in scored]
        assert pairs == sorted(pairs, reverse=True)
    assert queue.total == len(everything) and queue.decided == 0


def test_the_candidate_on_screen_stays_while_better_ones_arrive_behind_it() -> None:
    queue = cq.CandidateQueue("score")
    queue.merge([batch("a", [item("a", 0, 0.6), item("a", 10, 0.55)])])
    assert queue.current is not None and queue.current.key == ("a", 0, 5)
    queue.merge([batch("b", [item("b", 0, 0.95, 1), item("b", 10, 0.5, 1)])])
    assert queue.current.key == ("a", 0, 5)  # not swapped under the annotator's eyes
    assert walk(queue) == [("a", 0, 5), ("b", 0, 5), ("a", 10, 5 + 10), ("b", 10, 15)]


def test_uncertainty_puts_the_least_sure_first_and_ties_by_score() -> None:
    queue = cq.CandidateQueue("uncertainty")
    queue.merge([batch("a", [item("a", 0, 0.95), item("a", 10, 0.52), item("a", 20, 0.48)])])
    queue.merge([batch("b", [item("b", 0, 0.7, 1)])])
    assert [k[1:] for k in walk(queue)][:1] == [(10, 15)]
    queue.set_order("uncertainty")
    scores_seen = []
    while queue.current is not None:
        scores_seen.append(queue.current.candidate.score)
        queue.skip()
    assert scores_seen == [0.52, 0.48, 0.7, 0.95]  # 0.52 and 0.48 equally unsure: 0.52 first


def test_deciding_counts_at_once_and_undo_brings_the_candidate_back() -> None:
    queue = cq.CandidateQueue()
    queue.merge([batch("a", [item("a", 0, 0.9), item("a", 10, 0.8)], closed=[(20, 25)])])
    assert (queue.decided, queue.total) == (1, 3)  # (20, 25) was decided before
    first = queue.decide()
    assert first is not None and first.key == ("a", 0, 5)
    assert queue.current is not None and queue.current.key == ("a", 10, 15)
    assert (queue.decided, queue.total) == (2, 3)
    assert queue.undo() == first
    assert queue.current == first and (queue.decided, queue.total) == (1, 3)
    assert queue.undo() is None  # only this session's decisions


def test_a_group_scored_before_a_decision_landed_does_not_bring_it_back() -> None:
    queue = cq.CandidateQueue()
    a0, a1 = item("a", 0, 0.9), item("a", 10, 0.8)
    queue.merge([batch("a", [a0, a1])])
    queue.decide()  # a0; its save has not landed when the next scoring reads the store
    queue.merge([batch("a", [item("a", 0, 0.7), item("a", 10, 0.85)])])
    assert [k for k in walk(queue)] == [a1.key]
    assert (queue.decided, queue.total) == (1, 2)
    queue.first()
    queue.undo()  # and the other way: undone here, still decided in a stale scoring
    queue.merge([batch("a", [item("a", 10, 0.85)], closed=[(0, 5)])])
    assert sorted(walk(queue)) == sorted([a0.key, a1.key])
    assert (queue.decided, queue.total) == (0, 2)


def test_a_new_model_rescores_the_rest_and_keeps_the_position() -> None:
    queue = cq.CandidateQueue("score")
    queue.merge([batch("a", [item("a", 0, 0.9), item("a", 10, 0.8), item("a", 20, 0.7)])])
    queue.skip()  # a0 passed; a10 current
    queue.merge([batch("a", [item("a", 0, 0.6), item("a", 10, 0.65), item("a", 20, 0.99)])])
    current = queue.current
    assert current is not None and current.key == ("a", 10, 15)
    assert current.candidate.score == 0.65  # the new model's score, same place
    assert queue.position == 1 and queue.items[0].candidate.score == 0.6  # passed stays passed
    queue.merge([batch("a", [item("a", 0, 0.6)], closed=[])])  # the model drops a10 and a20
    assert queue.current is None and queue.remaining == 1 and queue.total == 1
    assert queue.back() == queue.items[0] and queue.items[0].key == ("a", 0, 5)


def test_skip_back_and_order_toggle() -> None:
    queue = cq.CandidateQueue()
    queue.merge([batch("a", [item("a", 0, 0.9), item("a", 10, 0.5)])])
    assert queue.back() is None and queue.position == 0
    queue.skip()
    queue.skip()
    assert queue.current is None and queue.skip() is None  # the end stays the end
    assert key_of(queue.back()) == ("a", 10, 15)
    assert queue.toggle_order() == "uncertainty"
    assert queue.position == 0 and key_of(queue.current) == ("a", 10, 15)  # 0.5: least sure
    assert queue.toggle_order() == "score" and key_of(queue.current) == ("a", 0, 5)


def test_grouped_hands_on_the_first_document_at_once_then_by_time() -> None:
    batches = corpus_batches([[0.9]] * 6)
    ticks = iter([0.0, 0.0, 0.1, 0.2, 0.3, 0.6, 0.7, 0.8, 0.9, 1.0])
    groups = list(cq.grouped(batches, seconds=0.25, clock=lambda: next(ticks)))
    assert [len(g) for g in groups] == [1, 3, 2]
    assert [b for g in groups for b in g] == batches


@settings(max_examples=80, deadline=None)
@given(
    st.lists(st.sampled_from(["a", " ", "\n", "é", ".", "Z"]), min_size=1, max_size=300),
    st.data(),
)
def test_the_context_is_the_paragraph_around_the_sentence(
    chars: list[str], data: st.DataObject
) -> None:
    text = "".join(chars)
    start = data.draw(st.integers(0, len(text) - 1))
    end = data.draw(st.integers(start + 1, len(text)))
    lo, hi = cq.paragraph(text, start, end, limit=20)
    assert lo <= start and end <= hi
    inner = text[lo:start] + text[end:hi]
    if "\n" not in text[start:end]:
        assert "\n" not in inner  # never past a line break
    assert start - lo <= 20 and hi - end <= 20


@pytest.fixture
def tiny(store: Store) -> tuple[Store, str]:
    doc, _ = store.add_document(TEXT, "news")
    return store, doc.id


def test_a_document_batch_leaves_out_decided_and_claimed_candidates(
    tiny: tuple[Store, str],
) -> None:
    store, doc_id = tiny
    suggester = BuiltinSuggester()
    spans = units(TEXT)
    entities: list[Entity] = builtin().recognize(TEXT)
    first = cq.document_batch(store, doc_id, "news", 0, TEXT, spans, entities, suggester)
    opened = [(i.candidate.start, i.candidate.end) for i in first.open]
    assert len(opened) == 3 and not first.closed
    for i in first.open:
        assert i.sentence == TEXT[i.candidate.start : i.candidate.end]
        assert i.context == TEXT[i.context_start : i.context_start + len(i.context)]
        assert i.suggester == suggester.key and not any(i.clipped)
    (s0, e0), (s1, e1), (s2, e2) = opened
    c = first.open[0].candidate
    store.reject_candidate(
        doc_id, s0, e0, score=c.score, claim_type=c.claim_type, speaker="", suggester="builtin"
    )
    store.add_claim(doc_id, s1 + 4, s1 + 12, "statistical")  # touches the second
    again = cq.document_batch(
        store, doc_id, "news", 0, TEXT, spans, entities, suggester, kept={(s2, e2)}
    )
    assert again.open == ()
    assert again.closed == {(s0, e0), (s1, e1), (s2, e2)}
    queue = cq.CandidateQueue()
    queue.merge([again])
    assert (queue.decided, queue.total) == (3, 3)


def test_the_corpus_is_scored_one_document_at_a_time(seeded: Store) -> None:
    """The generator scores a document only when asked for the next: the screen shows the
    first candidates long before a big corpus is scored."""
    calls: list[int] = []

    class Counting(BuiltinSuggester):
        def score_units(self, text, spans, entities):  # type: ignore[no-untyped-def]
            calls.append(len(spans))
            return super().score_units(text, spans, entities)

    docs = cq.queue_documents(seeded)
    assert len(docs) == 5
    found = cq.batches(seeded, Counting(), builtin(), docs)
    first = next(found)
    assert len(calls) == 1 and first.doc_id == docs[0].id and first.open
    rest = list(found)
    assert len(calls) == 5 and [b.rank for b in rest] == [1, 2, 3, 4]
    seeded.set_status(docs[1].id, "done")
    seeded.set_status(docs[2].id, "skipped")
    assert [d.id for d in cq.queue_documents(seeded)] == [docs[0].id, *[d.id for d in docs[3:]]]


def test_units_and_entities_are_prepared_once(seeded: Store) -> None:
    docs = cq.queue_documents(seeded)[:2]
    prepared: dict[str, tuple[list[tuple[int, int]], list[Entity]]] = {}
    once = list(cq.batches(seeded, BuiltinSuggester(), builtin(), docs, prepared))
    assert set(prepared) == {d.id for d in docs}
    twice = list(cq.batches(seeded, BuiltinSuggester(), builtin(), docs, prepared))
    assert once == twice


def test_the_prepared_cache_is_bounded(seeded: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cq, "PREPARED_DOCS", 2)
    docs = cq.queue_documents(seeded)
    prepared: dict[str, tuple[list[tuple[int, int]], list[Entity]]] = {}
    once = list(cq.batches(seeded, BuiltinSuggester(), builtin(), docs, prepared))
    assert list(prepared) == [d.id for d in docs[:2]]
    assert list(cq.batches(seeded, BuiltinSuggester(), builtin(), docs, prepared)) == once


def test_the_suggester_is_named_for_the_header() -> None:
    assert cq.suggester_label("builtin") == "built-in"
    assert cq.suggester_label("learned:0123456789abcdef", 3) == "learned model 3"
    assert cq.describe_order("uncertainty") == "by uncertainty"


def test_uncertainty_is_measured_from_the_suggesters_threshold() -> None:
    """A learned model calibrates its threshold (0.4 here): least sure is nearest it, not 0.5."""
    assert uncertainty(0.4, 0.4) == 1.0 and uncertainty(0.5) == 1.0
    assert uncertainty(1.0, 0.4) == 0.0 and uncertainty(0.0, 0.6) == 0.0
    assert uncertainty(0.45, 0.4) > uncertainty(0.5, 0.4) > uncertainty(0.7, 0.4)
    queue = cq.CandidateQueue("uncertainty")
    far, near = (replace(item("d", start, s), threshold=0.4) for start, s in ((0, 0.5), (10, 0.42)))
    queue.merge([batch("d", [far, near])])
    queue.set_order("uncertainty")
    assert queue.current == near
