"""Document status and document stance leave the app in every export that has a place for them."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import jsonschema

from annotations.export import Filters, export
from annotations.export.annotty_json import schema
from annotations.store import Store
from tests.test_roundtrip_formats import RECOGNIZER, ClaimSpec, build

DOCS = [
    (
        "Beijing said China grew 5%.",
        [ClaimSpec(0, 26, "statistical", "favor", "Beijing", "", "ann", "pending")],
    ),
    ("Nothing claimed here.", []),
]
STATE_KEYS = {"annotator", "status", "stance", "updated_at"}


def judged() -> tuple[Store, str, str]:
    store = build(DOCS)
    first, second = (d.id for d in store.documents())
    store.set_status(first, "done", annotator="ann")
    store.set_doc_stance(first, "against", annotator="ann")
    store.set_position(first, 12, annotator="ann")
    store.set_status(first, "in_progress", annotator="bob")
    store.set_doc_stance(second, "favor", annotator="bob")
    return store, first, second


def text_of(store: Store, fmt: str, **kwargs) -> str:
    buffer = io.StringIO()
    export(store, fmt, buffer, RECOGNIZER.key, **kwargs)
    return buffer.getvalue()


def test_annotty_json_and_jsonl_carry_every_annotators_state() -> None:
    store, first, second = judged()
    data = json.loads(text_of(store, "json"))
    jsonschema.Draft202012Validator(schema()).validate(data)
    states = {d["id"]: d["doc_state"] for d in data["documents"]}
    assert [(s["annotator"], s["status"], s["stance"]) for s in states[first]] == [
        ("ann", "done", "against"),
        ("bob", "in_progress", ""),
    ]
    assert [(s["annotator"], s["status"], s["stance"]) for s in states[second]] == [
        ("bob", "todo", "favor")
    ]
    assert all(set(s) == STATE_KEYS and s["updated_at"] for s in states[first])  # no position
    lines = [json.loads(x) for x in text_of(store, "jsonl").splitlines()]
    assert {d["id"]: d["doc_state"] for d in lines} == states


def test_the_schema_checks_doc_state() -> None:
    store, _, _ = judged()
    validator = jsonschema.Draft202012Validator(schema())
    good = json.loads(text_of(store, "json"))
    bad = json.loads(json.dumps(good))
    bad["documents"][0]["doc_state"][0]["status"] = "finished"
    assert not validator.is_valid(bad)
    bad = json.loads(json.dumps(good))
    bad["documents"][0]["doc_state"][0]["position"] = 12
    assert not validator.is_valid(bad)
    old = json.loads(json.dumps(good))  # a file from before doc_state was exported
    for doc in old["documents"]:
        del doc["doc_state"]
    assert validator.is_valid(old)


def test_the_annotator_filter_applies_to_doc_state() -> None:
    store, first, _ = judged()
    data = json.loads(text_of(store, "json", filters=Filters(annotator=("bob",))))
    assert {s["annotator"] for d in data["documents"] for s in d["doc_state"]} == {"bob"}


def test_label_studio_doccano_spacy_keep_it_beside_the_text() -> None:
    store, first, _ = judged()
    task = json.loads(text_of(store, "label-studio"))[0]
    assert task["data"]["doc_state"][0] == {
        **task["data"]["doc_state"][0],
        "annotator": "ann",
        "status": "done",
        "stance": "against",
    }
    for fmt in ("doccano", "doccano-relations"):
        record = json.loads(text_of(store, fmt).splitlines()[0])
        assert [s["annotator"] for s in record["annotty"]["doc_state"]] == ["ann", "bob"]
    record = json.loads(text_of(store, "spacy").splitlines()[0])
    assert record["doc_state"][0]["stance"] == "against"


def test_w3c_has_document_level_annotations() -> None:
    store, first, second = judged()
    items = json.loads(text_of(store, "w3c"))["first"]["items"]
    state = [
        a
        for a in items
        if isinstance(a["body"], dict)
        and a["body"]["annotty:field"] in ("doc_status", "doc_stance")
    ]
    seen = {
        (a["target"], a["creator"]["nickname"], a["motivation"], a["body"]["value"]) for a in state
    }
    assert seen == {
        (f"urn:annotty:doc:{first}", "ann", "tagging", "done"),
        (f"urn:annotty:doc:{first}", "ann", "assessing", "against"),
        (f"urn:annotty:doc:{first}", "bob", "tagging", "in_progress"),
        (f"urn:annotty:doc:{second}", "bob", "tagging", "todo"),
        (f"urn:annotty:doc:{second}", "bob", "assessing", "favor"),
    }
    assert len({a["id"] for a in items}) == len(items)


def test_csv_rows_carry_the_claim_annotators_document_state() -> None:
    store, _, _ = judged()
    rows = list(csv.DictReader(io.StringIO(text_of(store, "csv"), newline="")))
    assert [(r["annotator"], r["doc_status"], r["doc_stance"]) for r in rows] == [
        ("ann", "done", "against")
    ]


def test_brat_has_a_side_file_brat_ignores(tmp_path: Path) -> None:
    store, first, _ = judged()
    export(store, "brat", tmp_path / "brat", RECOGNIZER.key)
    lines = [
        json.loads(x)
        for x in (tmp_path / "brat" / "annotty-documents.jsonl").read_text().splitlines()
    ]
    assert [x["id"] for x in lines] == [d.id for d in store.documents()]
    assert (tmp_path / "brat" / f"{lines[0]['file']}.txt").is_file()
    assert lines[0]["doc_state"][0]["stance"] == "against"


def test_the_tally_counts_states() -> None:
    store, _, _ = judged()
    assert export(store, "json", io.StringIO(), RECOGNIZER.key).doc_states == 3
