"""``annotty export --include-suggestions``: decided claim candidates in every format that can
carry them, under the claims' filters, and read back unchanged (issue 13)."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotations.cli import cli
from annotations.errors import AnnottyError
from annotations.export import FORMATS, Filters, export, preview
from annotations.export.annotty_json import schema
from annotations.export.suggestion_records import (
    annotty_decisions,
    doccano_decisions,
    label_studio_decisions,
)
from annotations.export.utf16 import Utf16Index
from annotations.imports.annotation_files import import_file
from annotations.model import Decision
from annotations.store import Store
from tests.test_cli_support import run_cli
from tests.test_roundtrip_formats import RECOGNIZER, texts

# an astral character first (UTF-16 offsets differ from code points), a CRLF inside a candidate
TEXT = (
    "😀 Unemployment fell to 3.9% in May, the ministry said.\r\nI love spring. "
    "Exports will double by 2030, Guo Jiakun said. The weather was nice."
)
FIRST = (2, TEXT.index("\r\n") + 2 + len("I love spring."))  # crosses the CRLF
SECOND = (TEXT.index("Exports"), TEXT.index(" The weather"))
THIRD = (TEXT.index("The weather"), len(TEXT))
OTHER = "Moscow denied it on Monday. Prices rose 4% in June."
VALIDATOR = jsonschema.Draft202012Validator(schema())


def _decide(store: Store, doc_id: str, span: tuple[int, int], verdict: str, **kw: Any) -> None:
    proposal = {
        "score": kw.get("score", 0.75),
        "claim_type": kw.get("claim_type", "quantity"),
        "speaker": kw.get("speaker", ""),
        "suggester": kw.get("suggester", "builtin-1"),
    }
    if verdict == "accepted":
        store.accept_candidate(doc_id, *span, **proposal)
    else:
        store.reject_candidate(doc_id, *span, **proposal)


def _corpus(path: Path | None = None) -> tuple[Store, str, str]:
    store = Store(path, annotator="alice")
    doc, _ = store.add_document(TEXT, "seed", source="t#1")
    other, _ = store.add_document(OTHER, "other", source="t#2")
    store.cache_entities(doc.id, RECOGNIZER.key, RECOGNIZER.recognize(TEXT))
    store.cache_entities(other.id, RECOGNIZER.key, RECOGNIZER.recognize(OTHER))
    _decide(store, doc.id, FIRST, "accepted", score=0.91, speaker="the ministry")
    _decide(store, doc.id, THIRD, "rejected", score=0.12, claim_type="causal")
    store.annotator = "bob"
    _decide(store, doc.id, SECOND, "accepted", score=0.66, claim_type="prediction",
            speaker="Guo Jiakun", suggester="learned-3")  # fmt: skip
    _decide(store, other.id, (28, len(OTHER)), "rejected", score=0.4)
    store.annotator = "alice"
    return store, doc.id, other.id


def _text(store: Store, fmt: str, **filters: Any) -> str:
    out = io.StringIO()
    export(store, fmt, out, RECOGNIZER.key, filters=Filters(**filters))
    return out.getvalue()


def _json_docs(store: Store, **filters: Any) -> list[dict[str, Any]]:
    data = json.loads(_text(store, "json", **filters))
    VALIDATOR.validate(data)
    docs: list[dict[str, Any]] = data["documents"]
    return docs


def _key(d: Decision) -> tuple[Any, ...]:
    return (d.id, d.doc_id, d.start, d.end, d.quote, d.score, d.claim_type, d.speaker,
            d.decision, d.claim_id, d.suggester, d.annotator, d.decided_at)  # fmt: skip


# -- annotty JSON -------------------------------------------------------------------------------
def test_json_carries_every_decided_candidate_with_its_claim() -> None:
    store, doc_id, other_id = _corpus()
    docs = {d["id"]: d for d in _json_docs(store, suggestions=True)}
    seed = docs[doc_id]
    got = seed["suggestions"]
    assert [(s["start"], s["end"]) for s in got] == [FIRST, SECOND, THIRD]
    for item in got:
        assert item["quote"] == TEXT[item["start"] : item["end"]]
    first = got[0]
    assert (first["score"], first["claim_type"], first["speaker"], first["decision"]) == (
        0.91,
        "quantity",
        "the ministry",
        "accepted",
    )
    assert (first["suggester"], first["annotator"]) == ("builtin-1", "alice")
    assert first["decided_at"]
    # the claim id an accept made is the claim exported beside it; a reject made none
    claim_ids = {c["id"] for c in seed["claims"]}
    assert first["claim_id"] in claim_ids and got[1]["claim_id"] in claim_ids
    assert got[2]["decision"] == "rejected" and got[2]["claim_id"] == ""
    assert [s["decision"] for s in docs[other_id]["suggestions"]] == ["rejected"]


def test_without_the_flag_nothing_changes() -> None:
    store, _, _ = _corpus()
    for doc in _json_docs(store):
        assert "suggestions" not in doc
    for fmt in ("label-studio", "doccano", "w3c", "spacy"):
        assert "builtin-1" not in _text(store, fmt)


def test_the_claims_filters_select_decided_candidates_too() -> None:
    store, doc_id, other_id = _corpus()

    def spans(**filters: Any) -> dict[str, list[tuple[int, int]]]:
        docs = _json_docs(store, suggestions=True, **filters)
        return {d["id"]: [(s["start"], s["end"]) for s in d["suggestions"]] for d in docs}

    assert spans(annotator=("bob",)) == {doc_id: [SECOND], other_id: [(28, len(OTHER))]}
    assert spans(claim_type=("causal",)) == {doc_id: [THIRD], other_id: []}
    assert spans(doc=(other_id,)) == {other_id: [(28, len(OTHER))]}
    # status and stance are a claim's: they leave the decisions alone
    assert spans(status=("accepted",))[doc_id] == [FIRST, SECOND, THIRD]
    # a document whose only match is a decided candidate is not empty
    assert set(spans(skip_empty=True, claim_type=("causal",))) == {doc_id}
    assert set(spans(skip_empty=True, annotator=("bob",))) == {doc_id, other_id}


def test_a_candidate_outside_the_text_is_reported_not_exported() -> None:
    store, doc_id, _ = _corpus()
    with store.transaction() as conn:  # a damaged or hand-edited database
        conn.execute('update suggestions set "end" = 10000 where start = ?', (THIRD[0],))
    out = io.StringIO()
    tally = export(store, "json", out, RECOGNIZER.key, filters=Filters(suggestions=True))
    assert tally.suggestions == 3
    assert any("decided candidate" in line and "outside the text" in line for line in tally.skipped)


# -- Label Studio ---------------------------------------------------------------------------
def test_label_studio_writes_candidates_as_scored_predictions() -> None:
    # Label Studio's pre-annotations are ``predictions`` with ``model_version`` and a ``score``
    # ("Prediction score. Can be used in Data Manager to sort task by model confidence"), whose
    # ``result`` regions have the annotations' shape (https://labelstud.io/guide/predictions,
    # https://api.labelstud.io/api-reference/api-reference/predictions/create); per-region
    # ``choices`` share the region id (label_studio.py's docstring).
    store, doc_id, _ = _corpus()
    tasks = json.loads(_text(store, "label-studio", suggestions=True))
    seed = next(t for t in tasks if t["data"]["doc_id"] == doc_id)
    by_model = {p["model_version"]: p for p in seed["predictions"]}
    assert set(by_model) >= {"builtin-1", "learned-3"}
    builtin = by_model["builtin-1"]
    assert builtin["score"] == pytest.approx((0.91 + 0.12) / 2)
    regions = [r for r in builtin["result"] if r["from_name"] == "claim"]
    assert [(r["value"]["start"], r["value"]["end"]) for r in regions] == [FIRST, THIRD]
    assert [r["score"] for r in regions] == [0.91, 0.12]
    assert regions[0]["value"]["labels"] == ["Claim"]
    assert regions[0]["value"]["text"] == TEXT[slice(*FIRST)].replace("\r", "\\n").replace(
        "\n", "\\n"
    )  # as Label Studio's editor writes a region's text
    assert regions[0]["annotty"]["decision"] == "accepted"
    choices = [r for r in builtin["result"] if r["from_name"] == "claim_type"]
    assert {r["id"] for r in choices} == {r["id"] for r in regions}
    assert [c["value"]["choices"] for c in choices] == [["quantity"], ["causal"]]


def test_label_studio_import_counts_no_candidate_as_an_entity(tmp_path: Path) -> None:
    store, _, _ = _corpus()
    path = tmp_path / "ls.json"
    export(store, "label-studio", path, RECOGNIZER.key, filters=Filters(suggestions=True))
    plain = tmp_path / "plain.json"
    export(store, "label-studio", plain, RECOGNIZER.key)
    with_candidates = import_file(Store(None, annotator="carol"), path)
    without = import_file(Store(None, annotator="carol"), plain)
    assert without.entities_ignored > 0
    assert with_candidates.entities_ignored == without.entities_ignored


# -- doccano, W3C, spaCy -------------------------------------------------------------------------
def test_doccano_keeps_candidates_as_metadata_in_utf16_units() -> None:
    # doccano's JSONL import makes every ``label`` span an annotation and keeps other keys as
    # the example's metadata (doccano.py's docstring): candidates go in ``annotty`` only.
    store, doc_id, _ = _corpus()
    for fmt in ("doccano", "doccano-relations"):
        records = [json.loads(line) for line in _text(store, fmt, suggestions=True).splitlines()]
        seed = next(r for r in records if r["annotty"]["doc_id"] == doc_id)
        index = Utf16Index(TEXT)
        got = seed["annotty"]["suggestions"]
        assert [(s["start"], s["end"]) for s in got] == [
            (index.to_utf16(s), index.to_utf16(e)) for s, e in (FIRST, SECOND, THIRD)
        ]
        assert got[0]["start"] == FIRST[0] + 1  # the emoji is two UTF-16 units
        labels = seed.get("label") or seed.get("entities")
        assert "builtin-1" not in json.dumps(labels)


def test_w3c_candidates_are_annotations_generated_by_the_suggester() -> None:
    # The Web Annotation model's ``generator`` is the software agent that made an annotation
    # and ``creator`` the agent responsible for it (https://www.w3.org/TR/annotation-model/
    # #lifecycle-information); ``moderating`` is a W3C motivation.
    store, _, _ = _corpus()
    data = json.loads(_text(store, "w3c", suggestions=True))
    found = [a for a in data["first"]["items"] if a["id"].startswith("urn:annotty:suggestion:")]
    assert len(found) == 4
    first = min(found, key=lambda a: -a["annotty:score"])
    assert first["generator"] == {"type": "Software", "name": "annotty builtin-1"}
    assert first["creator"]["nickname"] == "alice"
    assert first["annotty:claim"].startswith("urn:annotty:claim:")
    selectors = {s["type"]: s for s in first["target"]["selector"]}
    assert selectors["TextQuoteSelector"]["exact"] == TEXT[slice(*FIRST)]
    bodies = {b["annotty:field"]: b["value"] for b in first["body"]}
    assert bodies == {
        "suggested_claim_type": "quantity",
        "suggested_speaker": "the ministry",
        "decision": "accepted",
    }


def test_spacy_jsonl_and_docbin_carry_a_scored_span_group(tmp_path: Path) -> None:
    # spaCy's spancat keeps a group's scores in ``SpanGroup.attrs["scores"]``, one per span
    # (spacy/pipeline/spancat.py, ``spans.attrs["scores"] = ...``); DocBin serialises attrs.
    spacy = pytest.importorskip("spacy")
    from spacy.tokens import DocBin

    store, doc_id, _ = _corpus()
    records = [json.loads(line) for line in _text(store, "spacy", suggestions=True).splitlines()]
    seed = next(r for r in records if r["meta"]["doc_id"] == doc_id)
    group = seed["spans"]["suggestions"]
    assert [(s["start"], s["end"], s["label"]) for s in group] == [
        (*FIRST, "quantity"),
        (*SECOND, "prediction"),
        (*THIRD, "causal"),
    ]
    assert [s["decision"] for s in group] == ["accepted", "accepted", "rejected"]
    path = tmp_path / "out.spacy"
    export(store, "spacy", path, RECOGNIZER.key, filters=Filters(suggestions=True))
    docs = list(DocBin().from_bytes(path.read_bytes()).get_docs(spacy.blank("en").vocab))
    doc = next(d for d in docs if d.user_data["annotty"]["doc_id"] == doc_id)
    spans = doc.spans["suggestions"]
    assert [s.label_ for s in spans] == ["quantity", "prediction", "causal"]
    assert spans.attrs["scores"] == [0.91, 0.66, 0.12]
    kept = doc.user_data["annotty"]["suggestions"]
    assert [k["decision"] for k in kept] == ["accepted", "accepted", "rejected"]


@pytest.mark.parametrize("fmt", [name for name, f in FORMATS.items() if f.no_suggestions])
def test_formats_that_cannot_carry_them_refuse_in_one_line(fmt: str, tmp_path: Path) -> None:
    store, _, _ = _corpus()
    with pytest.raises(AnnottyError, match=f"^{fmt} cannot include decided candidates"):
        export(store, fmt, tmp_path / "out", RECOGNIZER.key, filters=Filters(suggestions=True))
    assert not (tmp_path / "out").exists()


# -- the command ----------------------------------------------------------------------------
def test_cli_include_suggestions(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    store, _, _ = _corpus(db)
    store.close()
    runner = CliRunner()
    out = tmp_path / "out.jsonl"
    result = runner.invoke(
        cli,
        ["--db", str(db), "export", "--format", "jsonl", "-o", str(out),
         "--include-suggestions", "--annotator", "bob"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "2 decided candidates to" in result.stderr
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert sorted(s["annotator"] for doc in lines for s in doc["suggestions"]) == ["bob", "bob"]

    plain = runner.invoke(cli, ["--db", str(db), "export", "-o", str(tmp_path / "p.json")])
    assert plain.exit_code == 0 and "decided candidate" not in plain.stderr


def test_cli_refuses_a_format_that_cannot_carry_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "a.db"
    _corpus(db)[0].close()
    code, out, err = run_cli(
        ["--db", str(db), "export", "--format", "csv", "--include-suggestions"], capsys
    )
    assert code == 1 and out == ""
    assert err.startswith("annotty: csv cannot include decided candidates (CSV has one row")
    assert err.count("\n") == 1


def test_preview_shows_them_too() -> None:
    store, _, _ = _corpus()
    shown = preview(store, "json", RECOGNIZER.key, filters=Filters(suggestions=True))
    assert '"suggestions":[' in shown and '"decision":"accepted"' in shown


# -- round trip ------------------------------------------------------------------------------
@st.composite
def decided_corpora(draw: st.DrawFn) -> list[tuple[str, list[tuple[int, int, str, float]]]]:
    docs = draw(st.lists(texts, min_size=1, max_size=3, unique=True))
    out = []
    for text in docs:
        spans: dict[tuple[int, int], tuple[str, float]] = {}
        for _ in range(draw(st.integers(0, 4))):
            start = draw(st.integers(0, len(text) - 1))
            end = draw(st.integers(start + 1, len(text)))
            verdict = draw(st.sampled_from(["accepted", "rejected"]))
            spans[(start, end)] = (verdict, draw(st.floats(0, 1)))
        out.append((text, [(s, e, v, score) for (s, e), (v, score) in spans.items()]))
    return out


def _lines(raw: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in raw.splitlines()]


READERS: dict[str, Any] = {
    "json": lambda raw: [annotty_decisions(r) for r in json.loads(raw)["documents"]],
    "jsonl": lambda raw: [annotty_decisions(r) for r in _lines(raw)],
    "label-studio": lambda raw: [label_studio_decisions(t) for t in json.loads(raw)],
    "doccano": lambda raw: [doccano_decisions(r) for r in _lines(raw)],
}


def _ok(reads: list[tuple[list[Decision], list[str]]]) -> list[Decision]:
    out: list[Decision] = []
    for decided, problems in reads:
        assert problems == []
        out += decided
    return out


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(corpus=decided_corpora())
def test_decided_candidates_round_trip(corpus: list[tuple[str, list[Any]]]) -> None:
    store = Store(None, annotator="ann")
    for n, (text, decisions) in enumerate(corpus):
        doc, _ = store.add_document(text, f"doc {n}", source=f"t#{n}")
        for start, end, verdict, score in decisions:
            _decide(store, doc.id, (start, end), verdict, score=score, speaker="Ann ✓")
    expected = sorted(map(_key, store.decisions()))
    for decision in store.decisions():  # the quote every format carries is the text's
        assert (
            decision.quote
            == store.find_document(decision.doc_id).text[  # type: ignore[union-attr]
                decision.start : decision.end
            ]
        )
    for fmt, read in READERS.items():
        got = sorted(map(_key, _ok(read(_text(store, fmt, suggestions=True)))))
        assert got == expected, fmt


def test_readers_refuse_what_is_not_a_decision() -> None:
    record = {
        "id": "d",
        "text": "abc def",
        "suggestions": [
            {"id": "x", "start": 0, "end": 3, "quote": "abd", "score": 0.5, "decision": "accepted"},
            {"id": "y", "start": 0, "end": 3, "score": 1.5, "decision": "accepted"},
            {"id": "z", "start": 0, "end": 3, "score": 0.5, "decision": "maybe"},
            {"id": "w", "start": 0, "end": 3, "score": 0.5, "decision": "rejected", "speaker": 3},
            {"id": "v", "start": 4, "end": 99, "score": 0.5, "decision": "rejected"},
            "nonsense",
            {"id": "ok", "start": 4, "end": 7, "score": 0.5, "decision": "rejected"},
        ],
    }
    decided, problems = annotty_decisions(record)
    assert [d.id for d in decided] == ["ok"] and decided[0].quote == "def"
    assert len(problems) == 6


def test_a_database_from_before_suggestions_exports_none(tmp_path: Path) -> None:
    """A read-only database of an older annotty is never migrated: it has no suggestions
    table, and the export (and its document count) must not fail on that."""
    store, _, _ = _corpus()
    with store.transaction() as conn:
        conn.execute("drop table suggestions")
    for skip_empty in (False, True):
        docs = _json_docs(store, suggestions=True, skip_empty=skip_empty)
        assert docs and all(d["suggestions"] == [] for d in docs)
    from annotations.export import count_documents

    assert count_documents(store, Filters(suggestions=True, skip_empty=True)) == 1
