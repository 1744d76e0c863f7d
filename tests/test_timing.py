"""Time on task (issue 16): the idle-aware stopwatch, the store's time tables on both backends,
the stats built from them (``annotty stats``, the stats screen) and the exports' ``seconds``."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st
from rich.console import Console

from annotations import schema as schema_mod
from annotations import stats
from annotations.cli import cli
from annotations.export import export
from annotations.export.annotty_json import schema
from annotations.store import Store, StoreError
from annotations.timing import Stopwatch, duration, summarise
from tui.screens.stats import render_all

pytestmark = pytest.mark.both_backends


class FakeClock:
    """A clock the test moves by hand."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now


# -- the stopwatch ------------------------------------------------------------------------------
def test_gaps_longer_than_the_idle_limit_count_only_the_limit() -> None:
    clock = FakeClock()
    watch = Stopwatch(60.0, clock)
    clock.now += 10
    watch.touch()
    clock.now += 90  # a coffee: counts a minute
    watch.touch()
    assert watch.elapsed() == 70
    clock.now += 30
    assert watch.elapsed() == 100  # the running gap counts too
    clock.now += 1000
    assert watch.elapsed() == 130  # ... up to the limit


def test_take_hands_out_each_second_once() -> None:
    clock = FakeClock()
    watch = Stopwatch(60.0, clock)
    clock.now += 20
    assert watch.take() == 20
    assert watch.take() == 0
    clock.now += 100
    watch.touch()
    assert watch.take() == 40  # 60 counted for the gap, 20 of it handed out already
    with pytest.raises(ValueError):
        Stopwatch(0, clock)


@given(
    steps=st.lists(
        st.tuples(st.floats(0, 500, allow_nan=False), st.sampled_from(["touch", "take", "look"])),
        max_size=40,
    ),
    idle=st.floats(1, 120),
)
def test_elapsed_never_exceeds_wall_time_never_decreases_and_caps_gaps(
    steps: list[tuple[float, str]], idle: float
) -> None:
    clock = FakeClock(0.0)
    watch = Stopwatch(idle, clock)
    last_touch, counted, seen, taken = 0.0, 0.0, 0.0, 0.0
    for gap, what in steps:
        clock.now += gap
        now = watch.elapsed()
        assert seen - 1e-9 <= now <= clock.now + 1e-9
        assert now == pytest.approx(counted + min(clock.now - last_touch, idle))
        seen = now
        if what == "touch":
            watch.touch()
            counted += min(clock.now - last_touch, idle)
            last_touch = clock.now
        elif what == "take":
            taken += watch.take()
    assert taken + watch.take() == pytest.approx(watch.elapsed())


def test_durations_read_at_a_glance() -> None:
    assert [duration(s) for s in (0, 42.4, 185, 7620)] == ["0s", "42s", "3m 05s", "2h 07m"]


def test_summary_medians_and_totals() -> None:
    t = summarise(
        [("ann", "fact", 10), ("ann", "fact", 30), ("ann", "opinion", 5), ("bob", "fact", 7)],
        [("ann", 2, 300.0)],
    )
    ann = t.by_annotator[0]
    assert (ann.annotator, ann.claims, ann.median_seconds, ann.total_seconds) == (
        "ann",
        3,
        10.0,
        45.0,
    )
    fact = next(c for c in t.by_type if c.annotator == "ann" and c.claim_type == "fact")
    assert (fact.claims, fact.median_seconds, fact.total_seconds) == (2, 20.0, 40.0)
    assert [(d.annotator, d.documents, d.total_seconds) for d in t.documents] == [("ann", 2, 300)]


# -- the store ----------------------------------------------------------------------------------
TEXT = "The minister said exports grew 12% in 2024. Critics called the figure misleading."


def test_claim_and_document_time_add_up(store: Store) -> None:
    doc, _ = store.add_document(TEXT, "t")
    claim = store.add_claim(doc.id, 0, 43, "statistical")
    assert store.claim_seconds(claim.id) is None
    store.add_claim_time(claim.id, 12.5)
    store.add_claim_time(claim.id, 4.0)  # an edit later
    assert store.claim_seconds(claim.id) == pytest.approx(16.5)
    store.add_doc_time(doc.id, 100.0)
    store.add_doc_time(doc.id, 20.0)
    store.add_doc_time(doc.id, 7.0, annotator="bob")
    assert store.doc_seconds(doc.id) == pytest.approx(120.0)
    assert store.doc_seconds(doc.id, "bob") == pytest.approx(7.0)
    for bad in (-1.0, float("nan"), float("inf")):
        with pytest.raises(StoreError):
            store.add_claim_time(claim.id, bad)
    assert store.claim_seconds(claim.id) == pytest.approx(16.5)


def _timed(store: Store) -> tuple[str, list[str]]:
    """A document with three timed claims of two types by "tester", one by "bob", one untimed."""
    doc, _ = store.add_document(TEXT, "t")
    ids = []
    for (start, end, ctype), seconds in zip(
        [(0, 43, "statistical"), (44, 81, "opinion"), (4, 12, "statistical")],
        [10.0, 40.0, 30.0],
        strict=True,
    ):
        claim = store.add_claim(doc.id, start, end, ctype)
        store.add_claim_time(claim.id, seconds)
        ids.append(claim.id)
    bob = store.add_claim(doc.id, 18, 25, "statistical")
    store.add_claim_time(bob.id, 6.0, annotator="bob")
    ids.append(store.add_claim(doc.id, 31, 34, "opinion").id)  # never timed
    store.add_doc_time(doc.id, 300.0)
    return doc.id, ids


def test_stats_per_annotator_and_type(store: Store) -> None:
    _timed(store)
    with store.reading() as conn:
        t = stats.compute(conn).time
    by_who = {c.annotator: c for c in t.by_annotator}
    assert (by_who["tester"].claims, by_who["tester"].median_seconds) == (3, 30.0)
    assert by_who["tester"].total_seconds == 80.0 and by_who["bob"].total_seconds == 6.0
    by_type = {(c.annotator, c.claim_type): c for c in t.by_type}
    assert by_type[("tester", "statistical")].median_seconds == 20.0
    assert by_type[("tester", "opinion")].total_seconds == 40.0
    assert [(d.annotator, d.total_seconds) for d in t.documents] == [("tester", 300.0)]
    # the stats screen's section, as text
    lines = Console(width=120, record=True, color_system=None)
    for part in render_all(_numbers(store), 116, schema_mod.load_default()):
        lines.print(part)
    shown = lines.export_text()
    assert "Time per claim" in shown and "median 30s" in shown and "total 1m 20s" in shown
    assert "tester 5m 00s (1 document)" in shown


def _numbers(store: Store) -> stats.Stats:
    with store.reading() as conn:
        return stats.compute(conn)


def test_cli_prints_time(store: Store, tmp_path: Path, backend: str) -> None:
    if backend == "sqlite":  # the CLI needs a file
        store = Store(tmp_path / "t.db", annotator="tester")
    _timed(store)
    db = store.url or str(store.path)
    as_json = CliRunner().invoke(cli, ["--db", db, "stats", "--json"])
    assert as_json.exit_code == 0, as_json.output
    time = json.loads(as_json.output)["time"]
    assert {"annotator": "bob", "claim_type": None, "claims": 1, "median_seconds": 6.0,
            "total_seconds": 6.0} in time["by_annotator"]  # fmt: skip
    human = CliRunner().invoke(cli, ["--db", db, "stats"])
    assert "time       tester: 3 claims timed, median 30s, total 1m 20s;" in human.output
    assert "1 document open 5m 00s" in human.output
    assert "  statistical: 2 claims, median 20s, total 40s" in human.output
    if backend == "sqlite":
        store.close()


def test_exports_carry_seconds(store: Store) -> None:
    _, ids = _timed(store)
    validator = jsonschema.Draft202012Validator(schema())
    for fmt in ("json", "jsonl"):
        out = io.StringIO()
        export(store, fmt, out)
        records = (
            json.loads(out.getvalue())["documents"]
            if fmt == "json"
            else [json.loads(line) for line in out.getvalue().splitlines()]
        )
        for record in records:
            validator.validate({"format": "annotty", "version": 1, "documents": [record]})
        seconds = {c["id"]: c["seconds"] for r in records for c in r["claims"]}
        assert [seconds[i] for i in ids] == [10.0, 40.0, 30.0, None]
        assert sorted(seconds.values(), key=str) == [10.0, 30.0, 40.0, 6.0, None]  # bob's 6
    out = io.StringIO()
    export(store, "csv", out)
    rows = {row["claim_id"]: row["seconds"] for row in csv.DictReader(io.StringIO(out.getvalue()))}
    assert rows[ids[0]] == "10.0" and rows[ids[3]] == ""
    bad = {"format": "annotty", "version": 1, "documents": [records[0]]}
    bad["documents"][0]["claims"][0]["seconds"] = -3
    assert not validator.is_valid(bad)
