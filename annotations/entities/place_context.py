"""Places the gazetteer leaves out, tagged from the words around them: "in Tarkwa", "GENEVA,".

``places.tsv`` stops at cities of 250,000 people, because below that thousands of names are also
words or people ("Banga", "Wilson", "Lund"). ``towns.tsv`` lists those towns, and a town is tagged
only where the text says it is a place: a preposition of place, "X-based", "X, Ghana", "the town
of X", "mayor of X", "X's residents", a list of places, a dateline. The strongest of these (a
dateline, "X, <known place>" after a preposition, "the town of X", "X-based") also tag a name no
list knows. Every rule names itself in the span's source, for ``annotty entities --explain``.
"""

from __future__ import annotations

import re

from annotations.entities import gazetteer as gazetteer_mod
from annotations.entities import project_gazetteer as pg
from annotations.entities import vocab
from annotations.entities.first_names import is_first_name

Place = tuple[int, str, str]  # end, label, reason
Found = tuple[int, int, str, str]  # start, end, label, source (as in rules.py)

# Seats of intergovernmental bodies below the gazetteer's size floor: news names them as places
# (and as stand-ins for the bodies) without any other hint.
SEATS = frozenset({"Geneva", "The Hague", "Strasbourg", "Lausanne", "Basel", "Gland", "Arusha"})
# Before a listed town; "at" is left out ("an analyst at Nokia", "at Oxford": employers and
# universities named after towns), and "from" needs a town that is not also a first name.
_TOWN_PREPOSITIONS = frozenset({"in", "near", "outside", "from"})
# Before a name followed by ", <known place>": "at Kourou, French Guiana".
_PREPOSITIONS = _TOWN_PREPOSITIONS | {"at", "around"}
_OF_NOUNS = {
    **dict.fromkeys(
        vocab.words("""town city village municipality capital resort suburb suburbs district
        province state region county outskirts mayor residents governor towns cities villages
        port people council streets centre center"""),
        "GPE",
    ),
    **dict.fromkeys(vocab.words("island islands"), "LOC"),
}
_OF_WEAK = vocab.words("port people council streets centre center")  # "the people of Rome"
_OF_DETERMINERS = vocab.words("the its their nearby")
_POSSESSED = re.compile(
    r"['’]s (?:mayor|council|residents|town hall|city hall|municipality|inhabitants|"
    r"outskirts|suburbs|streets|city centre|town centre|main square|port|harbour|airport)\b"
)
_DATELINE_AFTER = re.compile(
    r"(?:, (?:[A-Z][a-z]{2,8}\.? \d|[A-Z][\w.]*(?: [A-Z][\w.]*)*(?:,| [-–—(]| ?$))"
    r"| ?[-–—(])",
    re.MULTILINE,
)
_AFTER_PLACE = frozenset(",.;:)\n")
_LIST_GAPS = frozenset({", ", " and ", ", and ", " or "})
_PLURAL_OF = re.compile(r"place: (?:listed after )?'(islands|towns|cities|villages|suburbs) of")
_CAPITALISED_WORDS = re.compile(r"[A-ZÀ-Þ][\w'’.-]*(?: [A-ZÀ-Þ][\w'’.-]*){0,3}")


def place(
    text: str, start: int, end: int, gaz: gazetteer_mod.Gazetteer, found: list[Found]
) -> Place | None:
    """Is the unexplained name ``text[start:end]`` a place by the words around it?"""
    surface = text[start:end]
    # "X-based": a town or a known place, not "Android-based phones"
    based = surface.find("-based", 1)
    if based > 0 and (based + 6 == len(surface) or surface[based + 6] == " "):
        stem = surface[:based]
        if start and text[start - 1] != "\n" and known_place(stem, gaz):
            return start + based, "GPE", f"place: '{stem}-based'"
        return None
    line_start = start == 0 or text[start - 1] == "\n"
    upper = surface.isupper()
    if upper:
        dateline = _DATELINE_AFTER.match(text, end) if line_start else None
        if dateline is None:
            return None
        if known_place(surface.title(), gaz):
            return end, "GPE", "place: dateline"
        # a name no list knows: one word and a comma ("SFAX, Tunisia"), not "UPDATE - The ..."
        if (
            " " not in surface
            and len(surface) > 3
            and dateline.group().startswith(",")
            and gaz.label(surface.title()) is None
        ):
            return end, "GPE", "place: dateline"
        return None
    town = surface in gazetteer_mod.towns()
    if town and surface in SEATS:
        return end, "GPE", f"seat of international bodies: '{surface}'"
    if text.startswith(" of ", start - 4):
        noun = _previous_word(text, start - 3)
        label = _OF_NOUNS.get(noun)
        if label and (
            noun not in _OF_WEAK or _previous_word(text, start - 4 - len(noun)) in _OF_DETERMINERS
        ):
            return end, label, f"place: '{noun} of {surface}'"
    if found and text[found[-1][1] : start] in _LIST_GAPS:
        plural = _PLURAL_OF.match(found[-1][3])  # "the islands of Malo and Aore"
        if plural:
            return end, found[-1][2], f"place: listed after '{plural.group(1)} of'"
    comma_place = text.startswith(", ", end) and _known_place_after(text, end + 2, gaz)
    if comma_place and (town or line_start or _previous_word(text, start) in _PREPOSITIONS):
        return end, "GPE", f"place: '{surface}, {comma_place}'"
    if not town:
        return None
    prev = _previous_word(text, start)
    if prev in _TOWN_PREPOSITIONS and not (
        prev == "from" and (is_first_name(surface) or surface in vocab.SURNAMES)
    ):  # "a letter from Wilson"
        return end, "GPE", f"town: '{prev} {surface}'"
    possessed = _POSSESSED.match(text, end)
    if possessed:
        return end, "GPE", f"town: '{surface}{possessed.group()}'"
    if line_start and _DATELINE_AFTER.match(text, end):
        return end, "GPE", "town: dateline"
    if found and found[-1][2] == "GPE" and text[found[-1][1] : start] in _LIST_GAPS:
        return end, "GPE", "town: listed with places"
    return None


def learn(learned: dict[str, str], surface: str, label: str) -> None:
    """Later mentions follow a place found by context; "GENEVA" teaches "Geneva" too."""
    learned.setdefault(surface, label)
    if surface.isupper():
        learned.setdefault(surface.title(), label)


def known_place(name: str, gaz: gazetteer_mod.Gazetteer) -> bool:
    """A listed town, or a place in the gazetteer."""
    return name in gazetteer_mod.towns() or gaz.label(name) in ("GPE", "LOC")


def _known_place_after(text: str, start: int, gaz: gazetteer_mod.Gazetteer) -> str:
    """The known country, state or province right after a comma, ending the phrase, or ""."""
    match = _CAPITALISED_WORDS.match(text, start)
    if match is None:
        return ""
    words = match.group().split(" ")
    for n in range(len(words), 0, -1):
        name = " ".join(words[:n]).rstrip(".,")
        after = start + len(name)
        if gaz.label(pg.normalise(name)) == "GPE" and (
            after >= len(text) or text[after] in _AFTER_PLACE or text.startswith(" -", after)
        ):
            return name
    return ""


def _previous_word(text: str, start: int) -> str:
    """The lower-cased word right before ``start`` (one space between), or ""."""
    end = start - 1
    if end < 1 or text[end] != " ":
        return ""
    space = text.rfind(" ", max(0, end - 16), end)
    newline = text.rfind("\n", max(0, end - 16), end)
    word = text[max(space, newline) + 1 : end]
    return word.lower() if word.isalpha() else ""
