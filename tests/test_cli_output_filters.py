"""``export`` filters: a value no claim can have is an error listing the valid ones, and
``--doc`` takes an id, a unique id prefix, a file name or a title."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from annotations.cli import cli
from annotations.store import Store


@pytest.fixture
def db(tmp_path: Path) -> str:
    path = tmp_path / "t.db"
    store = Store(path, annotator="ann")
    for n, name in enumerate(("a", "b")):
        doc, _ = store.add_document(
            f"Tariffs cause prices to rise, report {n}.", f"Report {n}", f"corpus/{name}.txt"
        )
        store.add_claim(doc.id, 0, 28, "causal", stance="against")
    store.add_document("Another text.", "Report 0", "other/a.txt")  # same title, same name
    store.close()
    return str(path)


def export(db: str, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["--db", db, "export", *args])
    return result.exit_code, result.stdout, " ".join(result.stderr.split())


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("--type", "Causal"),
            "unknown claim type 'Causal'; did you mean 'causal'? (valid: "
            "statistical, comparison, causal,",
        ),
        (("--stance", "maybe"), "unknown stance 'maybe' (valid: favor, against, none)"),
        (("--annotator", "nobody"), "unknown annotator 'nobody' (valid: ann)"),
        (("--type", "nonexistent"), "unknown claim type 'nonexistent'"),
        (("--doc", "zzzz"), "no document 'zzzz'"),
        (("--doc", "a.txt"), "'a.txt' is the file name of 2 documents"),
        (("--doc", "Report 0"), "'Report 0' is the title of 2 documents"),
    ],
)
def test_values_nothing_can_match_are_errors(db: str, args: tuple[str, ...], message: str) -> None:
    code, out, err = export(db, *args)
    assert code == 2 and message in err and out == ""


def test_documents_are_named_by_file_prefix_or_path(db: str) -> None:
    store = Store(db, annotator="ann")
    ids = {d.source: d.id for d in store.documents()}
    store.close()
    for ref, source in (
        ("b.txt", "corpus/b.txt"),
        ("corpus/a.txt", "corpus/a.txt"),
        (ids["corpus/b.txt"][:6], "corpus/b.txt"),
    ):
        code, out, err = export(db, "--doc", ref)
        assert code == 0, err
        assert [d["id"] for d in json.loads(out)["documents"]] == [ids[source]]


def test_known_values_still_export(db: str) -> None:
    code, out, err = export(db, "--type", "causal", "--stance", "against", "--annotator", "ann")
    assert code == 0, err
    assert sum(len(d["claims"]) for d in json.loads(out)["documents"]) == 2
    assert "wrote 3 documents, 2 claims," in err
