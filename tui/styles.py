"""How spans look: entities by type, claims by stance, selection and cursor.

Every kind is distinguishable without colour too (NO_COLOR, monochrome terminals): entities are
bold, claims underlined (overlaps doubly so, in italics), the selection and cursor reversed.
"""

from __future__ import annotations

from functools import lru_cache

from rich.style import Style

from annotations.schema import Schema

ENTITY_COLOURS: dict[str, str] = {
    "PERSON": "#e5c07b", "ORG": "#61afef", "GPE": "#56b6c2", "LOC": "#56b6c2",
    "NORP": "#c678dd", "FAC": "#98c379", "DATE": "#d19a66", "TIME": "#d19a66",
    "MONEY": "#98c379", "PERCENT": "#98c379", "QUANTITY": "#98c379", "CARDINAL": "#abb2bf",
    "ORDINAL": "#abb2bf", "EVENT": "#e06c75", "PRODUCT": "#be5046", "LAW": "#e06c75",
    "WORK_OF_ART": "#be5046", "LANGUAGE": "#c678dd",
}
STANCE_FALLBACK = {"favor": "green", "against": "red", "none": "yellow"}
SELECTION = Style(reverse=True)
CURSOR = Style(reverse=True, blink=False, underline=True)
SEARCH = Style(bgcolor="#5c4d00", bold=True)
OVERLAP = Style(italic=True, underline2=True)


@lru_cache(maxsize=64)
def entity_style(label: str) -> Style:
    return Style(color=ENTITY_COLOURS.get(label, "#abb2bf"), bold=True)


class ClaimStyles:
    """Claim styles from the schema's stance colours."""

    def __init__(self, schema: Schema) -> None:
        self._styles: dict[str, Style] = {}
        self._colours: dict[str, str] = {}
        for name, fallback in STANCE_FALLBACK.items():
            colour = schema.colour("stances", name, fallback)
            self._colours[name] = colour
            self._styles[name] = Style(underline=True, bgcolor=_dim(colour))
        for label in schema.stances:
            if label.name not in self._styles:
                colour = label.colour or "white"
                self._styles[label.name] = Style(underline=True, bgcolor=_dim(colour))

    def stance(self, stance: str) -> Style:
        return self._styles.get(stance) or Style(underline=True)

    def other(self, stance: str) -> Style:
        """Another annotator's claim: no tint; dim italic underline in the stance colour."""
        colour = self._colours.get(stance)
        return Style(underline=True, italic=True, dim=True, color=colour)


def _dim(colour: str) -> str | None:
    """A dark background tint of a stance colour, so claims read as highlighted regions."""
    from rich.color import Color

    try:
        triplet = Color.parse(colour).get_truecolor()
    except Exception:
        return None
    r, g, b = (int(c * 0.28) for c in triplet)
    return f"#{r:02x}{g:02x}{b:02x}"
