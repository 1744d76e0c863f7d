"""The command line, as a user types it (click's runner, a real database file)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from annotations.cli import cli
from annotations.store import Store
from tests.conftest import SEEDS
from tests.test_cli_support import run_main


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_import_then_stats_then_export(tmp_path: Path) -> None:
    db = str(tmp_path / "t.db")
    code, out, _ = run("--db", db, "import", str(SEEDS))
    assert code == 0 and "5 added" in out
    code, out, _ = run("--db", db, "import", str(SEEDS))
    assert "0 added, 5 already there" in out

    store = Store(db, annotator="me")
    doc = store.documents()[4]
    text = store.document(doc.id).text
    start = text.index("China and Russia enjoys")
    claim = store.add_claim(doc.id, start, start + 23, "opinion", stance="favor")
    store.close()

    code, out, _ = run("--db", db, "stats", "--json")
    stats = json.loads(out)
    assert stats["documents"] == 5 and stats["claims"] == 1 and stats["entities"] > 100

    target = tmp_path / "out.json"
    code, _, err = run("--db", db, "export", "--format", "json", "-o", str(target))
    assert code == 0
    data = json.loads(target.read_text(encoding="utf-8"))
    docs = {d["id"]: d for d in data["documents"]}
    (exported,) = docs[doc.id]["claims"]
    assert exported["id"] == claim.id
    assert docs[doc.id]["text"][exported["start"] : exported["end"]] == exported["quote"]
    assert exported["quote"] == "China and Russia enjoys"
    for entity in docs[doc.id]["entities"]:
        assert docs[doc.id]["text"][entity["start"] : entity["end"]] == entity["quote"]


def test_bad_file_is_reported_but_the_rest_imports(tmp_path: Path) -> None:
    (tmp_path / "ok.txt").write_text("A fine document.", encoding="utf-8")
    (tmp_path / "bad.txt").write_bytes(b"\x00\x01\x02binary")
    code, out, err = run("--db", str(tmp_path / "t.db"), "import", str(tmp_path))
    assert code == 0
    assert "1 added" in out
    assert "bad.txt" in err and "binary" in err


@pytest.mark.parametrize("command", [[], ["import"], ["export"], ["stats"]])
def test_every_command_has_help(command: list[str]) -> None:
    code, out, _ = run(*command, "--help")
    assert code == 0 and "Usage:" in out


def test_corrupt_database_gives_one_line_error(tmp_path: Path, capsys) -> None:
    from annotations.cli import main

    db = tmp_path / "bad.db"
    db.write_bytes(b"garbage" * 200)
    with pytest.raises(SystemExit) as exit_info:
        main(["--db", str(db), "stats"])
    assert exit_info.value.code == 1
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and str(db) in err
    assert db.read_bytes() == b"garbage" * 200


def test_bad_schema_fails_before_the_ui(tmp_path: Path, capsys) -> None:
    from annotations.cli import main

    bad = tmp_path / "labels.yaml"
    bad.write_text("claim_types:\n  - {name: a, key: '12'}\nstances: [{name: n, key: n}]\n")
    with pytest.raises(SystemExit):
        main(["--db", str(tmp_path / "x.db"), "--schema", str(bad)])
    err = capsys.readouterr().err.strip()
    assert f"{bad}:2:" in err and "claim_types[0].key" in err


def test_file_system_errors_are_one_line_naming_the_file(tmp_path: Path, capsys) -> None:
    db = str(tmp_path / "t.db")
    assert run_main(["--db", db, "import", str(SEEDS)], capsys)[0] == 0
    (tmp_path / "notes.txt").write_text("a file, not a folder", encoding="utf-8")
    target = tmp_path / "notes.txt" / "x.json"
    code, err = run_main(["--db", db, "export", "-o", str(target)], capsys)
    assert code == 1 and err.count("\n") == 1 and "Traceback" not in err
    assert str(tmp_path / "notes.txt") in err


def test_usage_errors_are_one_line(tmp_path: Path, capsys) -> None:
    code, err = run_main(["--db", str(tmp_path / "t.db"), "export", "--format", "nope"], capsys)
    assert code == 2 and err.count("\n") == 1 and "--format" in err and "--help" in err


def test_unexpected_error_is_one_line_unless_debugging(tmp_path: Path, capsys, monkeypatch) -> None:
    """A bug must not print a traceback at the user, but must stay findable."""
    from annotations import stats as stats_mod

    db = str(tmp_path / "t.db")
    assert run_main(["--db", db, "import", str(SEEDS)], capsys)[0] == 0

    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("counting went wrong\nsecond line")

    monkeypatch.setattr(stats_mod, "compute", broken)
    code, err = run_main(["--db", db, "stats"], capsys)
    assert code == 1 and err.count("\n") == 1
    assert "internal error: RuntimeError: counting went wrong" in err and "ANNOTTY_DEBUG" in err
    monkeypatch.setenv("ANNOTTY_DEBUG", "1")
    with pytest.raises(RuntimeError):
        run_main(["--db", db, "stats"], capsys)


def test_interrupt_is_one_line_and_status_130(tmp_path: Path, capsys, monkeypatch) -> None:
    from annotations import stats as stats_mod

    db = str(tmp_path / "t.db")
    assert run_main(["--db", db, "import", str(SEEDS)], capsys)[0] == 0

    def interrupted(*_args: object, **_kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(stats_mod, "compute", interrupted)
    code, err = run_main(["--db", db, "stats"], capsys)
    assert code == 130  # (click puts a newline after the ^C first)
    assert err.lstrip("\n") == "annotty: interrupted; everything saved before it is kept\n"


def test_every_command_is_in_the_readme() -> None:
    """As sqlite-utils does: a command the README does not list does not exist for users."""
    import click

    from annotations.cli import cli
    from tests.conftest import ROOT

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    ctx = click.Context(cli)
    names = []
    for name in cli.list_commands(ctx):
        command = cli.get_command(ctx, name)
        if isinstance(command, click.Group):
            names += [f"{name} {sub}" for sub in command.list_commands(ctx)]
        else:
            names.append(name)
    assert "db vacuum" in names and "db check" in names
    assert [n for n in names if f"`annotty {n}" not in readme] == []
