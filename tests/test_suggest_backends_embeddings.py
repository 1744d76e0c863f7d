"""``--suggester embeddings:NAME``: a logistic regression over sentence embeddings.

sentence-transformers is not installed here and no model can be downloaded, so training and
scoring are tested with a real, deterministic encoder written below (signed hashed bag of words,
unit length) behind the same ``Encoder`` interface; the missing-package path is tested for real.
The real encoder calls ``SentenceTransformer(name, local_files_only=True)`` and
``encode(texts, batch_size=..., show_progress_bar=False, normalize_embeddings=True)`` as
UKPLab/sentence-transformers defines them (sentence_transformers/SentenceTransformer.py at
85ec645: ``__init__(..., local_files_only: bool = False)``, ``encode(..., normalize_embeddings)``).
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from annotations.entities import Recognizer, builtin
from annotations.model import Entity
from annotations.store import Store
from annotations.suggest import embeddings
from annotations.suggest import learning_curve as lc
from annotations.suggest.builtin import BuiltinSuggester
from annotations.suggest.choice import claim_suggester, model_name
from annotations.suggest.embeddings import (
    EmbeddingParams,
    EmbeddingSuggester,
    EncoderUnavailable,
    load,
    save_trained,
    train,
)
from annotations.suggest.evaluate import average_precision
from annotations.suggest.learned import Example, LearnerUnavailable, unit_examples
from annotations.suggest.model_checks import ModelError
from annotations.suggest.training import NotEnoughExamples
from tests.conftest import ROOT

GOLD = ROOT / "tests" / "data" / "claims_gold.jsonl"
WORD = re.compile(r"\w+")
NAME = "hashed-words"


class HashedWords:
    """Each lower-cased word adds +-1 to one of ``dims`` buckets (blake2b), then unit length."""

    def __init__(self, dims: int = 256) -> None:
        self.dims = dims
        self.calls = 0

    def encode(self, texts: list[str]) -> list[list[float]]:
        self.calls += 1
        out = []
        for text in texts:
            vector = [0.0] * self.dims
            for word in WORD.findall(text.lower()):
                digest = hashlib.blake2b(word.encode("utf-8"), digest_size=8).digest()
                bucket = int.from_bytes(digest[:4], "little") % self.dims
                vector[bucket] += 1.0 if digest[4] & 1 else -1.0
            norm = math.sqrt(sum(x * x for x in vector)) or 1.0
            out.append([x / norm for x in vector])
        return out


@pytest.fixture(scope="module")
def recognizer() -> Recognizer:
    return builtin()


@pytest.fixture(scope="module")
def halves(recognizer: Recognizer) -> tuple[list[lc.GoldDoc], list[lc.GoldDoc], dict]:
    docs = lc.load_gold(GOLD)
    entities = {d.name: recognizer.recognize(d.text) for d in docs}
    a, b = lc.halves(docs)
    return a, b, entities


def _examples(docs: list[lc.GoldDoc], entities: dict[str, list[Entity]]) -> list[Example]:
    return [x for d in docs for x in unit_examples(d.text, d.spans, entities[d.name])]


def _scored(
    suggester: EmbeddingSuggester | BuiltinSuggester,
    docs: list[lc.GoldDoc],
    entities: dict[str, list[Entity]],
) -> tuple[list[bool], list[float]]:
    labels: list[bool] = []
    scores: list[float] = []
    for d in docs:
        spans = [(s, e) for s, e, _ in d.spans]
        found = suggester.score_units(d.text, spans, entities[d.name])
        assert [(c.start, c.end) for c in found] == spans
        scores.extend(c.score for c in found)
        labels.extend(y for _, _, y in d.spans)
    return labels, scores


def test_trained_on_one_half_it_ranks_the_other(halves) -> None:
    a, b, entities = halves
    params = train(_examples(a, entities), HashedWords(), NAME)
    assert params.dimensions == 256 and params.encoder == NAME
    assert params.positives + params.negatives == sum(len(d.spans) for d in a)
    labels, scores = _scored(EmbeddingSuggester(params, HashedWords()), b, entities)
    assert all(0.0 <= s <= 1.0 for s in scores)
    base_rate = sum(labels) / len(labels)  # about 0.37: what a random ranking scores
    assert average_precision(labels, scores) > 0.75 > base_rate + 0.3


def test_the_embedding_weights_learn(halves) -> None:
    """Without the transparent features the embedding alone must fit the decisions."""
    a, _, entities = halves
    plain = [Example(e.text, e.label, {}) for e in _examples(a, entities)]
    params = train(plain, HashedWords(), NAME)
    assert params.feature_weights == {}
    suggester = EmbeddingSuggester(params, HashedWords())
    vectors = embeddings.encode(HashedWords(), [e.text for e in plain])
    scores = [suggester.explain(v, {})[0] for v in vectors]
    assert average_precision([e.label for e in plain], scores) > 0.75


def test_type_speaker_and_reasons(recognizer: Recognizer, halves) -> None:
    a, _, entities = halves
    suggester = EmbeddingSuggester(
        train(_examples(a, entities), HashedWords(), NAME), HashedWords(), ["statistical"]
    )
    text = "Exports rose 7.1% to $3.38 trillion in 2024, Guo Jiakun said.\nI think so.\n"
    found = recognizer.recognize(text)
    rules = BuiltinSuggester(claim_types=["statistical"]).suggest(text, found)
    got = suggester.suggest(text, found)
    assert [(c.start, c.end, c.claim_type, c.speaker) for c in got] == [
        (c.start, c.end, c.claim_type, c.speaker) for c in rules
    ]
    assert got[0].speaker == "Guo Jiakun" and got[0].score > got[1].score
    names = {*suggester.params.feature_weights, "sentence meaning"}
    assert got[0].reasons and all(r[:2] in ("+ ", "- ") and r[2:] in names for r in got[0].reasons)
    (vector,) = embeddings.encode(HashedWords(), [text[got[0].start : got[0].end]])
    score, reasons = suggester.explain(vector, {})
    assert len(reasons) == 1 and reasons[0][2:] == "sentence meaning" and 0 < score < 1
    assert suggester.key.startswith(f"embeddings:{NAME}:")


def test_units_are_encoded_in_batches() -> None:
    encoder = HashedWords(8)
    vectors = embeddings.encode(encoder, [f"sentence {i}" for i in range(150)])
    assert len(vectors) == 150 and encoder.calls == 3  # 64 + 64 + 22


def test_stored_as_plain_json_and_loaded_back(store: Store, halves) -> None:
    a, b, entities = halves
    version, params = save_trained(store, NAME, _examples(a, entities), HashedWords())
    assert version == 1
    found = store.latest_model(model_name(f"embeddings:{NAME}"))
    assert found is not None and found[0] == 1
    assert found[1]["kind"] == "logistic-sentence-embeddings"
    assert EmbeddingParams.from_dict(json.loads(json.dumps(found[1]))) == params
    chosen, problem = load(NAME, found[1], None, encoder=HashedWords())
    assert problem == "" and chosen is not None
    direct = EmbeddingSuggester(params, HashedWords())
    assert _scored(chosen, b, entities) == _scored(direct, b, entities)
    assert chosen.key == direct.key


finite = st.floats(allow_nan=False, allow_infinity=False, width=64)


@given(
    weights=st.lists(finite, min_size=1, max_size=20),
    features=st.dictionaries(st.text(min_size=1, max_size=8), finite, max_size=5),
    intercept=finite,
    counts=st.tuples(st.integers(0, 10**6), st.integers(0, 10**6)),
)
def test_params_round_trip_through_json(
    weights: list[float], features: dict[str, float], intercept: float, counts: tuple[int, int]
) -> None:
    params = EmbeddingParams(NAME, tuple(weights), features, intercept, *counts)
    assert EmbeddingParams.from_dict(json.loads(json.dumps(params.to_dict()))) == params


def _stored(dims: int = 4) -> dict:
    return EmbeddingParams(NAME, (0.5,) * dims, {"builtin": 0.2}, -0.1, 3, 4).to_dict()


def test_a_stored_model_that_does_not_fit_falls_back() -> None:
    _, problem = load(NAME, _stored(4), None, encoder=HashedWords(8))
    assert problem == (
        f"the stored embedding model for {NAME!r} expects 4 dimensions, the encoder gives 8: "
        f"run 'annotty suggest --retrain --suggester embeddings:{NAME}'"
    )
    other = {**_stored(8), "encoder": "another-model"}
    _, problem = load(NAME, other, None, encoder=HashedWords(8))
    assert problem == (
        f"the stored embedding model for {NAME!r} was trained on 'another-model': "
        f"run 'annotty suggest --retrain --suggester embeddings:{NAME}'"
    )
    broken = {**_stored(8), "weights": [0.5] * 7 + ["x"]}
    _, problem = load(NAME, broken, None, encoder=HashedWords(8))
    assert problem == (
        f"the stored embedding model for {NAME!r} is not used (weight of dimension 7 is not a "
        "finite number: 'x')"
    )
    _, problem = load(NAME, {**_stored(8), "dimensions": 9}, None, encoder=HashedWords(8))
    assert "8 weights for 9 dimensions" in problem
    _, problem = load(NAME, {"format": 1}, None, encoder=HashedWords(8))
    assert "unknown model format 1 / kind None" in problem


def test_an_encoder_that_misbehaves_is_refused() -> None:
    class Short:
        def encode(self, texts: list[str]) -> list[list[float]]:
            return [[1.0]] * (len(texts) - 1)

    _, problem = load(NAME, _stored(1), None, encoder=Short())
    assert problem == (
        f"sentence-transformers model {NAME!r} does not encode: the encoder gave 0 vectors "
        "for 1 texts"
    )
    with pytest.raises(ModelError, match="different lengths"):
        embeddings.encode(
            type("Ragged", (), {"encode": lambda _, t: [[1.0], [1.0, 2.0]]})(), ["a", "b"]
        )


def test_without_a_trained_model_the_message_says_how_to_train_it() -> None:
    chosen, problem = load(NAME, None, None, encoder=HashedWords())
    assert chosen is None
    assert problem == (
        f"no embedding suggester is trained for {NAME!r} yet: "
        f"run 'annotty suggest --retrain --suggester embeddings:{NAME}'"
    )


@pytest.mark.skipif(embeddings.can_encode(), reason="sentence-transformers is installed here")
def test_without_sentence_transformers_the_built_in_one_is_used() -> None:
    suggester, messages = claim_suggester("embeddings:all-MiniLM-L6-v2", _stored(), ["statistical"])
    assert isinstance(suggester, BuiltinSuggester)
    assert messages == [
        "sentence-transformers is not installed: pip install sentence-transformers and a model "
        "(e.g. all-MiniLM-L6-v2) to use --suggester embeddings:all-MiniLM-L6-v2; "
        "using the built-in suggester"
    ]
    with pytest.raises(EncoderUnavailable, match="sentence-transformers is not installed"):
        embeddings.encoder_for("all-MiniLM-L6-v2")
    _, messages = claim_suggester("embeddings:", None, None)
    assert messages == [
        "no sentence-embedding model named: use --suggester embeddings:NAME (a "
        "sentence-transformers model, e.g. embeddings:all-MiniLM-L6-v2); using the built-in "
        "suggester"
    ]


def test_a_broken_installation_is_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    """The package is found but cannot load the model (here: it cannot even be imported)."""
    monkeypatch.setattr(embeddings, "can_encode", lambda: True)
    monkeypatch.setitem(sys.modules, "sentence_transformers", None)
    _, problem = load(NAME, _stored(), None)
    assert problem.startswith(f"sentence-transformers model {NAME!r} cannot be loaded (")
    assert problem.endswith("put it in the local cache or give its path")


def test_training_needs_both_classes_and_scikit_learn(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ValueError, match="positives and negatives"):
        train([Example("a", True), Example("b", True)], HashedWords(), NAME)
    monkeypatch.setitem(sys.modules, "sklearn.linear_model", None)
    with pytest.raises(LearnerUnavailable):
        train([Example("a", True), Example("b", False)], HashedWords(), NAME)


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Store]:
    s = Store(tmp_path / "t.db", annotator="alice")
    yield s
    s.close()


def test_retrain_learns_from_the_teams_decisions(db: Store, recognizer: Recognizer) -> None:
    """Claims are positives, the unclaimed sentences of documents marked done negatives
    (``training.gather``): the same examples as the learned n-gram model."""
    with pytest.raises(NotEnoughExamples):
        embeddings.retrain(db, recognizer, NAME, HashedWords())
    for gold in lc.load_gold(GOLD)[:2]:
        doc, _ = db.add_document(gold.text, gold.name)
        for start, end, is_claim in gold.spans:
            if is_claim:
                db.add_claim(doc.id, start, end, claim_type="statistical")
        db.set_status(doc.id, "done")
    line = embeddings.retrain(db, recognizer, NAME, HashedWords())
    assert line.startswith(f"embedding model embeddings:{NAME} version 1: ")
    found = db.latest_model(f"embeddings:{NAME}")
    assert found is not None
    chosen, problem = load(NAME, found[1], None, encoder=HashedWords())
    assert problem == "" and chosen is not None
    assert chosen.params.positives > 10 and chosen.params.negatives > 10
