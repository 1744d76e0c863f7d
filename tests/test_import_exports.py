"""Importing exports: foreign Label Studio and doccano files, merging, and honest reports."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from annotations.cli import cli
from annotations.export import export
from annotations.imports import records as file_records
from annotations.imports.annotation_files import detect, import_file
from annotations.imports.plain_files import import_paths
from annotations.model import content_id
from annotations.store import Store
from tests.test_roundtrip_formats import RECOGNIZER, ClaimSpec, build, dump

pytestmark = pytest.mark.both_backends

TEXT = "😀 Beijing said 👨\u200d👩\u200d👧 China grew 5%.\r\nXi Jinping agreed."


def write(path: Path, value: object, jsonl: bool = False) -> Path:
    if jsonl:
        path.write_text(
            "\n".join(json.dumps(v, ensure_ascii=False) for v in value) + "\n", encoding="utf-8"
        )
    else:
        path.write_text(json.dumps(value, ensure_ascii=False), encoding="utf-8")
    return path


def claims_of(store: Store) -> list[tuple[str, str, str, str]]:
    return [(c.quote, c.claim_type, c.stance, c.annotator) for c in store.claims()]


def test_label_studio_export_as_label_studio_writes_it(store: Store, tmp_path: Path) -> None:
    """No annotty extras: ints for users, custom from_names, code-point offsets after emoji
    (Label Studio counts code points: see tests/test_import_label_studio.py)."""
    china = TEXT.index("China")
    task = {
        "id": 7,
        "data": {"text": TEXT},
        "annotations": [
            {
                "id": 1,
                "completed_by": 3,
                "created_at": "2024-01-01T10:00:00Z",
                "updated_at": "2024-01-02T10:00:00.5Z",
                "was_cancelled": False,
                "result": [
                    {
                        "id": "r1",
                        "from_name": "label",
                        "to_name": "text",
                        "type": "labels",
                        "value": {
                            "start": china,
                            "end": china + 13,
                            "text": "China grew 5%",
                            "labels": ["Claim"],
                        },
                    },
                    {
                        "id": "r1",
                        "from_name": "stance",
                        "to_name": "text",
                        "type": "choices",
                        "value": {"start": china, "end": china + 13, "choices": ["against"]},
                    },
                    {
                        "id": "r1",
                        "from_name": "type",
                        "to_name": "text",
                        "type": "choices",
                        "value": {"start": china, "end": china + 13, "choices": ["statistical"]},
                    },
                    {
                        "id": "r2",
                        "from_name": "label",
                        "to_name": "text",
                        "type": "labels",
                        "value": {"start": 3, "end": 10, "text": "Beijing", "labels": ["GPE"]},
                    },
                ],
            },
            {"id": 2, "was_cancelled": True, "result": []},
        ],
        "predictions": [{"result": [{"id": "p", "type": "labels", "value": {}}]}],
    }
    result = import_file(store, write(tmp_path / "ls.json", [task]))
    assert not result.errors and result.entities_ignored == 2
    assert claims_of(store) == [("China grew 5%", "statistical", "against", "label-studio:3")]
    claim = store.claims()[0]
    assert claim.updated_at == "2024-01-02T10:00:00.5Z"
    assert detect(tmp_path / "ls.json") == "label-studio"
    again = import_file(store, tmp_path / "ls.json")
    assert again.claims_unchanged == 1 and len(store.claims()) == 1
    other = dict(task, data={"text": "Another text."})
    other["annotations"] = [
        {
            "result": [
                dict(
                    task["annotations"][0]["result"][0],
                    value={"start": 0, "end": 7, "text": "Another", "labels": ["Claim"]},
                )
            ]
        }
    ]
    import_file(store, write(tmp_path / "ls2.json", [other]))  # region "r1" again, elsewhere
    assert sorted(c.quote for c in store.claims()) == ["Another", "China grew 5%"]
    assert "r1" not in {c.id for c in store.claims()}


def test_utf16_offsets_of_older_exports_are_recognised_by_their_quote(
    store: Store, tmp_path: Path
) -> None:
    # annotty's Label Studio export counted UTF-16 units before it counted as Label Studio does
    start = len(TEXT[: TEXT.index("China")].encode("utf-16-le")) // 2
    assert start != TEXT.index("China")
    task = {
        "data": {"text": TEXT},
        "annotations": [
            {
                "result": [
                    {
                        "id": "a",
                        "from_name": "claim",
                        "type": "labels",
                        "value": {
                            "start": start,
                            "end": start + 13,
                            "text": "China grew 5%",
                            "labels": ["Claim"],
                        },
                    }
                ]
            }
        ],
    }
    result = import_file(store, write(tmp_path / "cp.json", [task]))
    assert not result.moved and not result.errors[1:]
    assert claims_of(store)[0][0] == "China grew 5%"
    assert "no claim type" in result.errors[0]  # imported as 'other', and said so


def test_doccano_as_doccano_writes_it(store: Store, tmp_path: Path) -> None:
    units = TEXT.encode("utf-16-le")
    at = len(TEXT[: TEXT.index("China")].encode("utf-16-le")) // 2
    xi = len(TEXT[: TEXT.index("Xi")].encode("utf-16-le")) // 2
    assert units[2 * at : 2 * (at + 13)].decode("utf-16-le") == "China grew 5%"
    records = [
        {
            "id": 1,
            "text": TEXT,
            "entities": [
                {
                    "id": 10,
                    "label": "claim:causal:favor",
                    "start_offset": at,
                    "end_offset": at + 13,
                },
                {"id": 11, "label": "PERSON", "start_offset": xi, "end_offset": xi + 10},
            ],
            "relations": [{"id": 1, "from_id": 10, "to_id": 11, "type": "speaker"}],
        },
        {"id": 2, "text": "Plain text, classified.", "label": ["positive"]},
        {"id": 3, "text": "Short.", "label": [[0, 99, "claim:other:none"]]},
    ]
    path = write(tmp_path / "dc.jsonl", records, jsonl=True)
    result = import_file(store, path, annotator="importer")
    assert claims_of(store) == [("China grew 5%", "causal", "favor", "importer")]
    assert store.claims()[0].speaker == "Xi Jinping"
    assert len(result.errors) == 2
    assert "record 2: label 'positive'" in result.errors[0]
    assert "record 3: span 1 'claim:other:none': cannot place [0, 99)" in result.errors[1]
    again = import_file(store, path, annotator="importer")
    assert again.claims_added == 0 and again.claims_unchanged == 1


def test_annotty_records_that_cannot_be_placed_are_reported(store: Store, tmp_path: Path) -> None:
    source = build([(TEXT, [ClaimSpec(2, 9, "other", "none", "", "", "ann", "pending")])])
    record = json.loads(dump(source))["documents"][0]
    moved = dict(record["claims"][0], id="moved", start=0, end=7)  # wrong offsets, right quote
    lost = dict(record["claims"][0], id="lost", start=0, end=5, quote="Berlin")
    broken = dict(record["claims"][0], id="broken", start="x", end=None, quote=None)
    record["claims"] += [moved, lost, broken]
    lines = [
        json.dumps({"format": "annotty", "version": 1, **record}),
        "{oops",
        json.dumps({"format": "annotty", "version": 1, "title": "no text"}),
        json.dumps({"format": "annotty", "version": 9, "text": "future"}),
    ]
    path = tmp_path / "a.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = import_file(store, path)
    assert result.claims_added == 2
    assert [c.id for c in store.claims() if c.quote == "Beijing"] != []
    assert any("moved" in m and "placed at [2, 9)" in m for m in result.moved)
    messages = "\n".join(result.errors)
    assert "record 1: claim 3 (lost): cannot place [0, 5) quote 'Berlin'" in messages
    assert "record 1: claim 4 (broken): cannot place [None, None)" in messages
    assert "record 2: line 2: bad JSON" in messages
    assert "record 3: missing a non-empty string 'text'" in messages
    assert "record 4: made by a newer annotty" in messages


def test_newer_claims_update_and_older_ones_are_kept(store: Store, tmp_path: Path) -> None:
    source = build([(TEXT, [ClaimSpec(2, 9, "other", "none", "", "", "ann", "pending")])])
    path = tmp_path / "v1.json"
    export(source, "json", path)
    import_file(store, path)
    claim = source.claims()[0]
    source.update_claim(claim.id, stance="favor")
    export(source, "json", tmp_path / "v2.json")
    newer = import_file(store, tmp_path / "v2.json")
    assert newer.claims_updated == 1 and store.claim(claim.id).stance == "favor"
    older = import_file(store, path)
    assert older.claims_kept == 1 and store.claim(claim.id).stance == "favor"
    history = [h["action"] for h in store.history()]
    assert history == ["create", "update"]


def test_merging_into_a_document_that_has_another_id(store: Store, tmp_path: Path) -> None:
    mine, _ = store.add_document(TEXT, "mine", doc_id="local-id")
    source = build([(TEXT, [ClaimSpec(2, 9, "other", "none", "", "", "ann", "pending")])])
    export(source, "label-studio", tmp_path / "ls.json")
    result = import_file(store, tmp_path / "ls.json")
    assert result.documents_merged == 1 and not result.added
    assert [c.doc_id for c in store.claims()] == [mine.id]
    other = Store(None)
    other.add_document("A different text.", "y", doc_id=content_id(TEXT))
    result = import_file(other, tmp_path / "ls.json")
    # the id is taken by another text: the document comes in under an id of its own, with its
    # claim, and a line says so (it used to be skipped with its claims)
    assert not result.errors and len(result.added) == 1
    assert "already used by a document with another text; imported as" in result.notes[0]
    assert [c.quote for c in other.claims()] == ["Beijing"]
    assert other.document(content_id(TEXT)).text == "A different text."
    again = import_file(other, tmp_path / "ls.json")
    assert again.claims_unchanged == 1 and len(other.documents()) == 2


def test_an_import_is_one_undo_step(tmp_path: Path) -> None:
    source = build(
        [
            (
                TEXT,
                [
                    ClaimSpec(2, 9, "other", "none", "", "", "ann", "pending"),
                    ClaimSpec(20, 33, "causal", "favor", "", "", "bob", "accepted"),
                ],
            )
        ]
    )
    export(source, "jsonl", tmp_path / "x.jsonl")
    store = Store(None, annotator="importer")
    import_file(store, tmp_path / "x.jsonl")
    assert len(store.claims()) == 2
    store.undo()
    assert store.claims() == []


@pytest.mark.parametrize("chunk", [1, 7, 64])
def test_the_json_reader_streams_across_any_chunk_boundary(chunk: int, monkeypatch) -> None:
    monkeypatch.setattr(file_records, "CHUNK", chunk)
    value = {
        "format": "annotty",
        "version": 1,
        "documents": [{"n": 12345, "text": '😀 "quoted" \\ \u2028'}, [1, 2.5e3, None], 678],
    }
    header = file_records.Header()
    records = list(file_records.json_records(io.StringIO(json.dumps(value, indent=1)), header))
    assert records == [(1, value["documents"][0]), (2, value["documents"][1]), (3, 678)]
    assert header.values == {"format": "annotty", "version": 1}
    assert list(file_records.json_records(io.StringIO(" [ ] "), file_records.Header())) == []
    broken = file_records.json_records(io.StringIO('[{"a": 1},\n{"b": }]'), file_records.Header())
    assert next(broken) == (1, {"a": 1})
    with pytest.raises(file_records.BadJSON, match="line 2"):
        next(broken)


def test_a_broken_json_file_keeps_what_came_before(store: Store, tmp_path: Path) -> None:
    source = build(
        [(TEXT, [ClaimSpec(2, 9, "other", "none", "", "", "ann", "pending")]), ("Second text.", [])]
    )
    path = tmp_path / "x.json"
    export(source, "json", path)
    lines = path.read_text(encoding="utf-8").split("\n")
    path.write_text("\n".join(lines[:3]) + "\n{broken", encoding="utf-8")
    result = import_file(store, path)
    assert len(result.added) == 2 and result.claims_added == 1
    assert "the rest of the file was not read" in result.errors[0]


def test_corpus_import_routes_exports_and_plain_jsonl(store: Store, tmp_path: Path) -> None:
    source = build([(TEXT, [ClaimSpec(2, 9, "other", "none", "", "", "ann", "pending")])])
    export(source, "doccano", tmp_path / "a.jsonl")
    write(tmp_path / "plain.jsonl", [{"text": "Just a document.\u2028Same line."}], jsonl=True)
    write(tmp_path / "docs.json", [{"text": "From a JSON list.", "title": "listed"}])
    (tmp_path / "notes.json").write_text('{"something": "else"}', encoding="utf-8")
    report = import_paths(store, [tmp_path])
    assert sorted(d.title for d in report.added) == sorted(
        [source.documents()[0].title, "Just a document.", "listed"]
    )
    assert report.claims_added == 1
    assert len(report.errors) == 1 and "notes.json: not an annotty" in report.errors[0]
    texts = {store.document(d.id).text for d in report.added}
    assert "Just a document.\u2028Same line." in texts


def test_cli_import_and_export(tmp_path: Path) -> None:
    source = build([(TEXT, [ClaimSpec(2, 9, "other", "none", "", "", "ann", "accepted")])])
    export(source, "label-studio", tmp_path / "ls.json", RECOGNIZER.key)
    db = str(tmp_path / "a.db")
    runner = CliRunner()
    result = runner.invoke(cli, ["--db", db, "import", str(tmp_path / "ls.json")])
    assert result.exit_code == 0, result.output
    assert "claims: 1 added" in result.output
    result = runner.invoke(
        cli, ["--db", db, "import", "--format", "label-studio", str(tmp_path / "ls.json")]
    )
    assert "claims: 0 added, 0 updated, 1 already there" in result.output
    result = runner.invoke(
        cli, ["--db", db, "export", "--format", "jsonl", "--status", "accepted", "-o", "-"]
    )
    assert result.exit_code == 0, result.output
    first = json.loads(result.stdout.splitlines()[0])
    assert [c["quote"] for c in first["claims"]] == ["Beijing"]
    assert "exporting" not in result.stderr  # no progress bar when not on a terminal
    assert "wrote 1 document, 1 claim," in result.stderr
    out = tmp_path / "b"
    result = runner.invoke(cli, ["--db", db, "export", "--format", "brat", "-o", str(out)])
    assert result.exit_code == 0 and (out / "annotation.conf").exists()
    result = runner.invoke(
        cli,
        [
            "--db",
            db,
            "export",
            "--format",
            "label-studio",
            "-o",
            str(tmp_path / "t.json"),
            "--label-config",
            str(tmp_path / "c.xml"),
        ],
    )
    assert (
        '<Choices name="stance" toName="text" perRegion="true">' in (tmp_path / "c.xml").read_text()
    )
