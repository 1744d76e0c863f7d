"""Scoring claim suggestions against a gold file: the matching rule, AP as scikit-learn defines
it, and malformed gold refused with its file and line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annotations.errors import InputError
from annotations.suggest import evaluate as ev
from annotations.suggest.candidate import Candidate


def test_match_needs_more_than_half_of_the_shorter_span() -> None:
    assert ev.matches(0, 10, 0, 10)
    assert ev.matches(0, 10, 4, 20)  # 6 of the shorter 10
    assert not ev.matches(0, 10, 5, 20)  # exactly half: no
    assert ev.matches(0, 100, 40, 44)  # a short span inside a long one
    assert not ev.matches(0, 10, 10, 20)  # touching is no overlap
    assert not ev.matches(0, 10, 20, 30)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(st.booleans(), st.sampled_from([0.0, 0.1, 0.25, 0.5, 0.5001, 0.9, 1.0])),
        min_size=1,
        max_size=40,
    ).filter(lambda rows: any(y for y, _ in rows))
)
def test_average_precision_is_scikit_learns(rows: list[tuple[bool, float]]) -> None:
    # the definition checked against: sklearn.metrics.average_precision_score (scikit-learn
    # 1.9.1, sklearn/metrics/_ranking.py, _binary_uninterpolated_average_precision:
    # max(0, -sum(diff(recall) * precision[:-1])) over precision_recall_curve, which has one
    # threshold per distinct score); few distinct scores here, so ties are tested often
    from sklearn.metrics import average_precision_score

    labels = [y for y, _ in rows]
    scores = [s for _, s in rows]
    expected = average_precision_score([int(y) for y in labels], scores)
    assert ev.average_precision(labels, scores) == pytest.approx(expected, abs=1e-12)


def test_average_precision_without_positives_is_zero() -> None:
    assert ev.average_precision([False, False], [0.3, 0.9]) == 0.0


def _write(tmp_path: Path, *records: object) -> Path:
    path = tmp_path / "gold.jsonl"
    path.write_text(
        "\n".join(r if isinstance(r, str) else json.dumps(r) for r in records) + "\n",
        encoding="utf-8",
    )
    return path


TEXT = "Exports rose 7% in 2024. I love tea. Growth will slow next year."
#       0                       24 25         36 37                    64


def test_scores_at_the_threshold_and_the_ranking(tmp_path: Path) -> None:
    gold = ev.load_gold(
        _write(
            tmp_path,
            {
                "text": TEXT,
                "file": "x.txt",
                "classes": ["claim", "not_claim"],
                "spans": [[0, 24, "claim"], [25, 36, "not_claim"], [37, 64, "claim"]],
            },
        )
    )
    assert gold[0].name == "x.txt" and gold[0].spans[1] == (25, 36, "not_claim")

    def suggest(text: str) -> list[Candidate]:
        assert text == TEXT
        return [
            Candidate(0, 24, 0.9, "statistical"),
            Candidate(25, 36, 0.6, "opinion"),  # a false positive at 0.5
            Candidate(37, 64, 0.4, "prediction"),  # a miss at 0.5
        ]

    scores = ev.evaluate(suggest, gold, threshold=0.5)
    assert (scores.suggested, scores.correct, scores.found, scores.gold_claims) == (2, 1, 1, 2)
    assert scores.precision == 0.5 and scores.recall == 0.5 and scores.f1 == 0.5
    assert scores.average_precision == pytest.approx((1 / 1) * 0.5 + (2 / 3) * 0.5)
    assert scores.as_dict()["units"] == 3 and scores.gold_not_claims == 1


def test_one_suggestion_over_two_gold_sentences_finds_the_one_it_mostly_covers(
    tmp_path: Path,
) -> None:
    gold = ev.load_gold(
        _write(tmp_path, {"text": TEXT, "spans": [[0, 24, "claim"], [37, 64, "claim"]]})
    )
    scores = ev.evaluate(lambda _t: [Candidate(0, 30, 0.8, "other")], gold)
    assert (scores.correct, scores.found) == (1, 1)  # matches [0, 24) only


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ("{not json", "bad JSON"),
        ("[1, 2]", "a record must be a JSON object"),
        ('{"spans": []}', "text: missing or not a string"),
        ('{"text": "abc"}', "spans: missing or not a list"),
        ('{"text": "abc", "spans": [[0, 2]]}', "spans[0]: must be [start, end, label]"),
        ('{"text": "abc", "spans": [[0, 9, "claim"]]}', "spans[0]: [0, 9) is not a span"),
        ('{"text": "abc", "spans": [[2, 1, "claim"]]}', "spans[0]: [2, 1) is not a span"),
        ('{"text": "abc", "spans": [[0, true, "claim"]]}', "spans[0]: start and end must be"),
        ('{"text": "abc", "spans": [[0, 1, "maybe"]]}', "spans[0]: label must be"),
        ('{"text": "abc", "spans": [[0, NaN, "claim"]]}', "NaN is not a JSON number"),
        ('{"text": "\\ud800", "spans": []}', "unpaired surrogate"),
    ],
)
def test_malformed_gold_is_refused_naming_file_and_line(
    tmp_path: Path, line: str, problem: str
) -> None:
    path = _write(tmp_path, {"text": "ok", "spans": [[0, 2, "claim"]]}, "", line)
    with pytest.raises(InputError) as caught:
        ev.load_gold(path)
    assert str(caught.value).startswith(f"{path}:3: ")
    assert problem in str(caught.value)


def test_unreadable_and_empty_gold(tmp_path: Path) -> None:
    path = tmp_path / "gold.jsonl"
    path.write_bytes(b'{"text": "ok", "spans": []}\n\xff\xfe\n')
    with pytest.raises(InputError, match=r"gold.jsonl:2: not UTF-8"):
        ev.load_gold(path)
    path.write_text("\n  \n", encoding="utf-8")
    with pytest.raises(InputError, match="no gold records"):
        ev.load_gold(path)
