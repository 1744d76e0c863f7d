"""The learned claim suggester: retraining speed, scoring speed, and its learning curve.

Retraining is timed on 10,000 decided units of generated news (labels from the built-in score
with a tenth flipped, so both classes and some disagreement are there), with scikit-learn already
imported as in the app's worker after its first training, then through the store as the app's
worker retrains (``training.retrain``: examples, cached entities and corrections read from the
database, features, fit, the model saved); scoring on every unit of seed 004 with
its units and entities already known, as for an open document in the app. The learning curve
splits the claim gold into two halves of whole documents, trains on 25 / 50 / 100 % of one half
and scores the other, beside the untrained built-in one: on the seeds' gold alone
(``tests/data/claims_gold.jsonl``: five documents, one of them a half; the built-in features were
fitted on them, so it is not held out for the built-in), on the seeds and the news gold together
(``claims_gold_news.jsonl``: 37 documents, labelled blind; the built-in's weights are fitted on the
seeds and the news dev half, ``fit_weights``), and split where the built-in was fitted: trained on
the seeds and the news dev half, scored on the news test half, the one part held out for both
(the other way round, the built-in is scored on its own fitting data). The learned model's
penalty, class weighting and threshold are chosen on its training part alone
(``learned.choose_fit``).
"""

from __future__ import annotations

import json
import random
import statistics
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from annotations import entities
from annotations.store import Store
from annotations.suggest import learning_curve, training
from annotations.suggest.builtin import BuiltinSuggester
from annotations.suggest.learned import LearnedSuggester, fit, train, unit_examples
from annotations.suggest.units import units
from bench.corpus import big_text, seed_texts
from bench.report import Report, median_ms

DATA = Path(__file__).resolve().parent.parent / "tests" / "data"
GOLD = DATA / "claims_gold.jsonl"
NEWS_GOLD = DATA / "claims_gold_news.jsonl"
DOC_UNITS = 100
"""Units per document of the generated decisions (cross-validation keeps documents together)."""
DECISIONS = 10_000
RETRAIN_TARGET_S = 2.0
SCORE_TARGET_MS = 50.0
STANCES = ("favor", "against", "none")


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
    examples = [
        replace(x, group=f"doc {n // DOC_UNITS}")
        for n, x in enumerate(unit_examples(text, labelled, found))
    ]
    features_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    params, choice = fit(examples)
    train_s = time.perf_counter() - t0
    report.section(
        f"retraining on {len(examples):,} decisions in documents of {DOC_UNITS} units "
        f"(chosen on {choice.folds} folds: C {choice.c:g}, "
        f"{'balanced' if choice.balanced else 'unweighted'}, threshold {choice.threshold:g})"
    )
    report.add("import scikit-learn (first training in a process only)", import_s, "s")
    report.add("features of the decided units", features_s, "s")
    total = features_s + train_s
    report.add("hash n-grams + choose C, weighting, threshold + fit (train)", train_s, "s")
    report.add("retrain, features included", total, "s", f"<= {RETRAIN_TARGET_S} s", total <= 2)
    report.add("stored model (JSON)", len(json.dumps(params.to_dict())) / 1024, "KB")
    report.add("non-zero n-gram weights", float(len(params.ngram_weights)), "")


def decided_store(recognize: entities.Recognizer, decisions: int = DECISIONS) -> Store:
    """An in-memory store with ``decisions`` decided units over documents of about 40 lines
    (about 40 % accepted, as claims with a random stance and one of eight targets, so both heads
    are trained; labels as in ``retraining``), their entities cached as the reader leaves them."""
    lines = big_text(2_000_000, seed=11).split("\n")
    store = Store(None, annotator="bench")
    rng = random.Random(5)
    rules = BuiltinSuggester()
    left = decisions
    for n in range(0, len(lines), 40):
        text = "\n".join(lines[n : n + 40])
        doc, _ = store.add_document(text, f"bench {n // 40}")
        found = recognize.recognize(text)
        store.cache_entities(doc.id, recognize.key, found)
        for c in rules.score_units(text, units(text)[:left], found):
            proposal: dict[str, Any] = {"score": c.score, "claim_type": c.claim_type}
            if (c.score >= 0.5) != (rng.random() < 0.1):
                labels = {"stance": rng.choice(STANCES), "target": f"target {rng.randrange(8)}"}
                store.accept_candidate(
                    doc.id,
                    c.start,
                    c.end,
                    **proposal,
                    speaker="",
                    suggester=rules.key,
                    claim_fields=labels,
                )
            else:
                store.reject_candidate(
                    doc.id, c.start, c.end, **proposal, speaker="", suggester=rules.key
                )
            left -= 1
        if not left:
            return store
    return store


def retraining_from_store(report: Report, recognize: entities.Recognizer) -> None:
    """``training.retrain`` as the app's worker runs it: examples read from the store (claims,
    decisions, cached entities with corrections), features, fit, and the model saved."""
    store = decided_store(recognize)
    try:
        t0 = time.perf_counter()
        data = training.gather(store, recognize)
        gather_s = time.perf_counter() - t0
        runs = [training.retrain(store, recognize) for _ in range(5)]
        seconds = statistics.median(r.seconds for r in runs)
        t0 = time.perf_counter()
        pending = training.decisions_since_model(store)
        count_ms = (time.perf_counter() - t0) * 1000
    finally:
        store.close()
    report.section(
        f"retrain() through the store: {len(data.examples):,} decisions "
        f"({data.positives:,} positives, {data.negatives:,} negatives; heads: "
        f"{', '.join(runs[0].heads) or 'none'})"
    )
    report.add("read examples, entities and features from the store", gather_s, "s")
    target = f"<= {RETRAIN_TARGET_S} s"
    report.add("retrain: gather + fit + save (median of 5)", seconds, "s", target, seconds <= 2)
    report.add("decisions since the model (after each decision)", count_ms, "ms")
    assert pending == 0


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
    combined = learning_curve.load_golds([GOLD, NEWS_GOLD])
    unseen = [d for d in combined if "news_gold/test/" in d.name]
    fitted_on = [d for d in combined if d not in unseen]
    for title, docs, split, held_out in (
        ("the seeds' gold alone", learning_curve.load_golds([GOLD]), None, False),
        ("the seeds' and the news gold together", combined, None, True),
        (
            "what the built-in was fitted on (A: seeds + news dev) and the news test half (B)",
            combined,
            (fitted_on, unseen),
            False,
        ),
    ):
        a, b = split or learning_curve.halves(docs)
        units_of = {"A": sum(len(d.spans) for d in a), "B": sum(len(d.spans) for d in b)}
        report.section(
            f"learning curve on {title}: A = {len(a)} documents ({units_of['A']} units), "
            f"B = {len(b)} documents ({units_of['B']} units)"
        )
        print(
            f"  {'train':<6} {'part':>5} {'units':>6} {'test':>5}   {'AP':>5} {'F1':>5}   "
            f"{'built-in AP':>11} {'F1':>5}   chosen on the training part"
        )
        points = learning_curve.curve(docs, recognize.recognize, split=split)
        for p in points:
            chosen = p.choice
            how = (
                f"{chosen.folds} folds: C {chosen.c:g}, "
                f"{'balanced' if chosen.balanced else 'unweighted'}, "
                f"threshold {chosen.threshold:g}"
                if chosen and chosen.folds
                else "too few documents or decisions: defaults"
            )
            print(
                f"  {p.train_half:<6} {p.fraction:>5.0%} {p.train_units:>6} {p.test_units:>5}   "
                f"{p.learned_ap:>5.3f} {p.learned_f1:>5.3f}   "
                f"{p.builtin_ap:>11.3f} {p.builtin_f1:>5.3f}   {how}"
            )
        print(
            "  (the interval beside a difference: 90 % of it when the test documents are drawn"
            " again with replacement)"
        )
        for p in points:
            if p.fraction != 1.0:
                continue
            other = "B" if p.train_half == "A" else "A"
            name = f"trained on {p.train_half}, scored on {other}"
            ap_spread, f1_spread = learning_curve.spread(p)
            for what, learned, builtin, (lo, hi) in (
                ("AP", p.learned_ap, p.builtin_ap, ap_spread),
                ("F1", p.learned_f1, p.builtin_f1, f1_spread),
            ):
                report.add(
                    f"{name}: {what} learned - built-in ({lo:+.3f} to {hi:+.3f})",
                    learned - builtin,
                    "",
                    "> 0" if held_out else "",
                    learned > builtin if held_out else None,
                )


def main() -> None:
    report = Report()
    recognize = entities.builtin()
    retraining(report, recognize)
    retraining_from_store(report, recognize)
    scoring(report, recognize)
    curve(report, recognize)


if __name__ == "__main__":
    main()
