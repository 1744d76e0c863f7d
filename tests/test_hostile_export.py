"""Hostile input to the exporters: names, ids and folders chosen to break out or break down.

Every export must write only inside its target (a file, or a fresh folder for brat), keep each
document, and stay loadable by the format's readers; what a format cannot hold is reported.
"""

from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from annotations.cli import cli
from annotations.export import FORMATS, export
from annotations.export.brat import MAX_STEM
from annotations.store import Store
from tests.test_export_peers import brat_check

HOSTILE_IDS = [
    "../../escape",
    "/etc/passwd",
    "..",
    ".",
    "a/b\\c",
    "con",
    "NUL.txt",
    "x" * 5000,
    "é" * 300,
    "\x1b]52;c;ZXZpbA==\x07",
    "tab\tand\nnewline",
    "-rf",
    "Doc",
    "doc",
    "annotation",
    "annotty-documents",
    "😀" * 100,
    " lead and trail ",
    "a\u2028b",
    "\u202eevil",
]
HOSTILE_NAMES = [
    "../../evil",
    "\x1b[2J\x1b[H",
    '=HYPERLINK("http://x")',
    "\r\nforged line",
    "@SUM(1)",
    "-2+3",
    "+cmd|' /C calc'!A0",
    "\tTAB",
    "a" * 10_000,
    "né\u0301",
]


def hostile_store(tmp_path: Path | None = None) -> Store:
    store = Store(None if tmp_path is None else tmp_path / "h.db", annotator="ann")
    for n, doc_id in enumerate(HOSTILE_IDS):
        name = HOSTILE_NAMES[n % len(HOSTILE_NAMES)]
        text = f"Document {n}: {name} said\tthat Beijing\u2028grew.\r\nEnd {n}."
        doc, _ = store.add_document(text, title=name, source=name, meta={"k": name}, doc_id=doc_id)
        store.annotator = name
        start = text.index("said")
        store.add_claim(
            doc.id,
            start,
            text.index("End"),
            "opinion",
            stance="favor",
            speaker=name,
            target=name,
            note=name,
        )
        store.set_status(doc.id, "done", annotator=name)
        store.set_doc_stance(doc.id, "against", annotator=name)
    return store


def only_inside(root: Path, target: Path) -> set[str]:
    """Every path under ``root`` (relative), to prove nothing landed outside ``target``."""
    out = set()
    for folder, dirs, files in os.walk(root):
        for name in dirs + files:
            out.add(str((Path(folder) / name).relative_to(root)))
    return out


def test_brat_writes_every_hostile_id_inside_its_folder(tmp_path: Path) -> None:
    store = hostile_store()
    target = tmp_path / "out" / "brat"
    tally = export(store, "brat", target, "")
    assert tally.documents == len(HOSTILE_IDS)
    files = sorted(p.name for p in target.iterdir())
    assert {p.split("/")[0] for p in only_inside(tmp_path, target)} == {"out"}
    stems = [
        json.loads(x)["file"] for x in (target / "annotty-documents.jsonl").read_text().splitlines()
    ]
    assert [
        json.loads(x)["id"] for x in (target / "annotty-documents.jsonl").read_text().splitlines()
    ] == HOSTILE_IDS
    assert len({s.casefold() for s in stems}) == len(stems)  # no clash, even ignoring case
    for stem in stems:
        assert len(stem.encode()) <= MAX_STEM + 34 and "/" not in stem and not stem.startswith(".")
        brat_check(target / f"{stem}.ann", target / f"{stem}.txt")
    assert len(files) == 2 * len(HOSTILE_IDS) + 2


def test_the_same_stems_every_time(tmp_path: Path) -> None:
    """Stable names: an export made twice names its files the same way."""
    one, two = tmp_path / "one", tmp_path / "two"
    export(hostile_store(), "brat", one, "")
    export(hostile_store(), "brat", two, "")
    assert sorted(p.name for p in one.iterdir()) == sorted(p.name for p in two.iterdir())


@pytest.mark.parametrize("fmt", [n for n, f in FORMATS.items() if n != "brat"])
def test_every_format_survives_hostile_names(tmp_path: Path, fmt: str) -> None:
    if fmt == "spacy":
        pytest.importorskip("spacy")
    store = hostile_store()
    target = tmp_path / f"out{FORMATS[fmt].suffix}"
    tally = export(store, fmt, target, "")
    assert tally.documents == len(HOSTILE_IDS) and tally.claims == len(HOSTILE_IDS)
    assert sorted(p.name for p in tmp_path.iterdir()) == [target.name]
    raw = target.read_text(encoding="utf-8")
    if fmt.startswith("csv"):
        rows = list(csv.DictReader(io.StringIO(raw, newline="")))
        assert [
            r["doc_id"].removeprefix("'") if fmt == "csv" else r["doc_id"] for r in rows
        ] == HOSTILE_IDS
    elif fmt in ("json", "label-studio", "w3c"):
        json.loads(raw)
    elif fmt == "html":
        from tests.test_export_html import parse

        sections = [v for tag, v in parse(raw).tags if tag == "section" and "data-doc-id" in v]
        assert [v["data-doc-id"] for v in sections] == HOSTILE_IDS
    else:
        assert len([json.loads(x) for x in raw.split("\n")[:-1]]) == len(HOSTILE_IDS)


def test_an_existing_non_empty_brat_folder_is_left_alone(tmp_path: Path) -> None:
    target = tmp_path / "brat"
    target.mkdir()
    (target / "notes.txt").write_text("mine")
    with pytest.raises(Exception, match="not an empty folder"):
        export(hostile_store(), "brat", target, "")
    assert [p.name for p in target.iterdir()] == ["notes.txt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["brat"]  # no temporary left behind


def test_an_empty_brat_folder_is_used(tmp_path: Path) -> None:
    target = tmp_path / "brat"
    target.mkdir()
    export(hostile_store(), "brat", target, "")
    assert (target / "annotation.conf").is_file()


def test_symlinks_inside_the_output_folder_are_not_followed(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("mine")
    out = tmp_path / "out"
    out.mkdir()
    for name in ("out.json", "out.json.partial", "out.json.tmp", ".annotty-out.json.tmp"):
        (out / name).symlink_to(secret)
    export(hostile_store(), "json", out / "out.json", "")
    assert secret.read_text() == "mine"
    assert not (out / "out.json").is_symlink()


def test_a_span_of_only_line_breaks_is_reported_not_written(tmp_path: Path) -> None:
    store = Store(None, annotator="ann")
    doc, _ = store.add_document("One.\u2028\r\nTwo.", "t")
    store.add_claim(doc.id, 4, 7, "other")
    tally = export(store, "brat", tmp_path / "brat", "")
    assert len(tally.skipped) == 1 and "only line breaks" in tally.skipped[0]
    ann = (tmp_path / "brat" / f"{doc.id}.ann").read_text()
    assert "Claim" not in ann


def test_cli_report_lines_are_clean_of_hostile_names(tmp_path: Path) -> None:
    store = hostile_store(tmp_path)
    store.close()
    result = CliRunner().invoke(
        cli,
        [
            "--db",
            str(tmp_path / "h.db"),
            "export",
            "--format",
            "brat",
            "-o",
            str(tmp_path / "brat\x1b[2J"),
        ],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.stderr
    assert "\x1b" not in result.stderr and result.stderr.count("\n") == 1
    assert "wrote 20 documents" in result.stderr


def test_an_unwritable_target_is_one_line_not_a_traceback(tmp_path: Path, capsys) -> None:
    from annotations.cli import main

    hostile_store(tmp_path).close()
    blocker = tmp_path / "a-file"
    blocker.write_text("mine")
    with pytest.raises(SystemExit) as exit_info:
        main(["--db", str(tmp_path / "h.db"), "export", "-o", str(blocker / "out.json")])
    err = capsys.readouterr().err
    assert exit_info.value.code == 1
    assert err.count("\n") == 1 and "Traceback" not in err and "nothing was written" in err
    assert blocker.read_text() == "mine"


def test_a_failed_write_names_the_output_given_not_a_temporary(
    tmp_path: Path, capsys, monkeypatch
) -> None:
    """The output cannot be created (here: no file descriptor left, EMFILE from the kernel, as
    an unwritable folder or a full disk would refuse it): the one line names ``-o``'s path."""
    from annotations import atomic_write
    from annotations.cli import export_cmd, main
    from tests.test_export_atomic import out_of_file_descriptors

    hostile_store(tmp_path).close()
    real_export = export_cmd.export

    def export_without_descriptors(*args: object, **kwargs: object) -> object:
        with out_of_file_descriptors():
            return real_export(*args, **kwargs)

    target = tmp_path / "out.json"
    main(["--db", str(tmp_path / "h.db"), "export", "-o", str(tmp_path / "warm-up.json")])
    capsys.readouterr()
    monkeypatch.setattr(export_cmd, "export", export_without_descriptors)
    with pytest.raises(SystemExit) as exit_info:
        main(["--db", str(tmp_path / "h.db"), "export", "-o", str(target)])
    err = capsys.readouterr().err
    assert exit_info.value.code == 1 and err.count("\n") == 1
    assert err.startswith(f"annotty: {target}: Too many open files")
    assert atomic_write.PREFIX not in err and not target.exists()
