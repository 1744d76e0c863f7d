"""Hostile databases against every CLI command: one line on stderr, a non-zero exit, no traceback,
and nothing written to a file that is not a healthy annotty database.

The setups are the faults met when annotty was tried for real: a typo in --db, a folder, a URL, a
file that is not SQLite, another program's SQLite file (rollback and WAL mode), a damaged file
(valid header, broken pages), a truncated file, one from a newer annotty, an empty file, a FIFO.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from annotations.store import Store
from tests.conftest import SEEDS
from tests.test_cli_support import run_main

TEXT = "Officials said the levy would rise. Critics said it would not."


def healthy(path: Path) -> Path:
    """A small annotty database with a document, a claim and its history."""
    store = Store(path, annotator="alice")
    doc, _ = store.add_document(TEXT, "Levy")
    store.add_claim(doc.id, 0, 34, "opinion", stance="favor")
    store.close()
    return path


def damage(path: Path) -> Path:
    """Overwrite every leaf page of every table and index with noise; keep the header and the
    schema, so the file opens and breaks only when its rows are read (the case that gave a
    traceback on read and accepted writes)."""
    conn = sqlite3.connect(path)
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    try:
        pages = [
            p
            for (p,) in conn.execute(
                "select pageno from dbstat where name != 'sqlite_schema' and pagetype = 'leaf'"
            )
        ]
    except sqlite3.OperationalError:
        pytest.skip("this SQLite has no dbstat table to find the pages")
    conn.close()
    with path.open("r+b") as handle:
        for page in pages:  # 0xff is no valid page type: any read of the page is "malformed"
            handle.seek((page - 1) * page_size)
            handle.write(b"\xff" * page_size)
    return path


def foreign(path: Path, wal: bool = False) -> Path:
    conn = sqlite3.connect(path)
    if wal:
        conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("create table invoices(id integer primary key, total real)")
    conn.execute("insert into invoices(total) values (12.5)")
    conn.commit()
    conn.close()
    return path


def newer(path: Path) -> Path:
    healthy(path)
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA user_version=99")
    conn.close()
    return path


def truncated(path: Path) -> Path:
    healthy(path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path


def _missing(p: Path) -> Path:
    return p


def _folder(p: Path) -> Path:
    p.mkdir()
    return p


def _random(p: Path) -> Path:
    p.write_bytes(bytes((i * 73 + 11) % 256 for i in range(5000)))
    return p


def _empty(p: Path) -> Path:
    p.write_bytes(b"")
    return p


def _fifo(p: Path) -> Path:
    os.mkfifo(p)
    return p


SETUPS: dict[str, Callable[[Path], Path | str]] = {
    "missing": _missing,
    "url": lambda p: "postgresql://team@server.invalid/claims",  # RFC 6761: never resolves
    "folder": _folder,
    "not-sqlite": _random,
    "foreign": foreign,
    "foreign-wal": lambda p: foreign(p, wal=True),
    "damaged": lambda p: damage(healthy(p)),
    "truncated": truncated,
    "newer": newer,
    "empty": _empty,
    "fifo": _fifo,
}

# Commands that must fail on every setup (import and merge -o may create a missing file).
COMMANDS: dict[str, list[str]] = {
    "stats": ["stats"],
    "stats-json": ["stats", "--json"],
    "export": ["export", "-o", "{out}/x.json"],
    "export-csv": ["export", "--format", "csv", "-o", "{out}/x.csv"],
    "agreement": ["agreement"],
    "review": ["review"],
    "app": [],
    "db-check": ["db", "check"],
    "db-vacuum": ["db", "vacuum"],
    "import": ["import", "{out}/new.txt"],
    "merge-source": ["merge", "{db}", "-o", "{out}/team.db"],
    "merge-into": ["merge", "{out}/good.db", "-o", "{db}"],
}
CREATES = {
    ("missing", "import"),
    ("missing", "merge-into"),
    ("empty", "import"),
    ("empty", "merge-into"),
}  # SQLite's own view too: an empty file is a new database


def folders(tmp_path: Path) -> tuple[Path, Path]:
    """``out``: what commands read or write besides the database (a new text file, a sound
    database to merge); ``home``: the empty folder the database under test goes in."""
    out = tmp_path / "out"
    out.mkdir()
    (out / "new.txt").write_text("A new document about the levy.", encoding="utf-8")
    healthy(out / "good.db")
    home = tmp_path / "db"
    home.mkdir()
    return out, home


def snapshot(folder: Path) -> dict[str, bytes | None]:
    """Every file in the folder with its bytes (None for what cannot be read as a file)."""
    return {p.name: (p.read_bytes() if p.is_file() else None) for p in sorted(folder.iterdir())}


@pytest.mark.parametrize(
    ("setup", "command"), [(s, c) for c in COMMANDS for s in SETUPS if (s, c) not in CREATES]
)
def test_hostile_database_gives_one_line_and_is_left_as_it_was(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    setup: str,
    command: str,
) -> None:
    out, home = folders(tmp_path)
    monkeypatch.chdir(home)  # a URL taken as a path would make folders here
    db = SETUPS[setup](home / "the.db")
    before = snapshot(home)
    argv = [a.format(db=db, out=out) for a in COMMANDS[command]]
    code, err = run_main(["--db", str(db), *argv], capsys)
    assert code != 0, err
    assert err.count("\n") == 1 and err.startswith("annotty: "), err
    assert "Traceback" not in err
    assert snapshot(home) == before  # nothing written, no -wal/-shm/-writer left behind


def test_an_unreachable_server_or_unknown_url_is_one_line_and_makes_no_folders(
    tmp_path: Path, capsys, monkeypatch
) -> None:
    monkeypatch.chdir(tmp_path)
    for command in (["stats"], ["import", str(SEEDS)], []):
        url = "postgresql://team:pw@server.invalid/claims"
        code, err = run_main(["--db", url, *command], capsys)
        assert code == 1 and err.count("\n") == 1, err
        assert "postgresql://team@server.invalid/claims: server unavailable" in err
        assert ":pw@" not in err
    monkeypatch.setenv("ANNOTTY_DB", "sqlite:///tmp/x.db")
    code, err = run_main(["stats"], capsys)
    assert code == 1 and "unsupported database URL scheme 'sqlite'" in err
    assert list(tmp_path.iterdir()) == []


def test_typo_in_db_is_refused_for_reading_commands(tmp_path: Path, capsys) -> None:
    typo = tmp_path / "projcet.db"
    for command in (["stats"], ["export"], ["agreement"], ["review"], [], ["db", "check"]):
        code, err = run_main(["--db", str(typo), *command], capsys)
        assert code == 1
        assert err == (
            f"annotty: no database at {typo} (check --db); `annotty import` creates one\n"
        )
    assert not typo.exists()
    code, err = run_main(["--db", str(typo), "import", str(SEEDS)], capsys)
    assert code == 0 and typo.is_file()


def test_damaged_database_refuses_import_and_says_how_to_recover(tmp_path: Path, capsys) -> None:
    db = tmp_path / "team.db"
    healthy(db)
    conn = sqlite3.connect(db)  # damage only the claims table: documents still read fine
    pages = [
        p
        for (p,) in conn.execute(
            "select pageno from dbstat where name = 'claims' and pagetype = 'leaf'"
        )
    ]
    size = conn.execute("PRAGMA page_size").fetchone()[0]
    conn.close()
    with db.open("r+b") as handle:
        for page in pages:
            handle.seek((page - 1) * size)
            handle.write(b"\xff" * size)
    before = db.read_bytes()
    (tmp_path / "new.txt").write_text("Another document.", encoding="utf-8")
    code, err = run_main(["--db", str(db), "import", str(tmp_path / "new.txt")], capsys)
    assert code == 1 and err.count("\n") == 1
    assert "damaged" in err and ".recover" in err and str(db) in err
    assert db.read_bytes() == before
    code, err = run_main(["--db", str(db), "export", "-o", str(tmp_path / "x.json")], capsys)
    assert code == 1 and err.count("\n") == 1 and "damaged" in err


def test_damaged_merge_source_is_named(tmp_path: Path, capsys) -> None:
    good = healthy(tmp_path / "alice.db")
    bad = damage(healthy(tmp_path / "bob.db"))
    team = tmp_path / "team.db"
    code, err = run_main(["merge", str(good), str(bad), "-o", str(team)], capsys)
    assert code == 1 and err.count("\n") == 1
    assert str(bad) in err and str(good) not in err and "damaged" in err


def test_invalid_utf8_in_text_columns_does_not_stop_stats_export_or_merge(
    tmp_path: Path, capsys
) -> None:
    """Another program stored bytes that are not UTF-8 (SQLite does not check); every reader
    shows them as U+FFFD and goes on."""
    db = healthy(tmp_path / "odd.db")
    conn = sqlite3.connect(db)
    conn.execute("update documents set title = CAST(x'4361ff66e9' AS TEXT)")
    conn.execute(
        "update claims set note = CAST(x'c328' AS TEXT), "
        "annotator = CAST(x'616c6963ff' AS TEXT), target = CAST(x'80' AS TEXT)"
    )
    conn.commit()
    conn.close()
    code, _ = run_main(["--db", str(db), "stats"], capsys)
    assert code == 0
    code, _ = run_main(["--db", str(db), "stats", "--json"], capsys)
    assert code == 0
    for fmt in ("json", "csv", "jsonl"):
        target = tmp_path / f"out.{fmt}"
        code, err = run_main(
            ["--db", str(db), "export", "--format", fmt, "-o", str(target)], capsys
        )
        assert code == 0, err
        assert "Ca\ufffdf\ufffd" in target.read_text(encoding="utf-8") or fmt == "csv"
    team = tmp_path / "team.db"
    before = db.read_bytes()  # (export may have cached entities in it: a legitimate write)
    code, err = run_main(["merge", str(db), "-o", str(team)], capsys)
    assert code == 0, err
    merged = Store(team)
    (claim,) = merged.claims(merged.documents()[0].id)
    assert claim.annotator == "alic\ufffd" and claim.note == "\ufffd("
    merged.close()
    assert db.read_bytes() == before


def test_disk_full_during_import_is_one_line_saying_what_was_saved(
    tmp_path: Path, capsys, monkeypatch
) -> None:
    """SQLite's own SQLITE_FULL, from a page limit on the connection (a full disk without
    needing root to mount a tiny file system)."""
    from annotations.store import sqlite as dbmod

    real = dbmod._new_connection

    def small(target: str) -> sqlite3.Connection:
        conn = real(target)
        conn.execute("PRAGMA max_page_count=60")
        return conn

    monkeypatch.setattr(dbmod, "_new_connection", small)
    db = tmp_path / "full.db"
    code, err = run_main(["--db", str(db), "import", str(SEEDS)], capsys)
    assert code == 1 and err.count("\n") == 1 and "Traceback" not in err
    assert "disk is full" in err and str(db) in err
    monkeypatch.undo()
    store = Store(db)
    saved = len(store.documents())
    store.close()
    assert f"{saved} new document" in err


def _mount_tiny_tmpfs(folder: Path, size: str) -> bool:
    import subprocess

    if os.geteuid() != 0:
        return False
    folder.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)], capture_output=True
    )
    return done.returncode == 0


def test_really_full_disk_during_import(tmp_path: Path, capsys) -> None:
    import subprocess

    disk = tmp_path / "disk"
    if not _mount_tiny_tmpfs(disk, "400k"):
        pytest.skip("needs root and tmpfs to fill a real file system")
    try:
        db = disk / "a.db"
        code, err = run_main(["--db", str(db), "import", str(SEEDS)], capsys)
        assert code == 1 and err.count("\n") == 1 and "disk is full" in err
        code, out = run_main(["--db", str(db), "stats", "--json"], capsys)
        assert code == 0  # what was saved before the disk filled is intact
    finally:
        subprocess.run(["umount", str(disk)], check=False)


@contextmanager
def unwritable() -> Iterator[Callable[[Path], None]]:
    """Makes files and folders unwritable for this user (chmod; for root, who may write
    anything, the immutable attribute); undone at the end."""
    done: list[Path] = []

    def make(path: Path) -> None:
        if os.geteuid() == 0:
            if subprocess.run(["chattr", "+i", str(path)], capture_output=True).returncode:
                pytest.skip("running as root and this file system has no immutable attribute")
        else:
            path.chmod(0o555 if path.is_dir() else 0o444)
        done.append(path)

    yield make
    for path in reversed(done):
        if os.geteuid() == 0:
            subprocess.run(["chattr", "-i", str(path)], check=False)
        else:
            path.chmod(0o755 if path.is_dir() else 0o644)


@pytest.fixture
def read_only() -> Iterator[Callable[[Path], None]]:
    with unwritable() as make:
        yield make


READS = {"stats", "stats-json", "export", "export-csv", "agreement", "db-check", "merge-source"}


@pytest.mark.parametrize("command", [c for c in COMMANDS if c not in ("review", "app")])
def test_read_only_database_reads_or_refuses_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], read_only, command: str
) -> None:
    """Reading commands work (with one "read-only" notice where they open the database for
    reading); commands that would write stop with one line. The file is never changed."""
    out, home = folders(tmp_path)
    db = healthy(home / "the.db")
    read_only(db)
    read_only(home)
    before = snapshot(home)
    argv = [a.format(db=db, out=out) for a in COMMANDS[command]]
    code, err = run_main(["--db", str(db), *argv], capsys)
    assert "Traceback" not in err
    if command in READS:
        assert code == 0, err
        assert err.count("read-only") <= 1 and "error" not in err
    else:
        assert code == 1 and err.count("\n") == 1 and "read-only" in err, err
    assert snapshot(home) == before


def test_hostile_file_name_cannot_forge_lines_or_drive_the_terminal(tmp_path: Path, capsys) -> None:
    db = tmp_path / "a\nannotty: all good\x1b]52;c;aGk=\x07.db"
    db.write_bytes(b"not a database" * 100)
    code, err = run_main(["--db", str(db), "stats"], capsys)
    assert code == 1 and err.count("\n") == 1
    assert "\x1b" not in err and "\x07" not in err and "not an annotty database" in err
