"""The other tools read our exports the way they read their own.

- spaCy is installed, so its own ``Doc.char_span(..., alignment_mode="expand")`` must recover every
  claim and entity of the spaCy export, and the DocBin must load.
- Label Studio counts ``Text`` region offsets in code points: its editor test "Should calculate
  offsets by code points in text" (HumanSignal/label-studio,
  ``web/libs/editor/tests/integration/e2e/ner/emoji.cy.ts``, data in
  ``web/libs/editor/tests/integration/data/ner/emoji.ts``) expects start 21, end 25 for "test" in
  "🐱 Warning: This is a test text", and 2..27 with text ``Warning:\\n🐱 This is a test`` for a
  region across the line feed of "🐱 Warning:" LF "🐱 This is a test text"; label-studio-sdk's
  converter (``src/label_studio_sdk/converter/utils.py``, ``create_tokens_and_tags``) compares
  those numbers with Python ``str`` token offsets. So the peer reads ``text[start:end]`` in Python,
  and ``value.text`` the way the editor writes it: ``view.jsx`` renders each CR and each LF of a
  ``Text`` as a ``<br/>`` and ``domManager.ts`` ``normalizeText`` writes each as ``\\n``.
- brat reads a ``.ann`` file the way ``brat_ann_lines``/``brat_check`` below do, copied in
  behaviour from nlplab/brat ``server/src/annotation.py`` (commit 44ecd82): ``open_textfile`` is
  ``codecs.open(..., encoding='utf8')`` and ``readlines()`` on it breaks lines wherever
  ``str.splitlines`` does; ``_parse_ann_lines`` splits the id at the first tab and the data at the
  next; ``_parse_textbound_annotation`` requires the text after that tab to be exactly the spans'
  text joined by single spaces (``DISCONT_SEP``), followed by nothing or whitespace.
- doccano's importer drops overlapping spans unless the project allows them:
  ``backend/data_import/pipeline/cleaners.py`` ``SpanCleaner`` (doccano/doccano), reproduced in
  ``doccano_cleaned`` below, which is why the README tells users to allow overlapping spans.
- doccano (default, non-grapheme mode) counts UTF-16 code units, as its browser front end slices;
  ``js_slice`` below is ``String.prototype.slice`` written from that definition (not from
  annotty's converter), and every span must slice out exactly annotty's quote after emoji too.
"""

from __future__ import annotations

import codecs
import functools
import io
import json
import re
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from annotations.export import export
from tests.test_roundtrip_formats import RECOGNIZER, ClaimSpec, build, corpora, dump

SLOW = settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def ls_region_text(quote: str) -> str:
    """What Label Studio's editor stores as a Text region's ``text``: each CR or LF as ``\\n``
    (``"\\n"`` in its own JavaScript source: ``text.replace(/[\\n\\r]/g, '\\\\n')``)."""
    return re.sub("[\n\r]", lambda _: "\\n", quote)


def js_slice(text: str, start: int, end: int) -> str:
    """JavaScript's ``text.slice(start, end)``: indices count UTF-16 code units."""
    units = text.encode("utf-16-le", "surrogatepass")
    return units[2 * start : 2 * end].decode("utf-16-le", "surrogatepass")


def lines(store, fmt: str) -> list[dict]:
    buffer = io.StringIO()
    export(store, fmt, buffer, RECOGNIZER.key)
    out = buffer.getvalue()
    return json.loads(out) if out.startswith("[") else [json.loads(x) for x in out.splitlines()]


def quotes(store) -> dict[str, str]:
    """Claim id -> annotty's quote, from annotty's own export."""
    return {c["id"]: c["quote"] for d in json.loads(dump(store))["documents"] for c in d["claims"]}


def entity_quotes(store) -> list[set[tuple[str, str]]]:
    return [
        {(e["quote"], e["label"]) for e in d["entities"]}
        for d in json.loads(dump(store))["documents"]
    ]


EMOJI_DOC = [
    (
        "😀 Beijing said 👨\u200d👩\u200d👧 China grew 5%.\r\n🇨🇳 Xi Jinping agreed.",
        [
            ClaimSpec(2, 9, "statistical", "favor", "Beijing", "", "ann", "pending"),
            ClaimSpec(21, 34, "causal", "against", "Xi Jinping", "n", "bob", "accepted"),
        ],
    )
]


def test_doccano_utf16_offsets_by_hand() -> None:
    """The numbers a browser gives: 😀 is two units, the family emoji eight, a flag four."""
    store = build(EMOJI_DOC)
    doccano = lines(store, "doccano")[0]
    assert [3, 10, "claim:statistical:favor"] in doccano["label"]
    assert [25, 38, "claim:causal:against"] in doccano["label"]
    text = doccano["text"]
    assert js_slice(text, 3, 10) == "Beijing" and js_slice(text, 25, 38) == "China grew 5%"


def test_label_studio_offsets_match_label_studios_own_emoji_test() -> None:
    """Label Studio's ``emoji.cy.ts``: "test" is 21..25, the two-line region 2..27."""
    single = "🐱 Warning: This is a test text"
    multi = "🐱 Warning:\n🐱 This is a test text"
    store = build(
        [
            (single, [ClaimSpec(21, 25, "other", "none", "", "", "ann", "pending")]),
            (multi, [ClaimSpec(2, 27, "other", "none", "", "", "ann", "pending")]),
        ]
    )
    first, second = lines(store, "label-studio")
    (region,) = [r for r in first["annotations"][0]["result"] if r["from_name"] == "claim"]
    assert (region["value"]["start"], region["value"]["end"], region["value"]["text"]) == (
        21,
        25,
        "test",
    )
    (region,) = [r for r in second["annotations"][0]["result"] if r["from_name"] == "claim"]
    assert (region["value"]["start"], region["value"]["end"]) == (2, 27)
    assert region["value"]["text"] == "Warning:\\n🐱 This is a test"  # as the editor writes it
    store = build(EMOJI_DOC)
    task = lines(store, "label-studio")[0]
    claims = [r for a in task["annotations"] for r in a["result"] if r["from_name"] == "claim"]
    assert [(r["value"]["start"], r["value"]["end"]) for r in claims] == [(2, 9), (21, 34)]


@SLOW
@given(corpus=corpora())
def test_label_studio_offsets_point_at_annotty_quotes(corpus) -> None:
    store = build(corpus)
    expected = quotes(store)
    seen = set()
    for task, ents in zip(lines(store, "label-studio"), entity_quotes(store), strict=True):
        text = task["data"]["text"]
        for annotation in task["annotations"]:
            for result in annotation["result"]:
                value = result["value"]
                if "start" in value and result["type"] != "textarea":
                    quote = text[value["start"] : value["end"]]  # the SDK converter's reading
                    assert ls_region_text(quote) == value["text"]
                    assert quote == expected[result["id"]]
                    seen.add(result["id"])
        found = {
            (text[r["value"]["start"] : r["value"]["end"]], r["value"]["labels"][0])
            for p in task["predictions"]
            for r in p["result"]
        }
        assert found == ents
    assert seen == set(expected)


@SLOW
@given(corpus=corpora())
def test_doccano_offsets_point_at_annotty_quotes(corpus) -> None:
    store = build(corpus)
    expected = sorted(quotes(store).values())
    plain, related = lines(store, "doccano"), lines(store, "doccano-relations")
    got: list[str] = []
    for record, rel, ents in zip(plain, related, entity_quotes(store), strict=True):
        text = record["text"]
        spans = {(js_slice(text, s, e), label) for s, e, label in record["label"]}
        got += [
            js_slice(text, s, e) for s, e, label in record["label"] if label.startswith("claim:")
        ]
        assert {x for x in spans if not x[1].startswith("claim:")} == ents
        by_id = {
            e["id"]: js_slice(text, e["start_offset"], e["end_offset"]) for e in rel["entities"]
        }
        assert {(q, e["label"]) for e in rel["entities"] for q in [by_id[e["id"]]]} == {
            x for x in spans
        }
        for relation in rel["relations"]:  # claim -> its speaker's mention
            speakers = [c["speaker"] for c in rel["annotty"]["claims"]]
            assert by_id[relation["to_id"]] in speakers
    assert sorted(got) == expected


def covered(doc, start: int, end: int) -> bool:
    """spaCy recovers [start, end): the expanded span covers it, spaces at the ends aside."""
    quote = doc.text[start:end]
    core = quote.strip(" ")
    if not core:
        return True  # only spaces: no token to hold it, in spaCy or anywhere
    lead = len(quote) - len(quote.lstrip(" "))
    s, e = start + lead, start + lead + len(core)
    span = doc.char_span(s, e, alignment_mode="expand")
    return span is not None and span.start_char <= s and span.end_char >= e and core in span.text


@functools.cache
def blank_english() -> Any:
    """One blank English pipeline for all the examples: making one takes ~60 ms of CPU (50
    examples: 3 s), and ``make_doc`` changes nothing in it that a later example could see (its
    vocabulary only gains strings)."""
    return pytest.importorskip("spacy").blank("en")


@SLOW
@given(corpus=corpora())
def test_spacy_char_span_recovers_every_claim_and_entity(corpus) -> None:
    spacy = pytest.importorskip("spacy")
    store = build(corpus)
    nlp = blank_english()
    annotty = json.loads(dump(store))["documents"]
    for record, mine in zip(lines(store, "spacy"), annotty, strict=True):
        doc = nlp.make_doc(record["text"])
        claims = record["spans"]["claims"]
        assert [(c["start"], c["end"], c["id"]) for c in claims] == [
            (c["start"], c["end"], c["id"]) for c in mine["claims"]
        ]
        for item in claims + record["spans"]["entities"]:
            assert covered(doc, item["start"], item["end"]), item
        ents = record["ents"]  # disjoint in characters, as doc.ents needs
        assert all(a["end"] <= b["start"] for a, b in zip(ents, ents[1:], strict=False))
        tokens = [
            doc.char_span(e["start"], e["end"], label=e["label"], alignment_mode="expand")
            for e in ents
        ]
        doc.ents = spacy.util.filter_spans([t for t in tokens if t is not None])


def test_spacy_docbin_loads_with_spans(tmp_path: Path) -> None:
    spacy = pytest.importorskip("spacy")
    store = build(EMOJI_DOC)
    target = tmp_path / "train.spacy"
    export(store, "spacy", target, RECOGNIZER.key)
    nlp = spacy.blank("en")
    docs = list(spacy.tokens.DocBin().from_disk(target).get_docs(nlp.vocab))
    assert len(docs) == 1
    doc = docs[0]
    assert [s.text for s in doc.spans["claims"]] == ["Beijing", "China grew 5%"]
    assert [s.label_ for s in doc.spans["claims"]] == ["statistical", "causal"]
    assert {e.text for e in doc.ents} >= {"Beijing", "China"}
    assert doc.user_data["annotty"]["doc_id"] == json.loads(dump(store))["documents"][0]["id"]


def brat_ann_lines(path: Path) -> list[str]:
    """brat's ``_parse_ann_file``: ``open_textfile(path).readlines()`` (codecs, utf8, strict)."""
    with codecs.open(str(path), "r", encoding="utf8", errors="strict") as handle:
        return handle.readlines()


def brat_check(ann: Path, txt: Path) -> dict[str, tuple[str, list[tuple[int, int]], str]]:
    """brat's parse of every T line; raises AssertionError where brat raises a syntax error."""
    with codecs.open(str(txt), "r", encoding="utf8", errors="strict") as handle:
        doc_text = handle.read()  # codecs: no newline translation, CRLF counts two
    out = {}
    for line in brat_ann_lines(ann):
        ann_id, id_tail = line.split("\t", 1)
        assert re.match(r"^([A-Za-z]+|#[A-Za-z]*)([0-9]+)(.*?)$", ann_id), line
        if not ann_id.startswith("T"):
            continue
        delim = id_tail.index("\t")
        data, data_tail = id_tail[:delim], id_tail[delim:]
        label, where = data.split(" ", 1)
        spans = [tuple(map(int, part.split())) for part in where.split(";")]
        seen: list[tuple[int, int]] = []
        for start, end in spans:
            assert 0 <= start <= end <= len(doc_text), line
            assert not any(end >= s and start < e for s, e in seen), "spans overlap"
            seen.append((start, end))
        spanlen = sum(e - s for s, e in spans) + (len(spans) - 1)
        assert data_tail[0] == "\t" and spanlen <= len(data_tail) - 1, line
        text = data_tail[1 : spanlen + 1]
        reftext = " ".join(doc_text[s:e] for s, e in spans)
        assert text == reftext, (text, reftext)
        rest = data_tail[spanlen + 1 :]
        assert rest == "" or rest[0].isspace(), line
        out[ann_id] = (label, spans, text)
    return out


BRAT_DOC = [
    (
        "Tab\there, a line\u2028separator, CR\rLF\r\nNEL\x85and VT\x0bend.",
        [
            ClaimSpec(0, 9, "other", "none", "", "tab\tnote", "ann", "pending"),
            ClaimSpec(12, 26, "opinion", "favor", "", "", "ann", "pending"),
            ClaimSpec(28, 49, "causal", "none", "", "", "bob", "pending"),
        ],
    )
]


def test_brat_reads_tabs_and_every_line_break_the_way_brat_does(tmp_path: Path) -> None:
    store = build(BRAT_DOC)
    export(store, "brat", tmp_path / "brat", RECOGNIZER.key)
    doc = store.documents()[0]
    found = brat_check(tmp_path / "brat" / f"{doc.id}.ann", tmp_path / "brat" / f"{doc.id}.txt")
    claims = {t: spans for t, (label, spans, _) in found.items() if label == "Claim"}
    text = store.document(doc.id).text
    assert [" ".join(text[s:e] for s, e in spans) for spans in claims.values()] == [
        "Tab\there,",
        "line separator",
        "CR LF NEL and VT end",
    ]


@SLOW
@given(corpus=corpora())
def test_brat_accepts_every_span(corpus) -> None:
    store = build(corpus)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "brat"
        tally = export(store, "brat", folder, RECOGNIZER.key)
        documents = [
            json.loads(x) for x in (folder / "annotty-documents.jsonl").read_text().splitlines()
        ]
        written = 0
        for entry in documents:
            found = brat_check(folder / f"{entry['file']}.ann", folder / f"{entry['file']}.txt")
            written += sum(1 for label, _, _ in found.values() if label == "Claim")
    expected = sum(len(d["claims"]) for d in json.loads(dump(store))["documents"])
    assert written + sum("claim" in line for line in tally.skipped) == expected


def test_the_spacy_jsonl_is_not_doc_to_json_output() -> None:
    """The README must not call it that: spaCy's own ``Doc.from_json`` refuses a record."""
    spacy = pytest.importorskip("spacy")
    record = lines(build(EMOJI_DOC), "spacy")[0]
    nlp = spacy.blank("en")
    with pytest.raises((ValueError, KeyError)):
        spacy.tokens.Doc(nlp.vocab).from_json(record)


def doccano_cleaned(spans: list[list], allow_overlapping: bool) -> list[list]:
    """doccano's ``SpanCleaner.clean``: sorted by start, a span starting before the end of the
    last one kept is dropped, unless the project allows overlapping spans."""
    if allow_overlapping:
        return spans
    kept, last = [], -1
    for span in sorted(spans, key=lambda s: s[0]):
        if span[0] >= last:
            last = span[1]
            kept.append(span)
    return kept


def test_doccano_keeps_every_span_only_when_overlaps_are_allowed() -> None:
    """What the README says: claims overlap entities, so a default project loses spans."""
    record = lines(build(EMOJI_DOC), "doccano")[0]
    spans = record["label"]
    assert doccano_cleaned(spans, allow_overlapping=True) == spans
    kept = doccano_cleaned(spans, allow_overlapping=False)
    assert len(kept) < len(spans)
    lost = [span for span in spans if span not in kept]
    assert all(any(s < e2 and s2 < e for s2, e2, _ in kept) for s, e, _ in lost)
