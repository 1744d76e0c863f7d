"""The fast unit cutter gives exactly syntok's units: sure sentence ends and plain parts are
found without the splitter, everything else still goes through it.

The rules relied on are syntok 1.4.4's own (the pinned version): syntok/_segmentation_states.py,
``State._move_and_maybe_extract_terminal`` (when a terminal ends a sentence: a lower-case or
inner-punctuation next token never; else not after an abbreviation, a single letter, a roman
numeral, a token with a "." or a number before a month), ``State.__find_end_of_bracketed_text``
(a bracket's end is looked for over 50 tokens) and ``FirstToken``; syntok/tokenizer.py,
``Tokenizer._separation`` (words split at case changes, apostrophes and hyphens). The examples
below are the cases where a looser reading of them went wrong."""

from __future__ import annotations

import dataclasses

from hypothesis import example, given, settings
from hypothesis import strategies as st

from annotations.suggest import units as u
from tests.conftest import SEEDS

# the pieces of news syntok has rules for: abbreviations, initials, numbers and months, quotes,
# brackets, bullets, line and paragraph breaks, possessives, hyphens, decimals and addresses
_PIECES = st.sampled_from(
    [
        "China",
        "said",
        "growth",
        "the",
        "exports",
        "Ltd",
        "Co",
        "Mr",
        "No",
        "no",
        "U.S",
        "A",
        "a",
        "IV",
        "x",
        "4",
        "2024",
        "1,000",
        "3.5",
        "toutiao.com",
        "May",
        "Jan",
        "China's",
        "China’s",
        "well-known",
        "COVID-19",
        "(AI)",
        "(WHO",
        ")",
        "[",
        "]",
        ".",
        ". ",
        "! ",
        "? ",
        "; ",
        ": ",
        ", ",
        "...",
        "…",
        '"',
        "“",
        "”",
        "'",
        "’",
        " ",
        "  ",
        "\n",
        "\n\n",
        "\n  • ",
        "- ",
        "\t",
        "\xa0",
        "🙂",
        "北京。",
    ]
)
TEXTS = st.lists(_PIECES, max_size=60).map(" ".join) | st.lists(_PIECES, max_size=60).map("".join)


@settings(max_examples=300, deadline=None)
@given(TEXTS)
@example("China ) (WHO \n China )")  # a stray ")" must not hide the "(" open across the line
@example("ChinaLtd. China")  # the tokenizer cuts "ChinaLtd": the token before is "Ltd"
@example("in 2024. May it")  # a number before a month
@example("( ): Is. N)")  # a sentence opened by a bracket
@example("( ): " + "go " * 30 + "Is. N)")  # ... which syntok reads 50 tokens past
@example("HO. (s]\ni,")  # a terminal before a bracket: syntok reads on past the line
@example("(\xa0-)\na n!A]")
def test_fast_cut_equals_the_splitter_alone(text: str) -> None:
    assert u._units_whole(text) == u._units_split(text)


_WORDS = st.sampled_from(
    ["China", "the", "rose", "Mr", "Co", "Ltd", "U.S", "No", "IV", "A", "x", "May", "2024", "5"]
    + ["3.5", "e.g", "well-known", "China's", "ChinaLtd", "WHO", "Then", "“Yes", '"No', "🙂", "•"]
)
_ENDS = st.sampled_from(["", "", "", ".", ".", ",", "!", "?", ";", ":", '."', ".”", "...", ")"])
_SEPS = st.sampled_from([" ", " ", "  ", "\n", "\n\n", "\n  • ", " (", ") ", ' "', "\t", "\xa0"])
SENTENCES = st.lists(st.tuples(_WORDS, _ENDS, _SEPS).map("".join), max_size=40).map("".join)


@settings(max_examples=300, deadline=None)
@given(SENTENCES)
def test_fast_cut_equals_the_splitter_on_sentence_like_text(text: str) -> None:
    assert u._units_whole(text) == u._units_split(text)
    assert u.units(text, piece=20) == u._units_split(text)


@settings(max_examples=200, deadline=None)
@given(TEXTS)
def test_small_pieces_change_no_unit(text: str) -> None:
    """Pieces are cut only at sure line ends and blank lines (``sure_line_end``)."""
    assert u.units(text, piece=30) == u._units_split(text)


def test_fast_cut_equals_the_splitter_on_the_seeds() -> None:
    for path in sorted(SEEDS.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        assert u.units(text) == u._units_split(text), path.name


def test_sure_ends_are_cut_without_the_splitter() -> None:
    """Sentences ending in plain words are cut by the fast path (the splitter is not asked)."""
    calls: list[str] = []
    original = u._units_split

    def spy(text: str) -> list[tuple[int, int]]:
        calls.append(text)
        return original(text)

    text = 'Exports rose sharply. "We are glad," he said. China’s trade grew.\nThen it fell.'
    u._units_split = spy
    try:
        got = [text[s:e] for s, e in u.units(text)]
    finally:
        u._units_split = original
    assert got == [
        "Exports rose sharply.",
        '"We are glad," he said.',
        "China’s trade grew.",
        "Then it fell.",
    ]
    assert calls == []
    # an abbreviation is no sure end: that part goes through the splitter
    text = "Topstar Co. Ltd. grew. Then it fell."
    assert [text[s:e] for s, e in u.units(text)] == [
        "Topstar Co. Ltd. grew.",
        "Then it fell.",
    ]


def test_pieces_of_a_long_text_are_cut_at_sure_line_ends() -> None:
    # "Co." ends a line but not a sentence for syntok: the next line's "4." then splits, so a
    # piece must not start there
    line = "It was made by Big Data Technology Co.\n4. The Road Ahead\n"
    text = "Growth was strong this year.\n" * 300 + line * 50
    assert u.units(text, piece=500) == u._units_split(text)


def test_score_in_parts_equals_the_serial_suggestions() -> None:
    from annotations.entities import builtin
    from annotations.suggest.builtin import BuiltinSuggester
    from annotations.suggest.parallel import cut_points, score_in_parts, scored_over

    text = "\n".join(path.read_text(encoding="utf-8") for path in sorted(SEEDS.glob("*.txt")) * 2)
    entities = builtin().recognize(text)
    suggester = BuiltinSuggester()
    cuts = cut_points(text, 3)
    assert len(cuts) == 4 and cuts[0] == 0 and cuts[-1] == len(text)
    every = suggester.suggest(text, entities)
    assert score_in_parts(text, entities, suggester, workers=3) == every
    assert score_in_parts(text, entities, suggester, workers=1) == every
    # with a threshold only the candidates travel back, and the chunked serial path agrees
    kept = [c for c in every if c.score >= suggester.threshold]
    assert 0 < len(kept) < len(every)
    assert score_in_parts(text, entities, suggester, workers=3, threshold=0.5) == kept
    assert score_in_parts(text, entities, suggester, workers=2, threshold=0.5, here=False) == kept
    assert scored_over(suggester, text, entities, 0.5) == kept
    assert scored_over(suggester, text, entities) == every
    bare = [dataclasses.replace(c, reasons=()) for c in kept]
    assert score_in_parts(text, entities, suggester, 2, 0.5, here=False, reasons=False) == bare
    assert scored_over(suggester, text, entities, 0.5, reasons=False) == bare


def test_a_suggester_that_cannot_travel_scores_in_this_process() -> None:
    from annotations.suggest.builtin import BuiltinSuggester
    from annotations.suggest.parallel import score_in_parts

    class Local(BuiltinSuggester):
        """Holds a lambda, as a loaded pipeline holds unpicklable state."""

        def __init__(self) -> None:
            super().__init__()
            self.hook = lambda: None

    text = "Exports rose 7% in 2024.\nThey fell again.\n" * 50
    suggester = Local()
    assert score_in_parts(text, [], suggester, workers=2) == suggester.suggest(text, [])


def test_no_piece_is_cut_inside_a_bracket() -> None:
    text = "It was made (see the list.\nThe list is long) by them.\nMore text.\n"
    inside = text.index("The list")
    assert u.sure_line_end(text, 0) != inside
    # nor just after one: syntok reads the tokens after a bracket before it decides
    assert u.sure_line_end(text, 0) is None
    later = text + "Plain words go on here. " * 12 + "The end.\nNext one."
    assert u.sure_line_end(later, 0) == later.index("Next one.")
    long = "Intro line one.\n" * 600 + text * 40
    assert u.units(long, piece=500) == u._units_split(long)
