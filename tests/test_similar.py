"""The same claim elsewhere: the near-duplicate index over claim quotes, and linked clusters."""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from annotations.similar import Match, SimilarIndex, clusters, normalise, text_score

QUOTE = "Inflation rose to 3.5% in May, the finance minister said on Tuesday."
ROWS = [
    ("c1", "d1", QUOTE),
    ("c2", "d2", "The finance minister said on Tuesday that inflation rose to 3.6% in May"),
    ("c3", "d2", "Unemployment fell sharply in the northern regions last year."),
    ("c4", "d3", "INFLATION ROSE TO 3.5 %  IN MAY -- the finance minister said on tuesday"),
    ("c5", "d3", "The mayor said the new bridge will open in 2027."),
]


def index_of(rows: list[tuple[str, str, str]]) -> SimilarIndex:
    index = SimilarIndex()
    assert index.add_many(rows) == len(rows)
    return index


def ids(matches: list[Match]) -> list[str]:
    return [m.claim_id for m in matches]


def test_an_exact_copy_comes_first_with_score_one_and_near_copies_beat_unrelated() -> None:
    found = index_of(ROWS).query(QUOTE)
    assert found[0] == Match("c1", "d1", 1.0)
    # case, spacing and punctuation are not differences: the same claim
    assert found[1] == Match("c4", "d3", 1.0)
    # a reordered sentence with another number is similar, but not the same claim
    assert found[2].claim_id == "c2"
    assert 0.6 < found[2].score < 1.0
    unrelated = {m.claim_id: m.score for m in found[3:]}
    assert set(unrelated) <= {"c3", "c5"}
    assert all(score < found[2].score for score in unrelated.values())


def test_numbers_are_tokens_of_their_own() -> None:
    assert normalise("Rose 3.5%, to 1,000,000!") == "rose 3.5 to 1,000,000"
    assert 0.9 < text_score(normalise("rose to 3.5%"), normalise("rose to 3.6%")) < 1.0


def test_exclude_doc_limit_and_min_score() -> None:
    index = index_of(ROWS)
    found = index.query(QUOTE, exclude_doc="d1")
    assert "c1" not in ids(found)
    assert ids(found)[:2] == ["c4", "c2"]
    assert ids(index.query(QUOTE, exclude_doc="d3", limit=2)) == ["c1", "c2"]
    assert all(m.score >= 0.6 for m in index.query(QUOTE, min_score=0.6))
    assert "c3" not in ids(index.query(QUOTE, min_score=0.6))
    assert index.query(QUOTE, limit=0) == []
    # from a claim: itself and its own document left out
    assert ids(index.similar_to("c1"))[:2] == ["c4", "c2"]
    assert "c5" not in ids(index.similar_to("c4"))
    assert "c5" in ids(index.similar_to("c4", other_docs=False))
    assert index.similar_to("nope") == []


def test_remove_and_replace() -> None:
    index = index_of(ROWS)
    assert index.remove("c4") is True
    assert index.remove("c4") is False
    assert "c4" not in index and len(index) == 4
    assert "c4" not in ids(index.query(QUOTE))
    # a removed claim's slot is reused and its postings do not leak into the new claim
    index.add("c6", "d4", "Bridges and tunnels")
    assert ids(index.query("bridges tunnels"))[0] == "c6"
    assert "c6" not in ids(index.query(QUOTE))
    # add again replaces the quote (an edited claim), and may move it to another document
    index.add("c1", "d9", "Bridges and tunnels were closed")
    assert len(index) == 5
    assert "c1" not in ids(index.query(QUOTE, min_score=0.9))
    assert [m.doc_id for m in index.query("bridges and tunnels were closed")][:1] == ["d9"]
    for claim_id, _, _ in ROWS:
        index.remove(claim_id)
    index.remove("c6")
    assert len(index) == 0 and index.query(QUOTE) == []


def test_empty_and_short_quotes() -> None:
    index = index_of([("e", "d", ""), ("p", "d", "?!… —"), ("w", "d", "No."), ("x", "d2", "no")])
    assert index.query("") == [] and index.query("   ") == [] and index.query("...") == []
    assert index.query("NO!") == [Match("w", "d", 1.0), Match("x", "d2", 1.0)]
    assert index.query("no", exclude_doc="d") == [Match("x", "d2", 1.0)]
    assert index.similar_to("e") == [] and index.similar_to("p") == []


HOSTILE = [
    "\x00\x07\x1b[31mred\x1b[0m\r\n\t claim",
    "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 😀👩‍👩‍👧 ∑ 𝟑𝟒%",
    "\u202eالحكومة قالت إن التضخم 3.5%\u202c \u200f",
    "עברית \u200e mixed with English 12",
    "\ud800 lone surrogate \udfff",
    "a\u0301\u0301\u0301" * 50,
    "हिन्दी में दावा किया गया",
    "x" * 20_000,
]


def test_hostile_text_does_not_crash_and_still_matches_itself() -> None:
    rows = [(f"h{i}", "d", text) for i, text in enumerate(HOSTILE)]
    index = index_of(rows)
    for claim_id, _, text in rows:
        found = index.query(text)
        assert found[0] == Match(claim_id, "d", 1.0)
    # Devanagari words are not cut at their vowel signs
    assert normalise("हिन्दी में") == "हिन्दी में"
    assert normalise("𝟑𝟒% ＦＵＬＬ") == "34 full"


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_normalising_twice_changes_nothing(text: str) -> None:
    once = normalise(text)
    assert normalise(once) == once


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(min_size=1, max_size=60), min_size=1, max_size=20), st.randoms())
def test_a_claim_always_finds_itself_first(quotes: list[str], rng: random.Random) -> None:
    rows = [(f"c{i:02d}", f"d{rng.randrange(3)}", q) for i, q in enumerate(quotes)]
    index = index_of(rows)
    for claim_id, doc_id, quote in rows:
        found = index.query(quote, limit=len(rows))
        if not normalise(quote):
            assert found == []
            continue
        # only claims with the same normal form can tie with it, and ties go by claim id
        ties = sorted(c for c, _, q in rows if normalise(q) == normalise(quote))
        assert ids(found[: len(ties)]) == ties
        assert all(m.score == 1.0 for m in found[: len(ties)])
        assert all(m.score < 1.0 for m in found[len(ties) :])
        assert Match(claim_id, doc_id, 1.0) in found
        assert claim_id not in ids(index.query(quote, exclude_doc=doc_id))


class SynonymEncoder:
    """A tiny encoder for the optional path: one dimension per meaning, so "car" and
    "automobile" are the same vector though they share no letters' worth of keys."""

    MEANINGS = {"car": 0, "automobile": 0, "banana": 1, "fruit": 1, "sales": 2, "fell": 3}

    def encode(self, texts: list[str]) -> list[list[float]]:
        out = []
        for text in texts:
            vector = [0.0] * 5
            for word in normalise(text).split():
                vector[self.MEANINGS.get(word, 4)] += 1.0
            out.append(vector)
        return out


def test_the_optional_encoder_finds_paraphrases_the_words_miss() -> None:
    rows = [("c1", "d1", "car sales"), ("c2", "d2", "banana"), ("c3", "d3", "fell")]
    assert SimilarIndex().query("automobile") == []
    assert index_of(rows).query("automobile") == []
    index = SimilarIndex(encoder=SynonymEncoder())
    index.add_many(rows)
    found = index.query("automobile")
    assert found[0].claim_id == "c1" and 0.3 < found[0].score < 1.0
    assert index.query("car sales")[0] == Match("c1", "d1", 1.0)
    # the same meaning in other words is close, but 1.0 stays for the same text
    assert index.query("automobile sales")[0].claim_id == "c1"
    assert 0.5 < index.query("automobile sales")[0].score < 1.0
    assert "c1" not in ids(index.query("automobile", exclude_doc="d1"))
    index.remove("c1")
    assert "c1" not in ids(index.query("automobile"))
    index.add("c4", "d4", "fruit")
    assert ids(index.query("banana", exclude_doc="d2"))[0] == "c4"


def test_linked_claims_cluster_under_their_smallest_id() -> None:
    assert clusters([]) == {}
    assert clusters([("b", "c"), ("c", "a"), ("x", "y"), ("z", "z")]) == {
        "a": "a",
        "b": "a",
        "c": "a",
        "x": "x",
        "y": "x",
        "z": "z",
    }


pairs = st.lists(st.tuples(st.sampled_from("abcdefgh"), st.sampled_from("abcdefgh")), max_size=12)


@settings(max_examples=200, deadline=None)
@given(pairs, st.randoms())
def test_linking_is_transitive_and_ids_do_not_depend_on_order(
    links: list[tuple[str, str]], rng: random.Random
) -> None:
    found = clusters(links)
    shuffled = [(b, a) if rng.random() < 0.5 else (a, b) for a, b in links]
    rng.shuffle(shuffled)
    assert clusters(shuffled) == found
    # the groups are the connected components, each named by its smallest member
    groups: list[set[str]] = []
    for a, b in links:
        touching = [g for g in groups if a in g or b in g]
        merged = {a, b}.union(*touching)
        groups = [g for g in groups if g not in touching] + [merged]
    assert found == {claim: min(g) for g in groups for claim in g}
