"""The learned claim suggester: retraining speed, scoring speed, and its learning curve.

Retraining is timed on 10,000 decided units of generated news (labels from the built-in score
with a tenth flipped, so both classes and some disagreement are there), with scikit-learn already
imported as in the app's worker after its first training; scoring on every unit of seed 004 with
its units and entities already known, as for an open document in the app. The learning curve
splits the claim gold (``tests/data/claims_gold.jsonl``) into two halves of whole documents,
trains on 25 / 50 / 100 % of one half and scores the other, beside the untrained built-in one.
"""

from __future__ import annotations

import json
import random
import time
from pathlib import Path

from annotations import entities
from annotations.suggest import learning_curve
from annotations.suggest.builtin import BuiltinSuggester
from annotations.suggest.learned import LearnedSuggester, train, unit_examples
from annotations.suggest.units import units
from bench.corpus import big_text, seed_texts
from bench.report import Report, median_ms

GOLD = Path(__file__).resolve().parent.parent / "tests" / "data" / "claims_gold.jsonl"
DECISIONS = 10_000
RETRAIN_TARGET_S = 2.0
SCORE_TARGET_MS = 50.0


def retraining(report: Report, recognize: entities.Recognizer) -> None:
    text = big_text(2_000_000, seed=11)
    spans = units(text)[:DECISIONS]
    text = text[: spans[-1][1]]
    found = recognize.recognize(text)
    builtin = BuiltinSuggester().score_units(text, spans, found)
    rng = random.Random(5)
    labelled = [(c.start, c.end, (c.score >= 0.5) != (rng.random() < 0.1)) for c in builtin]
    t0 = time.perf_counter()
    import sklearn.linear_model  # noqa: F401  (once per process: the app's worker keeps it)

    import_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    examples = unit_examples(text, labelled, found)
    features_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    params = train(examples)
    train_s = time.perf_counter() - t0
    report.section(f"retraining on {len(examples):,} decisions")
    report.add("import scikit-learn (first training in a process only)", import_s, "s")
    report.add("features of the decided units", features_s, "s")
    total = features_s + train_s
    report.add("hash n-grams + fit (train)", train_s, "s")
    report.add("retrain, features included", total, "s", f"<= {RETRAIN_TARGET_S} s", total <= 2)
    report.add("stored model (JSON)", len(json.dumps(params.to_dict())) / 1024, "KB")
    report.add("non-zero n-gram weights", float(len(params.ngram_weights)), "")


def scoring(report: Report, recognize: entities.Recognizer) -> LearnedSuggester:
    docs = learning_curve.load_gold(GOLD)
    found = {d.name: recognize.recognize(d.text) for d in docs}
    examples = [x for d in docs for x in unit_examples(d.text, d.spans, found[d.name])]
    learned = LearnedSuggester(train(examples))
    text = next(t for t in seed_texts() if t.startswith(docs[4].text[:200]))
    seed_entities = recognize.recognize(text)
    spans = units(text)
    cut_ms = median_ms(lambda: units(text), repeat=15)
    ms = median_ms(lambda: learned.score_units(text, spans, seed_entities), repeat=15)
    report.section(f"scoring seed 004 ({len(spans)} units, {len(text):,} chars)")
    report.add("cut into units (once per open document, cached)", cut_ms, "ms")
    target = f"<= {SCORE_TARGET_MS:.0f} ms"
    ok = ms <= SCORE_TARGET_MS
    report.add("learned suggester, score all units (median)", ms, "ms", target, ok)
    base = median_ms(lambda: BuiltinSuggester().score_units(text, spans, seed_entities), 15)
    report.add("built-in suggester, same units (median)", base, "ms")
    return learned


def curve(report: Report, recognize: entities.Recognizer) -> None:
    docs = learning_curve.load_gold(GOLD)
    a, b = learning_curve.halves(docs)
    names = {"A": [d.name[:3] for d in a], "B": [d.name[:3] for d in b]}
    report.section(f"learning curve on the claim gold (A = seeds {names['A']}, B = {names['B']})")
    print(f"  {'train':<6} {'part':>5} {'units':>6} {'test':>5}   {'AP':>5} {'F1':>5}   builtin")
    points = learning_curve.curve(docs, recognize.recognize)
    for p in points:
        print(
            f"  {p.train_half:<6} {p.fraction:>5.0%} {p.train_units:>6} {p.test_units:>5}   "
            f"{p.learned_ap:>5.3f} {p.learned_f1:>5.3f}   "
            f"AP {p.builtin_ap:.3f} F1 {p.builtin_f1:.3f}"
        )
    for p in points:
        if p.fraction == 1.0:
            other = "B" if p.train_half == "A" else "A"
            name = f"trained on {p.train_half}, scored on {other}"
            report.add(
                f"{name}: AP learned - built-in",
                p.learned_ap - p.builtin_ap,
                "",
                "> 0",
                p.learned_ap > p.builtin_ap,
            )
            report.add(f"{name}: F1 learned - built-in", p.learned_f1 - p.builtin_f1, "")


def main() -> None:
    report = Report()
    recognize = entities.builtin()
    retraining(report, recognize)
    scoring(report, recognize)
    curve(report, recognize)


if __name__ == "__main__":
    main()
