"""The candidate units: sentences cut at every line break, exact offsets, the whole text covered."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from annotations.selection import sentences
from annotations.suggest.units import units

_PIECES = st.sampled_from(
    [
        "China",
        "said",
        "the U.S.",
        "Co., Ltd.",
        "3.5%",
        "Mr. Guo",
        "growth",
        "é",
        "北京",
        "🙂",
        ".",
        "!",
        "?",
        '"',
        ",",
        " ",
        "  ",
        "\n",
        "\n\n",
        "\t",
        " - ",
    ]
)
TEXTS = st.lists(_PIECES, max_size=40).map("".join)


def _check(text: str) -> list[tuple[int, int]]:
    spans = units(text)
    for n, (s, e) in enumerate(spans):
        nxt = spans[n + 1] if n + 1 < len(spans) else None
        assert 0 <= s < e <= len(text)
        unit = text[s:e]
        assert "\n" not in unit  # never across a line break
        assert unit == unit.strip()  # no surrounding space
        if nxt is not None:
            assert e <= nxt[0]  # in order, disjoint
    return spans


@settings(max_examples=300, deadline=None)
@given(TEXTS)
def test_units_never_cross_a_line_and_cover_every_sentence(text: str) -> None:
    spans = _check(text)
    covered = [False] * len(text)
    for s, e in spans:
        covered[s:e] = [True] * (e - s)
    # every visible character of every sentence is in a unit: nothing is left for no one to label
    for s, e in sentences(text):
        for i in range(s, e):
            assert covered[i] or text[i].isspace(), (text, i)
    for i, char in enumerate(text):
        assert covered[i] or char.isspace(), (text, i)


def test_units_of_news_with_a_heading_and_abbreviations() -> None:
    text = (
        "Return hometown to start own business\n"
        "Yang Wenli, 30, met Mr. Guo in the U.S. last year. Sales rose 5% to $3.2 million!\n"
        '  "Is it true?" she asked.  \n'
    )
    got = [text[s:e] for s, e in _check(text)]
    assert got == [
        "Return hometown to start own business",
        "Yang Wenli, 30, met Mr. Guo in the U.S. last year.",
        "Sales rose 5% to $3.2 million!",
        '"Is it true?" she asked.',
    ]


def test_the_claim_gold_is_labelled_on_exactly_the_units() -> None:
    """``units`` cuts long texts in pieces (for speed); the gold's spans must stay its units."""
    import json
    from pathlib import Path

    gold = Path(__file__).resolve().parent / "data" / "claims_gold.jsonl"
    for line in gold.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        assert [(s, e) for s, e, _ in record["spans"]] == units(record["text"]), record["file"]
