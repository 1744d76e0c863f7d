"""Acronyms defined in the text: "the World Trade Organization (WTO)", then every later "WTO".

An acronym in brackets right after a name takes the name's label; one that spells an unexplained
name of three or more words makes that name an organisation ("Federazione Italiana di Atletica
Leggera (FIDAL)"). The spelling test allows inner letters ("IRENA", "AOSIS") and mixed case
("MinCom", "PhilRice").
"""

from __future__ import annotations

Found = tuple[int, int, str, str]  # start, end, label, reason (as in rules.py)

BODY_HEADS = frozenset({"Programme", "Program", "Forum", "Initiative"})
"""A plan named like a body: defined with an acronym, it is an organisation ("WFP")."""


def acronym(
    text: str, start: int, end: int, found: list[Found], label: str
) -> tuple[str, int, str]:
    """ "National People's Congress (NPC)": the acronym takes the name's label; a programme,
    forum or initiative defined with an acronym is a body ("World Food Programme (WFP)")."""
    name_start, name_end, name_label, name_why = found[-1]
    name = text[name_start:name_end]
    why = f"acronym defined: {name} ({text[start:end]})"
    if name_label in ("EVENT", "LAW") and name.rpartition(" ")[2] in BODY_HEADS:
        found[-1] = (name_start, name_end, "ORG", f"{why}; {name_why}")
        return "ORG", end, why
    return label, end, why


def defined_acronym(text: str, start: int, end: int, pending: list[tuple[int, int]]) -> str | None:
    """ "the Federazione Italiana di Atletica Leggera (FIDAL)": an unexplained name right before
    an acronym in brackets that spells it names an organisation; the reason, or None."""
    if not pending or start < 2 or text[start - 1] != "(" or text[end : end + 1] != ")":
        return None
    name_start, name_end = pending[-1]
    acronym = text[start:end]
    if name_end != start - 2 or text.count(" ", name_start, name_end) < 2:
        return None  # two words are as often a topic: "Intellectual Property (IP)"
    if not spells(acronym, text[name_start:name_end]):
        return None
    return f"acronym defined: {text[name_start:name_end]} ({acronym})"


def spells(acronym: str, name: str) -> bool:
    """Do the capitals of ``acronym`` (2 to 8 letters) spell initials of ``name``, in order?"""
    capitals = [c for c in acronym if c.isupper()]
    if not acronym.isalpha() or not acronym[0].isupper() or not 2 <= len(capitals) <= 8:
        return False  # "WTO", and "MinCom" for "Minerals Commission"
    if not acronym.isupper() and len(acronym) > 10:
        return False
    words = name.replace("-", " ").split()
    initials = "".join(w if w.isupper() else w[0] for w in words if w[:1].isupper())
    pos = 0
    for letter in capitals:
        pos = initials.find(letter, pos) + 1
        if pos == 0:
            break
    else:
        return True
    # "IRENA" (International REnewable ...), "AOSIS" (Alliance Of Small Island States): the
    # letters in order, the first one the name's initial, most of the name's initials used
    letters = "".join(words).upper()
    pos = 0
    for letter in capitals:
        pos = letters.find(letter, pos) + 1
        if pos == 0:
            return False
    used = sum(1 for w in words if w[:1].isupper() and w[0] in capitals)
    return capitals[0] == words[0][0] and used >= len(initials) - 1
