"""Dates, times, money, percentages, quantities, cardinals and ordinals.

Spans follow OntoNotes: approximators belong to the number ("more than 80", "up to 350 km/h",
"nearly six years"), ages and durations are DATE ("30-year-old", "five-day"), "Monday night" is
TIME. Speed decides the shape: nothing here tries an expression at every position of the text.
Digits are found with a one-character-class scan, words ("two", "decades", "May") with one
Aho-Corasick pass, and only at those few places are the full expressions matched.
"""

from __future__ import annotations

import functools
import re

import ahocorasick

from annotations.entities import numeric_context
from annotations.entities.vocab import words

Found = tuple[int, int, str]


def words_list(text: str) -> list[str]:
    """A word list in its written order."""
    return text.split()


_MONTH_NAMES = words_list("""
    January February March April May June July August September October November December
""")
_MONTHS = "|".join(_MONTH_NAMES)
_MONTH_SHORT = "Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec"
_MONTH = rf"(?:{_MONTHS}|(?:{_MONTH_SHORT})\.|(?:{_MONTH_SHORT})(?=\s\d))"
_DAY_NAMES = words_list("""
    Monday Tuesday Wednesday Thursday Friday Saturday Sunday
""")
_NUMBER_NAMES = words_list("""
    one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen
    sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty
    ninety hundred
""")
_NUMBER = "|".join(_NUMBER_NAMES)
_ORDINALS = words_list("""
    first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth
    twentieth hundredth
""")
_UNITS_OF_TIME = words_list("""
    year years month months week weeks day days decade century hour hours minute minutes
""")
_BIG = "million|billion|trillion"
_SMALL = rf"{_NUMBER}|a few|several|many|a couple of|a dozen|a|an|one"
_APPROX = (
    r"(?:(?:more|less|fewer) than|over|nearly|almost|about|around|approximately|roughly|"
    r"up to|at least|at most|some|under|just over|just under|close to|as many as|"
    r"as much as|upwards of|an estimated|only|just)\s"
)
_APPROX_LAST = words("""
    than over nearly almost about around approximately roughly to least most some under as
    of estimated only just
""")
_NUM = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_UNIT_TIME = r"(?:year|month|week|day|decade|century|centurie)s?"
_UNITS = (
    r"(?:square[ -]|cubic[ -])?(?:kilo|centi|milli|nano)?(?:met(?:er|re)s?|grams?)|km/h|kph|"
    r"mph|km2|km|cm|mm|nm|kg|mg|tonnes?|tons?|barrels?|miles?|feet|foot|inch(?:es)?|yards?|"
    r"acres?|hectares?|lit(?:er|re)s?|gallons?|pounds|ounces?|nautical miles|"
    r"degrees?(?: Celsius| Fahrenheit| C\b| F\b)?|watts?|kilowatts?|"
    r"megawatts?|gigawatts?|kW|MW|GW|kWh|MWh|GWh|TWh|GB|TB|MB|knots?"
)
_CURRENCY_WORDS = (
    r"(?:US |U\.S\. |Hong Kong |Singapore |Australian |Canadian |New Zealand )?dollars|yuan|"
    r"renminbi|euros?|pounds sterling|yen|rupees|rubles|roubles|dirhams|riyals|"
    r"(?:[A-Z][a-z]+ )?(?:pesos|francs|crowns|kroner|kronor|krona|krone|shillings|cedis|lira|"
    r"liras|rand|naira|reais|baht|ringgit|rupiah|zlotys|zloty|forints|dinars|taka|kwacha|birr|"
    r"rubles|hryvnias|lei|leva|pula|dirhams|riyals|rials|soles|bolivares|quetzales|colones|"
    r"rupees|shekels|won|dong|kyat|afghanis|som)|USD|RMB|CNY|EUR"
)

_DIGIT = re.compile(r"[0-9$€£¥₹₩₦₱₺₽₵][0-9,.]*")
_CODES = "USD|RMB|CNY|EUR|GBP|JPY|HKD|CHF|SEK|NOK|DKK|ZAR|INR|AUD|CAD|NZD|KES|NGN|BRL|MXN"
# What may open an amount just before its "$" or digits: "US$5", "USD 5", "KSh 500", "R86 million".
_SIGN_BEFORE = re.compile(r"\b(?:US|U\.S\.|HK|NT|A|C|S|R|NZ|Mex)$")
_CODE_BEFORE = re.compile(rf"\b(?:(?:{_CODES}|K?Sh|Ksh|Rs\.?)\s?|R|GH)$")
_PREFIX_LAST = frozenset("SDYBPRNKCAFZHhs$")
_AT_DIGIT = re.compile(
    rf"(?P<MONEY>(?:(?:US|U\.S\.|HK|NT|A|C|S|R|NZ|Mex)?\$|€|£|¥|₹|₩|₦|₱|₺|₽|(?:GH)?₵|"
    rf"(?:{_CODES})\s?|(?:K?Sh|Ksh|Rs\.?)\s?(?=\d))"
    rf"(?:{_NUM})(?:\s?(?:{_BIG}|bn)\b)?"
    rf"|R(?:\d{{1,3}}(?:,\d{{3}})+|\d+(?:\.\d+)?\s?(?:{_BIG}|bn)\b)"
    rf"|(?<![\w.])(?:{_NUM})(?:\s(?:{_BIG}))?\s(?:{_CURRENCY_WORDS})\b)"
    rf"|(?P<PERCENT>(?<![\w.])(?:{_NUM})\s?(?:%|percent\b|per cent\b|percentage points?\b))"
    rf"|(?P<SPAN>(?<![\w.])(?:\d{{1,3}}(?:,\d{{3}})+|\d+)(?:-|\s)(?:{_UNIT_TIME})(?:-old)?"
    rf"(?:\sago|\searlier)?\b(?!-))"
    rf"|(?P<DATE>(?<![\w.])\d{{1,2}}(?:st|nd|rd|th)?\s{_MONTH}(?:,?\s\d{{4}})?\b"
    rf"|(?<![\w.])(?:1[5-9]\d\d|20\d\d)s\b"
    rf"|(?<![\w.$€£¥/-])(?:1[89]\d\d|20\d\d)\b(?![.,]\d|\s?%|-\w|\s(?:percent|{_BIG}|{_UNITS})\b))"
    rf"|(?P<TIME>(?<![\w.])\d{{1,2}}(?:[:.]\d{{2}})?\s?(?:a\.m\.|p\.m\.|am\b|pm\b)"
    rf"|(?<![\w.:])\d{{1,2}}:\d{{2}}:\d{{2}}(?:\.\d+)?(?![:\d])"
    rf"|(?<![\w.])[0-2]\d[0-5]\d\s(?:GMT|UTC)\b|(?<![\w.])\d+-(?:hour|minute|second)\b(?!-)"
    rf"|(?<![\w.:])\d{{1,2}}:\d{{2}}\b(?!:)|(?<![\w.])\d+\s(?:hours?|minutes?|seconds?)\b)"
    rf"|(?P<QUANTITY>(?<![\w.])(?:{_NUM})(?:\s(?:{_BIG}))?(?:-|\s)?(?:{_UNITS})\b(?!-\w*[a-z])"
    rf"|(?<=-)\d+(?:\.\d+)?(?:nm|mm|km|kg|GW|MW)\b)"
    rf"|(?P<ORDINAL>(?<![\w.])\d+(?:st|nd|rd|th)\b)"
    rf"|(?P<COMPOUND>(?<![\w./#-])\d{{1,3}}(?=-[a-z]{{3,}}\b(?!-)))"
    rf"|(?P<CARDINAL>(?<![\w./#-])(?:{_NUM})(?:\s(?:{_BIG}))?(?![\w/]|\.\d|-\w|\.[A-Za-z]))"
)

_PART = r"(?:the\s)?(?:end|beginning|start|middle|first half|second half|rest)\sof\s$"
_PART_BEFORE = re.compile(_PART, re.IGNORECASE)
_AT_MONTH = re.compile(
    rf"{_MONTH}(?:\s\d{{1,2}}(?:st|nd|rd|th)?\b(?:,\s\d{{4}}\b)?|\s\d{{4}}\b"
    rf"|\s(?:next|last|this)\syear\b)"
)
_AT_NUMBER = re.compile(
    rf"(?P<DATE>(?:{_SMALL})(?:-|\s)(?:{_UNIT_TIME})(?:-old)?(?:\sago)?\b(?!-))"
    rf"|(?P<TIME>(?:{_SMALL})\s(?:hours?|minutes?)\b)"
    rf"|(?P<QUANTITY>(?:{_NUMBER})(?:\s(?:{_BIG}))?[\s-](?:{_UNITS})\b(?!-\w))"
    rf"|(?P<CARDINAL>(?:{_NUMBER})(?:\s(?:{_BIG}))?(?:\sor\s(?:{_NUMBER}))?\b(?!-)"
    rf"|(?:two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)"
    rf"(?=-(?!(?:{_NUMBER}|thirds?|fourths?|fifths?|quarters?)\b)[a-z]{{3,}}\b(?!-)))",
    re.IGNORECASE,
)
_UNIT_BEFORE = re.compile(
    rf"(?:(?:{_APPROX}|another\s)?(?:{_SMALL})[\s-]|(?:this|last|next|recent|(?:the\s)?past|"
    rf"(?:the\s)?coming|previous|each|every)\s(?:few\s)?)$",
    re.IGNORECASE,
)
_BIG_BEFORE = re.compile(rf"(?:{_APPROX})?(?:{_SMALL})\s$", re.IGNORECASE)
_NOT_ONE_PREV = words("""
    no any every this that which each only on the
""")
_MONTH_PREV = words("""
    in since until till by from during early late mid of last next this between through
    before after and to
""")
_UNIT_PREV = frozenset(
    [
        *_NUMBER_NAMES,
        "a",
        "an",
        "few",
        "several",
        "many",
        "of",
        "this",
        "last",
        "next",
        "recent",
        "past",
        "coming",
        "previous",
        "each",
        "every",
    ]
)
_NOT_ONE_AFTER = re.compile(r"one\s(?:another|hand|by\sone|of\sa\skind)\b", re.IGNORECASE)
_MONEY_PLURAL = re.compile(
    rf"(?:billions|millions|trillions|hundreds|thousands)\sof\s"
    rf"(?:{_CURRENCY_WORDS})\b",
    re.IGNORECASE,
)
_CURRENCY_AFTER = re.compile(rf"\s(?:{_CURRENCY_WORDS})\b")
_MULTI = re.compile(rf"multi-(?:{_BIG})-(?:dollar|yuan|euro)\b", re.IGNORECASE)
_SEASON = re.compile(r"(?:spring|summer|autumn|fall|winter)\sof\s\d{4}\b", re.IGNORECASE)
_AGO_OLD = re.compile(r"(?:-old|\sago|\searlier)\b")
_LIST_MARK = re.compile(r"(?:^|\n)[ \t]*$")
_DAY_PART = re.compile(r"\s(?:night|morning|afternoon|evening)s?\b")
_QUARTER = re.compile(r"\s(?:quarter|half)\b(?:\sof\s(?:the\s(?:year|decade)|\d{4})\b)?")
_SEASON_PREV = words("next last this early late")
_QUARTER_ORDINALS = words("first second third fourth")
_COUNT_STARTS = frozenset(w[:3] for w in [*_NUMBER_NAMES, "a", "an", "a few", "several", "many"])

_KINDS: dict[str, str] = {
    **{w: "month" for w in _MONTH_NAMES},
    **{w: "month_short" for w in _MONTH_SHORT.split("|")},
    **{w: "weekday" for w in _DAY_NAMES},
    **{w: "number" for w in _NUMBER_NAMES},
    **{w: "ordinal" for w in _ORDINALS},
    **{w: "unit" for w in _UNITS_OF_TIME},
    **{w: "date" for w in ("today", "yesterday", "tomorrow", "annually", "decades", "centuries")},
    **{w: "date" for w in ("Christmas", "Easter", "Ramadan", "Thanksgiving", "Diwali")},
    "tonight": "time",
    "million": "big",
    "billion": "big",
    "trillion": "big",
    "multi": "multi",
    **{
        w: "plural"
        for w in ("millions", "billions", "trillions", "thousands", "hundreds", "dozens")
    },
    **{w: "season" for w in ("spring", "summer", "autumn", "fall", "winter")},
}


@functools.cache
def _automaton() -> ahocorasick.Automaton:
    """Every trigger word, lower-case and capitalised (sentence starts: "Two", "Today")."""
    automaton = ahocorasick.Automaton()
    for word, kind in _KINDS.items():
        for form in {word, word.capitalize()}:
            if kind in ("month", "month_short", "weekday") and form != word:
                continue
            automaton.add_word(form, (len(form), word, kind))
    automaton.make_automaton()
    return automaton


def recognize(text: str) -> list[Found]:
    """Numeric and temporal (start, end, label) in ``text``, unsorted, possibly overlapping."""
    out: list[Found] = []
    _digits(text, out)
    _words(text, out)
    return numeric_context.refine(text, out)


def _digits(text: str, out: list[Found]) -> None:
    last_end = -1
    for trigger in _DIGIT.finditer(text):
        pos = trigger.start()
        if pos < last_end:
            continue
        if pos and (
            text[pos - 1] in _PREFIX_LAST
            or text[pos - 1] == " "
            and text[pos - 2 : pos - 1].isalpha()
        ):  # "US$5", "USD 5", "HK$5", "R86 million", "Sh3 billion"
            prefix = _SIGN_BEFORE if text[pos] == "$" else _CODE_BEFORE
            before = prefix.search(text, max(0, pos - 5), pos)
            if before:
                pos = before.start()
        match = _AT_DIGIT.match(text, pos)
        if match is None:
            continue
        label = match.lastgroup or "CARDINAL"
        start, end = match.span()
        if label == "CARDINAL" and _is_list_marker(text, start, end):
            continue
        if label == "COMPOUND":  # "a 12-member team": the number alone
            label = "CARDINAL"
        elif label == "SPAN":  # "30 years", "25 years ago", "30-year-old"
            label = "DATE"
            start = _with_prefix(text, start)
        elif label in ("CARDINAL", "QUANTITY", "MONEY", "PERCENT", "TIME"):
            start = _with_prefix(text, start)
        out.append((start, end, label))
        last_end = end


def _words(text: str, out: list[Found]) -> None:
    n = len(text)
    for last, (size, word, kind) in _automaton().iter(text):
        start, end = last - size + 1, last + 1
        if (start and text[start - 1].isalnum()) or (end < n and text[end].isalnum()):
            continue
        found = _word(text, start, end, word, kind)
        if found is not None:
            out.append(found)


def _before(text: str, start: int) -> str:
    """The lower-cased word just before ``start`` (after one space or hyphen), or ""."""
    if start < 2 or text[start - 1] not in " -":
        return ""
    window = start - 16 if start > 16 else 0
    i = start - 2
    while i >= window and text[i].isalpha():
        i -= 1
    return text[i + 1 : start - 1].lower()


def _word(text: str, start: int, end: int, word: str, kind: str) -> Found | None:
    """One trigger word in context: the entity around it, or None."""
    if kind == "weekday":
        part = _DAY_PART.match(text, end)
        return (start, part.end(), "TIME") if part else (start, end, "DATE")
    if kind == "ordinal":
        if text.startswith("-", start - 1) or text.startswith(("-hand", "-rate", "-class"), end):
            return None
        if word == "first" and text[max(0, start - 3) : start].lower() == "at ":
            return None
        quarter = _QUARTER.match(text, end) if word in _QUARTER_ORDINALS else None
        if quarter:  # "the second quarter", "the third quarter of 2027"
            with_year = quarter.group() != quarter.group(0).split(" of ")[0]
            first = start - 4 if with_year and text.endswith("the ", 0, start) else start
            return first, quarter.end(), "DATE"
        return start, end, "ORDINAL"
    if kind == "date":
        return start, end, "DATE"
    prev = _before(text, start)
    if kind == "month_short":  # "Oct 14", "Sept 2024": only with a day or a year
        match = _AT_MONTH.match(text, start)
        return (start, match.end(), "DATE") if match else None
    if kind == "month":
        part = _PART_BEFORE.search(text, max(0, start - 24), start) if prev == "of" else None
        first = part.start() if part else start
        match = _AT_MONTH.match(text, start)
        if match:
            return first, match.end(), "DATE"
        if part or prev in _MONTH_PREV:
            return first, end, "DATE"
        return None
    if kind == "number":
        if word == "one" and (prev in _NOT_ONE_PREV or _NOT_ONE_AFTER.match(text, start)):
            return None
        match = _AT_NUMBER.match(text, start)
        if match is None:
            return None
        label = match.lastgroup or "CARDINAL"
        return _with_prefix(text, start), match.end(), label
    if kind == "unit":
        if prev not in _UNIT_PREV:
            return None
        before = _UNIT_BEFORE.search(text, max(0, start - 40), start)
        if before is None:
            return None
        after = _AGO_OLD.match(text, end)
        label = "TIME" if word.startswith(("hour", "minute")) else "DATE"
        first = before.start()
        if text[first].isdigit() or text[first : first + 3].lower() in _COUNT_STARTS:
            first = _with_prefix(text, first)  # "more than two years", not "more than last year"
        return first, after.end() if after else end, label
    if kind == "time":
        return start, end, "TIME"
    if kind == "big":
        if prev not in _UNIT_PREV:
            return None
        before = _BIG_BEFORE.search(text, max(0, start - 30), start)
        if before is None:
            return None
        money = _CURRENCY_AFTER.match(text, end)  # "a few million dollars"
        return (
            (before.start(), money.end(), "MONEY") if money else (before.start(), end, "CARDINAL")
        )
    if kind == "plural":
        money = _MONEY_PLURAL.match(text, start)
        if money:
            return _with_prefix(text, start), money.end(), "MONEY"
        return start, end, "CARDINAL"
    if kind == "multi":
        match = _MULTI.match(text, start)
        return (start, match.end(), "MONEY") if match else None
    if kind == "season" and text[max(0, start - 4) : start].lower() == "the ":
        match = _SEASON.match(text, start)
        return (start - 4, match.end(), "DATE") if match else None
    if kind == "season" and prev in _SEASON_PREV:  # "next spring", "last summer"
        return start - len(prev) - 1, end, "DATE"
    return None


_PREFIX = re.compile(rf"(?:{_APPROX})$", re.IGNORECASE)


def _with_prefix(text: str, start: int) -> int:
    """Extend a number over an approximator just before it: "more than" 80."""
    if start < 3 or text[start - 1] != " ":
        return start
    window = start - 16 if start > 16 else 0
    space = text.rfind(" ", window, start - 1)
    if text[max(space + 1, window) : start - 1].lstrip("(\"“‘'[").lower() not in _APPROX_LAST:
        return start
    match = _PREFIX.search(text, max(0, start - 24), start)
    return match.start() if match else start


def _is_list_marker(text: str, start: int, end: int) -> bool:
    """ "2." or "2.1." opening a line is a section number, not a cardinal."""
    if start and not _LIST_MARK.search(text, max(0, start - 8), start):
        return False
    return text.startswith((".", ")"), end)
