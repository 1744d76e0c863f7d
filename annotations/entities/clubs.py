"""Clubs and companies named after places: "Real Madrid", "Bayern Munich", "Bergen Energi".

A gazetteer hit is only a guess; the word next to it can say more. A place joined to a club or
company word ("Real", "FC", "United", "Express", "Cricket" in "Cricket Tasmania") is one name, an
organisation, and the place inside it is not tagged. Team nicknames ("Hobart Hurricanes") and
"X City" count only where the text is about sport. The spans found here are longer than the place
inside them, so they win when overlaps are resolved.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from annotations.entities import vocab

Found = tuple[int, int, str, str]  # start, end, label, source (as in rules.py)

# Words that open a club's or a company's name before a place name.
_BEFORE = vocab.words("""
    Real Atletico Atlético Atletica Atlética Athletic Bayern Borussia Werder Hertha Eintracht
    Fortuna Dynamo Dinamo Inter Sporting Racing Olympique Stade Hellas Lokomotiv Spartak Legia
    Slavia Sparta Partizan Deportivo Club Cricket Rugby Football Tennis Athletics Netball Hockey
    Basketball Cycling Swimming Rowing Volleyball Golf Nasdaq Euronext Borsa Bursa Construtora
    Constructora Banco Grupo Companhia Compañía Industrias Transportes Cooperativa Caixa Air
""")
# Words that close a club's or a company's name after a place name.
_AFTER = vocab.words("""
    FC F.C. AFC CF SC United Rovers Wanderers Albion Hotspur Rangers Athletic Express Energi
    Energy Airways Airlines Air Telecom Power Brewery Breweries
""")
_SPORT_AFTER = vocab.words("City Town County")  # "Manchester City", only when about sport
_SPORT = re.compile(
    r"\b(?:match|matches|league|season|coach|club|cup|goals?|scored|striker|midfielder|"
    r"defender|goalkeeper|stadium|fixture|derby|innings|wickets?|batting|bowler|tournament|"
    r"premiership|bundesliga|champions|relegation|kick-off|half-time|cricket|football|rugby|"
    r"basketball|hockey)\b",
    re.IGNORECASE,
)
_WORD_BEFORE = re.compile(r"([A-ZÀ-Þ][\w.]*) $")
_WORD_AFTER = re.compile(r" ([A-ZÀ-Þ][\w.]*[\w])")


def named_after_places(
    text: str, found: list[Found], is_place: Callable[[str], bool] = lambda _: False
) -> list[Found]:
    """ORG spans for places that are part of a club's or company's name (they win overlaps).

    A place that is also a first name ("Hobart", "Florence") may have been read as the start of
    a person's name ("Hobart Hurricanes"); ``is_place`` lets such a word be a place here too.
    """
    out: list[Found] = []
    for start, end, label, source in found:
        if label == "PERSON" and source.startswith("first name"):
            first = text.find(" ", start, end)
            if first == -1 or not is_place(text[start:first]):
                continue
            end = first  # the club check below decides; the person span stays if none fires
        elif label not in ("GPE", "LOC"):
            continue
        before = _WORD_BEFORE.search(text, max(0, start - 16), start)
        if before and before.group(1) in _BEFORE:
            word = before.group(1)
            out.append(
                (before.start(1), end, "ORG", f"club or company: '{word} {text[start:end]}'")
            )
            continue
        after = _WORD_AFTER.match(text, end)
        if after is None:
            continue
        word = after.group(1)
        if word in _AFTER:
            out.append((start, after.end(1), "ORG", f"club or company: '{text[start:end]} {word}'"))
            continue
        nickname = word in _SPORT_AFTER or (
            len(word) > 3
            and word.endswith("s")
            and word[-2] not in "'’s"
            and word.isalpha()
            and word not in vocab.HEAD_LABELS
        )
        if nickname and _SPORT.search(text, max(0, start - 400), end + 400):
            out.append((start, after.end(1), "ORG", f"sports team: '{text[start:end]} {word}'"))
    return out
