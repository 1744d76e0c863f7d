"""Teaching the learned suggester from the store (issue 13: "it learns from the team")."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annotations.entities import Recognizer, builtin
from annotations.entities.corrections import add_entity
from annotations.model import Entity
from annotations.store import Store
from annotations.suggest import training
from annotations.suggest.learned import (
    Head,
    LearnedSuggester,
    ModelError,
    ModelParams,
    choose,
    train,
    unit_examples,
)
from annotations.suggest.ngram_hashing import HashingSettings
from annotations.suggest.training import (
    MODEL_NAME,
    NotEnoughExamples,
    decisions_since_model,
    gather,
    retrain,
)
from annotations.suggest.units import units

CLAIMS = [
    "Exports rose 12 percent to 3.4 billion dollars in 2023, the customs office said.",
    "The factory employs 4,500 workers and produced 80,000 cars last year.",
    "Unemployment fell to 5.1 percent in March, down from 6.3 percent a year earlier.",
    "The new law bans the sale of single-use plastic bags from January 2025.",
    "The bridge, opened in 2018, is 55 kilometres long and cost 20 billion dollars.",
    "Rice output grew by 8 percent after the drought ended, according to the ministry.",
]
OPINIONS = [
    "I think this is a wonderful idea and everyone should love it.",
    "We believe the future looks bright for all of us.",
    "Personally, I feel the film was far too long and rather boring.",
    "What a beautiful morning it is in the mountains!",
    "I hope my friends enjoy the holiday as much as I do.",
    "In my opinion the new design is simply lovely.",
]
PROPOSAL: dict[str, Any] = {
    "score": 0.7,
    "claim_type": "statistical",
    "speaker": "",
    "suggester": "builtin-1",
}


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Store]:
    s = Store(tmp_path / "t.db", annotator="alice")
    yield s
    s.close()


@pytest.fixture(scope="module")
def recognizer() -> Recognizer:
    return builtin()


def _doc(store: Store, sentences: list[str], title: str) -> tuple[str, list[tuple[int, int]]]:
    text = "\n".join(sentences)
    doc, _ = store.add_document(text, title)
    spans = units(text)
    assert [text[s:e] for s, e in spans] == sentences  # one unit per line
    return doc.id, spans


def _decided_store(store: Store) -> tuple[str, str]:
    """Doc A: claims and decisions, not done. Doc B: done, one claim, the rest unclaimed."""
    a, spans_a = _doc(store, CLAIMS[:4] + OPINIONS[:4], "a")
    store.add_claim(a, *spans_a[0], claim_type="statistical")  # manual claim
    store.accept_candidate(a, *spans_a[1], **PROPOSAL)
    store.accept_candidate(a, *spans_a[2], **PROPOSAL)
    store.accept_candidate(a, *spans_a[3], **PROPOSAL)
    store.reject_candidate(a, *spans_a[4], **PROPOSAL)
    store.reject_candidate(a, *spans_a[5], **PROPOSAL)
    b, spans_b = _doc(store, CLAIMS[4:] + OPINIONS[4:], "b")
    store.add_claim(b, *spans_b[0], claim_type="statistical")
    store.set_status(b, "done")
    return a, b


def test_examples_come_from_claims_decisions_and_done_documents(
    db: Store, recognizer: Recognizer
) -> None:
    _decided_store(db)
    data = gather(db, recognizer)
    got = sorted((e.text, e.label) for e in data.examples)
    want = sorted(
        [(t, True) for t in CLAIMS[:4]]  # a claim and three accepted candidates
        + [(t, False) for t in OPINIONS[:2]]  # two rejected candidates
        + [(CLAIMS[4], True)]  # the claim of the done document
        + [(t, False) for t in CLAIMS[5:] + OPINIONS[4:]]  # its unclaimed units
    )
    assert got == want  # OPINIONS[2:4] of the open document teach nothing
    assert (data.positives, data.negatives) == (5, 5)
    assert data.history_seq == db.history_mark() > 0


def test_examples_name_their_document_so_cross_validation_keeps_it_whole(
    db: Store, recognizer: Recognizer
) -> None:
    a, b = _decided_store(db)
    groups = {e.text: e.group for e in gather(db, recognizer).examples}
    assert {groups[t] for t in CLAIMS[:4] + OPINIONS[:2]} == {a}
    assert {groups[t] for t in CLAIMS[4:] + OPINIONS[4:]} == {b}


def test_a_claim_inside_a_unit_keeps_that_unit_out_of_the_negatives(
    db: Store, recognizer: Recognizer
) -> None:
    doc, spans = _doc(db, CLAIMS[:2] + OPINIONS[:2], "d")
    start, _ = spans[1]
    db.add_claim(doc, start + 4, start + 20, claim_type="statistical")  # part of a sentence
    db.set_status(doc, "done")
    negatives = {e.text for e in gather(db, recognizer).examples if not e.label}
    assert negatives == {CLAIMS[0], *OPINIONS[:2]}


def test_features_use_the_annotators_entity_corrections(db: Store, recognizer: Recognizer) -> None:
    sentence = "the zorblat quenx group announced that 300 workers joined the union in March."
    doc, [(start, end)] = _doc(db, [sentence], "n")
    db.accept_candidate(doc, start, end, **PROPOSAL)
    name = (4, sentence.index(" group"))
    machine = recognizer.recognize(sentence)
    assert not any(e.start < name[1] for e in machine)  # the recognizer misses the name
    (before,) = gather(db, recognizer).examples
    assert "speaker" not in before.features
    add_entity(db, doc, *name, "ORG")
    (after,) = gather(db, recognizer).examples
    assert after.features["speaker"] > 0  # the corrected entity is the speaker now
    corrected = machine + [Entity(*name, "ORG", "manual")]
    assert after == unit_examples(sentence, [(start, end, True)], corrected, group=doc)[0]


def test_retrain_stores_a_model_that_choose_loads(db: Store, recognizer: Recognizer) -> None:
    _decided_store(db)
    done = retrain(db, recognizer, ["statistical", "opinion"])
    assert (done.version, done.positives, done.negatives) == (1, 5, 5)
    assert done.seconds > 0 and done.heads == ()
    assert "version 1: 5 positives, 5 negatives" in done.summary()
    stored = db.latest_model(MODEL_NAME)
    assert stored is not None and stored[0] == 1
    chosen, notes = choose(stored[1], ["statistical", "opinion"])
    assert notes == [] and isinstance(chosen, LearnedSuggester)
    assert chosen.key == done.suggester.key
    again = retrain(db, recognizer)
    assert again.version == 2


def test_retrain_with_one_class_missing_says_how_many_are_needed(
    db: Store, recognizer: Recognizer
) -> None:
    a, spans = _doc(db, CLAIMS, "a")
    for span in spans:
        db.accept_candidate(a, *span, **PROPOSAL)
    with pytest.raises(NotEnoughExamples, match="at least 5 positives .* there are 6 and 0"):
        retrain(db, recognizer)
    assert db.latest_model(MODEL_NAME) is None


def test_decisions_since_model_counts_what_the_model_has_not_seen(
    db: Store, recognizer: Recognizer
) -> None:
    assert decisions_since_model(db) == 0
    a, _ = _decided_store(db)
    assert decisions_since_model(db) == 7  # two claims, three accepts, two rejects
    retrain(db, recognizer)
    assert decisions_since_model(db) == 0
    a_spans = units(db.document(a).text)
    db.reject_candidate(a, *a_spans[6], **PROPOSAL)
    db.accept_candidate(a, *a_spans[7], **PROPOSAL)  # a claim and a decision: one step
    assert decisions_since_model(db) == 2
    db.undo()
    assert decisions_since_model(db) == 3  # undoing changes what the model would learn
    db.set_status(a, "done")  # not a claim or decision change: counted when training next
    retrain(db, recognizer)
    assert decisions_since_model(db) == 0


def test_a_model_stored_before_history_marks_counts_everything(db: Store) -> None:
    _decided_store(db)
    params = train(
        unit_examples(CLAIMS[0], [(0, len(CLAIMS[0]), True)], [])
        + unit_examples(OPINIONS[0], [(0, len(OPINIONS[0]), False)], [])
    )
    assert "trained_at" not in params.to_dict()
    db.save_model(MODEL_NAME, params.to_dict())
    assert decisions_since_model(db) == 7


# -- stance and target heads ------------------------------------------------------------------
FAVOR = [f"The plan will create {n} jobs and lift exports by {n} percent." for n in range(2, 14)]
AGAINST = [f"The plan will cost {n} billion and cut {n} thousand farms." for n in range(2, 14)]


def _labelled_claims(store: Store, favor: int, against: int, target: str = "the plan") -> None:
    doc, spans = _doc(store, FAVOR[:favor] + AGAINST[:against], f"s{favor}-{against}")
    for n, span in enumerate(spans):
        stance = "favor" if n < favor else "against"
        store.add_claim(doc, *span, claim_type="statistical", stance=stance, target=target)


def _with_negatives(store: Store) -> None:
    doc, spans = _doc(store, OPINIONS, "o")
    for span in spans:
        store.reject_candidate(doc, *span, **PROPOSAL)


def test_heads_are_trained_only_with_enough_labelled_claims(
    db: Store, recognizer: Recognizer
) -> None:
    _with_negatives(db)
    _labelled_claims(db, 12, 4)  # 16 claims, one class under 5
    assert retrain(db, recognizer).heads == ()
    _labelled_claims(db, 0, 4, target="")  # 20 stances, "against" 8 times; one target
    done = retrain(db, recognizer, stances=["favor", "against", "none"])
    assert done.heads == ("stance",)
    assert training.enough([("x", "a")] * 16 + [("y", "b")] * 3, training.TARGET_RULE) == []
    assert len(training.enough([("x", "a")] * 17 + [("y", "b")] * 3, training.TARGET_RULE)) == 20
    assert training.enough([("x", "a")] * 18 + [("y", "b")] * 2, training.TARGET_RULE) == []
    stance = done.suggester.params.heads["stance"]
    assert set(stance.classes) == {"favor", "against"}
    scored = done.suggester.suggest(FAVOR[0] + "\n" + AGAINST[0], [])
    assert [c.stance for c in scored] == ["favor", "against"]


def test_the_target_head_learns_only_targets_used_three_times(
    db: Store, recognizer: Recognizer
) -> None:
    _with_negatives(db)
    _labelled_claims(db, 10, 0, target="jobs plan")
    _labelled_claims(db, 0, 10, target="farm cuts")
    _labelled_claims(db, 2, 0, target="rare target")  # used twice: never suggested
    done = retrain(db, recognizer)
    assert set(done.heads) == {"stance", "target"}
    head = done.suggester.params.heads["target"]
    assert set(head.classes) == {"jobs plan", "farm cuts"}
    scored = done.suggester.suggest(FAVOR[5] + "\n" + AGAINST[5], [])
    assert [c.target for c in scored] == ["jobs plan", "farm cuts"]
    stored = db.latest_model(MODEL_NAME)
    assert stored is not None and ModelParams.from_dict(stored[1]) == done.suggester.params


def test_claims_without_a_set_stance_teach_the_stance_head_nothing(db: Store) -> None:
    doc, spans = _doc(db, CLAIMS + OPINIONS, "u")
    for n, span in enumerate(spans):
        db.add_claim(doc, *span, claim_type="statistical", stance="none" if n % 2 else "favor")
    stances = {label for _, label in training._claim_labels(db, None)[0]}
    assert stances == {"favor"}  # "none" with no target is the default, not a label


def test_a_model_without_heads_loads_and_suggests_no_stance_or_target() -> None:
    params = train(
        unit_examples(CLAIMS[0], [(0, len(CLAIMS[0]), True)], [])
        + unit_examples(OPINIONS[0], [(0, len(OPINIONS[0]), False)], [])
    )
    old = json.loads(json.dumps(params.to_dict()))
    assert "heads" not in old  # as models stored before heads existed
    loaded = ModelParams.from_dict(old)
    assert loaded.heads == {} and loaded.history_seq == 0
    (candidate,) = LearnedSuggester(loaded).suggest(CLAIMS[1], [])
    assert (candidate.stance, candidate.target) == ("", "")


@pytest.mark.parametrize(
    ("heads", "message"),
    [
        ({"mood": {"classes": ["a", "b"], "intercepts": [0, 0], "weights": [[], []]}}, "unknown"),
        ({"stance": {"classes": ["a"], "intercepts": [0], "weights": [[]]}}, "two or more"),
        ({"stance": {"classes": ["a", "a"], "intercepts": [0, 0], "weights": [[], []]}}, "two"),
        ({"stance": {"classes": ["a", "b"], "intercepts": [0], "weights": [[], []]}}, "one"),
        (
            {"stance": {"classes": ["a", "b"], "intercepts": [0, 0], "weights": [[[1, "x"]], []]}},
            "finite",
        ),
        (
            {"stance": {"classes": ["a", "b"], "intercepts": [0, 0], "weights": [[[-1, 1.0]], []]}},
            "outside",
        ),
        (
            {"stance": {"classes": ["a", "b"], "intercepts": [0, 1e999], "weights": [[], []]}},
            "finite",
        ),
        ({"stance": {"classes": ["a", 3], "intercepts": [0, 0], "weights": [[], []]}}, "strings"),
        ({"stance": []}, "not an object"),
        ([], "not an object"),
    ],
)
def test_malformed_heads_are_refused(heads: object, message: str) -> None:
    data = ModelParams(HashingSettings(n_features=1 << 4), {}, {}, 0.0, 1, 1).to_dict()
    data["heads"] = heads
    with pytest.raises(ModelError, match=message):
        ModelParams.from_dict(data)
    assert isinstance(choose(data)[0], type(choose(None)[0]))  # the built-in is used instead


def test_head_predicts_a_softmax_class() -> None:
    head = Head(("a", "b", "c"), ({1: 2.0}, {}, {2: 5.0}), (0.0, 0.0, -1.0))
    label, p = head.predict({1: 1.0})
    assert label == "a" and 0.5 < p < 1
    label, p = head.predict({2: 1.0})
    assert label == "c" and p > 0.9


def test_the_target_head_keeps_the_most_used_targets_only() -> None:
    rows = [(f"text {n}", f"t{n % 30}") for n in range(30 * 4)]  # 30 targets, 4 uses each
    rows += [("more", "t7")] * 3
    kept = training.enough(rows, training.TARGET_RULE)
    labels = {label for _, label in kept}
    assert len(labels) == training.TARGET_RULE.max_classes and "t7" in labels


def test_a_damaged_stored_model_counts_everything(db: Store, tmp_path: Path) -> None:
    import sqlite3

    _decided_store(db)
    with sqlite3.connect(tmp_path / "t.db") as raw:  # a damaged or hand-edited file
        raw.execute("insert into suggest_models values ('claims', 1, 'now', '{not json')")
    assert decisions_since_model(db) == 7


finite = st.floats(allow_nan=False, allow_infinity=False)
row = st.dictionaries(st.integers(0, (1 << 8) - 1), finite, max_size=6)


@settings(max_examples=50, deadline=None)
@given(
    st.lists(st.text(min_size=1, max_size=10), min_size=2, max_size=5, unique=True).flatmap(
        lambda classes: st.tuples(
            st.just(tuple(classes)),
            st.tuples(*[row for _ in classes]),
            st.tuples(*[finite for _ in classes]),
        )
    ),
    st.integers(0, 1 << 62),
)
def test_any_model_with_heads_round_trips_through_json(
    head: tuple[tuple[str, ...], tuple[dict[int, float], ...], tuple[float, ...]], seq: int
) -> None:
    params = ModelParams(
        HashingSettings(n_features=1 << 8), {}, {}, 0.0, 1, 1, {"target": Head(*head)}, seq
    )
    data = json.loads(json.dumps(params.to_dict(), allow_nan=False))
    assert ModelParams.from_dict(data) == params
