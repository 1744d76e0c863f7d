"""``--suggester spacy:NAME``: a real spaCy text classifier, built and trained here, scores units.

The pipeline is ``spacy.blank("en")`` with a bag-of-words ``textcat`` trained for a few epochs on
the seed gold's labelled sentences (tests/data/claims_gold.jsonl) and saved to a temporary folder:
nothing is downloaded. spaCy API used as documented in spaCy 3.8 (explosion/spaCy
``spacy/pipeline/textcat.py``: ``doc.cats`` maps each label to its probability; exclusive
classes sum to 1; ``Language.select_pipes(disable=...)``, ``Language.get_pipe_meta(name).factory``).
"""

from __future__ import annotations

import random
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from annotations.suggest.builtin import BuiltinSuggester
from annotations.suggest.choice import claim_suggester
from annotations.suggest.evaluate import GoldText, average_precision, load_gold
from annotations.suggest.units import units
from tests.conftest import ROOT

spacy = pytest.importorskip("spacy")

from annotations.suggest import spacy_textcat  # noqa: E402
from annotations.suggest.spacy_textcat import SpacyTextcatSuggester  # noqa: E402

GOLD = ROOT / "tests" / "data" / "claims_gold.jsonl"
TYPES = ["statistical", "comparison", "causal", "prediction", "rule_or_law", "quote"]
BOW = {
    "@architectures": "spacy.TextCatBOW.v3",
    "exclusive_classes": True,
    "ngram_size": 2,
    "no_output_layer": False,
}
TRAINING_SECONDS: list[float] = []


def _gold() -> list[GoldText]:
    return load_gold(GOLD)


def _units(gold: list[GoldText]) -> list[tuple[str, bool]]:
    return [(g.text[s:e], label == "claim") for g in gold for s, e, label in g.spans]


@pytest.fixture(scope="session")
def textcat_path(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A textcat pipeline (labels CLAIM and NOT_CLAIM, plus an entity ruler the suggester must
    switch off) trained on the gold sentences and saved to disk, as a user's pipeline would be."""
    from spacy.training import Example

    started = time.perf_counter()
    nlp = spacy.blank("en")
    nlp.add_pipe("entity_ruler").add_patterns([{"label": "GPE", "pattern": "China"}])
    textcat = nlp.add_pipe("textcat", config={"model": BOW})
    for label in ("CLAIM", "NOT_CLAIM"):
        textcat.add_label(label)
    examples = [
        Example.from_dict(
            nlp.make_doc(text), {"cats": {"CLAIM": float(y), "NOT_CLAIM": float(not y)}}
        )
        for text, y in _units(_gold())
    ]
    optimizer = nlp.initialize(lambda: examples)
    rng = random.Random(7)
    for _ in range(8):
        rng.shuffle(examples)
        for at in range(0, len(examples), 16):
            nlp.update(examples[at : at + 16], sgd=optimizer, drop=0.0)
    path = tmp_path_factory.mktemp("textcat") / "claims_textcat"
    nlp.to_disk(path)
    TRAINING_SECONDS.append(time.perf_counter() - started)
    yield path


def _load(spec: str) -> SpacyTextcatSuggester:
    suggester, messages = claim_suggester(spec, None, TYPES)
    assert messages == []
    assert isinstance(suggester, SpacyTextcatSuggester)
    return suggester


def test_the_fixture_trains_in_a_few_seconds(textcat_path: Path) -> None:
    assert (textcat_path / "config.cfg").is_file()
    assert TRAINING_SECONDS and TRAINING_SECONDS[0] < 10.0


def test_a_saved_textcat_pipeline_scores_units_with_its_claim_label(textcat_path: Path) -> None:
    suggester = _load(f"spacy:{textcat_path}")
    assert suggester.label == "CLAIM" and suggester.component == "textcat"
    assert suggester.key.startswith(f"spacy:{textcat_path}#CLAIM@")
    gold = _gold()
    scores: list[float] = []
    labels: list[bool] = []
    for g in gold:
        spans = [(s, e) for s, e, _ in g.spans]
        found = suggester.score_units(g.text, spans, [])
        assert [(c.start, c.end) for c in found] == spans
        scores.extend(c.score for c in found)
        labels.extend(label == "claim" for _, _, label in g.spans)
    assert all(0.0 <= s <= 1.0 for s in scores)
    # trained on these very sentences: the CLAIM probability ranks them nearly perfectly
    # (reading the wrong label would rank them nearly backwards)
    assert average_precision(labels, scores) > 0.9


def test_type_and_speaker_come_from_the_built_in_rules(textcat_path: Path) -> None:
    suggester = _load(f"spacy:{textcat_path}")
    text = (
        "Exports rose 7.1% to $3.38 trillion in 2024, Guo Jiakun said.\n"
        "The new law bans plastic bags from January.\n"
        "I think we should all be kinder to each other.\n"
    )
    from annotations.entities import builtin

    entities = builtin().recognize(text)
    rules = BuiltinSuggester(claim_types=TYPES).suggest(text, entities)
    found = suggester.suggest(text, entities)
    assert [(c.start, c.end) for c in found] == units(text)
    assert [(c.claim_type, c.speaker) for c in found] == [(c.claim_type, c.speaker) for c in rules]
    assert found[0].speaker == "Guo Jiakun" and found[1].claim_type == "rule_or_law"
    assert found[0].reasons[0].endswith(f"spaCy CLAIM: {found[0].score:.2f}")


def test_other_components_are_switched_off(textcat_path: Path) -> None:
    suggester = _load(f"spacy:{textcat_path}")
    assert "entity_ruler" in suggester.nlp.disabled
    assert suggester.nlp.pipe_names == ["textcat"]


def test_a_named_label_is_used_in_any_case(textcat_path: Path) -> None:
    claim = _load(f"spacy:{textcat_path}")
    other = _load(f"spacy:{textcat_path}#NOT_CLAIM")
    folded = _load(f"spacy:{textcat_path}#claim")
    assert other.label == "NOT_CLAIM" and folded.label == "CLAIM"
    texts = [t for t, _ in _units(_gold())[:40]]
    # exclusive classes: the two labels' probabilities sum to one
    for p, q in zip(claim.probabilities(texts), other.probabilities(texts), strict=True):
        assert p + q == pytest.approx(1.0, abs=1e-5)
    assert claim.key != other.key


def test_an_unknown_label_lists_the_labels(textcat_path: Path) -> None:
    suggester, messages = claim_suggester(f"spacy:{textcat_path}#CHECKWORTHY", None, TYPES)
    assert isinstance(suggester, BuiltinSuggester)
    assert messages == [
        f"spaCy pipeline {str(textcat_path)!r} has no label 'CHECKWORTHY' (its labels: CLAIM, "
        f"NOT_CLAIM): name the claim label as spacy:{textcat_path}#LABEL; "
        "using the built-in suggester"
    ]


def _untrained(*labels: str, factory: str = "textcat_multilabel") -> Any:
    nlp = spacy.blank("en")
    textcat = nlp.add_pipe(factory)
    for label in labels:
        textcat.add_label(label)
    return nlp


def test_no_claim_like_label_or_two_of_them_is_ambiguous() -> None:
    none, problem = spacy_textcat.from_nlp(_untrained("FACT", "OPINION"), "mine")
    assert none is None
    assert problem == (
        "spaCy pipeline 'mine' has no single claim label (its labels: FACT, OPINION): "
        "name the claim label as spacy:mine#LABEL"
    )
    two, problem = spacy_textcat.from_nlp(_untrained("CLAIM", "CHECKWORTHY", "OTHER"), "mine")
    assert two is None and "its labels: CLAIM, CHECKWORTHY, OTHER" in problem
    named, _ = spacy_textcat.from_nlp(_untrained("CLAIM", "CHECKWORTHY"), "mine", "CHECKWORTHY")
    assert named is not None and named.label == "CHECKWORTHY"
    multi, _ = spacy_textcat.from_nlp(_untrained("checkworthy", "OTHER"), "mine")
    assert multi is not None and multi.component == "textcat_multilabel"


def test_a_classifier_shipped_switched_off_is_switched_on() -> None:
    nlp = _untrained("CLAIM", "OTHER", factory="textcat")
    nlp.add_pipe("sentencizer")
    nlp.disable_pipe("textcat")
    suggester, problem = spacy_textcat.from_nlp(nlp, "mine")
    assert problem == "" and suggester is not None
    assert nlp.pipe_names == ["textcat"] and nlp.disabled == ["sentencizer"]


def test_a_pipeline_without_textcat_falls_back(tmp_path: Path) -> None:
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    nlp.to_disk(tmp_path / "plain")
    suggester, messages = claim_suggester(f"spacy:{tmp_path / 'plain'}", None, TYPES)
    assert isinstance(suggester, BuiltinSuggester)
    assert messages == [
        f"spaCy pipeline {str(tmp_path / 'plain')!r} has no textcat or textcat_multilabel "
        "component (its components: sentencizer); using the built-in suggester"
    ]


def test_a_missing_pipeline_falls_back_with_how_to_install_it() -> None:
    suggester, messages = claim_suggester("spacy:no_such_textcat_xyz", None, TYPES)
    assert isinstance(suggester, BuiltinSuggester)
    assert len(messages) == 1
    message = messages[0]
    assert message.startswith("spaCy pipeline 'no_such_textcat_xyz' cannot be loaded ([E050]")
    assert message.endswith(
        "install it (python -m spacy download no_such_textcat_xyz, or pip install its package); "
        "using the built-in suggester"
    )
    _, messages = claim_suggester("spacy:/no/such/folder", None, TYPES)
    assert messages[0].endswith("check the path; using the built-in suggester")
    _, messages = claim_suggester("spacy:", None, TYPES)
    assert messages == [
        "no spaCy pipeline named: use --suggester spacy:NAME_OR_PATH[#LABEL] (a pipeline with "
        "a textcat component); using the built-in suggester"
    ]


def test_without_spacy_the_message_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "spacy", None)  # import spacy now raises ImportError
    suggester, messages = claim_suggester("spacy:en_claims", None, TYPES)
    assert isinstance(suggester, BuiltinSuggester)
    assert messages == [
        "spaCy is not installed: pip install 'annotty[spacy]'; using the built-in suggester"
    ]


def test_the_commands_use_the_pipeline(textcat_path: Path, tmp_path: Path) -> None:
    import json

    from click.testing import CliRunner

    from annotations.cli import cli

    doc = tmp_path / "doc.txt"
    doc.write_text("Exports rose 7.1% to $3.38 trillion in 2024, Guo Jiakun said.\n")
    db = str(tmp_path / "x.db")
    spec = f"spacy:{textcat_path}"
    result = CliRunner().invoke(
        cli, ["--db", db, "suggest", "--suggester", spec, str(doc), "--json", "--all"]
    )
    assert result.exit_code == 0 and result.stderr == ""
    data = json.loads(result.stdout)
    assert data["suggester"].startswith(f"{spec}#CLAIM@")
    (only,) = data["candidates"]
    assert only["speaker"] == "Guo Jiakun" and only["reasons"][0].startswith(("+ spaCy", "- spaCy"))
    result = CliRunner().invoke(
        cli, ["--db", db, "--suggester", spec, "eval-claims", str(GOLD), "--json"]
    )
    scores = json.loads(result.stdout)
    assert scores["suggester"].startswith(f"{spec}#CLAIM@")
    assert scores["average_precision"] > 0.9  # the gold it was trained on
