"""Bars for the stats screen: exact lengths, every non-zero part visible, no colour needed."""

from __future__ import annotations

import pytest

from tui.widgets.bars import Part, bar, stacked


@pytest.mark.parametrize(
    "values", [(4, 0, 7), (2, 1, 2), (1, 1, 1), (100, 1, 0), (0, 0, 5), (3, 3, 3)]
)
@pytest.mark.parametrize("maximum", [11, 22, 150])
def test_stacked_bars_scale_together(values: tuple[int, ...], maximum: int) -> None:
    parts = [Part(v, "", g) for v, g in zip(values, "█▓░", strict=True)]
    drawn = stacked(parts, maximum, 25).plain
    assert len(drawn) == 25
    filled = drawn.rstrip(" ")
    assert len(filled) == max(1, round(min(sum(values), maximum) / maximum * 25))
    room = len(filled) >= sum(1 for v in values if v)
    for value, glyph in zip(values, "█▓░", strict=True):
        assert (glyph in filled) == bool(value) or not room


def test_equal_totals_draw_equal_lengths() -> None:
    a = stacked([Part(4, ""), Part(0, "", "▓"), Part(7, "", "░")], 11, 26).plain.rstrip()
    b = stacked([Part(4, ""), Part(1, "", "▓"), Part(6, "", "░")], 11, 26).plain.rstrip()
    assert len(a) == len(b) == 26


def test_plain_bar_uses_eighths() -> None:
    assert bar(1, 8, 1).plain == "▏"
    assert bar(8, 8, 2).plain == "██"
    assert bar(12, 16, 2).plain == "█▌" and bar(3, 16, 2).plain == "▍ "
    assert bar(0, 8, 3).plain == "   " and bar(5, 0, 2).plain == "  "
