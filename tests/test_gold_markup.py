"""Gold written inline (``[[Geneva|GPE]]``): exact offsets, clear refusals, and the news gold."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from annotations.entities.gold_markup import load_folder, parse
from annotations.errors import InputError
from annotations.model import ENTITY_LABELS

NEWS = Path(__file__).resolve().parent / "data" / "news_gold"


def test_marks_become_code_point_offsets() -> None:
    text, spans = parse("🐱 In [[Genève|GPE]], [[Ngozi Okonjo-Iweala|PERSON]] spoke.\n")
    assert text == "🐱 In Genève, Ngozi Okonjo-Iweala spoke.\n"
    assert [(text[s:e], label) for s, e, label in spans] == [
        ("Genève", "GPE"),
        ("Ngozi Okonjo-Iweala", "PERSON"),
    ]


@pytest.mark.parametrize(
    ("marked", "says"),
    [
        ("[[Geneva|CITY]]", "unknown label 'CITY'"),
        ("[[ Geneva|GPE]]", "starts or ends with a space"),
        ("a [[Geneva] here", "'[[' that is not part of"),
        ("line one\nsee ]] there", "doc.txt:2: ']]' that is not part of"),
        ("[[Gen\neva|GPE]]", "'[[' that is not part of"),  # a mark never spans lines
    ],
)
def test_malformed_marks_are_refused_with_file_and_line(marked: str, says: str) -> None:
    with pytest.raises(InputError) as refused:
        parse(marked, "doc.txt")
    assert str(refused.value).startswith("doc.txt:") and says in str(refused.value)


plain = st.text(st.characters(blacklist_characters="[]|\n"), max_size=12)
name = st.text(st.characters(blacklist_characters="[]|\n"), min_size=1, max_size=8).filter(
    lambda s: s == s.strip()
)


@given(st.lists(st.tuples(plain, name, st.sampled_from(ENTITY_LABELS)), max_size=6), plain)
def test_any_marked_text_parses_back_to_its_spans(
    pieces: list[tuple[str, str, str]], tail: str
) -> None:
    marked = "".join(f"{before}[[{n}|{label}]]" for before, n, label in pieces) + tail
    text, spans = parse(marked)
    assert text == "".join(before + n for before, n, _ in pieces) + tail
    assert [(text[s:e], label) for s, e, label in spans] == [(n, lab) for _, n, lab in pieces]


def test_the_news_gold_has_two_halves_that_parse() -> None:
    """The measuring gold of issue 12: at least 30 stories, split in a dev and a test half."""
    dev, test = load_folder(NEWS / "dev"), load_folder(NEWS / "test")
    assert len(dev) >= 15 and len(test) >= 15
    assert not {d.name for d in dev} & {d.name for d in test}
    for doc in dev + test:
        assert len(doc.text.split()) >= 200, doc.name
        assert len(doc.entities) >= 15, doc.name
        assert "[[" not in doc.text and "]]" not in doc.text
        ends = [(s, e) for s, e, _ in sorted(doc.entities)]
        assert all(a[1] <= b[0] for a, b in zip(ends, ends[1:], strict=False)), doc.name
