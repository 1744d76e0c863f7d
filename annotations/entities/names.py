"""Names in a run of capitalised words ("Chinese Foreign Ministry Spokesperson Guo Jiakun").

A chunk (see ``chunking``) is a run of capitalised tokens. ``analyse`` splits one chunk into typed
spans using only the chunk itself, so its result is cached by the chunk's text; what needs the
surrounding sentence ("said", "a researcher at") is decided in ``rules.py`` on the spans marked
``unknown``.

The order of evidence: multi-word gazetteer names, then head nouns ("... University", "... Co.,
Ltd."), then titles before names ("President Xi Jinping"), Chinese name shape (surname + pinyin
given name), direction + place ("East China"), single-word gazetteer names, and last the rest.
"""

from __future__ import annotations

from annotations.entities import vocab
from annotations.entities.chunking import (
    EXTEND,
    PARTICLE_GAP,
    Hit,
    Span,
    Tok,
    tokens,
)
from annotations.entities.first_names import first_names
from annotations.entities.gazetteer import Gazetteer
from annotations.entities.project_gazetteer import normalise


def analyse(chunk: str, gaz: Gazetteer, mid: bool = False) -> tuple[Span, ...]:
    """Typed spans of one chunk; ``mid``: the chunk does not start a sentence."""
    out: list[Span] = []
    for toks in tokens(chunk, mid):
        out += _analyse_run(toks, chunk, gaz)
    return tuple(out)


def _analyse_run(toks: list[Tok], chunk: str, gaz: Gazetteer) -> list[Span]:
    if len(toks) == 1:  # the common case, made cheap
        return _single(toks[0], gaz)
    gaps = [chunk[a.end : b.start] for a, b in zip(toks, toks[1:], strict=False)]
    hits = _gazetteer_hits(toks, chunk, gaz)
    multi = [h for h in hits if h[1] > h[0]]
    for index, (i, j, _label, _canonical) in enumerate(multi):
        for t in toks[i : j + 1]:
            t.hit = index
    spans: list[Span] = []
    dropped: set[int] = set()
    spans += _heads(toks, gaps, chunk, gaz, multi, dropped)
    for index, (i, j, label, canonical) in enumerate(multi):
        if index not in dropped and not toks[i].used:  # "South China Sea", "General Motors"
            spans.append(Span(toks[i].start, toks[j].end, label, "gaz", (canonical,)))
            for t in toks[i : j + 1]:
                t.used = True
    spans += _titles(toks, gaps, chunk, gaz)
    spans += _chinese_names(toks, gaps, gaz)
    spans += _first_name_runs(toks, gaps, chunk, gaz)
    spans += _directions(toks, gaps, gaz)
    spans += _place_prefixes(toks, gaps)
    for i, j, label, canonical in hits:
        if j == i and not toks[i].used:
            toks[i].used = True
            spans.append(Span(toks[i].start, toks[i].end, label, "gaz", (canonical,)))
    spans += _hyphenated(toks, gaz)
    spans += _unknown_runs(toks, gaps)
    spans.sort(key=lambda s: s.start)
    return spans


def _single(tok: Tok, gaz: Gazetteer) -> list[Span]:
    hit = gaz.get(normalise(tok.text))
    if hit is None and len(tok.text) > 3 and tok.text.isupper() and tok.text.isalpha():
        hit = gaz.get(tok.text.title())  # a dateline: "BRUSSELS, March 3 (Reuters) -"
        hit = hit if hit and hit[0] == "GPE" else None
    if hit:
        return [Span(tok.start, tok.end, hit[0], "gaz", (hit[1],))]
    if tok.text in ("West", "East"):  # "the West" (checked in context)
        return [Span(tok.start, tok.end, "LOC", "west")]
    if tok.text in vocab.SOLE_BODIES:  # "Parliament passed the bill", "the Judiciary"
        return [Span(tok.start, tok.end, "ORG", "body", (), f"body named alone: '{tok.text}'")]
    if tok.kind != "word":
        return []
    if "-" in tok.text:
        parts = _hyphenated([tok], gaz)
        if parts:
            return parts
    return [Span(tok.start, tok.end, "", "unknown")]


def _gazetteer_hits(toks: list[Tok], chunk: str, gaz: Gazetteer) -> list[tuple[int, int, str, str]]:
    """Longest gazetteer names, left to right, not overlapping: (first, last, label, canonical)."""
    out = []
    i, n = 0, len(toks)
    while i < n:
        found = None
        for j in range(min(n, i + gaz.max_tokens) - 1, i - 1, -1):
            hit = gaz.get(normalise(chunk[toks[i].start : toks[j].end]))
            if hit:
                found = (i, j, hit[0], hit[1])
                break
        if found:
            out.append(found)
            i = found[1] + 1
        else:
            i += 1
    return out


def _nameish(tok: Tok) -> bool:
    """Can this token sit inside a name before its head noun? Not "Geneva-based" in "the
    Geneva-based Oceans Trust": a compound ending in a lower-case word describes the name."""
    if tok.hit >= 0:
        return True
    return tok.kind in ("word", "head") and not _describes(tok)


def _describes(tok: Tok) -> bool:
    """A compound ending in a lower-case word ("Geneva-based", "Lund-led"): not part of a name."""
    return "-" in tok.text and tok.text.rpartition("-")[2][:1].islower()


def _heads(
    toks: list[Tok],
    gaps: list[str],
    chunk: str,
    gaz: Gazetteer,
    multi: list[Hit],
    dropped: set[int],
) -> list[Span]:
    """Runs ending in a head noun: "Shanghai Academy of Global Governance and Area Studies"."""
    out: list[Span] = []
    n = len(toks)
    i = 0
    while i < n:
        j = i  # the segment: tokens joined by plain spaces (or ", " before "Ltd.")
        while j + 1 < n and (gaps[j] == " " or gaps[j].startswith(",")):
            j += 1
        head = max((k for k in range(i, j + 1) if toks[k].kind == "head"), default=-1)
        if head >= 0 and not toks[head].used:
            span = _head_run(toks, gaps, chunk, gaz, (i, head, j), multi, dropped)
            if span is not None:
                out.append(span)
        i = j + 1
    return out


def _head_run(
    toks: list[Tok],
    gaps: list[str],
    chunk: str,
    gaz: Gazetteer,
    where: tuple[int, int, int],
    multi: list[Hit],
    dropped: set[int],
) -> Span | None:
    seg, head, seg_end = where
    label = vocab.HEAD_LABELS[toks[head].text]
    first = head
    while first > seg and _nameish(toks[first - 1]):
        first -= 1
    # across "and": "Science and Technology Daily", "Chips and Science Act"
    while first == seg and first > 0 and gaps[first - 1] in (" and ", " & "):
        k = first - 1
        if not _nameish(toks[k]):
            break
        while k > 0 and gaps[k - 1] == " " and _nameish(toks[k - 1]):
            k -= 1
        if gaz.get(normalise(chunk[toks[k].start : toks[first - 1].end])):
            break
        first = seg = k
    index = toks[head].hit
    if index >= 0 and toks[first].hit == index:  # the run is a known name: its label wins
        if multi[index][0] == first and multi[index][1] == head and head != seg_end:
            return None
        label = multi[index][2]
    last = _extend(toks, gaps, chunk, gaz, head, label) if head == seg_end else head
    if toks[head].text in vocab.GOV_HEADS:  # "Chinese" + "Foreign Ministry", "Biden" + "..."
        while first < head and toks[first].hit < 0:
            hit = gaz.get(normalise(toks[first].text))
            if not hit or hit[0] not in ("NORP", "GPE", "PERSON"):
                break
            if first + 1 == head == last and hit[0] == "NORP":
                break  # "the Soviet Government": nothing left to name without it
            first += 1
    if last == head and first == head:
        return None
    if index >= 0 and toks[first].hit == index and multi[index][:2] == (first, last):
        return None  # exactly a known name: left to the gazetteer
    inside = {t.hit for t in toks[first : last + 1] if t.hit >= 0}
    for hit_index in inside:  # a name may contain known names, but not cut through one
        i, j = multi[hit_index][0], multi[hit_index][1]
        if i < first or j > last:
            return None
    if any(t.used for t in toks[first : last + 1]):
        return None
    dropped |= inside
    for t in toks[first : last + 1]:
        t.used = True
    how = "weak" if toks[head].text in vocab.WEAK_HEADS and last == head else "head"
    return Span(
        toks[first].start,
        toks[last].end,
        label,
        how,
        _core_aliases(toks, first, head, label, gaz, chunk),
        f"head noun '{toks[head].text}'",
    )


def _extend(
    toks: list[Tok], gaps: list[str], chunk: str, gaz: Gazetteer, head: int, label: str
) -> int:
    """Carry a name over "of", "for", "on", "in" and "and": "Ministry of Commerce"."""
    last, n, seen_of = head, len(toks), False
    while last + 1 < n:
        kind = EXTEND.get(gaps[last])
        nxt = toks[last + 1]
        if kind is None or (nxt.kind in ("stop", "title", "num", "date") and nxt.hit < 0):
            break
        if kind in ("on", "in") and label not in ("LAW", "EVENT"):
            break
        if kind == "for" and label not in ("ORG", "EVENT", "LAW"):
            break
        k = last + 1
        while k + 1 < n and gaps[k] == " " and _nameish(toks[k + 1]):
            k += 1
        if kind == "and" and (not seen_of or gaz.get(normalise(chunk[nxt.start : toks[k].end]))):
            break
        seen_of = True
        last = k
    return last


def _core_aliases(
    toks: list[Tok], first: int, head: int, label: str, gaz: Gazetteer, chunk: str
) -> tuple[str, ...]:
    """Short names a long one goes by later: "Topstar" for "Guangdong Topstar ... Co., Ltd."."""
    generic = (vocab.CORPORATE_SUFFIXES | vocab.WEAK_HEADS) if label == "ORG" else vocab.GPE_HEADS
    if label not in ("ORG", "GPE") or toks[head].text not in generic:
        return ()
    k = first
    while k < head:  # drop a leading place: "Guangdong" Topstar ...
        hit = gaz.get(normalise(toks[k].text))
        if not hit or hit[0] != "GPE":
            break
        k += 1
    out = []
    for end in range(k, head):
        if toks[end].text in generic or toks[end].kind != "word":
            continue
        alias = chunk[toks[k].start : toks[end].end]
        if alias not in vocab.STOPWORDS and alias not in vocab.HEAD_LABELS:
            out.append(alias)
    return tuple(out)


def _titles(toks: list[Tok], gaps: list[str], chunk: str, gaz: Gazetteer) -> list[Span]:
    """Names after a title: "President Xi Jinping", "Chancellor of the Exchequer Rachel Reeves"."""
    out: list[Span] = []
    n = len(toks)
    for i in range(n - 1):
        if toks[i].kind != "title" or toks[i].used or toks[i + 1].kind == "title":
            continue
        office = toks[i].text
        if gaps[i] in (" of ", " of the "):  # the name follows the office: "... Exchequer X Y"
            j = i + 1
            while j + 1 < n and gaps[j] == " ":
                j += 1
            names = [k for k in range(i + 1, j + 1) if not toks[k].used]
            if not names or names[-1] != j or any(toks[k].kind != "word" for k in names):
                continue
            if len(names) == j - i:  # nothing recognised before it: the last two words
                if len(names) < 3:
                    continue
                names = names[-2:]
            first, last = toks[names[0]], toks[j]
            if len(names) > 3:
                continue
        else:
            first = toks[i + 1]
            if gaps[i] != " " or first.used or first.kind != "word" or _describes(first):
                continue
            j = i + 1
            while (
                j + 1 < n
                and j - i < 4
                and not toks[j + 1].used
                and toks[j + 1].kind == "word"
                and (gaps[j] == " " or gaps[j] in PARTICLE_GAP)
            ):
                j += 1
            last = toks[j]
            names = list(range(i + 1, j + 1))
            given = first_names()
            for k in range(i + 2, j):  # "Chief Executive Ingrid Sand": the office, then the name
                if toks[k].text in given and toks[k - 1].text not in given:
                    first, names = toks[k], list(range(k, j + 1))
                    for word in toks[i + 1 : k]:
                        word.used = True
                    office = chunk[toks[i].start : toks[k - 1].end]
                    break
        name = chunk[first.start : last.end]
        hit = gaz.get(normalise(name))
        if hit and hit[0] not in ("GPE", "PERSON"):
            continue
        for k in names:
            toks[k].used = True
        why = f"title '{office}'"
        out.append(Span(first.start, last.end, "PERSON", "title", person_aliases(name), why))
    return out


def _first_name_runs(toks: list[Tok], gaps: list[str], chunk: str, gaz: Gazetteer) -> list[Span]:
    """A common first name and one or two capitalised words: "Ingrid Sand", "Paulo Henrique
    Carvalho". It outranks a one-word place ("Florence Mbeki"), not a longer name ("Victoria
    Falls" ends in a head noun, "Hong Kong" is a known name) nor a known word after it: when the
    first name is a place too, every word after it must be unknown ("Florence Italy" is no one).
    """
    out: list[Span] = []
    known = first_names()
    n = len(toks)
    for i in range(n - 1):
        a = toks[i]
        if a.used or a.kind != "word" or a.text not in known:
            continue
        hit = gaz.get(normalise(a.text))
        if hit is not None and hit[0] not in ("GPE", "PERSON"):
            continue  # "Apple Music", "Asia Pacific": a known name of another kind
        place = hit is not None and hit[0] == "GPE"
        j = i
        while (
            j + 1 < n
            and j - i < 3
            and (gaps[j] == " " or gaps[j] in PARTICLE_GAP)
            and _surname(toks[j + 1], gaz, place)
        ):
            j += 1
        if j == i or j - i == 3:  # four words or more: "Marine Ecology Progress Series"
            continue
        name = chunk[a.start : toks[j].end]
        for t in toks[i : j + 1]:
            t.used = True
        why = f"first name '{a.text}'"
        out.append(Span(a.start, toks[j].end, "PERSON", "fname", person_aliases(name), why))
    return out


_SAINTS = frozenset({"Saint", "Sainte", "San", "Santa", "Santo", "São", "St.", "St"})


def _surname(tok: Tok, gaz: Gazetteer, after_place: bool) -> bool:
    """Can ``tok`` follow a first name in a person's name?"""
    if tok.used or tok.kind != "word" or tok.text.isupper() or not tok.text[0].isalpha():
        return False
    if _describes(tok) or tok.text.partition("-")[0] in _SAINTS:
        return False  # "Santos-based", "Lund-led"; "Paris Saint-Germain" is a club
    hit = gaz.get(normalise(tok.text))
    return hit is None or hit[0] == "PERSON" or (hit[0] == "GPE" and not after_place)


def _chinese_names(toks: list[Tok], gaps: list[str], gaz: Gazetteer) -> list[Span]:
    """Surname + pinyin given name: "Guo Jiakun", "Lü Xiang", "He Lifeng"."""
    out = []
    for i in range(len(toks) - 1):
        a, b = toks[i], toks[i + 1]
        if (
            a.used
            or b.used
            or gaps[i] != " "
            or a.text not in vocab.SURNAMES
            or b.kind != "word"
            or not vocab.PINYIN_GIVEN.fullmatch(b.text)
            or gaz.get(normalise(b.text)) is not None  # "An Indian", "He Said" are no names
        ):
            continue
        if (
            i + 2 < len(toks)
            and gaps[i + 1] == " "
            and _nameish(toks[i + 2])
            and not toks[i + 2].used
        ):
            continue  # "Li Auto Group": a longer name, not a person
        a.used = b.used = True
        why = f"Chinese surname '{a.text}' + given name"
        out.append(Span(a.start, b.end, "PERSON", "cname", (a.text,), why))
    return out


def _directions(toks: list[Tok], gaps: list[str], gaz: Gazetteer) -> list[Span]:
    """A compass word before a place is a region: "East China", "Western Europe"."""
    out = []
    for i in range(len(toks) - 1):
        a, b = toks[i], toks[i + 1]
        if a.used or b.used or gaps[i] != " " or a.text not in vocab.DIRECTIONS:
            continue
        hit = gaz.get(normalise(b.text))
        if hit and hit[0] in ("GPE", "LOC"):
            a.used = b.used = True
            out.append(Span(a.start, b.end, "LOC", "dir", (), f"compass word '{a.text}' + place"))
    return out


_PLACE_PREFIXES = {"Mount": "LOC", "Mt.": "LOC", "Lake": "LOC", "Cape": "LOC"}


def _place_prefixes(toks: list[Tok], gaps: list[str]) -> list[Span]:
    """Names a place word opens: "Mount Everest", "Lake Geneva"."""
    out = []
    for i in range(len(toks) - 1):
        a, b = toks[i], toks[i + 1]
        label = _PLACE_PREFIXES.get(a.text)
        if label and not a.used and not b.used and gaps[i] == " " and b.kind == "word":
            a.used = b.used = True
            out.append(Span(a.start, b.end, label, "dir", (), f"place word '{a.text}'"))
    return out


def _hyphenated(toks: list[Tok], gaz: Gazetteer) -> list[Span]:
    """Known names inside compounds: "China-Russia", "China-led", "U.S.-China"."""
    out = []
    for t in toks:
        if t.used or "-" not in t.text:
            continue
        stem, _, number = t.text.rpartition("-")
        hit = gaz.get(normalise(stem)) if number.isdigit() else None
        if hit and hit[0] == "PRODUCT":  # a numbered model: "Chang'e-4", "Falcon-9"
            out.append(Span(t.start, t.end, "PRODUCT", "hyphen", (hit[1],), "numbered model"))
            t.used = True
            continue
        pos = t.start
        for part in t.text.split("-"):
            if part and part[0].isupper():
                hit = gaz.get(normalise(part))
                if hit:
                    why = f"part of '{t.text}'"
                    out.append(Span(pos, pos + len(part), hit[0], "hyphen", (hit[1],), why))
                    t.used = True
            pos += len(part) + 1
    return out


def _unknown_runs(toks: list[Tok], gaps: list[str]) -> list[Span]:
    """What no rule explained yet, for the context rules: runs of ordinary capitalised words."""
    out = []
    i, n = 0, len(toks)
    while i < n:
        if toks[i].used or toks[i].kind != "word":
            i += 1
            continue
        j = i
        while (
            j + 1 < n
            and not toks[j + 1].used
            and toks[j + 1].kind == "word"
            and (gaps[j] == " " or gaps[j] in PARTICLE_GAP)
        ):
            j += 1
        out.append(Span(toks[i].start, toks[j].end, "", "unknown"))
        i = j + 1
    return out


def person_aliases(name: str) -> tuple[str, ...]:
    """What a person is called after the first mention: surname, or "von der Leyen"."""
    parts = name.split()
    if len(parts) < 2:
        return ()
    if parts[0] in vocab.SURNAMES and vocab.PINYIN_GIVEN.fullmatch(parts[-1]):
        alias = parts[0]
    else:
        k = len(parts) - 1
        while k > 1 and parts[k - 1].islower():
            k -= 1
        alias = " ".join(parts[k:])
        if k < len(parts) - 1:
            return (alias, alias[0].upper() + alias[1:])
    return () if alias in vocab.STOPWORDS or len(alias) < 2 else (alias,)
