"""Export -> import into an empty database -> export gives the same annotations, for every format
that round-trips, on random Unicode text: emoji outside the BMP, ZWJ sequences, flags, combining
marks, CRLF, U+2028 and whatever else Hypothesis finds."""

from __future__ import annotations

import io
import json
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotations.entities import builtin
from annotations.export import FORMATS, export
from annotations.model import REVIEW_STATUSES
from annotations.schema import load_default
from annotations.store import Store

SCHEMA = load_default()
CLAIM_TYPES = [label.name for label in SCHEMA.claim_types]
STANCES = [label.name for label in SCHEMA.stances]
PIECES = [
    "Beijing",
    "China",
    "Xi Jinping",
    " ",
    "  ",
    "\r\n",
    "\n",
    "\r",
    "\t",
    "😀",
    "🇨🇳",
    "👨\u200d👩\u200d👧",
    "e\u0301",
    "n\u0303\u0323",
    "中国",
    "한국어",
    "\u2028",
    "\x85",
    "2024",
    "5%",
    ".",
    '"',
    "\\",
    "𝒜",
    "\ufeff",
    "\u200f",
    "[/]",
    "<b>",
]
ROUND_TRIPS = [name for name, form in FORMATS.items() if form.round_trips]
RECOGNIZER = builtin()


CHARS = st.characters(exclude_characters="\x00", exclude_categories=("Cs",))  # what SQLite holds


def fragments() -> st.SearchStrategy[str]:
    plain = st.text(CHARS, min_size=1, max_size=4)
    return st.one_of(st.sampled_from(PIECES), plain)


texts = (
    st.lists(fragments(), min_size=1, max_size=25).map("".join).filter(lambda t: bool(t.strip()))
)
free_text = st.one_of(st.just(""), st.text(CHARS, max_size=12))


@dataclass
class ClaimSpec:
    start: int
    end: int
    claim_type: str
    stance: str
    speaker: str
    note: str
    annotator: str
    review: str


@st.composite
def claims_for(draw: st.DrawFn, text: str) -> list[ClaimSpec]:
    specs = []
    for _ in range(draw(st.integers(0, 4))):
        start = draw(st.integers(0, len(text) - 1))
        end = draw(st.integers(start + 1, len(text)))
        specs.append(
            ClaimSpec(
                start,
                end,
                draw(st.sampled_from(CLAIM_TYPES)),
                draw(st.sampled_from(STANCES)),
                draw(st.one_of(free_text, st.sampled_from(["Beijing", "China", "Xi Jinping"]))),
                draw(free_text),
                draw(st.sampled_from(["ann", "bob", "ç😀"])),
                draw(st.sampled_from(REVIEW_STATUSES)),
            )
        )
    return specs


@st.composite
def corpora(draw: st.DrawFn) -> list[tuple[str, list[ClaimSpec]]]:
    docs = draw(st.lists(texts, min_size=1, max_size=3, unique=True))
    return [(text, draw(claims_for(text))) for text in docs]


def build(corpus: list[tuple[str, list[ClaimSpec]]]) -> Store:
    """An in-memory store with these documents, machine entities, claims and document states."""
    store = Store(None, annotator="ann")
    for n, (text, specs) in enumerate(corpus):
        doc, _ = store.add_document(text, f"doc {n}", source=f"test#{n}", meta={"n": n})
        store.cache_entities(doc.id, RECOGNIZER.key, RECOGNIZER.recognize(text))
        for spec in specs:
            store.annotator = spec.annotator
            claim = store.add_claim(
                doc.id,
                spec.start,
                spec.end,
                spec.claim_type,
                stance=spec.stance,
                speaker=spec.speaker,
                note=spec.note,
            )
            if spec.review != "pending":
                store.update_claim(
                    claim.id, review_status=spec.review, reviewer="rev", review_note=spec.note
                )
        if specs:  # the first claim's annotator also judged the document as a whole
            store.set_status(doc.id, "done", annotator=specs[0].annotator)
            store.set_doc_stance(doc.id, specs[0].stance, annotator=specs[0].annotator)
    return store


def dump(store: Store, fmt: str = "json") -> str:
    buffer = io.StringIO()
    export(store, fmt, buffer, RECOGNIZER.key)
    return buffer.getvalue()


def with_entities(store: Store):  # noqa: ANN201 - a callback
    return lambda doc: store.cache_entities(doc.id, RECOGNIZER.key, RECOGNIZER.recognize(doc.text))


def round_trip(store: Store, fmt: str, folder: Path) -> tuple[Store, str]:
    from annotations.imports.annotation_files import (
        import_file,  # here: the export tests import this module
    )

    path = folder / f"export-{fmt}{FORMATS[fmt].suffix}"
    export(store, fmt, path, RECOGNIZER.key)
    fresh = Store(None, annotator="importer")
    result = import_file(fresh, path, on_added=with_entities(fresh))
    assert not result.errors, result.errors
    assert not result.moved, result.moved
    return fresh, path.read_text(encoding="utf-8")


@pytest.mark.parametrize("fmt", ROUND_TRIPS)
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(corpus=corpora())
def test_export_import_export_is_identical(fmt: str, corpus) -> None:
    store = build(corpus)
    with tempfile.TemporaryDirectory() as tmp:
        fresh, _ = round_trip(store, fmt, Path(tmp))
    assert dump(fresh) == dump(store)
    original = json.loads(dump(store))
    for doc in original["documents"]:
        for item in doc["claims"] + doc["entities"]:
            assert doc["text"][item["start"] : item["end"]] == item["quote"]


@pytest.mark.parametrize("fmt", ROUND_TRIPS)
def test_importing_twice_adds_nothing(fmt: str, tmp_path: Path) -> None:
    store = build(
        [
            (
                "😀 Beijing said China grew 5%.\r\nXi Jinping agreed 👨\u200d👩\u200d👧.",
                [
                    ClaimSpec(2, 29, "statistical", "favor", "Beijing", "n", "ann", "accepted"),
                    ClaimSpec(32, 53, "opinion", "none", "Xi Jinping", "", "bob", "pending"),
                ],
            )
        ]
    )
    from annotations.imports.annotation_files import import_file

    fresh, text = round_trip(store, fmt, tmp_path)
    path = next(tmp_path.iterdir())
    again = import_file(fresh, path)
    assert (again.claims_added, again.claims_updated, again.claims_unchanged) == (0, 0, 2)
    assert again.documents_merged == 1 and not again.added
    assert dump(fresh) == dump(store)
    history = fresh.history()
    assert len(history) == 2 and {h["action"] for h in history} == {"create"}
    assert len({h["batch"] for h in history}) == 1  # one import, one undoable step
