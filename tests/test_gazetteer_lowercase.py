""" "Apply everywhere" on a lower-case phrase: every other document picks it up, whole words only,
and the message after `*` says what really happens."""

from __future__ import annotations

import re
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from annotations.entities import builtin
from annotations.entities import corrections as ed
from annotations.store import Store

HERE = "Labs invest in artificial intelligence, Guo Jiakun said."
ELSEWHERE = (
    "Artificial intelligence is everywhere. Critics of artificial intelligence and of "
    "artificial intelligences, or of superartificial intelligence, disagree; the "
    "Artificial Intelligence Act is a law."
)


def found(recognizer, text: str) -> list[tuple[str, str, str]]:
    return [(text[e.start : e.end], e.label, e.source) for e in recognizer.recognize(text)]


def test_apply_everywhere_on_a_lower_case_phrase_reaches_other_documents(tmp_path: Path) -> None:
    store = Store(tmp_path / "p.db", annotator="ann")
    gazetteer = tmp_path / "entities.yaml"
    here, _ = store.add_document(HERE, "here")
    other, _ = store.add_document(ELSEWHERE, "elsewhere")
    before = builtin(gazetteer)
    assert ed.document_entities(store, other.id, before) is not None  # cached before the change
    start = HERE.index("artificial intelligence")
    ed.add_entity(store, here.id, start, start + 23, "PRODUCT")
    ed.apply_everywhere(store, gazetteer, HERE[start : start + 23], "PRODUCT")
    after = builtin(gazetteer)
    assert after.key != before.key
    shown = [
        (ELSEWHERE[e.start : e.end], e.start, e.label)
        for e in ed.document_entities(store, other.id, after) or []
        if e.label == "PRODUCT"
    ]
    sentence = ELSEWHERE.index("Critics")
    assert shown == [
        ("Artificial intelligence", 0, "PRODUCT"),
        ("artificial intelligence", ELSEWHERE.index("artificial", sentence), "PRODUCT"),
    ]  # not "intelligences", not inside a word, not Title Case
    assert ("Artificial Intelligence Act", "LAW", "rules") in found(after, ELSEWHERE)
    note = ed.everywhere_note(after, gazetteer.name, "artificial intelligence", "PRODUCT")
    assert note == "Added to entities.yaml: every document picks it up."
    store.close()


def test_the_message_says_when_a_name_cannot_be_found_as_written(tmp_path: Path) -> None:
    gazetteer = tmp_path / "entities.yaml"
    ed.apply_everywhere(None, gazetteer, "Guo Jiakun,", "PERSON")  # the comma came along
    note = ed.everywhere_note(builtin(gazetteer), gazetteer.name, "Guo Jiakun,", "PERSON")
    assert note.startswith("Added to entities.yaml, but the recognizer does not find")
    assert "do not pick it up" in note


def test_a_selection_across_a_line_break_is_checked_as_stored(tmp_path: Path) -> None:
    gazetteer = tmp_path / "entities.yaml"
    ed.apply_everywhere(None, gazetteer, "machine\nlearning", "PRODUCT")
    recognizer = builtin(gazetteer)
    assert ("machine learning", "PRODUCT", "gazetteer") in found(
        recognizer, "Use machine learning now."
    )
    note = ed.everywhere_note(recognizer, gazetteer.name, "machine\nlearning", "PRODUCT")
    assert note.endswith("every document picks it up.")


def test_removing_everywhere_says_no_document_tags_it(tmp_path: Path) -> None:
    gazetteer = tmp_path / "entities.yaml"
    ed.apply_everywhere(None, gazetteer, "Beijing", None)
    recognizer = builtin(gazetteer)
    assert "Beijing" not in {t for t, _, _ in found(recognizer, "He flew to Beijing today.")}
    assert ed.everywhere_note(recognizer, gazetteer.name, "Beijing", None) == (
        "Added to entities.yaml: no document tags it any more."
    )


def test_ignored_and_mixed_case_names(tmp_path: Path) -> None:
    gazetteer = tmp_path / "entities.yaml"
    gazetteer.write_text(
        "entities:\n  - {name: iPhone, label: PRODUCT, aliases: [iphone 16]}\n"
        "  - {name: deep learning, label: PRODUCT}\n"
        "ignore: [deep learning]\n",
        encoding="utf-8",
    )
    recognizer = builtin(gazetteer)
    assert found(recognizer, "An iPhone and an iphone 16, not an IPhone; deep learning.") == [
        ("iPhone", "PRODUCT", "gazetteer"),
        ("iphone 16", "PRODUCT", "gazetteer"),
    ]


PHRASE = "artificial intelligence"
WORDS = st.sampled_from(
    [
        "the",
        "AI",
        "policy",
        "Beijing",
        "artificial",
        "intelligence",
        "x1",
        "intelligences",
        "said",
        "Guo",
    ]
)
PIECES = st.lists(st.one_of(WORDS, st.just(PHRASE)), min_size=1, max_size=20)
SEPARATORS = st.sampled_from([" ", ", ", ". ", "\n", " (", ") "])


@settings(max_examples=60, deadline=None)
@given(pieces=PIECES, separator=SEPARATORS)
def test_lower_case_matches_are_exact_whole_word_occurrences(
    tmp_path_factory, pieces, separator: str
) -> None:
    """Every found span quotes the text exactly; found are exactly the whole-word occurrences."""
    gazetteer = tmp_path_factory.mktemp("g") / "entities.yaml"
    ed.apply_everywhere(None, gazetteer, PHRASE, "PRODUCT")
    text = separator.join(pieces)
    hits = [e for e in builtin(gazetteer).recognize(text) if e.label == "PRODUCT"]
    for entity in hits:
        assert text[entity.start : entity.end] == entity.text
        assert entity.text.lower() == PHRASE
    whole_words = re.finditer(r"(?<!\w)[aA]rtificial intelligence(?!\w)", text)
    assert [e.start for e in hits] == [m.start() for m in whole_words]
