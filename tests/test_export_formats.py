"""Each export format's shape, the JSON Schema, filters, the preview and atomic writing."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings

from annotations.export import FORMATS, Filters, count_documents, export, preview
from annotations.export.annotty_json import schema
from annotations.export.brat import fragments
from annotations.export.bundles import ClaimRow
from annotations.model import CLAIM_FIELDS, Claim, Entity
from annotations.store import Store
from tests.test_roundtrip_formats import RECOGNIZER, ClaimSpec, build, corpora

DOCS = [
    (
        "😀 Beijing said China grew 5%.\r\nXi Jinping agreed: 🇨🇳 e\u0301.",
        [
            ClaimSpec(
                2, 28, "statistical", "favor", "Beijing", "line one\nline two", "ann", "accepted"
            ),
            ClaimSpec(20, 53, "opinion", "none", "Xi Jinping", "", "bob", "pending"),
        ],
    ),
    (
        "Moscow denied it on Monday.",
        [ClaimSpec(0, 26, "causal", "against", "a critic", "", "bob", "rejected")],
    ),
    ("Nothing claimed here.", []),
]
VALIDATOR = jsonschema.Draft202012Validator(schema())


def text_of(store: Store, fmt: str, **kwargs) -> str:
    buffer = io.StringIO()
    export(store, fmt, buffer, RECOGNIZER.key, **kwargs)
    return buffer.getvalue()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(corpus=corpora())
def test_json_and_jsonl_validate_against_the_shipped_schema(corpus) -> None:
    store = build(corpus)
    VALIDATOR.validate(json.loads(text_of(store, "json")))
    for line in text_of(store, "jsonl").split("\n")[:-1]:
        VALIDATOR.validate(json.loads(line))


def test_schema_rejects_what_it_should() -> None:
    good = json.loads(text_of(build(DOCS), "json"))
    VALIDATOR.validate(good)
    bad = json.loads(json.dumps(good))
    del bad["documents"][0]["claims"][0]["quote"]
    assert not VALIDATOR.is_valid(bad)
    bad = json.loads(json.dumps(good))
    bad["documents"][0]["claims"][0]["review_status"] = "maybe"
    assert not VALIDATOR.is_valid(bad)
    assert not VALIDATOR.is_valid({**good, "version": 2})


def test_every_format_writes_every_document(tmp_path: Path) -> None:
    store = build(DOCS)
    for name, form in FORMATS.items():
        target = tmp_path / f"out-{name}{form.suffix}"
        tally = export(store, name, target, RECOGNIZER.key)
        assert (tally.documents, tally.claims) == (3, 3), name
        assert target.exists() and not list(tmp_path.glob(".annotty-*")), name


@pytest.mark.parametrize(
    ("filters", "claims", "documents"),
    [
        (Filters(), 3, 3),
        (Filters(status=("accepted",)), 1, 3),
        (Filters(status=("accepted",), skip_empty=True), 1, 1),
        (Filters(annotator=("bob",)), 2, 3),
        (Filters(claim_type=("causal", "opinion"), skip_empty=True), 2, 2),
        (Filters(stance=("against",), skip_empty=True), 1, 1),
        (Filters(status=("accepted", "rejected"), annotator=("bob",)), 1, 3),
    ],
)
def test_filters(filters: Filters, claims: int, documents: int) -> None:
    store = build(DOCS)
    data = json.loads(text_of(store, "json", filters=filters))
    assert sum(len(d["claims"]) for d in data["documents"]) == claims
    assert len(data["documents"]) == documents == count_documents(store, filters)


def test_doc_filter_and_csv_rows() -> None:
    store = build(DOCS)
    first = store.documents()[0].id
    rows = list(
        csv.DictReader(
            io.StringIO(text_of(store, "csv", filters=Filters(doc=(first,))), newline="")
        )
    )
    assert [r["claim_type"] for r in rows] == ["statistical", "opinion"]
    text = store.document(first).text
    for row in rows:
        assert text[int(row["start"]) : int(row["end"])] == row["quote"]
    assert rows[0]["note"] == "line one\nline two" and rows[0]["review_status"] == "accepted"


def test_w3c_selectors_count_code_points() -> None:
    data = json.loads(text_of(build(DOCS), "w3c"))
    assert data["@context"][0] == "http://www.w3.org/ns/anno.jsonld"
    assert data["type"] == "AnnotationCollection"
    items = data["first"]["items"]
    claims = [a for a in items if a["motivation"] == "classifying"]
    assert len(claims) == 3
    first = claims[0]
    position, quote = first["target"]["selector"]
    assert position == {"type": "TextPositionSelector", "start": 2, "end": 28}
    assert quote["type"] == "TextQuoteSelector" and quote["exact"].startswith("Beijing")
    assert quote["prefix"] == "😀 "
    fields = {b["annotty:field"]: b for b in first["body"]}
    assert fields["claim_type"]["value"] == "statistical"
    assert fields["claim_type"]["purpose"] == "classifying"
    assert fields["stance"]["value"] == "favor"
    assert fields["speaker"]["value"] == "Beijing"
    assert fields["note"]["purpose"] == "commenting"
    assert fields["speaker_mention"]["selector"][1]["exact"] == "Beijing"
    assert fields["review_status"]["value"] == "accepted"
    assert first["creator"]["nickname"] == "ann"
    assert any(a["motivation"] == "identifying" for a in items)


def test_brat_folder(tmp_path: Path) -> None:
    store = build(DOCS)
    export(store, "brat", tmp_path / "brat", RECOGNIZER.key)
    folder = tmp_path / "brat"
    doc = store.documents()[0]
    text = (folder / f"{doc.id}.txt").read_bytes().decode("utf-8")
    assert text == store.document(doc.id).text  # CRLF kept: offsets count it
    ann = (folder / f"{doc.id}.ann").read_text(encoding="utf-8")
    spans = {}
    for line in ann.splitlines():
        if line.startswith("T"):
            name, middle, shown = line.split("\t")
            label, where = middle.split(" ", 1)
            parts = [tuple(map(int, p.split())) for p in where.split(";")]
            assert " ".join(text[s:e] for s, e in parts) == shown
            spans[name] = (label, parts)
    claims = [n for n, (label, _) in spans.items() if label == "Claim"]
    assert len(claims) == 2
    assert len(spans[claims[1]][1]) == 2  # crosses the CRLF: two fragments
    assert re.search(rf"A\d+\tStance {claims[0]} favor", ann)
    assert re.search(rf"A\d+\tClaimType {claims[1]} opinion", ann)
    relation = re.search(rf"R1\tSpeaker Arg1:{claims[0]} Arg2:(T\d+)", ann)
    assert relation and spans[relation.group(1)][0] == "GPE"
    assert "AnnotatorNotes" in ann and "line one line two" in ann
    conf = (folder / "annotation.conf").read_text()
    assert "Stance Arg:Claim, Value:against|favor|none" in conf


def test_brat_refuses_a_folder_with_files_and_a_stream(tmp_path: Path) -> None:
    store = build(DOCS)
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "keep.txt").write_text("mine")
    with pytest.raises(Exception, match="not an empty folder"):
        export(store, "brat", tmp_path / "full", RECOGNIZER.key)
    assert (tmp_path / "full" / "keep.txt").read_text() == "mine"
    with pytest.raises(Exception, match="folder"):
        export(store, "brat", io.StringIO(), RECOGNIZER.key)
    assert fragments("ab\r\ncd", 0, 6) == [(0, 2), (4, 6)]


def test_an_interrupted_export_leaves_the_old_file(tmp_path: Path) -> None:
    store = build(DOCS)
    target = tmp_path / "out.json"
    target.write_text("old")

    def cancel(done: int, total: int) -> None:
        if done == 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        export(store, "json", target, RECOGNIZER.key, progress=cancel)
    assert target.read_text() == "old" and [p.name for p in tmp_path.iterdir()] == ["out.json"]
    with pytest.raises(KeyboardInterrupt):
        export(store, "brat", tmp_path / "brat", RECOGNIZER.key, progress=cancel)
    assert [p.name for p in tmp_path.iterdir()] == ["out.json"]  # no half folder either


def test_quotes_come_from_the_text_and_bad_spans_are_reported(store: Store) -> None:
    doc, _ = store.add_document("Alpha beta gamma.", "t")
    good = store.add_claim(doc.id, 6, 10, "other")
    bad = store.add_claim(doc.id, 0, 5, "other")
    with store.transaction() as conn:
        conn.execute("update claims set quote = 'stale' where id = ?", (good.id,))
        conn.execute('update claims set "end" = 99 where id = ?', (bad.id,))
    data = json.loads(text_of(store, "json"))
    assert [c["quote"] for c in data["documents"][0]["claims"]] == ["beta"]
    tally = export(store, "jsonl", io.StringIO())
    assert len(tally.skipped) == 1 and bad.id in tally.skipped[0]


def test_entity_source_is_pluggable(store: Store) -> None:
    doc, _ = store.add_document("Ada Lovelace wrote it.", "t")
    store.add_claim(doc.id, 0, 21, "other", speaker="Ada Lovelace")
    calls = []

    def manual(s: Store, doc_id: str, recognizer: str) -> list[Entity]:
        calls.append((doc_id, recognizer))
        return [Entity(0, 12, "PERSON", "manual")]

    out = text_of(store, "doccano-relations", entity_source=manual)
    record = json.loads(out)
    assert calls == [(doc.id, RECOGNIZER.key)]
    assert {"id": 2, "label": "PERSON", "start_offset": 0, "end_offset": 12} in record["entities"]
    assert record["relations"] == [{"id": 1, "from_id": 1, "to_id": 2, "type": "speaker"}]


def test_a_file_export_is_one_snapshot(tmp_path: Path) -> None:
    store = Store(tmp_path / "a.db", annotator="ann")
    for n in range(3):
        store.add_document(f"Document number {n}.", f"d{n}")
    writer = Store(tmp_path / "a.db", annotator="other")

    def meanwhile(done: int, total: int) -> None:
        writer.add_document(f"Added while exporting {done}.", "late")

    tally = export(store, "jsonl", io.StringIO(), progress=meanwhile)
    assert tally.documents == 3 and len(store.documents()) == 6


def test_preview_is_short_and_names_brat_files() -> None:
    store = build(DOCS)
    short = preview(store, "json", RECOGNIZER.key, max_chars=200)
    assert len(short) <= 202 and short.endswith("…")
    assert json.loads(preview(store, "jsonl", RECOGNIZER.key, documents=1, max_chars=10**6))
    brat = preview(store, "brat", RECOGNIZER.key, documents=1, max_chars=10**6)
    assert brat.startswith("==> ") and ".ann <==" in brat and "annotation.conf" in brat


def test_the_exporters_claim_row_has_claims_fields() -> None:
    assert ClaimRow._fields == CLAIM_FIELDS
    assert ClaimRow._field_defaults == {
        name: f.default
        for name, f in Claim.__dataclass_fields__.items()
        if isinstance(f.default, str)
    }


def test_json_is_one_document_per_line() -> None:
    lines = text_of(build(DOCS), "json").split("\n")
    assert len(lines) == 3 + 3  # header, three documents, closing, final newline
