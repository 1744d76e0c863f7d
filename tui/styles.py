"""How spans look: entities by type, claims by stance, search hits, selection and cursor.

Every entity type of OntoNotes (the schema the recognizers emit) has its own style: eleven hues,
each upright and saturated or italic and softer, so no two types look alike.
Colours are fitted to the background they are drawn on (``Palette``): each entity and claim colour
is moved in lightness until it reaches a WCAG contrast of 4.5:1 against that background and every
claim tint, so both the dark and the light theme are readable.

Every kind stays distinguishable without colour (NO_COLOR, monochrome terminals): entities are
bold, claims underlined (overlaps doubly so, in italics), claim candidates dimly underlined,
search hits reversed and italic, the selection reversed, the cursor reversed and underlined.
"""

from __future__ import annotations

import colorsys
from functools import lru_cache
from typing import TYPE_CHECKING

from rich.color import Color
from rich.style import Style

from annotations.model import ENTITY_LABELS
from annotations.schema import Schema

if TYPE_CHECKING:
    from textual.widget import Widget

# label -> (hue in degrees, italic). Types that are easily confused (GPE/LOC, DATE/TIME,
# MONEY/PERCENT/QUANTITY, CARDINAL/ORDINAL) sit in different hue families.
ENTITY_LOOKS: dict[str, tuple[int, bool]] = {
    "DATE": (0, False),
    "PRODUCT": (0, True),
    "PERSON": (30, False),
    "LAW": (30, True),
    "MONEY": (58, False),
    "LANGUAGE": (58, True),
    "FAC": (95, False),
    "ORDINAL": (95, True),
    "LOC": (140, False),
    "TIME": (140, True),
    "GPE": (180, False),
    "QUANTITY": (180, True),
    "ORG": (215, False),
    "EVENT": (215, True),
    "NORP": (275, False),
    "CARDINAL": (250, True),
    "WORK_OF_ART": (320, False),
    "PERCENT": (300, True),
}
# The seed hue of each type as a colour (choice lists and anything that needs one colour).
ENTITY_COLOURS: dict[str, str] = {}
STANCE_FALLBACK = {"favor": "green", "against": "red", "none": "yellow"}
SELECTION = Style(reverse=True)
CURSOR = Style(reverse=True, blink=False, underline=True)
OVERLAP = Style(italic=True, underline2=True)
# Search hits: black on yellow in colour; reversed italics without colour (the selection is
# reversed upright, entities are bold, so a hit never looks like either).
SEARCH = Style(color="#000000", bgcolor="#ffd75f", bold=True, italic=True)
SEARCH_MONO = Style(reverse=True, italic=True)
# Inline entity labels (E): a tag tinted with the type's colour; without colour dim italics,
# which nothing else uses, so a label never reads as document text.
LABEL_MONO = Style(dim=True, italic=True)
# Claim candidates (suggested, not yet decided): a dim underline, in a muted blue with colour.
# Rich and Textual draw no dotted underline, so dim is what sets them apart: a claim is underlined
# at full strength (and tinted), another's claim in italics, a candidate dim (NO_COLOR too).
CANDIDATE_SEED = "#5f87af"
CANDIDATE_MONO = Style(underline=True, dim=True)
LABEL_TINT = 0.22  # share of the type's colour in the tag's background
MIN_CONTRAST = 4.5
DARK_BACKGROUND = "#121212"  # textual-dark's background, for callers that know no background


def background_of(widget: Widget) -> str:
    """A widget's effective background as #rrggbb (span styles are fitted to it)."""
    colour = widget.background_colors[1]
    return colour.hex6 if colour.a else DARK_BACKGROUND


def _hex(rgb: tuple[float, float, float]) -> str:
    return "#{:02x}{:02x}{:02x}".format(*(max(0, min(255, round(c * 255))) for c in rgb))


def _rgb(colour: str) -> tuple[float, float, float]:
    r, g, b = Color.parse(colour).get_truecolor()
    return r / 255, g / 255, b / 255


def luminance(colour: str) -> float:
    """WCAG 2.x relative luminance."""

    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in _rgb(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    """WCAG 2.x contrast ratio of two colours (1 to 21)."""
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def blend(colour: str, background: str, share: float) -> str:
    """``share`` of ``colour`` over ``background``."""
    c, b = _rgb(colour), _rgb(background)
    red, green, blue = (share * x + (1 - share) * y for x, y in zip(c, b, strict=True))
    return _hex((red, green, blue))


@lru_cache(maxsize=1024)
def readable(colour: str, backgrounds: tuple[str, ...]) -> str:
    """``colour`` with its hue kept, made lighter or darker until it reaches 4.5:1 against
    every one of ``backgrounds`` (the first decides which way)."""
    try:
        h, light, s = colorsys.rgb_to_hls(*_rgb(colour))
    except Exception:
        return colour
    darker = luminance(backgrounds[0]) > 0.2
    step = -0.01 if darker else 0.01
    candidate = colour
    for _ in range(101):
        candidate = _hex(colorsys.hls_to_rgb(h, min(max(light, 0.0), 1.0), s))
        if all(contrast(candidate, bg) >= MIN_CONTRAST + 0.05 for bg in backgrounds):
            return candidate
        light += step
    return "#000000" if darker else "#ffffff"


def _seed(label: str) -> str:
    hue, italic = ENTITY_LOOKS.get(label, (0, False))
    if label not in ENTITY_LOOKS:
        return "#a0a0a0"
    saturation = 0.6 if italic else 1.0
    return _hex(colorsys.hls_to_rgb(hue / 360, 0.6, saturation))


ENTITY_COLOURS.update({label: _seed(label) for label in ENTITY_LABELS})


class Palette:
    """Every span style fitted to one background (a theme's document background)."""

    def __init__(self, schema: Schema | None, background: str = DARK_BACKGROUND) -> None:
        self.background = background
        self.dark = luminance(background) <= 0.2
        self.stance_colours: dict[str, str] = dict(STANCE_FALLBACK)
        if schema is not None:
            for name, fallback in STANCE_FALLBACK.items():
                self.stance_colours[name] = schema.colour("stances", name, fallback)
            for label in schema.stances:
                self.stance_colours.setdefault(label.name, label.colour or "white")
        share = 0.28 if self.dark else 0.15  # light tints stay light: dark text must read
        self.tints: dict[str, str] = {}
        for name, colour in self.stance_colours.items():
            try:
                self.tints[name] = blend(colour, background, share)
            except Exception:
                continue
        self.backgrounds = (background, *self.tints.values())
        self._entity: dict[str, Style] = {}
        self._label: dict[str, Style] = {}

    def colour(self, colour: str) -> str:
        """A colour made readable on this background and on every claim tint."""
        return readable(colour, self.backgrounds)

    def entity(self, label: str) -> Style:
        style = self._entity.get(label)
        if style is None:
            italic = ENTITY_LOOKS.get(label, (0, False))[1]
            style = Style(color=self.colour(_seed(label)), bold=True, italic=italic or None)
            self._entity[label] = style
        return style

    def label(self, label: str, monochrome: bool) -> Style:
        """An inline label's tag: the type's colour on a tint of it, at 4.5:1 or better."""
        if monochrome:
            return LABEL_MONO
        style = self._label.get(label)
        if style is None:
            seed = _seed(label)
            tint = blend(seed, self.background, LABEL_TINT)
            style = Style(color=readable(seed, (tint,)), bgcolor=tint, italic=True)
            self._label[label] = style
        return style

    def stance(self, stance: str) -> Style:
        tint = self.tints.get(stance)
        return Style(underline=True, bgcolor=tint) if tint else Style(underline=True)

    def other(self, stance: str) -> Style:
        """Another annotator's claim: no tint; italic underline in the stance colour."""
        colour = self.stance_colours.get(stance)
        return Style(underline=True, italic=True, color=self.colour(colour) if colour else None)

    def search(self, monochrome: bool) -> Style:
        return SEARCH_MONO if monochrome else SEARCH

    def candidate(self, monochrome: bool) -> Style:
        """A claim candidate: dim underline, muted blue text when there is colour."""
        if monochrome:
            return CANDIDATE_MONO
        return Style(underline=True, dim=True, color=self.colour(CANDIDATE_SEED))


@lru_cache(maxsize=64)
def entity_style(label: str, background: str = DARK_BACKGROUND) -> Style:
    """The style of an entity type on ``background`` (without claim tints)."""
    return _palette(background).entity(label)


@lru_cache(maxsize=8)
def _palette(background: str) -> Palette:
    return Palette(None, background)


class ClaimStyles:
    """Claim styles from the schema's stance colours, fitted to a background (see ``for_``)."""

    def __init__(self, schema: Schema, background: str = DARK_BACKGROUND) -> None:
        self.schema = schema
        self.palette = Palette(schema, background)

    def for_(self, background: str) -> Palette:
        """The palette for another background (the theme changed); cached while it stays."""
        if background != self.palette.background:
            self.palette = Palette(self.schema, background)
        return self.palette

    def stance(self, stance: str) -> Style:
        return self.palette.stance(stance)

    def other(self, stance: str) -> Style:
        return self.palette.other(stance)
