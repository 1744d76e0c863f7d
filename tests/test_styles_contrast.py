"""Entity and claim styles: one distinct style per OntoNotes type, readable (WCAG 4.5:1) in both
themes, measured on the segments the document view and the legend really draw; and kinds stay
apart without colour (NO_COLOR)."""

from __future__ import annotations

import itertools
import math
from pathlib import Path

import pytest
from rich.segment import Segment
from rich.style import Style

from annotations.model import ENTITY_LABELS, Entity
from annotations.store import Store
from tests.test_reader_support import open_reader
from tui.app import AnnottyApp, make_app
from tui.screens.reader import ReaderScreen
from tui.styles import CURSOR, OVERLAP, SELECTION, Palette, contrast
from tui.widgets.side_lists import EntityLegend

WORDS = [f"word{i:02d}" for i in range(len(ENTITY_LABELS))]
SENTENCE = " ".join(WORDS) + ". "
TEXT = SENTENCE * 3 + "\n"


def colours(segment: Segment, base: Style) -> tuple[str, str] | None:
    """(foreground, background) as drawn, or None for blank cells."""
    if not segment.text.strip() or segment.control:
        return None
    style = base + (segment.style or Style())
    fg, bg = style.color or base.color, style.bgcolor or base.bgcolor
    assert fg is not None and bg is not None
    pair = (fg.get_truecolor().hex, bg.get_truecolor().hex)
    return pair[::-1] if style.reverse else pair


async def drawn_pairs(app: AnnottyApp, reader: ReaderScreen) -> set[tuple[str, str]]:
    view = reader.view
    base = view.rich_style
    pairs = set()
    for y in range(view.scrollable_content_region.height):
        for segment in view.render_line(y):
            pair = colours(segment, base)
            if pair:
                pairs.add(pair)
    legend = reader.query_one(EntityLegend)
    for line in legend.render_lines(legend.region.reset_offset):
        for segment in line:
            pair = colours(segment, legend.rich_style)
            if pair:
                pairs.add(pair)
    return pairs


@pytest.mark.parametrize("theme", ["textual-dark", "textual-light"])
async def test_every_entity_and_claim_style_meets_wcag_aa(tmp_path: Path, theme: str) -> None:
    store = Store(tmp_path / "c.db", annotator="me")
    doc, _ = store.add_document(TEXT, "t")
    step = len(SENTENCE)
    for i, stance in enumerate(("favor", "against", "none")):  # each tint under every type
        store.add_claim(doc.id, i * step, i * step + step - 2, "causal", stance=stance)
    store.add_claim(doc.id, 0, 20, "opinion", stance="against")  # an overlap
    other = Store(tmp_path / "c.db", annotator="other")
    other.add_claim(doc.id, 30, 60, "opinion", stance="favor")  # drawn with o
    other.close()
    app = make_app(store)
    async with app.run_test(size=(120, 30)) as pilot:
        app.theme = theme
        reader = await open_reader(app, pilot, doc.id)
        entities = [
            Entity(k * step + SENTENCE.index(w), k * step + SENTENCE.index(w) + len(w), label)
            for k in range(3)
            for w, label in zip(WORDS, ENTITY_LABELS, strict=True)
        ]
        reader._entities_arrived(entities, True)
        await pilot.press("o", "slash", *"word01", "enter")  # others' claims, search hits
        await pilot.pause()
        await pilot.pause()
        pairs = await drawn_pairs(app, reader)
        assert len(pairs) > 18
        low = sorted(
            (round(contrast(fg, bg), 2), fg, bg) for fg, bg in pairs if contrast(fg, bg) < 4.5
        )
        assert not low, f"{theme}: below 4.5:1: {low}"
        palette = reader.view.palette
        for label in ENTITY_LABELS:  # and every type on every tint, drawn or not
            fg = palette.entity(label).color.get_truecolor().hex  # type: ignore[union-attr]
            for background in palette.backgrounds:
                assert contrast(fg, background) >= 4.5, (theme, label, background)
    store.close()


@pytest.mark.parametrize("background", ["#121212", "#e0e0e0"])
def test_eighteen_types_have_eighteen_distinguishable_styles(background: str) -> None:
    palette = Palette(None, background)
    looks = {label: palette.entity(label) for label in ENTITY_LABELS}
    keys = {(s.color, bool(s.italic)) for s in looks.values()}
    assert len(keys) == len(ENTITY_LABELS) == 18

    def rgb(style: Style) -> tuple[int, int, int]:
        return style.color.get_truecolor()  # type: ignore[union-attr,return-value]

    for (a, sa), (b, sb) in itertools.combinations(looks.items(), 2):
        if bool(sa.italic) == bool(sb.italic):  # told apart by colour alone
            assert math.dist(rgb(sa), rgb(sb)) >= 25, (a, b, background)


def test_kinds_differ_without_colour() -> None:
    """NO_COLOR: what is left of each style (bold, italic, underline, reverse) tells kinds apart."""
    palette = Palette(None)

    def shape(style: Style) -> tuple[bool, ...]:
        return (
            bool(style.bold),
            bool(style.italic),
            bool(style.underline),
            bool(style.underline2),
            bool(style.reverse),
        )

    upright = shape(palette.entity("GPE"))
    kinds = {
        "entity": upright,
        "claim": shape(palette.stance("favor")),
        "others' claim": shape(palette.other("favor")),
        "overlap": shape(OVERLAP),
        "search": shape(palette.search(monochrome=True)),
        "selection": shape(SELECTION),
        "cursor": shape(CURSOR),
    }
    assert len(set(kinds.values())) == len(kinds), kinds
    assert shape(palette.entity("LAW")) != shape(palette.search(monochrome=True))


async def test_no_color_search_hits_are_not_entities(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    doc, _ = store.add_document("Paris is big. Paris again.", "t")
    app = make_app(store)
    assert app.no_color
    async with app.run_test(size=(80, 24)) as pilot:
        reader = await open_reader(app, pilot, doc.id)
        await pilot.press("slash", *"again", "enter", "g")
        await pilot.pause()
        styles = {seg.text: seg.style for seg in reader.view.render_line(0) if seg.text.strip()}
        hit = next(style for text, style in styles.items() if "again" in text)
        entity = next(style for text, style in styles.items() if text.strip() == "Paris")
        assert hit is not None and hit.reverse and hit.italic
        assert entity is not None and entity.bold and not entity.reverse
