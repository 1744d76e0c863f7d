"""A hostile corpus through every command: nothing printed acts on the terminal or forges lines.

Titles, file names, annotator, speaker, target and label names carry OSC 52 (write the
clipboard), ``ESC [2J`` (clear the screen), the 8-bit CSI U+009B, a right-to-left override,
U+2028 and newlines followed by text that looks like a report line. Every command's output must
contain none of those characters and exactly the records it reports, one per line.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from annotations.store import Store
from tests.test_cli_support import run_cli

OSC52 = "\x1b]52;c;ZWNobyBwd25lZA==\x07"
CLEAR = "\x1b[2J"
CSI8 = "\x9b31m"
RLO = "\u202etxt.exe"
FORGED = "\nadded 0000000000000000  FORGED"
HOSTILE = f"{OSC52}{CLEAR}{CSI8}{RLO}\u2028{FORGED}"
# ESC, every other C0 control but the newline ending a line, DEL, C1, bidi controls, separators
ACTIVE = re.compile(
    "[\x00-\x09\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]"
)


def harmless(text: str) -> None:
    assert not ACTIVE.search(text), repr(ACTIVE.findall(text))
    assert "FORGED" not in "".join(
        line for line in text.splitlines() if line.startswith("added 0000000000000000")
    )


@pytest.fixture
def corpus(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[Path, Path]:
    """A database with hostile documents, claims by hostile annotators, and the source folder."""
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / f"clip{OSC52}{FORGED}.txt").write_text(
        "Beijing said the tariff rose.", encoding="utf-8"
    )
    records = [
        {"text": f"Document {i} about China and {HOSTILE}.", "title": f"T{i} {HOSTILE}"}
        for i in range(3)
    ]
    (folder / "docs.jsonl").write_text(
        "\n".join(json.dumps(r) for r in records) + "\n", encoding="utf-8"
    )
    db = tmp_path / "t.db"
    code, out, err = run_cli(["--db", str(db), "import", str(folder)], capsys)
    assert code == 0, err
    harmless(out + err)
    assert [line.split()[0] for line in out.splitlines()].count("added") == 4
    for who in (f"ann {OSC52}", f"bob {RLO}"):
        store = Store(db, annotator=who)
        for doc in store.documents():
            store.add_claim(
                doc.id,
                0,
                8,
                f"causal{CLEAR}",
                stance=f"against{CSI8}",
                target=f"tgt {HOSTILE}",
                speaker=f"spk {HOSTILE}",
            )
            store.set_status(doc.id, "done")
        store.close()
    return db, folder


COMMANDS = [
    ["stats"],
    ["stats", "--json"],
    ["agreement"],
    ["agreement", "--json"],
    ["export", "--format", "csv"],
    ["export", "--format", "json"],
    ["export", "--type", f"nope{OSC52}"],
    ["export", "--doc", f"x{FORGED}"],
    ["review", "--filter", f"annotator=x{OSC52}"],
    ["review", "--filter", f"doc={CLEAR}"],
    ["entities", f"nothing{OSC52}"],
]


@pytest.mark.parametrize("args", COMMANDS, ids=lambda a: "-".join(x[:12] for x in a))
def test_no_command_prints_an_active_character(
    corpus: tuple[Path, Path], args: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    db, _ = corpus
    code, out, err = run_cli(["--db", str(db), *args], capsys)
    harmless(out if "--format" not in args else "")  # an export is data, for its own tools
    harmless(err)
    if "--json" in args:
        json.loads(out)  # still JSON, same values: the escapes are JSON's own \\uNNNN


def test_stats_and_agreement_keep_one_record_per_line(
    corpus: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    db, _ = corpus
    _, out, _ = run_cli(["--db", str(db), "stats"], capsys)
    annotators = [line for line in out.splitlines() if line.startswith("  annotator ")]
    assert len(annotators) == 2 and "\\x1b]52" in annotators[0]
    assert "\\u202e" in out  # shown, not obeyed
    _, out, _ = run_cli(["--db", str(db), "stats", "--json"], capsys)
    assert {a["annotator"] for a in json.loads(out)["annotators"]} == {f"ann {OSC52}", f"bob {RLO}"}
    _, out, _ = run_cli(["--db", str(db), "agreement"], capsys)
    pairs = [line for line in out.splitlines() if " ~ " in line]
    assert len(pairs) == 1


def test_entities_and_eval_print_names_harmlessly(
    corpus: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db, folder = corpus
    (name,) = [p for p in folder.iterdir() if p.suffix == ".txt"]
    code, out, err = run_cli(["--db", str(db), "entities", name.name], capsys)  # by file name
    assert code == 0, err
    harmless(out + err)
    assert "GPE" in out
    code, out, err = run_cli(["--db", str(db), "entities", "--json", str(name)], capsys)
    harmless(out + err)
    gold = folder / "gold.jsonl"
    gold.write_text(
        json.dumps(
            {"file": name.name, "entities": [{"start": 0, "end": 7, "label": f"GPE{CLEAR}"}]}
        )
        + "\n",
        encoding="utf-8",
    )
    code, out, err = run_cli(["--db", str(db), "eval-entities", str(gold), "--errors"], capsys)
    assert code == 0, err
    harmless(out + err)
    assert "FN clip\\x1b]52" in out


def test_merge_reports_one_line_per_source(
    corpus: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db, _ = corpus
    hostile = tmp_path / f"copy{OSC52}{FORGED}.db"
    hostile.write_bytes(db.read_bytes())
    code, out, err = run_cli(
        ["--annotator", "lead", "merge", str(hostile), "-o", str(tmp_path / "team.db")], capsys
    )
    assert code == 0, err
    harmless(out + err)
    assert len(out.splitlines()) == 2
