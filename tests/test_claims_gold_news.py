"""The held-out claim gold on the news gold texts (``claims_gold_news.jsonl``): it loads the way
``eval-claims`` loads it, labels exactly the suggester's units of each text, and stays in step with
``news_gold/``, so the two golds describe the same texts."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from annotations.entities.gold_markup import parse
from annotations.suggest import evaluate as ev
from annotations.suggest.units import units

DATA = Path(__file__).resolve().parent / "data"
GOLD = DATA / "claims_gold_news.jsonl"
NEWS = DATA / "news_gold"
CLASS_LABEL = {"CFS": "claim", "UFS": "not_claim", "NFS": "not_claim"}


def _records() -> list[dict[str, Any]]:
    lines = GOLD.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


RECORDS = _records()


def test_loads_as_eval_claims_reads_it() -> None:
    gold = ev.load_gold(GOLD)
    assert len(gold) == len(RECORDS) == len(list(NEWS.glob("*/*.txt")))
    for text, record in zip(gold, RECORDS, strict=True):
        assert text.name == record["file"]
        assert text.text == record["text"]
        assert [list(span) for span in text.spans] == record["spans"]


def test_every_news_gold_text_once() -> None:
    files = sorted(path.relative_to(DATA).as_posix() for path in NEWS.glob("*/*.txt"))
    assert [record["file"] for record in RECORDS] == files


def test_shape_matches_the_seed_gold() -> None:
    seed = json.loads((DATA / "claims_gold.jsonl").read_text(encoding="utf-8").splitlines()[0])
    for record in RECORDS:
        assert list(record) == list(seed)


@pytest.mark.parametrize("record", RECORDS, ids=[r["file"] for r in RECORDS])
def test_text_is_the_stripped_news_gold_file(record: dict[str, Any]) -> None:
    path = DATA / record["file"]
    plain, _ = parse(path.read_text(encoding="utf-8"), path)
    assert record["text"] == plain
    digest = hashlib.sha256(plain.encode("utf-8", "surrogatepass")).hexdigest()
    assert record["sha256"] == digest


@pytest.mark.parametrize("record", RECORDS, ids=[r["file"] for r in RECORDS])
def test_spans_are_exactly_the_units(record: dict[str, Any]) -> None:
    """Every unit labelled once, nothing else: the suggester is scored on every sentence."""
    cut = [[start, end] for start, end in units(record["text"])]
    assert [span[:2] for span in record["spans"]] == cut
    assert [span[:2] for span in record["classes"]] == cut


@pytest.mark.parametrize("record", RECORDS, ids=[r["file"] for r in RECORDS])
def test_classes_line_up_with_labels(record: dict[str, Any]) -> None:
    """Only check-worthy factual sentences (CFS) are claims; UFS and NFS are not."""
    for (_, _, label), (_, _, cls) in zip(record["spans"], record["classes"], strict=True):
        assert cls in CLASS_LABEL
        assert label == CLASS_LABEL[cls]


def test_note_counts_are_the_file_counts() -> None:
    """The table in ``claims_gold_news.md`` says what the file holds, half by half."""
    note = (DATA / "claims_gold_news.md").read_text(encoding="utf-8")
    rows = {}
    for half in ("dev", "test"):
        records = [r for r in RECORDS if r["file"].split("/")[1] == half]
        classes = [cls for record in records for _, _, cls in record["classes"]]
        rows[half] = [len(records), len(classes), *(classes.count(c) for c in CLASS_LABEL)]
    rows["all"] = [a + b for a, b in zip(rows["dev"], rows["test"], strict=True)]
    for half, counts in rows.items():
        assert f"| {half} | " + " | ".join(map(str, counts)) + " |" in note
