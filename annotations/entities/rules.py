"""The built-in recognizer: rules plus gazetteers, nothing downloaded, several MB of text a second.

One pass finds numbers and dates (``numeric``), one finds quoted titles, one finds capitalised
chunks and types them (``names``). Names that only context explains ("Guo said", "Chen Kaixin, a
researcher") are typed here from the words around them; what is learned that way, and the short
forms of long names ("Guo" for "Guo Jiakun", "Topstar" for "Guangdong Topstar Technology Co.,
Ltd.", "NPC" for "National People's Congress (NPC)"), is then applied to the rest of the text.
"""

from __future__ import annotations

import re
from pathlib import Path

import ahocorasick

from annotations.entities import builtin_key, chunking, names, numeric, vocab
from annotations.entities import gazetteer as gazetteer_mod
from annotations.entities import project_gazetteer as pg
from annotations.model import Entity

_CACHE_LIMIT = 200_000
Found = tuple[int, int, str, str]  # start, end, label, source

_SENTENCE_END = frozenset(".!?:;\n•·*")
_QUOTES = frozenset(" \t\"'“‘(")
_PARTICLE_BEFORE = ("von der", "van der", "von", "van", "de", "da", "di", "bin", "dos", "du", "del")
_PARTICLE_ENDS = frozenset(p[-3:] for p in _PARTICLE_BEFORE) | frozenset(
    p[-2:] for p in _PARTICLE_BEFORE
)
_ROLE_WORDS = frozenset(vocab.ROLES.split("|"))
_ORG_NOUNS = vocab.words("""company firm maker manufacturer carmaker automaker chipmaker giant
    startup start-up brand retailer bank lender insurer broadcaster newspaper outlet website
    airline operator developer supplier producer agency conglomerate subsidiary""")
_ORG_LISTS = vocab.words("companies firms brands players makers automakers labs startups giants")
_SPEECH_BEFORE = vocab.words("said says asked")
_WORK_NOUNS = vocab.words("""book novel film movie song album series documentary play poem
    painting opera essay title""")
_PRODUCT_NOUNS = vocab.words("""series platform computer supercomputer robot robots rover satellite
    probe spacecraft app apps smartphone phone model models chip chips processor software vehicle
    aircraft jet drone console telescope missile rocket browser robotaxi chatbot engine
    mission capsule launcher tablet laptop headset camera""")
_PRODUCT_BEFORE = vocab.words("rover satellite probe spacecraft app robot model chip telescope")
_NEXT_WORDS = re.compile(r" (\w+)(?: (\w+))?(?: (\w+))?")
_MODEL_NUMBER = re.compile(r" \d{1,4}[A-Za-z]?\b(?![.,]\d)")
_SPEECH_AFTER_COMMA = re.compile(r", (?:also )?(?:said|told|noted|added|stressed)\b")
_LIST_WORDS = vocab.words("like including as")
_DETERMINERS = vocab.words("the a an his her their its")
_SOURCES = {"gaz": "gazetteer", "hyphen": "gazetteer"}
_TITLES = [
    re.compile(r"titled\s+[\"“]([^\"”\n]{2,160}?)[,.]?[\"”]"),
    re.compile(r"hemed\s+[\"“]([^\"”\n]{2,160}?)[,.]?[\"”]"),
    re.compile(
        r"the (?:book|novel|film|movie|song|album|series|documentary|play|poem|"
        r"painting|opera|show|essay)\s+[\"“]([^\"”\n]{2,160}?)[,.]?[\"”]"
    ),
]


class RuleRecognizer:
    """Rules + gazetteers. ``key`` changes with the rules, the data packages and the gazetteers."""

    def __init__(
        self,
        project: pg.ProjectGazetteer | None = None,
        gazetteer: gazetteer_mod.Gazetteer | None = None,
    ) -> None:
        self.project = project or pg.ProjectGazetteer()
        self.key = builtin_key(self.project, gazetteer.digest if gazetteer else None)
        self._gazetteer = gazetteer.with_project(self.project) if gazetteer else None
        self._ignore = frozenset(pg.normalise(n) for n in self.project.ignore)
        self._chunks: tuple[dict[str, tuple[chunking.Span, ...]], ...] = ({}, {})
        self._literals = _literal_automaton(self.project, self._ignore)

    @classmethod
    def from_file(cls, path: str | Path | None) -> RuleRecognizer:
        return cls(pg.load(path))

    @property
    def gazetteer(self) -> gazetteer_mod.Gazetteer:
        """Built on first use (a second or so), so constructing a recognizer is instant."""
        if self._gazetteer is None:
            self._gazetteer = gazetteer_mod.builtin().with_project(self.project)
        return self._gazetteer

    def recognize(self, text: str) -> list[Entity]:
        return self.recognize_at(text, 0)

    def recognize_at(self, text: str, offset: int) -> list[Entity]:
        """Entities of ``text`` with ``offset`` added: one piece of a longer document."""
        found: list[Found] = [(s, e, label, "rules") for s, e, label in numeric.recognize(text)]
        for pattern in _TITLES:
            for match in pattern.finditer(text):
                found.append((match.start(1), match.end(1), "WORK_OF_ART", "rules"))
        found += self._names(text)
        if self._literals is not None:
            found += _literal_matches(self._literals, text)
        return _resolve(found, text, self._ignore, offset)

    # -- names ---------------------------------------------------------------------------------
    def _names(self, text: str) -> list[Found]:
        gaz = self.gazetteer
        if len(self._chunks[0]) + len(self._chunks[1]) > _CACHE_LIMIT:
            self._chunks = ({}, {})
        caches = self._chunks
        out: list[Found] = []
        learned: dict[str, str] = {}
        pending: list[tuple[int, int]] = []
        headings: dict[int, bool] = {}
        append = out.append
        lone = chunking.LONE_WORDS
        for match in chunking.CHUNK.finditer(text):
            chunk = match.group()
            if chunk in lone:
                continue
            base = match.start()
            if (
                base > 3
                and text[base - 1] == " "
                and (
                    text[base - 4 : base - 1] in _PARTICLE_ENDS
                    or text[base - 3 : base - 1] in _PARTICLE_ENDS
                )
            ):
                base = _particle_start(text, base)  # "von der Leyen"
                chunk = text[base : match.end()]
            i = base - 1
            while i >= 0 and text[i] in _QUOTES:
                i -= 1
            mid = i >= 0 and text[i] not in _SENTENCE_END  # quotes and brackets do not end one
            cache = caches[mid]
            spans = cache.get(chunk)
            if spans is None:
                spans = cache[chunk] = names.analyse(chunk, gaz, mid)
            for span in spans:
                how = span.how
                if how == "gaz":  # most names: nothing more to decide
                    append((base + span.start, base + span.end, span.label, "gazetteer"))
                    continue
                start, end = base + span.start, base + span.end
                if how == "unknown":
                    label, end = self._context(text, start, end, base + len(chunk), out)
                    if label is None:
                        pending.append((start, end))
                        continue
                    append((start, end, label, "rules"))
                    _learn(learned, text[start:end], label)
                    continue
                label = span.label
                if how == "west":
                    if not text.endswith("the ", max(0, start - 4), start):
                        continue
                elif how in ("head", "weak"):
                    if _heading(text, start, end, headings):
                        continue
                    label = _gloss(text, start, end, out) or label
                append((start, end, label, _SOURCES.get(how, "rules")))
                if how in ("head", "weak", "title", "cname"):
                    learned.setdefault(text[start:end], label)
                    for alias in span.aliases:
                        learned.setdefault(alias, label)
        for start, end in pending:  # names seen in full elsewhere: "Guo", "Topstar", "NPC"
            label = learned.get(text[start:end])
            if label is not None:
                out.append((start, end, label, "rules"))
            elif " " in text[start:end]:
                out += _learned_parts(text, start, end, learned)
        return out

    def _context(
        self, text: str, start: int, end: int, chunk_end: int, found: list[Found]
    ) -> tuple[str | None, int]:
        """Type an unexplained name from the words around it: (label or None, its end).

        Called for every unexplained capitalised word, so the cheap tests come first: the word
        before and the words after, then the regular expressions only where a comma invites them.
        """
        after = text[end : end + 1]
        if after == ")" and start and text[start - 1] == "(":
            label = _gloss(text, start, end, found, acronym=True)
            if label is None and _previous_word(text, start - 1) in _PRODUCT_BEFORE:
                label = "PRODUCT"  # "a rover (Zhurong)"
            return label, end
        prev = _previous_word(text, start)
        if prev in _ORG_NOUNS or _listed_after(text, start, found, "ORG"):
            return "ORG", end
        if prev in _LIST_WORDS and _org_list(text, start):
            return "ORG", end
        if prev in _WORK_NOUNS and _previous_word(text, start - len(prev) - 1) in _DETERMINERS:
            return "WORK_OF_ART", chunk_end
        surface = text[start:end]
        if surface.isupper() and surface.isalpha():
            return None, end  # an acronym no noun around it explains ("AI", "EV")
        nxt: tuple[str, ...] = ()
        if after == " ":
            following = _NEXT_WORDS.match(text, end)
            nxt = tuple(w for w in following.groups() if w) if following else ()
            if nxt and nxt[0] in vocab.PLACE_NOUNS:
                return "GPE", end
        elif after == "," and vocab.APPOSITIVE_WORK.match(text, end):
            return "WORK_OF_ART", chunk_end
        letters_only = surface.replace(" ", "").isalpha()
        if (
            nxt
            and (
                nxt[0] in _PRODUCT_NOUNS
                or len(nxt) > 1
                and nxt[1] in _PRODUCT_NOUNS
                or len(nxt) > 2
                and nxt[2] in _PRODUCT_NOUNS
                and nxt[1].islower()
            )
            and not (surface.isupper() and letters_only)
            and "-" not in surface
        ):
            model = _MODEL_NUMBER.match(text, end)  # "PlayStation 5", "iPhone 16"
            return "PRODUCT", model.end() if model else end
        if surface.isupper() or not letters_only or surface.count(" ") > 3:
            return None, end
        if prev in _ROLE_WORDS or _previous_word(text, start, ", ") in _ROLE_WORDS:
            return "PERSON", end  # "her husband Yang Ming", "Putin's spokesman, Dmitry Peskov"
        if after == "," and vocab.APPOSITIVE_PERSON.match(text, end):
            return "PERSON", end
        if surface.count(" ") < 3:
            i = 1 if len(nxt) > 1 and nxt[0] in vocab.SPEECH_ADVERBS else 0
            if len(nxt) > i and (
                nxt[i] in vocab.SPEECH_VERBS or nxt[i] == "pointed" and "out" in nxt[i + 1 :]
            ):
                return "PERSON", end
            if after == "," and _SPEECH_AFTER_COMMA.match(text, end):
                return "PERSON", end
            if prev in _SPEECH_BEFORE or (
                prev == "to" and _previous_word(text, start - 3) == "according"
            ):
                return "PERSON", end
        return None, end


def _literal_automaton(
    project: pg.ProjectGazetteer, ignore: frozenset[str]
) -> ahocorasick.Automaton | None:
    """Project names that do not start with a capital ("artificial intelligence", "iPhone").

    Names are found by their capitalised words, so these would never be looked up: they are
    matched as written instead, whole words only, and an all-lower-case one also with a capital
    first letter (a sentence start). Matching them in any case would make "Artificial
    Intelligence" in a heading, or any lower-case word someone added, fire everywhere.
    """
    automaton = ahocorasick.Automaton()
    for surface, (label, _canonical) in project.surfaces().items():
        if not surface or surface[0].isupper() or surface in ignore:
            continue
        automaton.add_word(surface, (len(surface), label))
        if surface.islower() and surface[0].isalpha():
            automaton.add_word(surface[0].upper() + surface[1:], (len(surface), label))
    if len(automaton) == 0:
        return None
    automaton.make_automaton()
    return automaton


def _literal_matches(automaton: ahocorasick.Automaton, text: str) -> list[Found]:
    """Every whole-word occurrence of the literal names; overlaps are resolved later."""
    out: list[Found] = []
    for last, (size, label) in automaton.iter(text):
        start, end = last + 1 - size, last + 1
        if (start and _word_char(text[start - 1])) or (end < len(text) and _word_char(text[end])):
            continue
        out.append((start, end, label, "gazetteer"))
    return out


def _word_char(char: str) -> bool:
    return char.isalnum() or char == "_"


def _listed_after(text: str, start: int, found: list[Found], label: str) -> bool:
    """ "Tata Motors and Infosys": an unknown name listed right after a name of ``label``."""
    if not found or found[-1][2] != label:
        return False
    gap = text[found[-1][1] : start]
    return gap in (" and ", ", and ", " & ")  # ", " alone often ends a clause: "..., Guo said"


def _previous_word(text: str, start: int, gap: str = " ") -> str:
    """The lower-cased word right before ``gap`` before ``start``, or ""."""
    end = start - len(gap)
    if end < 1 or not text.startswith(gap, end):
        return ""
    window = end - 23 if end > 23 else 0
    space = text.rfind(" ", window, end)
    word = text[max(space + 1, window) : end]
    return word.lower() if word.isalpha() else ""


def _org_list(text: str, start: int) -> bool:
    """ "companies like X", "firms such as X", "automakers including X"."""
    words = text[max(0, start - 40) : start].lower().split()[-3:]
    return (
        len(words) >= 2
        and words[-2] in _ORG_LISTS
        and words[-1] in ("like", "including")
        or len(words) == 3
        and words[0] in _ORG_LISTS
        and words[1:] == ["such", "as"]
    )


def _learn(learned: dict[str, str], surface: str, label: str) -> None:
    learned.setdefault(surface, label)
    if label == "PERSON":
        for alias in names.person_aliases(surface):
            learned.setdefault(alias, label)


def _particle_start(text: str, start: int) -> int:
    """Start a name at a lower-case particle before it: "von der Leyen", "da Silva"."""
    before = text[max(0, start - 9) : start - 1]
    for particle in _PARTICLE_BEFORE:
        if before.endswith(particle):
            at = start - 1 - len(particle)
            if at == 0 or not text[at - 1].isalnum():
                return at
    return start


def _gloss(
    text: str, start: int, end: int, found: list[Found], acronym: bool = False
) -> str | None:
    """ "National People's Congress (NPC)", "Tiangong (Heavenly Palace)": the name before's label.

    An acronym must spell letters of the name, in order; a longer gloss only needs to be right
    after a name.
    """
    if not found or start < 2 or text[start - 1] != "(" or not text.startswith(")", end):
        return None
    previous = found[-1]
    if previous[1] != start - 2:
        return None
    surface = text[start:end]
    if not acronym:
        return previous[2]
    if not surface.isupper() or not 2 <= len(surface) <= 8:
        return None
    initials = "".join(
        w[0] for w in text[previous[0] : previous[1]].replace("-", " ").split() if w[:1].isupper()
    )
    pos = 0
    for letter in surface:
        pos = initials.find(letter, pos) + 1
        if pos == 0:
            return None
    return previous[2]


def _learned_parts(text: str, start: int, end: int, learned: dict[str, str]) -> list[Found]:
    """Known short names inside a longer unexplained run: "Wu" in "Wu Jianmin Topstar"."""
    out = []
    pos = start
    for word in text[start:end].split(" "):
        label = learned.get(word)
        if label is not None and word not in vocab.STOPWORDS:
            out.append((pos, pos + len(word), label, "rules"))
        pos += len(word) + 1
    return out


def _heading(text: str, start: int, end: int, cache: dict[int, bool]) -> bool:
    """Is this head-noun name really a heading ("Space Station: China is building ...")?"""
    line_start = text.rfind("\n", 0, start) + 1
    if text.startswith(":", end) and (
        start - line_start < 40 and len(text[line_start:start].split()) <= 3
    ):
        return True
    known = cache.get(line_start)
    if known is None:
        line_end = text.find("\n", end, end + 160)
        known = False
        if line_end >= 0 or len(text) - line_start <= 160:
            line = text[line_start : len(text) if line_end < 0 else line_end].strip()
            words = [w for w in line.split() if w[:1].isalpha()]
            capitals = sum(1 for w in words if w[0].isupper())
            known = (
                2 <= len(words) <= 14 and capitals >= 0.6 * len(words) and not line.endswith(".")
            )
        cache[line_start] = known
    return known


def _resolve(
    found: list[Found], text: str, ignore: frozenset[str], offset: int = 0
) -> list[Entity]:
    """Longest span wins where candidates overlap; texts filled in; sorted by start."""
    found.sort()
    kept: list[Found] = []
    append = kept.append
    last_start = last_end = -1
    for item in found:
        start, end = item[0], item[1]
        if start < last_end:
            if end - start > last_end - last_start:
                kept[-1] = item
                last_start, last_end = start, end
            continue
        append(item)
        last_start, last_end = start, end
    if ignore:
        kept = [k for k in kept if pg.normalise(text[k[0] : k[1]]) not in ignore]
    return [
        Entity(start + offset, end + offset, label, source, text[start:end])
        for start, end, label, source in kept
    ]
