"""The other tools read our exports the way they read their own.

spaCy is installable, so its own ``Doc.char_span(..., alignment_mode="expand")`` must recover every
claim and entity of the spaCy export, and the DocBin must load. Label Studio and doccano read
offsets in the browser, where strings index UTF-16 code units; ``js_slice`` below is
``String.prototype.slice`` written from that definition (not from annotty's converter), and every
span must slice out exactly annotty's quote, including after emoji.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from annotations.export import export
from tests.test_roundtrip_formats import RECOGNIZER, ClaimSpec, build, corpora, dump

SLOW = settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def js_slice(text: str, start: int, end: int) -> str:
    """JavaScript's ``text.slice(start, end)``: indices count UTF-16 code units."""
    units = text.encode("utf-16-le", "surrogatepass")
    return units[2 * start:2 * end].decode("utf-16-le", "surrogatepass")


def lines(store, fmt: str) -> list[dict]:
    buffer = io.StringIO()
    export(store, fmt, buffer, RECOGNIZER.key)
    out = buffer.getvalue()
    return json.loads(out) if out.startswith("[") else [json.loads(x) for x in out.splitlines()]


def quotes(store) -> dict[str, str]:
    """Claim id -> annotty's quote, from annotty's own export."""
    return {c["id"]: c["quote"] for d in json.loads(dump(store))["documents"] for c in d["claims"]}


def entity_quotes(store) -> list[set[tuple[str, str]]]:
    return [{(e["quote"], e["label"]) for e in d["entities"]}
            for d in json.loads(dump(store))["documents"]]


EMOJI_DOC = [("😀 Beijing said 👨\u200d👩\u200d👧 China grew 5%.\r\n🇨🇳 Xi Jinping agreed.",
              [ClaimSpec(2, 9, "statistical", "favor", "Beijing", "", "ann", "pending"),
               ClaimSpec(21, 34, "causal", "against", "Xi Jinping", "n", "bob", "accepted")])]


def test_utf16_offsets_by_hand() -> None:
    """The numbers a browser gives: 😀 is two units, the family emoji eight, a flag four."""
    store = build(EMOJI_DOC)
    task = lines(store, "label-studio")[0]
    claims = [r for a in task["annotations"] for r in a["result"] if r["from_name"] == "claim"]
    assert [(r["value"]["start"], r["value"]["end"]) for r in claims] == [(3, 10), (25, 38)]
    text = task["data"]["text"]
    assert js_slice(text, 3, 10) == "Beijing" and js_slice(text, 25, 38) == "China grew 5%"
    doccano = lines(store, "doccano")[0]
    assert [3, 10, "claim:statistical:favor"] in doccano["label"]


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
                    assert js_slice(text, value["start"], value["end"]) == value["text"]
                    assert value["text"] == expected[result["id"]]
                    seen.add(result["id"])
        found = {(js_slice(text, r["value"]["start"], r["value"]["end"]), r["value"]["labels"][0])
                 for p in task["predictions"] for r in p["result"]}
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
        got += [js_slice(text, s, e) for s, e, label in record["label"]
                if label.startswith("claim:")]
        assert {x for x in spans if not x[1].startswith("claim:")} == ents
        by_id = {e["id"]: js_slice(text, e["start_offset"], e["end_offset"])
                 for e in rel["entities"]}
        assert {(q, e["label"]) for e in rel["entities"]
                for q in [by_id[e["id"]]]} == {x for x in spans}
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


@SLOW
@given(corpus=corpora())
def test_spacy_char_span_recovers_every_claim_and_entity(corpus) -> None:
    spacy = pytest.importorskip("spacy")
    store = build(corpus)
    nlp = spacy.blank("en")
    annotty = json.loads(dump(store))["documents"]
    for record, mine in zip(lines(store, "spacy"), annotty, strict=True):
        doc = nlp.make_doc(record["text"])
        claims = record["spans"]["claims"]
        assert [(c["start"], c["end"], c["id"]) for c in claims] == [
            (c["start"], c["end"], c["id"]) for c in mine["claims"]]
        for item in claims + record["spans"]["entities"]:
            assert covered(doc, item["start"], item["end"]), item
        ents = record["ents"]  # disjoint in characters, as doc.ents needs
        assert all(a["end"] <= b["start"] for a, b in zip(ents, ents[1:], strict=False))
        tokens = [doc.char_span(e["start"], e["end"], label=e["label"], alignment_mode="expand")
                  for e in ents]
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
