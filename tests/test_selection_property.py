"""Properties of selection and layout on hostile Unicode: CJK, emoji, combining marks, CRLF."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from rich.cells import split_graphemes

from annotations import selection as sel
from annotations.screen_text import WrappedText, screen_safe
from tests.text_strategies import TEXTS


def boundaries(text: str) -> set[int]:
    """Grapheme starts, with control characters as units of their own (as for the cursor)."""
    spans, _ = split_graphemes("".join(" " if ord(c) < 32 else c for c in text))
    return {s for s, _e, _c in spans} | {len(text)}


@settings(max_examples=150, deadline=None)
@given(text=TEXTS, a=st.integers(0, 400), b=st.integers(0, 400))
def test_snapped_selection_is_inside_the_text_and_trimmed(text: str, a: int, b: int) -> None:
    a, b = min(a, len(text)), min(b, len(text))
    start, end = sel.snap(text, a, b)
    assert 0 <= start <= end <= len(text)
    if end > start:
        assert not text[start].isspace() and not text[end - 1].isspace()
        # snapping only grows into words the user touched; it never adds leading space
        assert start <= max(min(a, b), start)


@settings(max_examples=150, deadline=None)
@given(text=TEXTS)
def test_grapheme_steps_land_on_grapheme_boundaries(text: str) -> None:
    edges = boundaries(text)
    pos = 0
    seen = [0]
    while pos < len(text):
        nxt = sel.next_grapheme(text, pos)
        assert nxt > pos and (nxt in edges or text[pos:nxt] == "\r\n")
        pos = nxt
        seen.append(pos)
    for later, earlier in zip(reversed(seen[1:]), reversed(seen[:-1]), strict=True):
        assert sel.prev_grapheme(text, later) == earlier


@settings(max_examples=100, deadline=None)
@given(text=TEXTS, width=st.integers(1, 30))
def test_layout_covers_the_text_and_maps_columns_back_to_offsets(text: str, width: int) -> None:
    shown = screen_safe(text)
    assert len(shown) == len(text)
    layout = WrappedText(shown, width)
    covered = []
    for i in range(len(layout)):
        row = layout.row(i)
        covered.append(shown[row.start : row.end])
    # rows partition every line: nothing dropped, nothing repeated, no newline inside a row
    assert "".join(covered) == shown.replace("\n", "")
    for offset in sorted(boundaries(shown)):
        if offset < len(shown) and shown[offset] == "\n":
            continue
        row = layout.row_of(offset)
        column = layout.cells_before(offset)
        assert layout.offset_at(row, column) == offset


@settings(max_examples=100, deadline=None)
@given(text=TEXTS, pos=st.integers(0, 400))
def test_sentence_at_is_a_trimmed_span_of_the_line(text: str, pos: int) -> None:
    pos = min(pos, len(text))
    start, end = sel.sentence_at(text, pos)
    assert 0 <= start <= end <= len(text)
    assert "\n" not in text[start:end]
    if end > start:
        assert not text[start].isspace() and not text[end - 1].isspace()


@settings(max_examples=100, deadline=None)
@given(text=TEXTS, width=st.integers(1, 30), limit=st.integers(0, 200))
def test_a_quick_first_layout_is_the_start_of_the_full_one(
    text: str, width: int, limit: int
) -> None:
    shown = screen_safe(text)
    full = WrappedText(shown, width)
    first = WrappedText(shown, width, limit)
    rows = [(first.starts[i], first.ends[i]) for i in range(len(first))]
    assert rows == [(full.starts[i], full.ends[i]) for i in range(len(first))]
    assert first.complete == (len(first) == len(full))
