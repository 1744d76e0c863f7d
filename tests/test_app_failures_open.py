"""Opening the app opens (and checks) the database once, and hands that store to the app."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from annotations import cli, terminal_safe
from annotations.store import Store
from annotations.store import sqlite as dbmod
from annotations.store import sqlite_check as db_check


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[Any]]:
    """Counts database opens and integrity probes; the app records its store instead of
    taking over the terminal (the test has none)."""
    import tui.app

    seen: dict[str, list[Any]] = {"opens": [], "probes": [], "stores": []}
    real_open, real_probe = dbmod.open_database, dbmod._probe

    def open_database(path: Any, *args: Any, **kwargs: Any) -> Any:
        seen["opens"].append(path)
        return real_open(path, *args, **kwargs)

    def probe(file: Path, state: db_check.FileState) -> None:
        seen["probes"].append(file)
        real_probe(file, state)

    def run(app: tui.app.AnnottyApp, *args: Any, **kwargs: Any) -> None:
        seen["stores"].append((app.store, app.start_screen))

    monkeypatch.setattr(dbmod, "open_database", open_database)
    monkeypatch.setattr(dbmod, "_probe", probe)
    monkeypatch.setattr(tui.app.AnnottyApp, "run", run)
    monkeypatch.setattr(terminal_safe, "require_terminal", lambda command="annotty": None)
    return seen


def make_db(path: Path) -> None:
    store = Store(path, annotator="ann")
    doc, _ = store.add_document("Exports grew 5% in 2024, the ministry said.", "t")
    store.add_claim(doc.id, 0, 24, "statistical")
    store.close()


@pytest.mark.parametrize("command", [[], ["review"]])
def test_the_app_opens_the_database_once(
    tmp_path: Path, opened: dict[str, list[Any]], command: list[str]
) -> None:
    db = tmp_path / "work.db"
    make_db(db)
    opened["opens"].clear()
    opened["probes"].clear()
    cli.main(["--db", str(db), *command])
    assert opened["opens"] == [db] and opened["probes"] == [db]
    ((store, screen),) = opened["stores"]
    assert store.path == db and screen == ("review" if command else "library")


def test_a_missing_database_is_still_refused_before_the_app(
    tmp_path: Path, opened: dict[str, list[Any]], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as done:
        cli.main(["--db", str(tmp_path / "typo.db")])
    assert done.value.code == 1
    assert "no database at" in capsys.readouterr().err
    assert opened["stores"] == [] and not (tmp_path / "typo.db").exists()
