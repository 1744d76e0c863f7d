"""Agreement: span F1, Cohen's kappa and Krippendorff's alpha, checked against scikit-learn and
the ``krippendorff`` package, plus the ``annotty agreement`` command."""

from __future__ import annotations

import json
import math
import random
from itertools import combinations
from pathlib import Path
from typing import Any

import krippendorff
import numpy as np
import pytest
from click.testing import CliRunner

from annotations.agreement import (
    GOLD,
    Mark,
    cluster,
    cohen_kappa,
    compute,
    krippendorff_alpha,
)
from annotations.cli import cli
from annotations.store import Store


def cohen_kappa_score(*args: Any, **kwargs: Any) -> Any:
    """scikit-learn's kappa, the reference, imported on first use: importing sklearn takes ~1 s
    of CPU, which every xdist worker paid while collecting, whether or not it ran these tests."""
    from sklearn.metrics import cohen_kappa_score as reference

    return reference(*args, **kwargs)


TYPES = ["statistical", "causal", "opinion", "prediction"]
STANCES = ["favor", "against", "none"]
TEXT = "".join(
    f"Sentence number {i:04d} says something checkable about the world. " for i in range(400)
)


def same(ours: float | None, reference: float) -> bool:
    if ours is None:
        return math.isnan(reference)
    return abs(ours - reference) < 1e-9


@pytest.mark.filterwarnings("ignore::UserWarning")  # sklearn warns where kappa is undefined
@pytest.mark.parametrize("seed", range(60))
def test_cohen_kappa_matches_scikit_learn(seed: int) -> None:
    rng = random.Random(seed)
    labels = TYPES[: rng.randint(2, 4)]
    first = [rng.choice(labels) for _ in range(rng.randint(2, 60))]
    second = [x if rng.random() < 0.6 else rng.choice(labels) for x in first]
    with np.errstate(all="ignore"):
        reference = cohen_kappa_score(first, second)
    assert same(cohen_kappa(zip(first, second, strict=True)), reference)


def test_cohen_kappa_undefined_cases() -> None:
    assert cohen_kappa([]) is None
    assert cohen_kappa([("a", "a"), ("a", "a")]) is None  # chance agreement is certain
    assert cohen_kappa([("a", "b"), ("b", "a")]) == pytest.approx(-1.0)
    assert cohen_kappa([("a", "a"), ("b", "b")]) == pytest.approx(1.0)


@pytest.mark.parametrize("seed", range(60))
def test_krippendorff_alpha_matches_reference(seed: int) -> None:
    rng = random.Random(seed)
    raters, n_units = rng.randint(2, 6), rng.randint(3, 40)
    data = np.full((raters, n_units), np.nan)
    units: list[list[str]] = []
    for u in range(n_units):
        truth = rng.randrange(3)
        values = []
        for r in range(raters):
            if rng.random() < 0.3:
                continue  # missing value: this rater has no claim here
            v = truth if rng.random() < 0.7 else rng.randrange(3)
            data[r, u] = v
            values.append(STANCES[v])
        units.append(values)
    ours = krippendorff_alpha(units)
    if len({v for vs in units if len(vs) > 1 for v in vs}) < 2:
        assert ours is None
        return
    reference = krippendorff.alpha(reliability_data=data, level_of_measurement="nominal")
    assert same(ours, reference)


def test_cluster_is_one_claim_per_annotator_best_overlap_first() -> None:
    a1 = Mark("a1", "d", "alice", 0, 10, "x", "none")
    a2 = Mark("a2", "d", "alice", 8, 20, "x", "none")
    b1 = Mark("b1", "d", "bob", 9, 20, "x", "none")  # overlaps both; a2 is the better match
    c1 = Mark("c1", "d", "carol", 30, 40, "x", "none")
    groups = cluster([a1, a2, b1, c1])
    assert [[m.id for m in g] for g in groups] == [["a1"], ["a2", "b1"], ["c1"]]


def reference_cluster(items: list) -> set[frozenset[str]]:
    """The matching rule written the slow, obvious way: every pair, best overlap first."""
    ranked = sorted(items, key=lambda x: (x.start, x.end, x.annotator))
    pairs = []
    for i, j in combinations(range(len(ranked)), 2):
        a, b = ranked[i], ranked[j]
        inter = min(a.end, b.end) - max(a.start, b.start)
        if inter > 0 and a.annotator != b.annotator:
            pairs.append((-inter / (max(a.end, b.end) - min(a.start, b.start)), i, j))
    groups = [{i} for i in range(len(ranked))]
    for _, i, j in sorted(pairs):
        gi = next(g for g in groups if i in g)
        gj = next(g for g in groups if j in g)
        if gi is gj or {ranked[k].annotator for k in gi} & {ranked[k].annotator for k in gj}:
            continue
        gi |= gj
        groups.remove(gj)
    return {frozenset(ranked[k].id for k in g) for g in groups}


@pytest.mark.parametrize("seed", range(40))
def test_cluster_matches_the_obvious_rule(seed: int) -> None:
    rng = random.Random(seed)
    people = ["alice", "bob", "carol", "dan"][: 2 + seed % 3]
    items = []
    for k in range(rng.randint(1, 30)):
        start = rng.randrange(0, 200)
        items.append(
            Mark(f"m{k}", "d", rng.choice(people), start, start + rng.randint(1, 40), "x", "none")
        )
    got = cluster(items)
    assert {frozenset(m.id for m in g) for g in got} == reference_cluster(items)
    assert all(len({m.annotator for m in g}) == len(g) for g in got)
    assert sorted(m.id for g in got for m in g) == sorted(m.id for m in items)


# -- end to end over a store ----------------------------------------------------------------
def build_team(
    store_path: Path, seed: int = 3, n_units: int = 60
) -> tuple[Store, str, dict[str, dict[int, tuple[int, int, str, str]]]]:
    """Three annotators tagging the same well-separated places, with noise; returns the truth
    of who tagged what where (unit -> (start, end, type, stance)) for the reference check."""
    rng = random.Random(seed)
    store = Store(store_path, annotator="setup")
    doc, _ = store.add_document(TEXT, "shared")
    truth: dict[str, dict[int, tuple[int, int, str, str]]] = {}
    for name in ("alice", "bob", "carol"):
        who = Store(store_path, annotator=name)
        truth[name] = {}
        for u in range(n_units):
            if rng.random() < 0.15:
                continue  # missed this claim
            start, end = u * 200, u * 200 + 60
            if rng.random() < 0.3:
                start, end = start + rng.randint(1, 10), end + rng.randint(-10, 10)
            ctype = TYPES[u % 4] if rng.random() < 0.75 else rng.choice(TYPES)
            stance = STANCES[u % 3] if rng.random() < 0.8 else rng.choice(STANCES)
            who.add_claim(doc.id, start, end, ctype, stance=stance)
            truth[name][u] = (start, end, ctype, stance)
        who.close()
    return store, doc.id, truth


def test_pairwise_figures_match_the_references(tmp_path: Path) -> None:
    store, _, truth = build_team(tmp_path / "team.db")
    result = compute(store)
    assert result.annotators == ["alice", "bob", "carol"]
    assert result.documents == 1
    for pair in result.pairs:
        a, b = truth[pair["a"]], truth[pair["b"]]
        both = sorted(set(a) & set(b))
        assert pair["claims_a"] == len(a) and pair["claims_b"] == len(b)
        assert pair["matched_overlap"] == len(both)
        exact = sum(a[u][:2] == b[u][:2] for u in both)
        assert pair["matched_exact"] == exact
        assert pair["f1_exact"] == pytest.approx(2 * exact / (len(a) + len(b)))
        assert pair["f1_overlap"] == pytest.approx(2 * len(both) / (len(a) + len(b)))
        for field, index in (("claim_type", 2), ("stance", 3)):
            reference = cohen_kappa_score([a[u][index] for u in both], [b[u][index] for u in both])
            assert same(pair[f"kappa_{field}"], reference)


def test_alpha_over_three_annotators_matches_reference(tmp_path: Path) -> None:
    store, _, truth = build_team(tmp_path / "team.db")
    result = compute(store)
    names = sorted(truth)
    for field, index, labels in (("claim_type", 2, TYPES), ("stance", 3, STANCES)):
        data = np.full((3, 60), np.nan)
        for r, name in enumerate(names):
            for u, values in truth[name].items():
                data[r, u] = labels.index(values[index])
        reference = krippendorff.alpha(reliability_data=data, level_of_measurement="nominal")
        assert same(result.overall[f"alpha_{field}"], reference)


def test_per_label_breakdown_counts(tmp_path: Path) -> None:
    store, _, truth = build_team(tmp_path / "team.db")
    result = compute(store, ["alice", "bob"])
    a, b = truth["alice"], truth["bob"]
    both = set(a) & set(b)
    for label in TYPES:
        row = result.labels["claim_type"][label]
        uses = sum(v[2] == label for v in a.values()) + sum(v[2] == label for v in b.values())
        agreed = sum(a[u][2] == b[u][2] == label for u in both)
        assert (row["uses"], row["agreed"]) == (uses, agreed)
        assert row["f1"] == pytest.approx(2 * agreed / uses)
        reference = cohen_kappa_score(
            [a[u][2] == label for u in sorted(both)], [b[u][2] == label for u in sorted(both)]
        )
        assert same(row["kappa"], reference)


def test_only_documents_both_worked_on_count(tmp_path: Path) -> None:
    path = tmp_path / "t.db"
    setup = Store(path, annotator="setup")
    shared, _ = setup.add_document(TEXT, "shared")
    only_alice, _ = setup.add_document(TEXT + " more", "alice only")
    done_empty, _ = setup.add_document(TEXT + " empty", "bob found nothing")
    skipped, _ = setup.add_document(TEXT + " skipped", "bob skipped")
    alice, bob = Store(path, annotator="alice"), Store(path, annotator="bob")
    for doc in (shared, only_alice, done_empty, skipped):
        alice.add_claim(doc.id, 0, 20, "statistical")
    bob.add_claim(shared.id, 0, 20, "statistical")
    bob.set_status(done_empty.id, "done")
    bob.add_claim(skipped.id, 0, 20, "statistical")
    bob.set_status(skipped.id, "skipped")
    gold = Store(path, annotator=GOLD)
    gold.add_claim(shared.id, 0, 20, "statistical")
    result = compute(setup)
    assert result.annotators == ["alice", "bob"]  # the gold layer is left out by default
    pair = result.pairs[0]
    assert pair["documents"] == 2  # shared + done_empty
    assert (pair["claims_a"], pair["claims_b"], pair["matched_exact"]) == (2, 1, 1)
    assert pair["f1_exact"] == pytest.approx(2 / 3)
    with_gold = compute(setup, ["alice", GOLD])
    assert with_gold.pairs[0]["documents"] == 1


def test_agreement_command_text_and_json(tmp_path: Path) -> None:
    path = tmp_path / "team.db"
    build_team(path)[0].close()
    runner = CliRunner()
    text = runner.invoke(cli, ["--db", str(path), "agreement"])
    assert text.exit_code == 0, text.output
    assert "alice ~ bob" in text.output and "bob ~ carol" in text.output
    assert "Krippendorff's alpha" in text.output and "statistical" in text.output
    out = runner.invoke(
        cli, ["--db", str(path), "agreement", "--annotators", "alice,bob", "--json"]
    )
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    assert data["annotators"] == ["alice", "bob"] and len(data["pairs"]) == 1
    assert set(data["overall"]) >= {
        "f1_exact",
        "f1_overlap",
        "mean_kappa_claim_type",
        "mean_kappa_stance",
        "alpha_claim_type",
        "alpha_stance",
    }
    bad = runner.invoke(cli, ["--db", str(path), "agreement", "--annotators", "alice"])
    assert bad.exit_code != 0


def test_agreement_with_nothing_shared_says_so(tmp_path: Path) -> None:
    path = tmp_path / "lonely.db"
    store = Store(path, annotator="alice")
    doc, _ = store.add_document(TEXT, "d")
    store.add_claim(doc.id, 0, 10, "opinion")
    store.close()
    result = CliRunner().invoke(cli, ["--db", str(path), "agreement"])
    assert result.exit_code == 0
    assert "nothing to compare" in result.output
