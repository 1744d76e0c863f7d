"""Nothing imported is lost or garbled silently: legacy encodings, ids used twice, document
status and stance, and a report that names file and record for everything it did not do."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from annotations.cli import cli
from annotations.encodings import decode_guess
from annotations.export import export
from annotations.imports import doc_batches
from annotations.imports.annotation_files import import_file
from annotations.imports.plain_files import import_paths
from annotations.store import Store

WESTERN = [
    "Café owners in Zürich say the “new levy” costs €5",
    "“Quote” only.",
    "naïve façade — ‘quoted’ … ™",
    "Ærøskøbing på Ærø",
]


@pytest.mark.parametrize("text", WESTERN)
def test_windows_1252_wins_for_western_text(text: str, store: Store, tmp_path: Path) -> None:
    path = tmp_path / "legacy.txt"
    path.write_bytes(text.encode("cp1252"))
    report = import_paths(store, [path])
    assert store.document(report.added[0].id).text == text
    # detection alone picked cp775 / a Cyrillic page for the first two: the guess is reported
    decoded, note = decode_guess(text.encode("cp1252"), path)
    assert decoded == text
    if note:
        assert report.notes == [f"{path}: {note}"]
        assert "Windows-1252" in note


@pytest.mark.parametrize(
    ("text", "encoding"),
    [
        ("Привет, как дела? Всё хорошо, спасибо.", "cp1251"),
        ("Zażółć gęślą jaźń, mówi ktoś.", "cp1250"),
    ],
)
def test_other_code_pages_are_not_forced_into_windows_1252(text: str, encoding: str) -> None:
    decoded, note = decode_guess(text.encode(encoding), "f.txt")
    assert decoded == text
    assert note is not None and encoding in note


def test_an_unsure_guess_is_one_line_in_the_cli_report(tmp_path: Path) -> None:
    path = tmp_path / "levy.txt"
    path.write_bytes(WESTERN[0].encode("cp1252"))
    result = CliRunner().invoke(cli, ["--db", str(tmp_path / "a.db"), "import", str(path)])
    notes = [ln for ln in result.stderr.splitlines() if ln.startswith("note:")]
    assert len(notes) == 1 and str(path) in notes[0] and "read as Windows-1252" in notes[0]
    assert "importing" not in result.stderr  # no progress bar when not on a terminal


def test_a_jsonl_id_used_by_another_text_keeps_both_documents(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "docs.jsonl"
    path.write_text(
        "\n".join(
            json.dumps(r)
            for r in [
                {"id": "a1", "text": "The first text."},
                {"id": "a1", "text": "Another text under the same id."},
                {"id": "a1", "text": "The first text."},
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    report = import_paths(store, [path])
    assert report.n_added == 2
    assert {store.document(d.id).text for d in store.documents()} == {
        "The first text.",
        "Another text under the same id.",
    }
    assert report.notes == [
        f"{path}: record 2: id 'a1' is already used by another document; "
        f"imported as {report.added[1].id}"
    ]
    assert report.duplicates == [f"{path}: record 3: already imported as a1"]
    again = import_paths(store, [path])
    assert again.n_added == 0 and again.n_duplicates == 3
    assert len(store.documents()) == 2


def test_document_status_and_stance_survive_export_and_import(tmp_path: Path) -> None:
    source = Store(None, annotator="ann")
    doc, _ = source.add_document("A text with a verdict.", "t")
    source.set_status(doc.id, "done")
    source.set_doc_stance(doc.id, "against")
    source.set_status(doc.id, "skipped", annotator="bob")
    for fmt in ("json", "jsonl", "label-studio", "doccano"):
        out = tmp_path / f"x.{fmt}.{'json' if fmt in ('json', 'label-studio') else 'jsonl'}"
        export(source, fmt, out)
        target = Store(None, annotator="someone-else")
        result = import_file(target, out)
        assert not result.errors, (fmt, result.errors)
        assert result.states_imported == 2, fmt
        assert (
            target.status(doc.id, "ann") == "done" and target.doc_stance(doc.id, "ann") == "against"
        ), fmt
        assert target.status(doc.id, "bob") == "skipped", fmt


def test_the_newest_document_state_wins(tmp_path: Path) -> None:
    source = Store(None, annotator="ann")
    doc, _ = source.add_document("A text with a verdict.", "t")
    source.set_status(doc.id, "in_progress")
    export(source, "jsonl", tmp_path / "old.jsonl")
    target = Store(None, annotator="ann")
    import_file(target, tmp_path / "old.jsonl")
    target.set_status(doc.id, "done")  # later work here
    again = import_file(target, tmp_path / "old.jsonl")
    assert again.states_imported == 0 and target.status(doc.id) == "done"
    source.set_status(doc.id, "skipped")  # and later work there
    export(source, "jsonl", tmp_path / "new.jsonl")
    assert import_file(target, tmp_path / "new.jsonl").states_imported == 1
    assert target.status(doc.id) == "skipped"


def test_a_bad_document_state_is_reported_and_the_rest_imports(
    store: Store, tmp_path: Path
) -> None:
    record = {
        "format": "annotty",
        "version": 1,
        "text": "Stated text.",
        "doc_state": [
            {"annotator": "ann", "status": "finished", "stance": "", "updated_at": "2024-01-01"},
            {
                "annotator": "bob",
                "status": "done",
                "stance": "favor",
                "updated_at": "2024-01-01T00:00:00+00:00",
            },
        ],
    }
    path = tmp_path / "s.jsonl"
    path.write_text(json.dumps(record) + "\n", encoding="utf-8")
    result = import_file(store, path)
    assert result.errors == [
        f"{path}: record 1: doc_state 1: unknown status 'finished' (use "
        "todo, in_progress, done, skipped); ignored"
    ]
    doc_id = result.added[0].id
    assert store.status(doc_id, "bob") == "done" and store.doc_stance(doc_id, "bob") == "favor"
    assert store.status(doc_id, "ann") == "todo"


def test_a_large_import_reports_in_constant_memory(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(doc_batches, "BATCH_DOCS", 7)
    from annotations.imports import report as import_report

    monkeypatch.setattr(import_report, "LISTED", 5)
    path = tmp_path / "many.jsonl"
    path.write_text(
        "".join(json.dumps({"text": f"Document number {n}."}) + "\n" for n in range(40)) + "{bad\n",
        encoding="utf-8",
    )
    seen: list[int] = []
    report = import_paths(store, [path], progress=seen.append)
    assert report.n_added == 40 and len(report.added) == 5 and report.n_errors == 1
    assert seen[-1] == path.stat().st_size
    result = CliRunner().invoke(cli, ["--db", str(tmp_path / "a.db"), "import", str(path)])
    assert "40 added, 0 already there, 1 error\n" in result.stdout


def _recognised(store: Store, key: str) -> dict[str, list[tuple[int, int, str]]]:
    return {
        d.id: [(e.start, e.end, e.label) for e in store.cached_entities(d.id, key) or []]
        for d in store.documents()
    }


@pytest.mark.parametrize("gazetteer", [False, True])
def test_entities_from_worker_processes_equal_those_found_here(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, gazetteer: bool
) -> None:
    """A large import recognises in spawned workers; a worker whose recognizer is not this one
    (here: the workers would load a project gazetteer this process does not have) is not
    trusted, and the entities are found here instead. Either way every document has exactly the
    entities the recognizer finds for it."""
    from annotations.bulk_entities import RecognizerSpec
    from annotations.entities import builtin

    monkeypatch.setattr(doc_batches, "BATCH_DOCS", 25)
    path = tmp_path / "many.jsonl"
    names = ["Angela Merkel", "Paris", "the United Nations", "Xi Jinping", "Berlin"]
    path.write_text(
        "".join(
            json.dumps(
                {"text": f"{n}: {names[n % 5]} met {names[n % 3]} in 2024 and said 5% more."}
            )
            + "\n"
            for n in range(120)
        ),
        encoding="utf-8",
    )
    extra = tmp_path / "entities.yaml"
    extra.write_text("entities:\n  - {name: Some Company, label: ORG}\n", encoding="utf-8")
    recognizer = builtin()
    spec = RecognizerSpec(None, str(extra) if gazetteer else None)
    store = Store(None, annotator="t")
    report = import_paths(store, [path], recognizer=recognizer, spec=spec)
    assert report.n_added == 120 and not report.errors
    found = _recognised(store, recognizer.key)
    expected = {
        d.id: [(e.start, e.end, e.label) for e in recognizer.recognize(store.document(d.id).text)]
        for d in store.documents()
    }
    assert found == expected and any(found.values())


def test_one_undo_in_any_document_takes_back_the_claims_of_an_import(tmp_path: Path) -> None:
    """The README's promise: one `u` (the reader undoes in its document's scope) takes back
    every claim the import added, in all its documents; the documents stay."""
    source = Store(None, annotator="ann")
    first, _ = source.add_document("First text, with a claim.", "a")
    second, _ = source.add_document("Second text, with a claim.", "b")
    source.add_claim(first.id, 0, 5, "other")
    source.add_claim(second.id, 0, 6, "other")
    export(source, "jsonl", tmp_path / "x.jsonl")
    target = Store(None, annotator="me")
    result = CliRunner().invoke(
        cli,
        ["--db", str(tmp_path / "t.db"), "--annotator", "me", "import", str(tmp_path / "x.jsonl")],
    )
    assert "One undo (u) in the app takes these claim changes back as one step." in result.stdout
    import_file(target, tmp_path / "x.jsonl")
    assert len(target.claims()) == 2
    undone = target.undo(second.id)
    assert undone is not None and undone.count == 2
    assert target.claims() == [] and len(target.documents()) == 2
    plain = tmp_path / "plain.txt"
    plain.write_text("Only a document.", encoding="utf-8")
    result = CliRunner().invoke(cli, ["--db", str(tmp_path / "t.db"), "import", str(plain)])
    assert "undo" not in result.stdout  # nothing to undo, and nothing promised


def test_an_id_that_is_another_texts_content_id(store: Store, tmp_path: Path) -> None:
    """Even the fallback id can be taken (a file gave it to another text): a third id is found,
    and importing again finds the same one."""
    from annotations.model import content_id

    text = "The text whose id is taken twice."
    path = tmp_path / "docs.jsonl"
    path.write_text(
        "\n".join(
            json.dumps(r)
            for r in [
                {"id": "a1", "text": "Holder of a1."},
                {"id": content_id(text), "text": "Holder of the content id."},
                {"id": "a1", "text": text},
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    report = import_paths(store, [path])
    assert report.n_added == 3 and not report.errors
    assert text in {store.document(d.id).text for d in store.documents()}
    assert import_paths(store, [path]).n_duplicates == 3 and len(store.documents()) == 3


def test_a_progress_bar_on_a_terminal_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import io

    from annotations.cli import import_cmd

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    path = tmp_path / "many.jsonl"
    path.write_text(
        "".join(json.dumps({"text": f"Document {n}."}) + "\n" for n in range(3000)),
        encoding="utf-8",
    )
    terminal = Terminal()
    monkeypatch.setattr(import_cmd.sys, "stderr", terminal)
    with import_cmd._progress_bar((path,)) as progress:
        assert progress is not None
        import_paths(Store(None), [path], progress=progress)
    shown = terminal.getvalue()
    assert "importing" in shown and "100%" in shown
    monkeypatch.setattr(import_cmd.sys, "stderr", io.StringIO())  # a pipe: no bar at all
    with import_cmd._progress_bar((path,)) as progress:
        assert progress is None
