"""The words and patterns behind the claim features (``features``): one place to read them.

``PATTERNS`` are precompiled regular expressions, one per feature; ``TRIGGERS`` are the words
a unit must contain for a pattern to be worth running (most units lack them, which keeps a
10 MB document fast); the rest are the thresholds and label sets the features use.
"""

from __future__ import annotations

import re

CAP = 3  # a count beyond this adds nothing: ten numbers are no more a claim than three
SHORT_WORDS = 6  # fewer words than this: a fragment, a dateline, a caption
HEADING_WORDS = 15  # a line this short without a closing stop reads as a heading
LONG_WORDS = 20  # from this many words on, a sentence usually states something specific
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
_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)

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
            r"\b(?:may|might|could|can|(?i:perhaps|possibly|possible|maybe|seems?|appears?\s+to"
            r"|reportedly|allegedly|presumably|arguably|unclear|probably|likely|unlikely"
            r"|potential(?:ly)?|suggests?|suggesting|indicates?))\b"
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
            r"|calls?\s+(?:on|for)|called\s+(?:on|for)|wish(?:es)?\s+to"
            # commitments are promises, not facts: "China will continue to work with all parties"
            r"|will\s+continue|(?:is|are|stays?|remains?)\s+committed|commitment\s+to"
            r"|striv(?:e|es|ing)|vow(?:s|ed)?|firmly|confident\s+that|work\s+with\s+all)\b",
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
        "meta",  # captions, credits, bylines, datelines and boilerplate: "Photo: ...",
        # "(Translated by ...)", "BEIJING, Jan. 30 (Xinhua) --", "Reference News, January 30
        # report:", and a photo caption's closing place and date ("..., Beijing, May 24, 2023.")
        re.compile(
            r"^\W*(?:photo|image|file\s+photo|source|original\s+source|statement|editor"
            r"|translated\s+by|reporter|caption|disclaimer)\b"
            rf"|^[^.,;:!?]{{1,60}},\s+{_MONTH}\s+\d{{1,2}}\s*(?:\(\w[^)]*\)\s*)?(?:report\s*)?[:\-–—]"
            rf"|,\s+{_MONTH}\s+\d{{1,2}},\s+\d{{4}}\W*$",
            _I,
        ),
    ),
    (
        "ranking",  # a place in a field, stated without "-est": "a world leader in solar wafers"
        re.compile(
            r"\b(?:leaders?|leadership|leading(?!\s+to\b)|leads|dominat(?:e|es|ed|ing|ion|ant)"
            r"|frontrunners?|forefront|pioneers?|unparalleled|unprecedented|one\s+of\s+the"
            r"|rank(?:s|ed|ing)?|no\.\s?\d+)\b",
            _I,
        ),
    ),
    (
        "deed",  # a completed, checkable act: "signed", "launched", "banned", "sold"
        re.compile(
            r"\b(?:launched|established|founded|built|signed|adopted|issued|published|achieved"
            r"|completed|approved|passed|introduced|opened|deployed|produced|manufactured|sold"
            r"|exported|imported|invested|reached|recorded|created|won|elected|appointed"
            r"|acquired|imposed|lifted|withdrew|ratified|delivered|landed|orbited|unveiled"
            r"|released|killed|injured|arrested|sentenced|fined)\b",
            _I,
        ),
    ),
    (
        "perfect",  # the present perfect of results: "has become", "have formed", "has been..."
        re.compile(
            r"\b(?:has|have)\s+(?:(?:\w+ly|not|also|already|now|long|since|just)\s+)?"
            r"(?:been\s+)?(?:\w+ed|built|made|become|won|sold|led|held|set|brought|begun|grown"
            r"|risen|fallen|shown|done|seen|taken|given|gone|spent|kept|lost|paid|met)\b",
            _I,
        ),
    ),
    (
        "meeting",  # who met whom and where, who made remarks in reply: scene-setting, not claims
        re.compile(
            r"\b(?:met|meets|meeting|held|took\s+place|takes\s+place|visit(?:s|ed|ing)?"
            r"|attend(?:s|ed|ing)?|(?:co-)?chair(?:s|ed)?|host(?:s|ed)?|kicked\s+off|remarks"
            r"|in\s+response\s+to|respond(?:s|ed)|discuss(?:es|ed)|elaborated|interview"
            r"|forum|conference|ceremony|speech|delegation|inquiry|press)\b",
            _I,
        ),
    ),
    (
        "personal",  # one person's life and feelings: "she", "his" (a story, seldom a claim)
        re.compile(r"\b(?:she|her|hers|herself|he|his|him|himself)\b", _I),
    ),
    (
        "evaluative",  # judgments of importance or necessity: "is crucial", "it is imperative"
        re.compile(
            r"\b(?:crucial|essential|imperative|vital|important|importance|pivotal|promising"
            r"|indispensable|desirable|key\s+to|instrumental|meaningful|valuable)\b",
            _I,
        ),
    ),
)

# the case-insensitive patterns, run on the lower-cased unit: three times faster than IGNORECASE
ON_LOWER = {n: re.compile(p.pattern, p.flags & ~re.I) for n, p in PATTERNS if p.flags & re.I}
WORD = re.compile(r"\w+")


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
    # and any word ending in "est" (see ``_EST``)
    "superlative": (_words("most least best worst top record first only world"), ()),
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
            "may might could can perhaps possibly possible maybe seem seems appear appears "
            "reportedly allegedly presumably arguably unclear probably likely unlikely potential "
            "potentially suggests suggest suggesting indicates indicate"
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
            "urged call calls called wish wishes continue committed commitment strive strives "
            "striving vow vows vowed firmly confident work"
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
            "disclaimer jan january feb february mar march apr april may jun june jul july aug "
            "august sep sept september oct october nov november dec december"
        ),
        (),
    ),
    "ranking": (
        _words(
            "leader leaders leadership leading leads dominate dominates dominated dominating "
            "domination dominant frontrunner frontrunners forefront pioneer pioneers "
            "unparalleled unprecedented one rank ranks ranked ranking no"
        ),
        (),
    ),
    "deed": (
        _words(
            "launched established founded built signed adopted issued published achieved "
            "completed approved passed introduced opened deployed produced manufactured sold "
            "exported imported invested reached recorded created won elected appointed acquired "
            "imposed lifted withdrew ratified delivered landed orbited unveiled released killed "
            "injured arrested sentenced fined"
        ),
        (),
    ),
    "perfect": (_words("has have"), ()),
    "meeting": (
        _words(
            "met meets meeting held took takes visit visits visited visiting attend attends "
            "attended attending chair chairs chaired host hosts hosted kicked remarks response "
            "respond responds responded discusses discussed elaborated interview forum "
            "conference ceremony speech delegation inquiry press"
        ),
        (),
    ),
    "personal": (_words("she her hers herself he his him himself"), ()),
    "evaluative": (
        _words(
            "crucial essential imperative vital important importance pivotal promising "
            "indispensable desirable key instrumental meaningful valuable"
        ),
        (),
    ),
}
# the gate as lookups: each trigger word -> the features it may set; features with trigger pieces;
# features without triggers, always run
BY_WORD: dict[str, set[str]] = {}
for _name, (_triggers, _) in TRIGGERS.items():
    for _word in _triggers:
        BY_WORD.setdefault(_word, set()).add(_name)
TRIGGER_WORDS = frozenset(BY_WORD)
BY_PIECE = {piece: n for n, (_, pieces) in TRIGGERS.items() for piece in pieces}
BY_PIECE["est"] = "superlative"  # matched as r"est\b": a word ending in "est"
PIECES = re.compile(
    "|".join(sorted((p for p in BY_PIECE if p != "est"), key=len, reverse=True)) + r"|est\b|\d"
)
# features whose match positions are used (dates, the speaker); the others count words only,
# with findall, which needs patterns without capturing groups
MATCHES_USED = frozenset({"number", "attribution"})
assert not any(p.groups for n, p in PATTERNS if n not in MATCHES_USED)
UNGATED = frozenset(n for n, _ in PATTERNS if n not in TRIGGERS and n != "number")
OPENING_QUOTES = frozenset('"“‘«「『')
# features that make a future form a dated or quantified forecast ("exports will grow 5% by 2030")
FIGURES = frozenset({"number", "money", "percent", "quantity", "cardinal", "date"})
CLOSED = re.compile(r"[.!?:;\"”’')\]…]\s*$")
