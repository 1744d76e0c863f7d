"""Chunks: runs of capitalised tokens, the unit the name rules look at.

A *chunk* is a maximal run of capitalised tokens joined by spaces or by the small words names
contain ("of", "and", "von der", ", Ltd."). The expression is deliberately loose and starts with a
character class, so the regex engine skips ahead fast: a 10 MB text is scanned in ~0.15 s.
Possessives, full stops and particles are sorted out afterwards by ``tokens``, once per distinct
chunk (results are cached by the chunk's text).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from annotations.entities import vocab

_UP = "A-ZÀ-ÖØ-Þ"
_PARTICLES = "von der|von|van der|van|de la|de|del|der|da|di|dos|du|des|la|le|bin|al|el"
_SKIP = (
    "The|In|It|This|I|We|She|He|While|These|By|For|However|After|As|But|If|When|On|At|"
    "With|They|That|There|A|An|Its|Our|Their|His|Her|Some|Many|To|From|According|Although|"
    "Despite|Since|During|Meanwhile|Moreover|Furthermore|Thus|Then|So|Yet|Also|Such|Both"
)
# A lone function word starting a sentence ("The", "However"): no name, skipped at once.
LONE_WORDS = frozenset(_SKIP.split("|"))
# Starts with a character class so the regex engine can skip ahead fast (no lookahead first).
CHUNK = re.compile(
    rf"[{_UP}](?<!\w[{_UP}])[\w'’.-]*"
    rf"(?:(?: (?:(?:of|for|on|in|and|&|the|{_PARTICLES}) )*|, (?=(?:Ltd|Inc|LLC|Co|Limited)\b))"
    rf"[{_UP}0-9][\w'’.-]*)*"
)
_RAW_TOKEN = re.compile(rf"[{_UP}0-9][\w'’.-]*")
PARTICLE_GAP = frozenset(f" {p} " for p in _PARTICLES.split("|"))
EXTEND = {
    " of ": "ofo",
    " of the ": "ofo",
    " for ": "for",
    " for the ": "for",
    " on ": "on",
    " on the ": "on",
    " in ": "in",
    " in the ": "in",
    " and ": "and",
    " & ": "and",
    " and the ": "and",
}
DATE_WORDS = vocab.words("""
    Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March April May
    June July August September October November December Today Tomorrow Yesterday""")
_PRONOUNS = vocab.words("""
    I We You He She They It Its Our Their His Her My Your Us Them Me Him This That These Those
    There Here""")
_NAME_POSSESSIVES = frozenset(["People", "Women", "Children", "Men"])
_NAME_PLURAL_POSSESSIVES = frozenset(["Workers", "Farmers", "Singles", "Veterans", "Teachers"])
_ABBREVIATIONS = vocab.words("""
    Co Ltd Inc Corp Jr Sr St Dr Mr Mrs Ms Prof Gen Lt Col Sen Rep Gov Mt Ft Bros No""")
_INITIALS = re.compile(rf"(?:[{_UP}]\.)+(?:-[{_UP}]\w*)*")


Hit = tuple[int, int, str, str]  # first token, last token, label, canonical name


@dataclass(frozen=True, slots=True)
class Span:
    """A typed part of a chunk, offsets relative to the chunk. ``how`` says which rule found it."""

    start: int
    end: int
    label: str  # "" while unknown
    how: str  # gaz, head, weak, title, fname, cname, body, dir, hyphen, unknown, west
    aliases: tuple[str, ...] = ()
    why: str = ""  # the evidence, for ``annotty entities --explain``: "head noun 'University'"


@dataclass(slots=True)
class Tok:
    start: int
    end: int
    text: str
    kind: str  # word, stop, title, head, num, date
    used: bool = False
    hit: int = -1  # index of the multi-word gazetteer name it is part of


def kind(text: str, mid: bool) -> str:
    if text[0].isdigit():
        return "num"
    if text in DATE_WORDS:
        return "date"
    if text in vocab.STOPWORDS and (not mid or text in _PRONOUNS):
        return "stop"  # mid-sentence, "Next" or "The" is part of a name: the "Next Generation ..."
    if text in vocab.TITLES:
        return "title"
    if text in vocab.HEAD_LABELS:
        return "head"
    return "word"


def tokens(chunk: str, mid: bool) -> list[list[Tok]]:
    """The chunk's tokens, split into runs at possessives and full stops ("China's Foreign")."""
    runs: list[list[Tok]] = [[]]
    for i, match in enumerate(_RAW_TOKEN.finditer(chunk)):
        start, end = (0 if i == 0 else match.start()), match.end()
        raw = chunk[start:end]
        stop_after, sentence_end = False, False
        if raw.endswith(("'s", "’s")) and raw[:-2] not in _NAME_POSSESSIVES:
            end, stop_after = end - 2, True
        elif (
            raw.endswith(("'", "’"))
            and raw[:-1] not in _NAME_PLURAL_POSSESSIVES
            or raw.endswith("-")
        ):
            end, stop_after = end - 1, True
        elif raw.endswith(".") and not (raw[:-1] in _ABBREVIATIONS or _INITIALS.fullmatch(raw)):
            end, stop_after, sentence_end = end - 1, True, True
        if end > start:
            text = chunk[start:end]
            runs[-1].append(Tok(start, end, text, kind(text, mid or bool(runs[-1]))))
        if stop_after:
            runs.append([])
            mid = not sentence_end
    return [run for run in runs if run]
