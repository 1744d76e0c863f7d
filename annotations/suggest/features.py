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

CAP = 3  # a count beyond this adds nothing: ten numbers are no more a claim than three
SHORT_WORDS = 6  # fewer words than this: a fragment, a dateline, a caption
HEADING_WORDS = 15  # a line this short without a closing stop reads as a heading
SPEAKER_LABELS = frozenset({"PERSON", "ORG", "NORP"})
NAMED_LABELS = frozenset({"PERSON", "ORG", "GPE", "NORP", "LOC", "FAC", "EVENT", "LAW", "PRODUCT"})
# entity label -> feature name
NUMERIC_LABELS = {
    "MONEY": "money",
    "PERCENT": "percent",
    "QUANTITY": "quantity",
    "CARDINAL": "cardinal",
    "DATE": "date",
    "ORDINAL": "ordinal",
}

_I = re.IGNORECASE

# (feature name, pattern): each counts its matches in the unit
PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    # not inside a word or a web address ("G1", "toutiao.com/article/7600966119763771919/")
    ("number", re.compile(r"(?<![\w./])\d[\d,.]*(?:\s?%|\s?per\s?cent)?(?![\w/])")),
    (
        "comparative",
        re.compile(
            r"\b(?:(?:more|less|fewer|higher|lower|greater|larger|smaller|bigger|faster|slower"
            r"|better|worse|older|younger|cheaper|stronger|weaker)\s+(?:\w+\s+)?than"
            r"|compared\s+(?:with|to)|twice\s+as|times\s+(?:more|as|higher|larger)"
            r"|outpac\w+|surpass\w*|exceed\w*)\b",
            _I,
        ),
    ),
    (
        "change",  # a figure moving: statistical rather than a comparison of two things
        re.compile(
            r"\b(?:rose|grew|fell|dropped|increased|decreased|declined|jumped|surged|climbed"
            r"|soared|plunged|rising|growing|falling|increasing|decreasing|doubled|tripled"
            r"|halved|up\s+from|down\s+from)\b",
            _I,
        ),
    ),
    (
        "superlative",
        re.compile(
            r"\b(?:most|least|best|worst|top|record(?:-\w+)?|first\s+of\s+its\s+kind"
            r"|(?:the\s+)?(?:first|only)\s+(?:\w+\s+)?(?:in|of)\s+the\s+world|world's\s+\w+"
            # "-est" words, less the common ones that are no superlative ("interest", "honest")
            r"|(?!(?:inter|requ|for|hon|mod|prot|sugg|inv|harv|cont|arr|dig|manif|gu|qu|ch|cr"
            r"|north-?w|south-?w|midw|earn|conqu|beh|bequ|temp|lat)est\b)[a-z]{2,}est)\b",
            _I,
        ),
    ),
    (
        "attribution",
        re.compile(
            r"\b(?:said|says|told|tells|stated|states|announced|noted|added|stressed|emphasi[sz]ed"
            r"|explained|claimed|argued|warned|reported|revealed|wrote|confirmed|insisted"
            r"|pointed\s+out|according\s+to)\b",
            _I,
        ),
    ),
    (
        "future",
        re.compile(
            r"\b(?:will|won't|shall|(?:is|are|was|were)\s+(?:expected|set|scheduled|due|poised"
            r"|projected|forecast|slated|likely)\s+to|scheduled\s+for|plans?\s+to|aims?\s+to"
            r"|going\s+to"
            r"|by\s+(?:the\s+end\s+of\s+)?20\d\d|next\s+(?:year|month|week|decade)"
            r"|in\s+the\s+coming\s+\w+|forecasts?|projected|upcoming)\b",
            _I,
        ),
    ),
    (
        "causal",
        re.compile(
            r"\b(?:because(?:\s+of)?|due\s+to|owing\s+to|thanks\s+to|as\s+a\s+result(?:\s+of)?"
            r"|(?:led|leads|lead|leading)\s+to|result(?:ed|s)?\s+in|caus(?:e|es|ed|ing)"
            r"|contribut(?:ed|es|ing)\s+to|driven\s+by|therefore|consequently|hence"
            r"|(?:boost|spur|fuel|trigger|prompt)(?:s|ed)?)\b",
            _I,
        ),
    ),
    (
        "law",
        re.compile(
            r"\b(?:laws?|Act|regulations?|rules?|bans?|banned|banning|requires?|required"
            r"|legislation|statutes?|treaty|treaties|constitution(?:al)?|illegal|unlawful"
            r"|prohibit\w*|mandatory|decree|sanctions?|tariffs?|court\s+ruled)\b"
        ),
    ),
    (
        "hedge",
        # case-sensitive "may": "May" is mostly the month
        re.compile(
            r"\b(?:may|might|could|can|(?i:perhaps|possibly|maybe|seems?|appears?\s+to|reportedly"
            r"|allegedly|presumably|arguably|unclear))\b"
        ),
    ),
    (
        "opinion",
        re.compile(
            r"\b(?:I|we)\s+(?:think|believe|feel|hope|guess|suppose|doubt|wish)\b"
            r"|\b(?:in\s+my\s+(?:view|opinion)|in\s+our\s+(?:view|opinion)|personally"
            r"|to\s+me|I'm\s+sure|I\s+am\s+sure)\b"
        ),
    ),
    ("first_person", re.compile(r"\b(?:I|me|my|mine|myself|we|We|our|Our|us|ourselves)\b")),
    (
        "experience",
        re.compile(
            r"\b(?:I|we|We)\s+(?:was|were|had|saw|went|visited|met|lived|worked|grew|remember"
            r"|recall|have\s+(?:been|seen|lived|worked|visited))\b|\b(?:when\s+I|my\s+(?:family"
            r"|father|mother|parents|son|daughter|home|village|childhood))\b"
        ),
    ),
    (
        "normative",
        re.compile(r"\b(?:should|ought\s+to|must|need\s+to|needs\s+to|deserves?)\b", _I),
    ),
    (
        "willingness",  # will, support and hope are no fact: "China is willing to continue..."
        re.compile(
            r"\b(?:(?:is|are|was|were|remains?)\s+(?:willing|ready|happy|glad|eager)\s+to"
            r"|stands?\s+ready|hopes?\s+(?:to|that)|looks?\s+forward|welcomes?|urges?|urged"
            r"|calls?\s+(?:on|for)|called\s+(?:on|for)|wish(?:es)?\s+to)\b",
            _I,
        ),
    ),
    (
        "praise",  # vague praise states nothing checkable: "impressive progress"
        re.compile(
            r"\b(?:impressive|remarkable|formidable|tremendous|outstanding|splendid|brilliant"
            r"|vibrant|glorious|magnificent|extraordinary|admirable|wonderful|fantastic"
            r"|amazing|inspiring|miraculous)\b",
            _I,
        ),
    ),
    (
        "meta",  # captions, credits, bylines and boilerplate: "Photo: ...", "(Translated by ...)"
        re.compile(
            r"^\W*(?:photo|image|file\s+photo|source|original\s+source|statement|editor"
            r"|translated\s+by|reporter|caption|disclaimer)\b",
            _I,
        ),
    ),
)

# the case-insensitive patterns, run on the lower-cased unit: three times faster than IGNORECASE
_ON_LOWER = {n: re.compile(p.pattern, p.flags & ~re.I) for n, p in PATTERNS if p.flags & re.I}
_WORD = re.compile(r"\w+")


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# feature -> (lower-case words one of which every match holds, or pieces of text it holds):
# a unit with none of them cannot match, and most units hold triggers of only a few features
TRIGGERS: dict[str, tuple[frozenset[str], tuple[str, ...]]] = {
    "comparative": (
        _words(
            "more less fewer higher lower greater larger smaller bigger faster slower better "
            "worse older younger cheaper stronger weaker compared twice times"
        ),
        ("outpac", "surpass", "exceed"),
    ),
    "change": (
        _words(
            "rose grew fell dropped increased decreased declined jumped surged climbed soared "
            "plunged rising growing falling increasing decreasing doubled tripled halved up down"
        ),
        (),
    ),
    "superlative": (_words("most least best worst top record first only world"), ("est",)),
    "attribution": (
        _words(
            "said says told tells stated states announced noted added stressed emphasized "
            "emphasised explained claimed argued warned reported revealed wrote confirmed "
            "insisted pointed according"
        ),
        (),
    ),
    "future": (
        _words(
            "will won shall expected set scheduled due poised projected forecast forecasts "
            "slated likely plan plans aim aims going by next coming upcoming"
        ),
        (),
    ),
    "causal": (
        _words(
            "because due owing thanks result led leads lead leading resulted results cause "
            "causes caused causing contributed contributes contributing driven therefore "
            "consequently hence"
        ),
        ("boost", "spur", "fuel", "trigger", "prompt"),
    ),
    "law": (
        _words(
            "law laws act regulation regulations rule rules ban bans banned banning require "
            "requires required legislation statute statutes treaty treaties constitution "
            "constitutional illegal unlawful mandatory decree sanction sanctions tariff "
            "tariffs court"
        ),
        ("prohibit",),
    ),
    "hedge": (
        _words(
            "may might could can perhaps possibly maybe seem seems appear appears reportedly "
            "allegedly presumably arguably unclear"
        ),
        (),
    ),
    "opinion": (
        _words("think believe feel hope guess suppose doubt wish view opinion personally me sure"),
        (),
    ),
    "first_person": (_words("i me my mine myself we our us ourselves"), ()),
    "experience": (_words("i we my"), ()),
    "normative": (_words("should ought must need needs deserve deserves"), ()),
    "willingness": (
        _words(
            "willing ready happy glad eager hope hopes look looks welcome welcomes urge urges "
            "urged call calls called wish wishes"
        ),
        (),
    ),
    "praise": (
        _words(
            "impressive remarkable formidable tremendous outstanding splendid brilliant vibrant "
            "glorious magnificent extraordinary admirable wonderful fantastic amazing inspiring "
            "miraculous"
        ),
        (),
    ),
    "meta": (
        _words(
            "photo image file source original statement editor translated reporter caption "
            "disclaimer"
        ),
        (),
    ),
}
_CLOSED = re.compile(r"[.!?:;\"”’')\]…]\s*$")


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
    text: str, start: int, end: int, entities: Sequence[Entity], gate: bool = True
) -> Features:
    """Features of ``text[start:end]``; ``entities`` are those inside the unit, sorted by start.

    ``gate`` skips a pattern when none of its ``TRIGGERS`` is in the unit (the same result,
    several times faster); ``gate=False`` runs every pattern, for the test that says so."""
    unit = text[start:end]
    out = Features()
    attributions: list[re.Match[str]] = []
    lower = unit.lower()
    same_length = len(lower) == len(unit)  # "İ" lowers to two code points: offsets would move
    words = set(_WORD.findall(lower)) if gate else set()
    for name, pattern in PATTERNS:
        if gate and name in TRIGGERS:
            triggers, pieces = TRIGGERS[name]
            if triggers.isdisjoint(words) and (not pieces or not any(p in lower for p in pieces)):
                continue
        fast = _ON_LOWER.get(name) if same_length else None
        found = list(fast.finditer(lower) if fast is not None else pattern.finditer(unit))
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
    count = len(_WORD.findall(unit))
    if count < SHORT_WORDS:
        out.set("short", 1, f"{count} words")
    if count < HEADING_WORDS and not _CLOSED.search(unit) and _ends_line(text, end):
        out.set("heading", 1, "no closing stop")
    return out


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
    for start, end in spans:
        lo = bisect.bisect_left(starts, start)
        hi = bisect.bisect_left(starts, end, lo)
        inside = [e for e in ordered[lo:hi] if e.end <= end]
        yield start, end, unit_features(text, start, end, inside)
