"""Claim suggestions: quality of the built-in suggester on the seed gold, and its speed.

Quality: precision, recall and F1 for "claim" at the default threshold and the average precision
of the ranking of all units, on ``tests/data/claims_gold.jsonl`` (every unit of the five seeds
labelled by hand, ClaimBuster's check-worthy sentences as "claim"), with the built-in entity
recognizer. The weights are fitted on this gold and the news gold's dev half
(``annotations.suggest.fit_weights``), so those figures flatter them; the news gold's test half
(16 articles labelled blind, never fitted on) is the held-out figure, and the leave-one-text-out
figures (fit on four seeds, score the fifth, pooled) the most pessimistic one.

Speed, in process CPU time (the machine is shared), on the 10 MB generated document:
``suggest()`` given the entities (the target: suggestions need entities, which the app has already
computed and cached by then), split into cutting the units (syntok) and scoring them; and the total
with entity recognition; then ``score_in_parts`` (the text cut in parts, one process each, as the
reader does for a long document), in wall-clock time, median of three runs. Then the time to
score the units of seed 004, the largest seed, as the reader would for an open document.
"""

from __future__ import annotations

import resource
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from annotations.entities import builtin, recognize_in_chunks
from annotations.model import Entity
from annotations.suggest import evaluate as ev
from annotations.suggest import fit_weights
from annotations.suggest.builtin import BuiltinSuggester
from annotations.suggest.parallel import default_workers, score_in_parts
from annotations.suggest.units import units
from bench.corpus import SEEDS, big_text
from bench.report import Report, median_ms

T = TypeVar("T")
GOLD = Path(__file__).resolve().parent.parent / "tests" / "data" / "claims_gold.jsonl"
AP_TARGET = 0.80
F1_TARGET = 0.75
SPEED_TARGET = 2_000_000  # chars/s
SEED_MS_TARGET = 50.0
SEED = "004_a0ad6f8e3763169b.txt"


def quality(report: Report, gold: Path) -> None:
    if not gold.is_file():
        report.section(f"quality: no gold file at {gold} - skipped")
        return
    records = ev.load_gold(gold)
    recognizer = builtin()
    suggester = BuiltinSuggester()
    figures(report, records, f"{gold.name} (in sample: the weights are fitted on it)")
    figures(
        report,
        fit_weights.held_out_gold(),
        "the news gold's test half (held out: labelled blind, never fitted on)",
    )
    try:
        held = fit_weights.leave_one_out(fit_weights.gold_units(records, recognizer.recognize))
    except ImportError:
        report.section("quality, leave one text out: skipped (needs scikit-learn: the dev extra)")
        return
    labels = [claim for _, _, claim in held]
    found = [score for _, score, _ in held]
    suggested = sum(1 for s in found if s >= suggester.threshold)
    correct = sum(1 for s, y in zip(found, labels, strict=True) if y and s >= suggester.threshold)
    precision = correct / suggested if suggested else 0.0
    recall = correct / sum(labels) if any(labels) else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    report.section("quality, leave one text out: weights fitted on four seeds, the fifth scored")
    report.add("precision (claim)", precision, f"{correct}/{suggested}")
    report.add("recall (claim)", recall, f"{correct}/{sum(labels)}")
    report.add("F1 (claim)", f1, "", f">= {F1_TARGET}", f1 >= F1_TARGET)
    ap = ev.average_precision(labels, found)
    report.add("average precision of the ranking", ap, "", f">= {AP_TARGET}", ap >= AP_TARGET)


def figures(report: Report, records: list[ev.GoldText], what: str) -> None:
    """P/R/F1 at the threshold and average precision of the built-in suggester on ``records``."""
    recognizer = builtin()
    suggester = BuiltinSuggester()
    scores = ev.evaluate(
        lambda text: suggester.suggest(text, recognizer.recognize(text)),
        records,
        suggester.threshold,
    )
    share = scores.gold_claims / scores.units if scores.units else 0.0
    report.section(
        f"quality: built-in suggester on {what}: {scores.texts} texts, {scores.units} units, "
        f"{scores.gold_claims} claims ({share:.0%}); threshold {scores.threshold:g}"
    )
    report.add("precision (claim)", scores.precision, f"{scores.correct}/{scores.suggested}")
    report.add("recall (claim)", scores.recall, f"{scores.found}/{scores.gold_claims}")
    report.add("F1 (claim)", scores.f1, "", f">= {F1_TARGET}", scores.f1 >= F1_TARGET)
    ap = scores.average_precision
    report.add("average precision of the ranking", ap, "", f">= {AP_TARGET}", ap >= AP_TARGET)


def _cpu(fn: Callable[[], T]) -> tuple[float, T]:
    """Process CPU seconds of one call, and its result."""
    t0 = time.process_time()
    out = fn()
    return time.process_time() - t0, out


def speed(report: Report) -> None:
    text = big_text()
    mb = len(text) / 1e6
    recognizer = builtin()
    recognizer.recognize("warm-up")
    suggester = BuiltinSuggester()

    def recognize() -> list[Entity]:
        return [e for piece in recognize_in_chunks(recognizer, text) for e in piece]

    t_ner, entities = _cpu(recognize)
    t_units, spans = _cpu(lambda: units(text))
    t_score, _ = _cpu(lambda: suggester.score_units(text, spans, entities))
    t_suggest, found = _cpu(lambda: suggester.suggest(text, entities))
    report.section(f"speed: {mb:.0f} MB document, {len(found):,} units")
    report.add("cut into units (syntok sentences, line breaks)", t_units, "s")
    report.add("score the units given units and entities", t_score, "s")
    report.add("  chars per second, scoring alone", len(text) / t_score, "chars/s")
    rate = len(text) / t_suggest
    report.add("suggest() given the entities: total", t_suggest, "s")
    report.add(
        "suggest() given the entities: chars per second",
        rate,
        "chars/s",
        f">= {SPEED_TARGET:,}",
        rate >= SPEED_TARGET,
    )
    report.add("entity recognition (100k-char pieces)", t_ner, "s")
    report.add(
        "recognition + suggest(): chars per second", len(text) / (t_ner + t_suggest), "chars/s"
    )
    workers = max(2, default_workers())
    runs = []
    busiest = []  # CPU seconds of the busiest process: the wall time when the cores are free
    for _ in range(3):
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        c0, p0, t0 = children.ru_utime + children.ru_stime, time.process_time(), time.perf_counter()
        parted = score_in_parts(text, entities, suggester, workers)
        runs.append(time.perf_counter() - t0)
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        child = (children.ru_utime + children.ru_stime - c0) / (workers - 1)
        busiest.append(max(time.process_time() - p0, child))
    assert parted == found, "score_in_parts differs from suggest()"
    wall = statistics.median(runs)
    rate = len(text) / wall
    report.add(f"score_in_parts, {workers} processes: wall seconds (median of 3)", wall, "s")
    report.add(
        "  CPU of its busiest process (wall on free cores), median",
        statistics.median(busiest),
        "s",
    )
    report.add(
        "score_in_parts: chars per second (wall)",
        rate,
        "chars/s",
        f">= {SPEED_TARGET:,}",
        rate >= SPEED_TARGET,
    )


def seed_document(report: Report) -> None:
    text = (SEEDS / SEED).read_text(encoding="utf-8")
    entities = builtin().recognize(text)
    suggester = BuiltinSuggester()
    spans = units(text)
    report.section(f"seed {SEED[:3]}: {len(text):,} chars, {len(spans)} units")
    ms = median_ms(lambda: suggester.suggest(text, entities))
    report.add(
        "suggest() given the entities (units + scores)",
        ms,
        "ms",
        f"<= {SEED_MS_TARGET:.0f} ms",
        ms <= SEED_MS_TARGET,
    )
    report.add("  of which cutting the units", median_ms(lambda: units(text)), "ms")
    report.add(
        "  scoring the units alone",
        median_ms(lambda: suggester.score_units(text, spans, entities)),
        "ms",
    )
    report.add("entity recognition of the seed", median_ms(lambda: builtin().recognize(text)), "ms")


def main(argv: list[str]) -> None:
    """``python -m bench.bench_suggest [GOLD.jsonl]`` (by default the seed gold)."""
    report = Report()
    quality(report, Path(argv[0]) if argv else GOLD)
    seed_document(report)
    speed(report)


if __name__ == "__main__":
    main(sys.argv[1:])
