"""Inter-annotator agreement on claims: span F1, Cohen's kappa, Krippendorff's alpha, per label.

Two annotators agree on a claim when their spans match (exactly, or by overlapping) and, for the
labels, when the matched claims carry the same claim type or stance. Only documents that *both*
annotators worked on count (they marked it done or tagged at least one claim in it, and did not
skip it), so a document nobody has opened yet is not a wall of "missed" claims. Once documents
are assigned (``annotty assign``), an annotator with assignments counts only on the documents
assigned to them, so agreement is measured over the overlap the assignment made.

Matching is one-to-one and greedy by overlap (Jaccard of the character ranges, best first, ties
by position), so identical spans always pair up first and "exact" matches are the matched pairs
with identical boundaries. With more than two annotators the same rule builds *units*: groups of
overlapping claims with at most one claim per annotator; Krippendorff's alpha (nominal, missing
values allowed) is computed over those units.

The statistics are small and exactly specified, so they live here in plain Python rather than
pulling numpy into the core; the tests check them against scikit-learn and ``krippendorff``.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from itertools import combinations
from typing import Any, NamedTuple, Protocol, TypeVar

from annotations.assignments import counted
from annotations.store import Store

GOLD = "adjudicated"
"""The reserved annotator name of the adjudicated (gold) layer; left out of agreement unless
asked for by name."""
LABEL_FIELDS = ("claim_type", "stance")


class Spanned(Protocol):
    @property
    def annotator(self) -> str: ...
    @property
    def start(self) -> int: ...
    @property
    def end(self) -> int: ...


S = TypeVar("S", bound=Spanned)


class Mark(NamedTuple):
    """The part of a ``model.Claim`` that agreement needs, as a tuple.

    Kept apart from ``Claim`` for speed alone: reading 100,000 claims for agreement takes ~210 ms
    as marks (seven columns, tuples built in C) against ~830 ms as ``Claim`` objects (every
    column, frozen dataclasses; medians of 5, 2026-11-30). ``tests/test_claim_rows.py`` checks that
    every field is a ``Claim`` field of the same type.
    """

    id: str
    doc_id: str
    annotator: str
    start: int
    end: int
    claim_type: str
    stance: str


def cluster(items: Sequence[S]) -> list[list[S]]:
    """Group overlapping spans of *different* annotators, best overlap first, one per annotator.

    Returns every item in exactly one group (unmatched items alone), groups ordered by their
    first span, members by start.
    With two annotators this is a one-to-one matching. Cost: a sort plus one step per pair of
    overlapping spans (agreement on 100k claims spends most of its time here).
    """
    ranked = sorted(items, key=lambda x: (x.start, x.end, x.annotator))
    starts = [x.start for x in ranked]
    ends = [x.end for x in ranked]
    who = [x.annotator for x in ranked]
    n = len(ranked)
    pairs: list[tuple[float, int, int]] = []
    for i in range(n):
        a_start, a_end, a_who = starts[i], ends[i], who[i]
        j = i + 1
        while j < n and starts[j] < a_end:
            if who[j] != a_who:
                b_start, b_end = starts[j], ends[j]  # minus Jaccard: best first when sorted
                if b_end <= a_end:
                    pairs.append(((b_start - b_end) / (a_end - a_start), i, j))
                else:
                    pairs.append(((b_start - a_end) / (b_end - a_start), i, j))
            j += 1
    pairs.sort()
    if len(set(who)) <= 2:  # a one-to-one matching: no groups to merge, much cheaper
        partner = [-1] * n
        for _, i, j in pairs:
            if partner[i] < 0 and partner[j] < 0:
                partner[i], partner[j] = j, i
        return [
            [ranked[k]] if partner[k] < 0 else [ranked[k], ranked[partner[k]]]
            for k in range(n)
            if partner[k] < 0 or partner[k] > k
        ]
    group = list(range(n))
    members: dict[int, list[int]] = {i: [i] for i in group}
    names: dict[int, set[str]] = {i: {who[i]} for i in group}
    for _, i, j in pairs:
        gi, gj = group[i], group[j]
        if gi == gj or names[gi] & names[gj]:
            continue
        if len(members[gi]) < len(members[gj]):
            gi, gj = gj, gi
        for k in members[gj]:
            group[k] = gi
        members[gi].extend(members.pop(gj))
        names[gi] |= names.pop(gj)
    out: dict[int, list[S]] = {}  # by first member, members in text order: no sorting needed
    for k in range(n):
        out.setdefault(group[k], []).append(ranked[k])
    return list(out.values())


# -- statistics ------------------------------------------------------------------------------
Confusion = Counter  # (first rater's label, second rater's label) -> count


L = TypeVar("L", str, bool)


def cohen_kappa(pairs: Iterable[tuple[L, L]] | Confusion[tuple[L, L]]) -> float | None:
    """Cohen's kappa of two raters' labels (pairs, or their confusion counts).

    None when undefined: no items, or agreement by chance alone is certain (one label only).
    """
    confusion = pairs if isinstance(pairs, Counter) else Counter(pairs)
    n = sum(confusion.values())
    if not n:
        return None
    first: Counter[L] = Counter()
    second: Counter[L] = Counter()
    observed = 0
    for (x, y), count in confusion.items():
        first[x] += count
        second[y] += count
        observed += count if x == y else 0
    expected = sum(count * second[label] for label, count in first.items()) / (n * n)
    if expected >= 1.0:
        return None
    return (observed / n - expected) / (1.0 - expected)


def one_vs_rest(confusion: Confusion[tuple[str, str]], label: str) -> float | None:
    """Kappa for "is it ``label`` or not": how reliably this one label is told apart."""
    binary: Counter[tuple[bool, bool]] = Counter()
    for (x, y), count in confusion.items():
        binary[(x == label, y == label)] += count
    return cohen_kappa(binary)


def krippendorff_alpha(units: Iterable[Sequence[str]]) -> float | None:
    """Krippendorff's alpha, nominal, from each unit's values (missing values simply absent).

    Units with fewer than two values cannot be paired and are ignored. None when undefined
    (fewer than two pairable values, or only one value ever used).
    """
    disagreement = 0.0
    totals: Counter[str] = Counter()
    # Units with the same values contribute the same: count each pattern once (100k units
    # of 2-3 values make a few dozen patterns).
    patterns = Counter(tuple(sorted(values)) for values in units if len(values) > 1)
    for values, times in patterns.items():
        m = len(values)
        counts = Counter(values)
        disagreement += times * (m * m - sum(c * c for c in counts.values())) / (m - 1)
        for value, c in counts.items():
            totals[value] += times * c
    n = sum(totals.values())
    expected = n * n - sum(c * c for c in totals.values())
    if n < 2 or expected == 0:
        return None
    return 1.0 - (n - 1) * disagreement / expected


def f1(matched: int, total: int) -> float | None:
    """Symmetric F1 = 2·matched / (claims of both sides): either side may be taken as gold."""
    return None if total == 0 else 2 * matched / total


# -- the report ------------------------------------------------------------------------------
@dataclass
class Tally:
    """Counts for one pair of annotators, or for all pairs summed."""

    documents: int = 0
    claims_a: int = 0
    claims_b: int = 0
    exact: int = 0
    overlap: int = 0
    uses: dict[str, Counter[str]] = field(
        default_factory=lambda: {f: Counter() for f in LABEL_FIELDS}
    )
    confusion: dict[str, Counter[tuple[str, str]]] = field(
        default_factory=lambda: {f: Counter() for f in LABEL_FIELDS}
    )

    def add(self, other: Tally) -> None:
        self.documents += other.documents
        self.claims_a += other.claims_a
        self.claims_b += other.claims_b
        self.exact += other.exact
        self.overlap += other.overlap
        for f in LABEL_FIELDS:
            self.uses[f].update(other.uses[f])
            self.confusion[f].update(other.confusion[f])

    def spans(self) -> dict[str, Any]:
        n = self.claims_a + self.claims_b
        return {
            "documents": self.documents,
            "claims_a": self.claims_a,
            "claims_b": self.claims_b,
            "matched_exact": self.exact,
            "matched_overlap": self.overlap,
            "f1_exact": f1(self.exact, n),
            "f1_overlap": f1(self.overlap, n),
        }

    def labels(self) -> dict[str, dict[str, dict[str, Any]]]:
        """Per label: uses (both sides), agreed (matched pairs both giving it), label-aware
        overlap F1, and one-vs-rest kappa over matched claims."""
        out: dict[str, dict[str, dict[str, Any]]] = {}
        for f in LABEL_FIELDS:
            conf = self.confusion[f]
            out[f] = {
                label: {
                    "uses": uses,
                    "agreed": conf[(label, label)],
                    "f1": f1(conf[(label, label)], uses),
                    "kappa": one_vs_rest(conf, label),
                }
                for label, uses in sorted(self.uses[f].items())
            }
        return out


@dataclass
class Agreement:
    """Everything ``annotty agreement`` prints; ``to_dict`` is the ``--json`` shape."""

    annotators: list[str]
    documents: int
    pairs: list[dict[str, Any]]
    overall: dict[str, Any]
    labels: dict[str, dict[str, dict[str, Any]]]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


# Mark's fields as columns; an unset label reads as "" (a label of its own, "no label")
_MARK_COLUMNS = ", ".join(
    f"coalesce(\"{name}\", '')" if name in LABEL_FIELDS else f'"{name}"' for name in Mark._fields
)


def load(
    store: Store, annotators: Sequence[str] | None = None
) -> tuple[list[str], dict[str, dict[str, list[Mark]]]]:
    """The chosen annotators and, per document, each covering annotator's claims.

    Default annotators: everyone with a claim or a status, except the gold layer.
    """
    by_doc: dict[str, dict[str, list[Mark]]] = defaultdict(lambda: defaultdict(list))
    with store.reading() as conn:  # plain tuples from the cursor: 100k dicts cost ~0.5 s
        rows = conn.execute(f"select {_MARK_COLUMNS} from claims").fetchall()
    for row in rows:
        mark = Mark._make(row)
        by_doc[mark.doc_id][mark.annotator].append(mark)
    status = {
        (r["doc_id"], r["annotator"]): r["status"]
        for r in store.query("select doc_id, annotator, status from doc_state")
    }
    everyone = {a for per in by_doc.values() for a in per} | {a for _, a in status}
    chosen = list(annotators) if annotators else sorted(everyone - {GOLD})
    assigned = store.assignment_map()  # with assignments, only the overlap of theirs counts
    anyone = {a for who in assigned.values() for a in who}
    covered: dict[str, dict[str, list[Mark]]] = {}
    for doc_id in sorted(set(by_doc) | {d for d, _ in status}):
        claims = by_doc.get(doc_id, {})
        mine = counted(chosen, assigned.get(doc_id, ()), anyone) if anyone else chosen
        keep = {
            a: claims.get(a, [])
            for a in chosen
            if a in mine
            and status.get((doc_id, a)) != "skipped"
            and (a in claims or status.get((doc_id, a)) == "done")
        }
        if len(keep) >= 2:
            covered[doc_id] = keep
    return chosen, covered


def compute(store: Store, annotators: Sequence[str] | None = None) -> Agreement:
    """Agreement among ``annotators`` (default: all but the gold layer) over shared documents."""
    chosen, covered = load(store, annotators)
    return measure(chosen, covered)


def measure(chosen: Sequence[str], covered: dict[str, dict[str, list[Mark]]]) -> Agreement:
    """The statistics from already-loaded claims (split out so the benchmark can time it)."""
    tallies = {pair: Tally() for pair in combinations(chosen, 2)}
    units: dict[str, list[list[str]]] = {f: [] for f in LABEL_FIELDS}
    for per in covered.values():
        present = [a for a in chosen if a in per]
        uses = {
            a: {f: Counter(getattr(m, f) for m in per[a]) for f in LABEL_FIELDS} for a in present
        }
        for a, b in combinations(present, 2):
            groups = _compare(tallies[(a, b)], a, per[a], per[b])
            for f in LABEL_FIELDS:
                tallies[(a, b)].uses[f].update(uses[a][f])
                tallies[(a, b)].uses[f].update(uses[b][f])
        if len(present) > 2:  # with two, the pair's matching already is the units
            groups = cluster([m for a in present for m in per[a]])
        for g in groups:
            if len(g) > 1:
                for f in LABEL_FIELDS:
                    units[f].append([getattr(m, f) for m in g])
    total = Tally()
    pairs = []
    for (a, b), t in tallies.items():
        total.add(t)
        pairs.append(
            {
                "a": a,
                "b": b,
                **t.spans(),
                **{f"kappa_{f}": cohen_kappa(t.confusion[f]) for f in LABEL_FIELDS},
                "labels": t.labels(),
            }
        )
    overall: dict[str, Any] = {
        k: v for k, v in total.spans().items() if k.startswith(("f1", "matched"))
    }
    for f in LABEL_FIELDS:
        kappas = [k for t in tallies.values() if (k := cohen_kappa(t.confusion[f])) is not None]
        overall[f"mean_kappa_{f}"] = sum(kappas) / len(kappas) if kappas else None
        overall[f"alpha_{f}"] = krippendorff_alpha(units[f])
    overall["units"] = len(units[LABEL_FIELDS[0]])
    return Agreement(
        annotators=list(chosen),
        documents=len(covered),
        pairs=pairs,
        overall=overall,
        labels=total.labels(),
    )


def _compare(tally: Tally, a: str, first: list[Mark], second: list[Mark]) -> list[list[Mark]]:
    """Add one document's claims of annotators ``a`` (first) and b (second); returns the
    matching."""
    tally.documents += 1
    tally.claims_a += len(first)
    tally.claims_b += len(second)
    groups = cluster(first + second)
    types, stances = tally.confusion["claim_type"], tally.confusion["stance"]
    for g in groups:
        if len(g) != 2:
            continue
        x, y = g if g[0].annotator == a else (g[1], g[0])
        tally.overlap += 1
        tally.exact += x.start == y.start and x.end == y.end
        types[(x.claim_type, y.claim_type)] += 1
        stances[(x.stance, y.stance)] += 1
    return groups
