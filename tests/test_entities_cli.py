"""``annotty entities`` and ``annotty eval-entities``, and the scoring behind the latter."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from annotations.cli import cli, main
from annotations.entities import corrections as ed
from annotations.entities import evaluate as ev
from annotations.errors import InputError
from annotations.store import Store
from tests.conftest import ROOT, SEEDS

GOLD = ROOT / "tests" / "data" / "seeds_gold.jsonl"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_entities_of_a_file_as_a_table_and_as_json(tmp_path: Path) -> None:
    doc = tmp_path / "doc.txt"
    doc.write_text("Guo Jiakun said China\x1b[31m agreed on Friday.\n", encoding="utf-8")
    code, out, err = run("--db", str(tmp_path / "x.db"), "entities", str(doc))
    assert code == 0 and "3 entities" in err
    assert "PERSON" in out and "Guo Jiakun" in out and "\x1b" not in out
    code, out, _ = run(
        "--db", str(tmp_path / "x.db"), "entities", str(doc), "--json", "--label", "gpe"
    )
    data = json.loads(out)
    assert data["entities"] == [
        {"start": 16, "end": 21, "label": "GPE", "source": "gazetteer", "text": "China"}
    ]
    assert data["recognizer"].startswith("builtin@")
    assert not (tmp_path / "x.db").exists()  # looking at a file creates no database


def test_entities_of_a_stored_document_include_corrections(tmp_path: Path) -> None:
    db = str(tmp_path / "t.db")
    run("--db", db, "import", str(SEEDS))
    store = Store(db, annotator="me")
    doc = store.documents()[0]
    start = store.document(doc.id).text.index("Lu Di")
    ed.relabel_entity(store, doc.id, start, start + 5, "ORG")
    store.close()
    code, out, _ = run("--db", db, "entities", doc.id[:6], "--json")
    data = json.loads(out)
    assert data["document"] == doc.id
    assert {
        "start": start,
        "end": start + 5,
        "label": "ORG",
        "source": "manual",
        "text": "Lu Di",
    } in data["entities"]
    code, out, _ = run("--db", db, "entities", doc.title, "--label", "ORG")
    assert code == 0 and "manual" in out


def test_unknown_documents_and_bad_gazetteers_are_one_line_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "t.db")
    result = CliRunner().invoke(cli, ["--db", db, "entities", "no-such-thing"])
    assert result.exit_code == 2 and "no file or stored document" in result.stderr
    bad = tmp_path / "entities.yaml"
    bad.write_text("entities:\n  - {name: X}\n", encoding="utf-8")
    doc = tmp_path / "d.txt"
    doc.write_text("China", encoding="utf-8")
    with pytest.raises(SystemExit) as exit_info:
        main(["--db", db, "entities", str(doc), "--entities", str(bad)])
    assert exit_info.value.code == 1
    assert capsys.readouterr().err.strip() == (
        f"annotty: {bad}:2: entities[0].label: required field is missing"
    )


def test_the_default_gazetteer_beside_the_database_is_used(tmp_path: Path) -> None:
    (tmp_path / "entities.yaml").write_text(
        "entities:\n  - {name: Blorp Inc, label: ORG}\n", encoding="utf-8"
    )
    doc = tmp_path / "d.txt"
    doc.write_text("We met Blorp Inc today.", encoding="utf-8")
    _, out, _ = run("--db", str(tmp_path / "t.db"), "entities", str(doc), "--json")
    assert ("Blorp Inc", "ORG") in {(e["text"], e["label"]) for e in json.loads(out)["entities"]}


def test_a_missing_spacy_model_warns_and_uses_the_built_in_recognizer(tmp_path: Path) -> None:
    doc = tmp_path / "d.txt"
    doc.write_text("China", encoding="utf-8")
    code, out, err = run(
        "--db",
        str(tmp_path / "t.db"),
        "entities",
        str(doc),
        "--recognizer",
        "spacy:no_such_model_xyz",
    )
    assert code == 0 and "using the built-in recognizer" in err and "GPE" in out


def test_eval_entities_prints_per_label_and_overall_scores(tmp_path: Path) -> None:
    code, out, _ = run("--db", str(tmp_path / "t.db"), "eval-entities", str(GOLD), "--json")
    data = json.loads(out)
    assert code == 0 and data["documents"] == 5
    assert data["exact"]["overall"]["f1"] >= 0.80
    assert data["boundary"]["overall"]["f1"] >= data["exact"]["overall"]["f1"]
    assert {"PERSON", "GPE", "ORG", "DATE"} <= set(data["exact"]["labels"])
    code, out, _ = run("--db", str(tmp_path / "t.db"), "eval-entities", str(GOLD), "--errors")
    assert "overall" in out and ("FN " in out or "FP " in out)


def test_scores_count_exact_and_boundary_matches() -> None:
    exact, boundary = ev.Scores(), ev.Scores()
    gold = [(0, 5, "GPE"), (10, 15, "ORG"), (20, 25, "PERSON")]
    predicted = [(0, 5, "GPE"), (10, 15, "PERSON"), (30, 35, "DATE")]
    ev.score(gold, predicted, exact, boundary)
    assert (exact.overall.tp, exact.overall.fp, exact.overall.fn) == (1, 2, 2)
    assert (boundary.overall.tp, boundary.overall.fp, boundary.overall.fn) == (2, 1, 1)
    assert exact.label("ORG").fn == 1 and exact.label("PERSON").fp == 1
    assert boundary.label("ORG").tp == 1 and boundary.label("DATE").fp == 1
    assert exact.overall.f1 == pytest.approx(1 / 3)
    assert ev.Counts().f1 == 0.0


@pytest.mark.parametrize(
    ("record", "problem"),
    [
        ({"text": "China", "entities": [{"start": 0, "end": 9, "label": "GPE"}]}, "outside"),
        (
            {"text": "China", "entities": [{"start": 0, "end": 5, "label": "GPE", "text": "Chin"}]},
            "is not what",
        ),
        ({"text": "China", "sha256": "0" * 64, "entities": []}, "sha256 differs"),
        ({"doc_id": "abc", "entities": []}, "no text for abc"),
        ({"text": "China", "entities": [{"start": 0}]}, "needs start, end and label"),
    ],
)
def test_gold_file_errors_name_the_line(tmp_path: Path, record: dict, problem: str) -> None:
    gold = tmp_path / "gold.jsonl"
    gold.write_text(
        json.dumps({"text": "x", "entities": []}) + "\n" + json.dumps(record) + "\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError, match=problem) as caught:
        ev.load_gold(gold)
    assert caught.value.line == 2


def test_the_gold_fixture_is_consistent_with_the_seed_texts() -> None:
    """Every gold span holds its text; spans are sorted, disjoint and OntoNotes-labelled."""
    from annotations.model import ENTITY_LABELS

    docs = ev.load_gold(GOLD)
    assert len(docs) == 5 and sum(len(d.entities) for d in docs) > 900
    for doc in docs:
        assert list(doc.entities) == sorted(doc.entities)
        for (_, end, _), (start, _, _) in zip(doc.entities, doc.entities[1:], strict=False):
            assert end <= start
        assert {label for _, _, label in doc.entities} <= set(ENTITY_LABELS)


@pytest.mark.parametrize("how", ["dotdot", "absolute", "symlink"])
def test_gold_files_cannot_read_texts_outside_their_folder(
    tmp_path: Path, how: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """``--errors`` prints pieces of the texts, so a gold file from a shared folder must not
    name ``../secret.txt``, an absolute path or a symlink leading out of its folder."""
    secret = tmp_path / "secret.txt"
    secret.write_text("Beijing password hunter2", encoding="utf-8")
    folder = tmp_path / "gold"
    folder.mkdir()
    name = {"dotdot": "../secret.txt", "absolute": str(secret), "symlink": "link.txt"}[how]
    if how == "symlink":
        (folder / "link.txt").symlink_to(secret)
    gold = folder / "gold.jsonl"
    gold.write_text(
        json.dumps({"text": "x", "entities": []})
        + "\n"
        + json.dumps({"file": name, "entities": []})
        + "\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError, match="outside the gold file's folder") as caught:
        ev.load_gold(gold)
    assert caught.value.line == 2 and caught.value.field == "file"
    with pytest.raises(SystemExit) as exit_info:
        main(["--db", str(tmp_path / "t.db"), "eval-entities", str(gold), "--errors"])
    assert exit_info.value.code == 1
    out, err = capsys.readouterr()
    assert "hunter2" not in out + err
    assert err.startswith(f"annotty: {gold}:2: file: ") and err.count("\n") == 1


def test_gold_files_still_read_texts_beside_them(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "a.txt").write_text("China", encoding="utf-8")
    gold = tmp_path / "gold.jsonl"
    gold.write_text(
        json.dumps({"file": "sub/a.txt", "entities": [{"start": 0, "end": 5, "label": "GPE"}]})
        + "\n",
        encoding="utf-8",
    )
    (doc,) = ev.load_gold(gold)
    assert doc.text == "China"
