"""Re-anchoring spans onto an edited text (issue 16, article versions): examples and properties."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annotations.reanchor import CONTEXT, Placement, anchor, reanchor

OLD = (
    "Officials met on Monday.\n"
    "The minister said unemployment fell by 3% last year. "
    "Critics disputed the figure. "
    "Prices rose by 5% in March.\n"
    "The report will be published in June."
)
CLAIM = "The minister said unemployment fell by 3% last year."


def span(text: str, quote: str) -> tuple[int, int]:
    start = text.index(quote)
    return start, start + len(quote)


def one(old: str, new: str, quote: str) -> Placement:
    (placed,) = reanchor(old, new, [span(old, quote)])
    return placed


def occurrences(text: str, quote: str) -> int:
    """Overlapping occurrences (``str.count`` does not count "aa" twice in "aaa")."""
    return sum(text.startswith(quote, i) for i in range(len(text))) if quote else 0


def text_of(new: str, p: Placement) -> str | None:
    return None if p.start is None else new[p.start : p.end]


def test_a_paragraph_inserted_before_shifts_the_claim_exactly() -> None:
    inserted = "Breaking: a new paragraph with an update.\n"
    new = inserted + OLD
    p = one(OLD, new, CLAIM)
    assert (p.kind, p.start, text_of(new, p)) == ("exact", OLD.index(CLAIM) + len(inserted), CLAIM)
    assert p.confidence == 1.0


def test_a_sentence_deleted_elsewhere_leaves_the_claim_exact() -> None:
    new = OLD.replace("Critics disputed the figure. ", "")
    p = one(OLD, new, "Prices rose by 5% in March.")
    assert (p.kind, text_of(new, p)) == ("exact", "Prices rose by 5% in March.")
    assert p.confidence < 1.0  # its prefix changed: still exact, a little less sure


def test_a_reworded_claim_is_fuzzy_on_the_new_sentence_never_exact() -> None:
    reworded = "Unemployment fell by 3 percent last year, the minister said."
    new = "Officials met on Monday.\nA paragraph was added here.\n" + OLD.split("\n", 1)[1].replace(
        CLAIM, reworded
    )
    p = one(OLD, new, CLAIM)
    assert (p.kind, text_of(new, p)) == ("fuzzy", reworded)
    assert 0.55 <= p.confidence < 1.0


def test_a_fixed_typo_inside_the_claim_is_fuzzy_with_the_fixed_text() -> None:
    old = OLD.replace("unemployment", "unemploymnet")
    p = one(old, OLD, CLAIM.replace("unemployment", "unemploymnet"))
    assert (p.kind, text_of(OLD, p)) == ("fuzzy", CLAIM)
    assert p.confidence > 0.9


def test_a_quote_in_a_moved_paragraph_is_found_by_its_context_not_by_a_duplicate() -> None:
    """The diff keeps the long paragraphs and re-inserts the short moved one, so the quote's
    characters are not kept: of its two occurrences, the one with its old context wins."""
    quote = "fell by 3%"
    duplicate = f"Another outlet wrote that it {quote} too, citing nobody at all."
    short = f"He said it {quote} in a year."
    old = f"{duplicate}\n{short}\n{OLD}"
    new = f"{duplicate}\n{OLD}\n{short}"
    start = old.index(short) + short.index(quote)
    (p,) = reanchor(old, new, [(start, start + len(quote))])
    assert p.kind == "moved"
    assert p.start == new.index(short) + short.index(quote)
    assert text_of(new, p) == quote
    assert 0.6 < p.confidence < 1.0


def test_a_deleted_claim_is_lost_not_placed() -> None:
    new = OLD.replace(CLAIM + " ", "")
    p = one(OLD, new, CLAIM)
    assert (p.kind, p.start, p.end, p.confidence) == ("lost", None, None, 0.0)
    assert p.anchor.quote == CLAIM  # what the reviewer is shown


def test_a_text_replaced_entirely_loses_every_claim() -> None:
    new = "Sports results: the home team won four to one after extra time on Sunday night."
    placed = reanchor(OLD, new, [span(OLD, CLAIM), span(OLD, "Critics disputed the figure.")])
    assert [p.kind for p in placed] == ["lost", "lost"]


def test_a_claim_rewritten_beyond_recognition_is_lost() -> None:
    new = OLD.replace(CLAIM, "Weather forecasters expect heavy rain across the north tomorrow.")
    assert one(OLD, new, CLAIM).kind == "lost"


def test_spans_at_the_very_start_and_end_and_empty_ones() -> None:
    new = OLD.replace("Critics", "Several critics")
    spans = [(0, 8), (len(OLD) - 5, len(OLD)), (0, 0), (len(OLD), len(OLD)), (30, 30)]
    placed = reanchor(OLD, new, spans)
    assert [(p.kind, p.start, p.end) for p in placed] == [
        ("exact", 0, 8),
        ("exact", len(new) - 5, len(new)),
        ("exact", 0, 0),
        ("exact", len(new), len(new)),
        ("exact", 30, 30),
    ]


def test_an_unchanged_text_places_everything_exactly_and_overlaps_are_independent() -> None:
    spans = [(0, 40), (10, 60), (10, 60), (25, 25)]
    assert [(p.kind, p.start, p.end) for p in reanchor(OLD, OLD, spans)] == [
        ("exact", s, e) for s, e in spans
    ]
    new = "New first line.\n" + OLD
    placed = reanchor(OLD, new, spans)
    assert [(p.start, p.end) for p in placed] == [(s + 16, e + 16) for s, e in spans]


def test_the_anchor_is_a_w3c_text_quote_with_its_position() -> None:
    a = anchor(OLD, *span(OLD, "Critics disputed the figure."))
    assert a.quote == "Critics disputed the figure."
    assert a.prefix == OLD[: a.start][-CONTEXT:] and len(a.prefix) == CONTEXT
    assert a.suffix == OLD[a.end :][:CONTEXT]
    with pytest.raises(ValueError):
        anchor(OLD, 5, 4)
    with pytest.raises(ValueError):
        reanchor(OLD, OLD, [(0, len(OLD) + 1)])


# Text where an edit can look like its neighbours: few letters, astral characters, combining
# marks and CRLF, so the diff is often ambiguous about which copy it kept.
PIECES = st.sampled_from(["a", "b", "ab", " ", "\r\n", "\n", "😀", "𝔘", "e\u0301", "\u0301", "Zk"])
TEXT = st.lists(PIECES, min_size=0, max_size=40).map("".join)


@st.composite
def edit_away_from_a_span(draw: st.DrawFn) -> tuple[str, str, tuple[int, int], int]:
    """(old, new, span, the span's true new start) for one edit that leaves the span's
    characters alone (it may touch the span's edges or its context)."""
    old = draw(TEXT)
    start = draw(st.integers(0, len(old)))
    end = draw(st.integers(start, len(old)))
    before = draw(st.booleans()) if start > 0 and end < len(old) else start > 0
    if not before and end == len(old):  # room only at the end: an insertion there
        a = b = end
    elif before:
        a = draw(st.integers(0, start))
        b = draw(st.integers(a, start))
    else:
        a = draw(st.integers(end, len(old)))
        b = draw(st.integers(a, len(old)))
    insert = draw(TEXT)
    new = old[:a] + insert + old[b:]
    shift = len(insert) - (b - a) if before else 0
    return old, new, (start, end), start + shift


@settings(max_examples=300, deadline=None)
@given(edit_away_from_a_span())
def test_an_edit_away_from_a_span_never_moves_it_off_its_text(
    case: tuple[str, str, tuple[int, int], int],
) -> None:
    old, new, (start, end), true_start = case
    (p,) = reanchor(old, new, [(start, end)])
    quote = old[start:end]
    assert p.kind == "exact"
    assert p.start is not None and new[p.start : p.end] == quote
    assert new[true_start : true_start + len(quote)] == quote  # the strategy is right
    if occurrences(new, quote) == 1:
        assert p.start == true_start


@settings(max_examples=100, deadline=None)
@given(TEXT, TEXT, st.lists(st.tuples(st.integers(0, 80), st.integers(0, 80)), max_size=5))
def test_any_edit_places_only_what_the_placement_claims(
    old: str, new: str, raw: list[tuple[int, int]]
) -> None:
    spans = [(min(a, b, len(old)), min(max(a, b), len(old))) for a, b in raw]
    placed = reanchor(old, new, spans)
    assert len(placed) == len(spans)
    for (start, end), p in zip(spans, placed, strict=True):
        assert (p.anchor.start, p.anchor.end, p.anchor.quote) == (start, end, old[start:end])
        if p.kind == "lost":
            assert (p.start, p.end, p.confidence) == (None, None, 0.0)
            continue
        assert p.start is not None and p.end is not None and 0 <= p.start <= p.end <= len(new)
        assert 0.0 < p.confidence <= 1.0
        if p.kind in ("exact", "moved"):
            assert new[p.start : p.end] == old[start:end]


WORDS = ("the", "minister", "said", "unemployment", "fell", "by", "3%", "last", "year")
PROSE = st.lists(
    st.sampled_from([w + " " for w in WORDS] + ["\r\n", "😀 ", "e\u0301 ", "𝔘𝔫 "]),
    max_size=60,
).map("".join)


@st.composite
def edits_beyond_the_context(draw: st.DrawFn) -> tuple[str, str, tuple[int, int], int]:
    """(old, new, span, true new start) for up to four edits of prose, none of them within
    ``CONTEXT`` code points of the span."""
    old = draw(PROSE)
    start = draw(st.integers(0, len(old)))
    end = draw(st.integers(start, len(old)))

    def ranges(lo: int, hi: int) -> list[tuple[int, int]]:
        if hi < lo:
            return []
        cuts = sorted(draw(st.lists(st.integers(lo, hi), max_size=4)))
        return list(zip(cuts[::2], cuts[1::2], strict=False))

    out, at, shift = [], 0, 0
    for a, b in ranges(0, start - CONTEXT) + ranges(end + CONTEXT, len(old)):
        insert = draw(PROSE)
        out += [old[at:a], insert]
        at = b
        shift += (len(insert) - (b - a)) if b <= start else 0
    return old, "".join(out) + old[at:], (start, end), start + shift


@settings(max_examples=150, deadline=None)
@given(edits_beyond_the_context())
def test_edits_beyond_a_spans_context_leave_it_exact(
    case: tuple[str, str, tuple[int, int], int],
) -> None:
    old, new, (start, end), true_start = case
    (p,) = reanchor(old, new, [(start, end)])
    quote = old[start:end]
    assert new[true_start : true_start + len(quote)] == quote  # the strategy is right
    assert p.kind == "exact"
    assert p.start is not None and new[p.start : p.end] == quote
    if occurrences(new, quote) == 1:
        assert p.start == true_start
