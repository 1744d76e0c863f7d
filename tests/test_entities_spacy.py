"""The optional spaCy backend, tested with ``spacy.blank("en")`` and rules: no model download."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from annotations.entities import BuiltinRecognizer, resolve, spacy_backend


def blank_with_ruler(max_length: int | None = None):
    """(spaCy, a development dependency, is imported here: not by every worker collecting.)"""
    import spacy

    nlp = spacy.blank("en")
    if max_length:
        nlp.max_length = max_length
    ruler = nlp.add_pipe("entity_ruler")
    ruler.add_patterns(
        [{"label": "PERSON", "pattern": "Guo Jiakun"}, {"label": "GPE", "pattern": "China"}]
    )
    return nlp


def test_entities_come_back_with_offsets_labels_and_source() -> None:
    rec = spacy_backend.from_nlp(blank_with_ruler(), "blank")
    text = "Guo Jiakun said China would act."
    assert [(e.start, e.end, e.label, e.source, e.text) for e in rec.recognize(text)] == [
        (0, 10, "PERSON", "spacy:blank", "Guo Jiakun"),
        (16, 21, "GPE", "spacy:blank", "China"),
    ]
    assert rec.key.startswith("spacy:blank@")


def test_long_texts_are_fed_in_pieces_under_the_length_limit() -> None:
    """spaCy refuses texts over ``nlp.max_length``; offsets still point into the whole text."""
    line = "On Friday Guo Jiakun said China would act.\n"
    text = line * 50
    rec = spacy_backend.from_nlp(blank_with_ruler(max_length=200), "blank")
    found = rec.recognize(text)
    assert len(found) == 100
    assert all(text[e.start : e.end] == e.text for e in found)
    assert {e.text for e in found} == {"Guo Jiakun", "China"}


def test_the_project_gazetteer_overrides_the_pipeline(tmp_path: Path) -> None:
    gazetteer = tmp_path / "entities.yaml"
    gazetteer.write_text(
        "entities:\n  - {name: China, label: ORG, aliases: [PRC]}\nignore: [Guo Jiakun]\n",
        encoding="utf-8",
    )
    plain = spacy_backend.from_nlp(blank_with_ruler(), "blank")
    rec = spacy_backend.from_nlp(blank_with_ruler(), "blank", gazetteer)
    found = [(e.text, e.label) for e in rec.recognize("Guo Jiakun said China and the PRC agree.")]
    assert found == [("China", "ORG"), ("PRC", "ORG")]
    assert rec.key != plain.key


def test_a_missing_model_falls_back_with_a_message() -> None:
    recognizer, warnings = resolve("spacy:no_such_model_xyz")
    assert isinstance(recognizer, BuiltinRecognizer)
    assert len(warnings) == 1
    assert "no_such_model_xyz" in warnings[0] and "python -m spacy download" in warnings[0]
    assert warnings[0].endswith("using the built-in recognizer")


def test_without_spacy_the_message_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "spacy", None)  # import spacy now raises ImportError
    recognizer, warnings = resolve("spacy:en_core_web_sm")
    assert isinstance(recognizer, BuiltinRecognizer)
    assert warnings == [
        "spaCy is not installed: pip install 'annotty[spacy]'; using the built-in recognizer"
    ]


def test_a_saved_pipeline_loads_from_a_path(tmp_path: Path) -> None:
    blank_with_ruler().to_disk(tmp_path / "pipeline")
    recognizer, warnings = resolve(f"spacy:{tmp_path / 'pipeline'}")
    assert warnings == []
    assert [e.label for e in recognizer.recognize("China")] == ["GPE"]
