"""Why an entity was tagged: ``RuleRecognizer.explain`` and ``annotty entities --explain``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from annotations.cli import cli
from annotations.entities import corrections as ed
from annotations.entities import gazetteer
from annotations.entities import project_gazetteer as pg
from annotations.entities.rules import RuleRecognizer
from annotations.store import Store

STORY = (
    "GENEVA, March 4 (Annotty Wire) - The World Food Programme (WFP) said on Tuesday that "
    "Chief Executive Ingrid Sand of Lund Therapeutics had met officials in China. Sand said "
    "the WFP would send 40 trucks."
)


@pytest.fixture(scope="module")
def rec() -> RuleRecognizer:
    return RuleRecognizer()


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_explain_gives_the_entities_recognize_gives(rec: RuleRecognizer) -> None:
    assert [e for e, _ in rec.explain(STORY)] == rec.recognize(STORY)
    assert all(why for _, why in rec.explain(STORY))


_PIECES = [
    "Ingrid Sand said",
    " the World Food Programme (WFP)",
    " in China",
    " on Tuesday",
    ", a researcher at Lund Therapeutics,",
    " Sand told reporters",
    " WFP",
    "\n\n",
    " 40 trucks",
    " President Ana Costa",
]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=12))
def test_explain_matches_recognize_on_any_mix(pieces: list[str]) -> None:
    rec = RuleRecognizer(gazetteer=gazetteer.builtin())
    text = "".join(pieces)
    explained = rec.explain(text)
    assert [e for e, _ in explained] == rec.recognize(text)
    for entity, why in explained:
        assert text[entity.start : entity.end] == entity.text and why


def test_reasons_name_the_rule_and_its_evidence(rec: RuleRecognizer) -> None:
    reasons = {e.text: (e.label, why) for e, why in rec.explain(STORY)}
    assert reasons["Annotty Wire"] == ("ORG", "head noun 'Wire'")
    assert reasons["WFP"] == ("ORG", "later mention of 'World Food Programme'")
    assert reasons["Ingrid Sand"] == ("PERSON", "title 'Chief Executive'")
    assert reasons["Sand"] == ("PERSON", "later mention of 'Ingrid Sand'")
    assert reasons["Lund Therapeutics"] == ("ORG", "head noun 'Therapeutics'")
    assert reasons["40"] == ("CARDINAL", "number or date pattern")
    first = next(why for e, why in rec.explain(STORY) if e.text == "WFP")
    assert first == "acronym defined: World Food Programme (WFP)"


def test_context_reasons_quote_the_context_word(rec: RuleRecognizer) -> None:
    text = "Tomas Vikander, a researcher at the institute, disagreed. Oduya told reporters."
    reasons = {e.text: why for e, why in rec.explain(text)}
    assert reasons["Tomas Vikander"] == "first name 'Tomas'"
    assert reasons["Oduya"] == "speech verb after: 'told'"
    text = "Kellgren, a researcher at the institute, disagreed."
    assert [why for _, why in rec.explain(text)] == ["apposition: 'a researcher'"]


def test_gazetteer_reasons_say_which_list(tmp_path: Path) -> None:
    project = tmp_path / "entities.yaml"
    project.write_text(
        "entities:\n  - {name: Ostrava Steelworks, label: ORG, aliases: [OSW]}\n", encoding="utf-8"
    )
    rec = RuleRecognizer(pg.load(project), gazetteer=gazetteer.build(hand_list=True))
    text = "The United Nations and OSW met in China on Monday."
    reasons = {e.text: why for e, why in rec.explain(text)}
    assert reasons["OSW"] == "gazetteer (project file) = Ostrava Steelworks"
    assert reasons["United Nations"] == "gazetteer (hand list known.yaml)"
    assert reasons["China"] == "gazetteer (places)"
    bare = RuleRecognizer(gazetteer=gazetteer.build(hand_list=False))
    assert "United Nations" not in {e.text for e, _ in bare.explain(text)}


def test_cli_explains_a_file_one_line_per_entity(tmp_path: Path) -> None:
    doc = tmp_path / "story.txt"
    text = STORY.replace("Tuesday", "Tues\x1b[31mday")  # a control character from the data
    doc.write_text(text, encoding="utf-8")
    code, out, err = run("--db", str(tmp_path / "x.db"), "entities", str(doc), "--explain")
    assert code == 0 and "\x1b" not in out
    lines = out.splitlines()
    assert lines[0].split() == ["start", "end", "label", "text", "why"]
    sand = next(line for line in lines if " Ingrid Sand " in line)
    assert sand.split()[:3] == [str(text.index("Ingrid")), str(text.index(" of Lund")), "PERSON"]
    assert sand.endswith("title 'Chief Executive'")
    assert len(lines) - 1 == int(err.split()[0])  # one line per entity
    code, out, _ = run(
        "--db",
        str(tmp_path / "x.db"),
        "entities",
        str(doc),
        "--explain",
        "--json",
        "--label",
        "org",
    )
    rows = json.loads(out)["entities"]
    assert {r["text"]: r["reason"] for r in rows}["Annotty Wire"] == "head noun 'Wire'"
    assert {r["label"] for r in rows} == {"ORG"}
    code, out, _ = run("--db", str(tmp_path / "x.db"), "entities", str(doc), "--json")
    assert all("reason" not in r for r in json.loads(out)["entities"])  # only when asked


def test_cli_explains_a_stored_document_with_a_correction(tmp_path: Path) -> None:
    db = str(tmp_path / "t.db")
    source = tmp_path / "story.txt"
    source.write_text(STORY, encoding="utf-8")
    assert run("--db", db, "import", str(source))[0] == 0
    store = Store(db, annotator="me")
    doc = store.documents()[0]
    start = STORY.index("Lund Therapeutics")
    ed.relabel_entity(store, doc.id, start, start + len("Lund Therapeutics"), "PRODUCT")
    store.close()
    code, out, _ = run("--db", db, "entities", doc.id[:8], "--explain")
    assert code == 0
    lund = next(line for line in out.splitlines() if "Lund Therapeutics" in line)
    assert "PRODUCT" in lund and lund.endswith("an annotator's correction")
    assert any(line.endswith("later mention of 'Ingrid Sand'") for line in out.splitlines())
