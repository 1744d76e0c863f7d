"""The assignment planner (``annotations.assignments``): k distinct annotators per document,
balanced loads, the same plan for the same input, existing assignments respected."""

from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st

from annotations.assignments import (
    AssignmentError,
    annotator_names,
    counted,
    mine_first,
    next_assigned,
    plan,
)

NAMES = st.lists(st.sampled_from("abcdefg"), min_size=1, max_size=7, unique=True)
DOCS = st.lists(st.text("0123456789abcdef", min_size=1, max_size=4), max_size=60, unique=True)


@st.composite
def fresh(draw: st.DrawFn) -> tuple[list[str], list[str], int]:
    names = draw(NAMES)
    return draw(DOCS), names, draw(st.integers(1, len(names)))


@given(fresh())
def test_each_document_gets_k_distinct_annotators_with_balanced_loads(
    case: tuple[list[str], list[str], int],
) -> None:
    docs, names, k = case
    result = plan(docs, names, k)
    per_doc: dict[str, list[str]] = {}
    for doc, name in result.pairs:
        per_doc.setdefault(doc, []).append(name)
    assert set(per_doc) == set(docs)
    for who in per_doc.values():
        assert len(who) == k == len(set(who)) and set(who) <= set(names)
    loads = Counter(name for _, name in result.pairs)
    counts = [loads[n] for n in names]
    assert max(counts) - min(counts) <= 1
    assert result.loads == {n: loads[n] for n in names}
    assert [d for d, _ in result.pairs] == [d for d in docs for _ in range(k)]  # library order


@given(fresh())
def test_the_same_input_gives_the_same_plan(case: tuple[list[str], list[str], int]) -> None:
    docs, names, k = case
    assert plan(docs, names, k) == plan(list(docs), list(names), k)


@given(fresh(), st.data())
def test_existing_assignments_are_kept_and_completed(
    case: tuple[list[str], list[str], int], data: st.DataObject
) -> None:
    docs, names, k = case
    existing = {
        d: data.draw(st.lists(st.sampled_from([*names, "outsider"]), max_size=k + 1, unique=True))
        for d in docs
    }
    result = plan(docs, names, k, existing)
    added: dict[str, list[str]] = {}
    for doc, name in result.pairs:
        added.setdefault(doc, []).append(name)
    for d in docs:
        have = existing[d]
        new = added.get(d, [])
        assert not set(new) & set(have)  # never twice on one document
        assert len(have) + len(new) == max(k, len(have))  # full ones untouched
    assert result.untouched == sum(len(existing[d]) >= k for d in docs)
    again = plan(docs, names, k, {d: existing[d] + added.get(d, []) for d in docs})
    assert not again.pairs  # a second run assigns nothing more


def test_loads_start_from_what_is_already_assigned() -> None:
    # alice already has two documents: the next ones go to bob and carol first
    result = plan(["d3", "d4"], ["alice", "bob", "carol"], 1, {"d1": ["alice"], "d2": ["alice"]})
    assert result.pairs == (("d3", "bob"), ("d4", "carol"))
    assert result.loads == {"alice": 2, "bob": 1, "carol": 1}


def test_ties_follow_the_order_named() -> None:
    assert plan(["x", "y", "z"], ["carol", "alice", "bob"], 2).pairs == (
        ("x", "carol"),
        ("x", "alice"),
        ("y", "bob"),
        ("y", "carol"),
        ("z", "alice"),
        ("z", "bob"),
    )


@pytest.mark.parametrize(
    ("names", "k", "words"),
    [
        (["alice", "bob"], 3, "only 2 named"),
        (["alice"], 0, "at least 1"),
        ([], 1, "no annotators"),
        (["alice", "b\x1fob"], 1, "control character"),
    ],
)
def test_impossible_plans_are_refused_in_one_line(names: list[str], k: int, words: str) -> None:
    with pytest.raises(AssignmentError, match=words) as info:
        plan(["d"], names, k)
    assert "\n" not in str(info.value)


def test_names_are_split_trimmed_and_deduplicated() -> None:
    assert annotator_names(" alice, bob,,alice ,carol") == ["alice", "bob", "carol"]


def test_mine_first_and_the_next_assigned_document() -> None:
    assert mine_first(["a", "b", "c", "d"], {"d", "b"}) == ["b", "d", "a", "c"]
    docs = [("a", "todo"), ("b", "done"), ("c", "in_progress"), ("d", "todo")]
    assert next_assigned(docs, "a", {"b", "c", "a"}) == "c"  # b is done
    assert next_assigned(docs, "c", {"a", "c"}) == "a"  # wraps round, never itself
    assert next_assigned(docs, "c", {"b", "c"}) is None  # nothing of mine left
    assert next_assigned(docs, None, {"d"}) == "d"


def test_who_counts_once_there_are_assignments() -> None:
    # bob is assigned elsewhere only; the gold layer and a volunteer have no assignments
    assert counted({"alice", "bob", "adjudicated", "vol"}, ["alice"], {"alice", "bob"}) == {
        "alice",
        "adjudicated",
        "vol",
    }
