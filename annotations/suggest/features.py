"""Transparent features of one candidate unit: what in its words and entities says "claim" or not.

Each feature has a name, a value (a count capped at ``CAP``, or 0/1) and the piece of text that
set it, so the reasons shown to a user quote the sentence itself. Only features that fire are kept.
Everything is a precompiled regular expression run on the unit's slice of the text (no per-character
Python loops): a 10 MB document has some 70,000 units.

Positive evidence (check-worthy factual claims, ClaimBuster's sense): numbers and the numeric
entities (MONEY, PERCENT, QUANTITY, CARDINAL, DATE, ORDINAL), named entities, comparatives,
superlatives and changes ("rose 7%"), attribution to a speaker, future forms, causal connectives,
law and rule words, one's own experience. Negative evidence: hedges ("may", "can"), first-person
opinion markers, normative "should", willingness and hope, vague praise, captions and credits,
questions, exclamations, very short units and headings.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from annotations.model import Entity
from annotations.suggest.feature_patterns import (
    BY_PIECE,
    BY_WORD,
    CAP,
    CLOSED,
    FIGURES,
    HEADING_WORDS,
    LONG_WORDS,
    MATCHES_USED,
    NAMED_LABELS,
    NUMERIC_LABELS,
    ON_LOWER,
    OPENING_QUOTES,
    PATTERNS,
    PIECES,
    SHORT_WORDS,
    SPEAKER_LABELS,
    TRIGGER_WORDS,
    UNGATED,
    WORD,
)


@dataclass(slots=True)
class Features:
    """The features that fired in one unit, the text behind each, and the attributed speaker."""

    values: dict[str, float] = field(default_factory=dict)
    evidence: dict[str, str] = field(default_factory=dict)
    speaker: str = ""

    def set(self, name: str, value: float, evidence: str = "") -> None:
        self.values[name] = value
        if evidence:
            self.evidence[name] = evidence


def unit_features(
    text: str,
    start: int,
    end: int,
    entities: Sequence[Entity],
    gate: bool = True,
    quoted: bool = False,
) -> Features:
    """Features of ``text[start:end]``; ``entities`` are those inside the unit, sorted by start;
    ``quoted``: the unit starts inside a quotation opened earlier on its line (direct speech).

    ``gate`` skips a pattern when none of its ``TRIGGERS`` is in the unit (the same result,
    several times faster); ``gate=False`` runs every pattern, for the test that says so."""
    unit = text[start:end]
    out = Features()
    attributions: list[re.Match[str]] = []
    lower = unit.lower()
    same_length = len(lower) == len(unit)  # "İ" lowers to two code points: offsets would move
    all_words = WORD.findall(lower)
    wanted = set(UNGATED)
    for word in TRIGGER_WORDS.intersection(all_words):
        wanted |= BY_WORD[word]
    # trigger pieces, a word ending in "est" (maybe a superlative), a digit (maybe a number)
    for piece in set(PIECES.findall(lower)):
        wanted.add(BY_PIECE.get(piece, "number"))
    for name, pattern in PATTERNS:
        if gate and name not in wanted:
            continue
        fast = ON_LOWER.get(name) if same_length else None
        if name not in MATCHES_USED:  # the words matched are enough (no groups: see below)
            words = fast.findall(lower) if fast is not None else pattern.findall(unit)
            if words:
                out.set(name, min(len(words), CAP), words[0])
            continue
        found = list(fast.finditer(lower) if fast is not None else pattern.finditer(unit))
        if name == "number" and found:
            found = _outside_dates(found, start, entities)
        if not found:
            continue
        out.set(name, min(len(found), CAP), found[0].group())
        if name == "attribution":
            attributions = found
    counts: dict[str, int] = {}
    first_of: dict[str, str] = {}
    for entity in entities:
        label = NUMERIC_LABELS.get(entity.label)
        if label is None and entity.label in NAMED_LABELS:
            label = "named"
        if label is not None:
            counts[label] = counts.get(label, 0) + 1
            first_of.setdefault(label, text[entity.start : entity.end])
    for name, count in counts.items():
        out.set(name, min(count, CAP), first_of[name])
    if attributions:
        out.speaker = _speaker(text, start, attributions, entities)
        if out.speaker:
            out.set("speaker", 1, out.speaker)
    closing = unit.rstrip().rstrip("\"”’')»")  # '..., really?"' is a question too
    if closing.endswith("?"):
        out.set("question", 1, "?")
    elif closing.endswith("!"):
        out.set("exclamation", 1, "!")
    count = len(all_words) if same_length else len(WORD.findall(unit))
    if count < SHORT_WORDS:
        out.set("short", 1, f"{count} words")
    elif count >= LONG_WORDS:
        out.set("long", 1, f"{count} words")
    if quoted or unit[:1] in OPENING_QUOTES:
        out.set("quote", 1, unit[:1] if unit[:1] in OPENING_QUOTES else "")
    if "future" in out.values and not FIGURES.isdisjoint(out.values):
        out.set("forecast", 1, out.evidence["future"])
    if count < HEADING_WORDS and not CLOSED.search(unit) and _ends_line(text, end):
        out.set("heading", 1, "no closing stop")
    return out


def _outside_dates(
    found: list[re.Match[str]], offset: int, entities: Sequence[Entity]
) -> list[re.Match[str]]:
    """The numbers that are no part of a DATE entity: "In 2019, she..." sets a scene, while
    "22 villagers" or "7.1%" is a figure to check."""
    dates = [(e.start - offset, e.end - offset) for e in entities if e.label == "DATE"]
    if not dates:
        return found
    return [m for m in found if not any(s <= m.start() < e for s, e in dates)]


def _ends_line(text: str, end: int) -> bool:
    """Nothing but spaces follows the unit on its line. (Pasted news often loses the break
    before a heading, "..., Xinhua reported. Return hometown to start own business", so only
    the end of the line is asked for.)"""
    line_end = text.find("\n", end)
    line_end = len(text) if line_end == -1 else line_end
    return not text[end:line_end].strip()


_AFTER_GAP = re.compile(r"[\s,]*(?:the\s+)?$")  # "said Guo", "according to the Ministry"
_BEFORE_GAP = re.compile(r"^[^.;:\"“”!?]{0,60}$")  # "Guo Jiakun, the spokesman, said"
_NO_AFTER = frozenset({"told", "tells"})  # "X told Xinhua": the one after is the listener


def _speaker(
    text: str, offset: int, verbs: Sequence[re.Match[str]], entities: Sequence[Entity]
) -> str:
    """The PERSON / ORG / NORP entity an attribution names: the one "according to" introduces,
    the nearest one before a reporting verb ("..., Guo Jiakun said"), else the one right after it
    ("said Guo Jiakun"). Empty when the attribution names no such entity ("the ministry said")."""
    speakers = [e for e in entities if e.label in SPEAKER_LABELS]
    if not speakers:
        return ""
    for verb in verbs:
        v_start, v_end = offset + verb.start(), offset + verb.end()
        after = next((e for e in speakers if e.start >= v_end), None)
        if verb.group().lower().startswith("according"):
            if after is not None and _AFTER_GAP.fullmatch(text, v_end, after.start):
                return text[after.start : after.end]
            continue
        before = [e for e in speakers if e.end <= v_start]
        if before and _BEFORE_GAP.match(text[before[-1].end : v_start]):
            return text[before[-1].start : before[-1].end]
        if (
            after is not None
            and verb.group().lower() not in _NO_AFTER
            and _AFTER_GAP.fullmatch(text, v_end, after.start)
        ):
            return text[after.start : after.end]
    return ""


def features_of_units(
    text: str, spans: Iterable[tuple[int, int]], entities: Sequence[Entity]
) -> Iterator[tuple[int, int, Features]]:
    """Each unit ``(start, end)`` of ``text`` with its features; the entities inside a unit are
    found by bisect over ``entities`` (the text's, in any order)."""
    ordered = sorted(entities, key=lambda e: (e.start, e.end))
    starts = [e.start for e in ordered]
    quotes = _QuoteState(text)
    for start, end in spans:
        lo = bisect.bisect_left(starts, start)
        hi = bisect.bisect_left(starts, end, lo)
        inside = [e for e in ordered[lo:hi] if e.end <= end]
        yield start, end, unit_features(text, start, end, inside, quoted=quotes.inside_at(start))


class _QuoteState:
    """Whether a position is inside a quotation opened earlier on its line, read forward from
    the last position asked (units come in order: each character is read once)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.at = -1  # the last position asked; -1: none yet
        self.inside = False

    def inside_at(self, pos: int) -> bool:
        text = self.text
        if self.at < 0 or pos < self.at or text.find("\n", self.at, pos) != -1:
            self.at = text.rfind("\n", 0, pos) + 1  # a new line: no quotation is open
            self.inside = False
        piece = text[self.at : pos]
        self.at = pos
        if piece.count('"') % 2:
            self.inside = not self.inside
        opened, closed = piece.count("“"), piece.count("”")
        if opened != closed:
            self.inside = opened > closed
        return self.inside
