"""``annotty db vacuum`` and ``annotty db check``."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from annotations.store import Store
from tests.conftest import SEEDS
from tests.test_cli_support import run_cli, run_main
from tests.test_hostile_db import damage, healthy


def _dump(path: Path, table: str) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(f"select * from {table} order by rowid").fetchall()
    finally:
        conn.close()


def _size(path: Path) -> int:
    wal = Path(f"{path}-wal")
    return path.stat().st_size + (wal.stat().st_size if wal.exists() else 0)


def test_vacuum_reclaims_space_and_keeps_every_row_and_all_history(tmp_path: Path, capsys) -> None:
    db = tmp_path / "team.db"
    code, _ = run_main(["--db", str(db), "import", str(SEEDS)], capsys)
    assert code == 0
    store = Store(db, annotator="alice")
    docs = store.documents()
    for doc in docs[:3]:
        text = store.document(doc.id).text
        claim = store.add_claim(doc.id, 0, 10, "opinion", note="x" * 2000)
        store.update_claim(claim.id, stance="against")
        assert text[0:10] == claim.quote
    store.close()
    conn = sqlite3.connect(db)  # free a lot of pages: the cached machine entities
    conn.execute("delete from entities")
    conn.commit()
    conn.close()
    history, claims = _dump(db, "history"), _dump(db, "claims")
    before = _size(db)

    code, err = run_main(["--db", str(db), "db", "vacuum"], capsys)
    assert code == 0, err
    after = _size(db)
    assert after < before * 0.8
    assert not Path(f"{db}-wal").exists() or Path(f"{db}-wal").stat().st_size == 0
    assert _dump(db, "history") == history and _dump(db, "claims") == claims


def test_vacuum_prints_sizes_before_and_after(tmp_path: Path, capsys) -> None:
    db = healthy(tmp_path / "a.db")
    code, out, err = run_cli(["--db", str(db), "db", "vacuum"], capsys)
    assert code == 0, err
    assert out.startswith(f"{db}: ") and " MB -> " in out and "history kept" in out


def test_check_says_ok_for_a_sound_file(tmp_path: Path, capsys) -> None:
    db = healthy(tmp_path / "a.db")
    code, out, err = run_cli(["--db", str(db), "db", "check"], capsys)
    assert code == 0, err
    assert out.startswith(f"{db}: ok (") and out.count("\n") == 1


def test_check_and_vacuum_refuse_a_damaged_file_untouched(tmp_path: Path, capsys) -> None:
    db = damage(healthy(tmp_path / "a.db"))
    before = db.read_bytes()
    for command in (["db", "check"], ["db", "vacuum"]):
        code, err = run_main(["--db", str(db), *command], capsys)
        assert code == 1 and err.count("\n") == 1
        assert "damaged" in err and ".recover" in err
    assert db.read_bytes() == before
