"""What the words around numbers change, after ``numeric`` has found them.

- An age after a name is a DATE in OntoNotes: "Hedi Mabrouk, 61, who ...", "Chebet, now 67,".
- An amount compared with money is money: "1.3 billion crowns from 740 million".
- A rate is no date: "$35 billion a year", "once a day", "14 times a day".
- A range is one span: "22 to 26 percent", "between 44 and 48 pesos", "between January and May".
- Words that place a date belong to it: "late September", "early 2027", "later this year",
  "the 1990s", "the next three months", "coming decades".
- A number in a name is no cardinal: "Article 40", "Section 26", "Executive Order 62".
"""

from __future__ import annotations

import re

Found = tuple[int, int, str]

_AGE_BEFORE = re.compile(r"([A-ZÀ-Þ][\w'’.-]*), (?:now |aged )?$")
_RATE = re.compile(r"(?:a|an|one) (?:year|month|week|day|hour|night)$", re.IGNORECASE)
_RATE_WORDS = frozenset({"once", "twice", "times", "thrice"})
_DATE_MODIFIERS = frozenset({"early", "late", "mid"})
# before a length of time: "the next three months", "in coming decades"
_PERIOD_MODIFIERS = frozenset({"next", "last", "past", "coming", "recent"})
_PERIOD = re.compile(
    r"(?:\d+|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|few|several)\s"
    r"(?:years|months|weeks|days|decades|centuries)|decades|centuries|years",
    re.IGNORECASE,
)
_IN_NAME = re.compile(
    r"(?:Article|Articles|Section|Sections|Order|Chapter|Clause|Paragraph|Resolution|Rule|"
    r"Title|Amendment|Protocol|Regulation|Directive|Act|Bill|Case|Room|Gate|Route|Highway|"
    r"Platform|Terminal|Flight|Level|Phase|Stage|No\.|Nos\.) $"
)
_RANGE_LABELS = frozenset({"MONEY", "PERCENT", "QUANTITY"})
_COMPARED = frozenset({" from ", " to ", " and ", " or ", " versus ", " against "})
_BIG = ("million", "billion", "trillion", "bn")


def refine(text: str, found: list[Found]) -> list[Found]:
    """``found`` with ages, rates, ranges, date modifiers and numbered names sorted out."""
    if not found:
        return found
    found = sorted(found)
    ends = {end for _start, end, _label in found}
    out: list[Found] = []
    for start, end, label in found:
        if label == "CARDINAL":
            if _IN_NAME.search(text, max(0, start - 12), start):
                continue
            if _is_age(text, start, end):
                label = "DATE"
            elif out and out[-1][2] == "MONEY" and _same_currency(text, out[-1], start, end):
                label = "MONEY"
        elif label == "DATE":
            if _is_rate(text, start, end, ends):
                continue
            start = _with_modifier(text, start, end)
        if out and _joins(text, out[-1], (start, end, label)):
            first = out.pop()
            between = text.endswith("between ", 0, first[0])
            start = first[0] - 8 if between else first[0]
            label = label if label != "CARDINAL" else first[2]
        out.append((start, end, label))
    return out


def _is_age(text: str, start: int, end: int) -> bool:
    """ "Hedi Mabrouk, 61, who": a number between commas right after a name."""
    if not text.startswith((",", ")"), end) or not text[start:end].isdigit():
        return False
    if not 0 < int(text[start:end]) < 120:
        return False
    return _AGE_BEFORE.search(text, max(0, start - 40), start) is not None


def _same_currency(text: str, money: Found, start: int, end: int) -> bool:
    """ "rose to 1.3 billion crowns from 740 million": an amount compared with money is money."""
    return text[money[1] : start] in _COMPARED and text.endswith(_BIG, start, end)


def _is_rate(text: str, start: int, end: int, ends: set[int]) -> bool:
    """ "$35 billion a year", "once a day": "a year" after an amount or "times"."""
    if not _RATE.fullmatch(text, start, end) or start < 2 or text[start - 1] != " ":
        return False
    if start - 1 in ends:
        return True
    word = text[max(0, start - 12) : start - 1].rsplit(" ", 1)[-1].lower()
    return word in _RATE_WORDS


def _with_modifier(text: str, start: int, end: int) -> int:
    """ "late September", "early 2027", "mid-2027", "the 1990s"."""
    if text[start:end].endswith("0s") and text.endswith("the ", 0, start):
        return start - 4
    if start < 2 or text[start - 1] not in " -":
        return start
    word_start = start - 1
    while word_start > 0 and text[word_start - 1].isalpha():
        word_start -= 1
    word = text[word_start : start - 1].lower()
    if word in _PERIOD_MODIFIERS and _PERIOD.fullmatch(text, start, end):
        return word_start
    if word in _DATE_MODIFIERS or (
        word in ("later", "earlier") and text.startswith(("this ", "next ", "last "), start)
    ):  # "later this year", not "Earlier Saturday, the chancellor ..."
        return word_start
    return start


def _joins(text: str, first: Found, second: Found) -> bool:
    """Two spans that are one range: "22 to 26 percent", "between January and May"."""
    gap = text[first[1] : second[0]]
    if gap == " and ":
        if not text.endswith("between ", 0, first[0]):
            return False
        return first[2] == second[2] in ("DATE", "CARDINAL") or (
            first[2] == "CARDINAL" and second[2] in _RANGE_LABELS
        )
    return gap == " to " and first[2] == "CARDINAL" and second[2] in _RANGE_LABELS
