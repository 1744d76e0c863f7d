"""Opening databases safely: never change a file that is not ours, find damage before writing,
read what can only be read, decode what another program stored badly."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from annotations.errors import DamagedDatabase, InputError, MissingDatabase, ReadOnlyDatabase
from annotations.store import Store
from annotations.store import sqlite_check as db_check
from tests.test_hostile_db import damage, foreign, healthy, run_main, truncated, unwritable

ROOT = Path(__file__).resolve().parent.parent


def beside(path: Path) -> set[str]:
    return {p.name for p in path.parent.iterdir()}


@pytest.mark.parametrize("wal", [False, True])
def test_foreign_sqlite_file_is_refused_byte_for_byte_untouched(tmp_path: Path, wal: bool) -> None:
    """Before: it was switched to WAL (header bytes 18/19) and only then refused."""
    path = foreign(tmp_path / "invoices.db", wal=wal)
    before, files = path.read_bytes(), beside(path)
    with pytest.raises(InputError, match="not an annotty database"):
        Store(path)
    assert path.read_bytes() == before
    assert beside(path) == files  # no -wal, -shm or -writer left behind


def test_file_that_is_not_sqlite_is_untouched(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_bytes(b"SQLite format 2\x00" + bytes(range(256)) * 8)
    before = path.read_bytes()
    with pytest.raises(InputError, match="not an SQLite file"):
        Store(path)
    assert path.read_bytes() == before and beside(path) == {"notes.db"}


def test_a_url_never_becomes_folders(tmp_path: Path, monkeypatch) -> None:
    """A server URL opens the PostgreSQL backend only as a ``str``; one that reached the file
    backend as a ``Path`` (which mangles it) or names another server is refused, no folder made."""
    monkeypatch.chdir(tmp_path)
    with pytest.raises(InputError, match="cannot be opened as a file"):
        Store(Path("postgresql://team@server/claims"))  # as click's Path leaves it
    with pytest.raises(InputError, match="unsupported database URL scheme"):
        Store("mysql://team@server/claims")
    assert list(tmp_path.iterdir()) == []


def test_missing_file_is_created_only_when_asked(tmp_path: Path) -> None:
    path = tmp_path / "new.db"
    with pytest.raises(MissingDatabase, match="no database at"):
        Store(path, create=False)
    assert not path.exists()
    Store(path).close()
    Store(path, create=False).close()


def test_truncated_file_is_damaged(tmp_path: Path) -> None:
    path = truncated(tmp_path / "cut.db")
    before = path.read_bytes()
    with pytest.raises(DamagedDatabase, match="cut short"):
        Store(path)
    assert path.read_bytes() == before


def test_damaged_file_refuses_writes_and_names_the_recovery(tmp_path: Path) -> None:
    path = damage(healthy(tmp_path / "team.db"))
    before = path.read_bytes()
    store = Store(path, annotator="bob")
    with pytest.raises(DamagedDatabase) as caught:
        store.set_setting("theme", "dark")  # a write that reads nothing first
    store.close()
    message = str(caught.value)
    assert str(path) in message and ".recover" in message and "\n" not in message
    assert path.read_bytes() == before


def test_integrity_check_is_remembered_until_the_file_changes(tmp_path: Path) -> None:
    path = healthy(tmp_path / "a.db")
    store = Store(path)
    store.add_document("A second document.", "second")  # waits for the first check
    store.close()  # only this session wrote since the check: the new state is known good
    assert db_check.known_ok(path)
    again = Store(path)
    assert again._gate is not None and again._gate.ok  # no check needed this time
    again.close()
    conn = sqlite3.connect(path)  # another program writes: the next session checks again
    conn.execute("update documents set title = 'x'")
    conn.commit()
    conn.close()
    assert not db_check.known_ok(path)


def test_check_in_this_process_never_drops_another_connections_locks(tmp_path: Path) -> None:
    """Closing any descriptor of a database file drops all of this process's POSIX locks on it;
    another process then thinks it is the last user and deletes the WAL under a live writer
    (SQLite, "How To Corrupt An SQLite Database File", 2.2). Reopening, exporting and checking
    while a store is open must leave the open store's locks alone."""
    path = healthy(tmp_path / "live.db")
    store = Store(path, annotator="alice")
    doc = store.documents()[0]
    store.add_claim(doc.id, 0, 9, "opinion")
    assert Path(f"{path}-wal").exists()
    Store(path, annotator="bob").close()
    from annotations.store import sqlite as dbmod

    dbmod.read_connection(path).close()
    assert db_check.quick_check(path) == "ok"
    other = (
        "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]);"
        "c.execute('select count(*) from claims').fetchall(); c.close()"
    )
    subprocess.run([sys.executable, "-c", other, str(path)], check=True)
    assert Path(f"{path}-wal").exists()  # the other process saw us alive: WAL kept
    store.add_claim(doc.id, 10, 20, "opinion")
    store.close()
    reopened = Store(path)
    assert len(reopened.claims(doc.id)) == 3
    reopened.close()


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "json"])
def test_an_export_never_replaces_a_database_or_its_log(tmp_path: Path, capsys, fmt: str) -> None:
    """``-o team.db`` (a slip for ``--db``) used to replace the whole database with the export
    ("wrote 1 document … to team.db", then "not an SQLite file"); ``-o team.db-wal`` would
    throw away every save not yet checkpointed, under the writer's feet."""
    path = healthy(tmp_path / "team.db")
    other = healthy(tmp_path / "other.db")  # not open here: known by its header
    other_bytes = other.read_bytes()
    store = Store(path, annotator="carol")  # a live writer: its saves wait in the WAL
    doc = store.documents()[0]
    store.add_claim(doc.id, 0, 9, "opinion")
    wal = Path(f"{path}-wal")
    wal_bytes = wal.read_bytes()
    assert wal_bytes  # the claim is only in the log so far
    for target, why in (
        (path, "is a database file annotty has open"),
        (wal, "is a database file annotty has open"),
        (other, "is an SQLite database"),
    ):
        code, err = run_main(
            ["--db", str(path), "export", "--format", fmt, "-o", str(target)], capsys
        )
        assert code == 1 and err.count("\n") == 1, err
        assert f"{target}: {why}; choose another output file" in err
    assert wal.read_bytes() == wal_bytes and other.read_bytes() == other_bytes
    store.close()
    reopened = Store(path)
    assert len(reopened.claims(doc.id)) == 2
    reopened.close()
    for side, base in (("-wal", "other.db"), ("-journal", "other.db")):
        Path(f"{other}{side}").write_bytes(b"")
        assert db_check.database_at(f"{other}{side}") == (
            f"belongs to the SQLite database {base} (its {side[1:]} file)"
        )
    os_link = tmp_path / "link.db"
    os_link.symlink_to(other)  # the link itself is replaced, never what it points to
    assert db_check.database_at(os_link) == ""
    assert db_check.database_at(tmp_path / "x.json") == ""


def test_asking_whether_a_file_is_in_use_never_opens_a_live_database(tmp_path: Path) -> None:
    """``database_at`` reads a header only of files this process has not open: a descriptor
    opened and closed on a live database would drop the store's locks (see ``live``)."""
    path = healthy(tmp_path / "live.db")
    store = Store(path, annotator="alice")
    store.add_claim(store.documents()[0].id, 0, 9, "opinion")
    (tmp_path / "alias.db").symlink_to(path)
    for name in (path, f"{path}-wal", f"{path}-shm", tmp_path / "alias.db"):
        assert db_check.in_use(name)  # by any name
    for name in (path, f"{path}-wal", f"{path}-shm", tmp_path / "alias.db-wal"):
        assert db_check.database_at(name) == "is a database file annotty has open"
    other = (
        "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]);"
        "c.execute('select count(*) from claims').fetchall(); c.close()"
    )
    subprocess.run([sys.executable, "-c", other, str(path)], check=True)
    assert Path(f"{path}-wal").exists()  # our locks held: the other process left the WAL
    store.close()
    assert not db_check.in_use(path)


def test_a_header_read_finishes_before_another_thread_starts_a_connection(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``live`` said no, then another thread opened a connection and took its locks, then our
    header descriptor closed and dropped them: the check and the read are one step now, so a
    connection starting meanwhile is counted only after the descriptor is closed."""
    path = healthy(tmp_path / "team.db")
    events: list[str] = []
    reading, connected = threading.Event(), threading.Event()
    real_open = Path.open

    def slow_open(self: Path, *args: Any, **kwargs: Any) -> Any:
        if self == path:
            reading.set()
            connected.wait(timeout=0.5)  # with the race, the connection comes in here
        handle = real_open(self, *args, **kwargs)
        events.append("header read")
        return handle

    monkeypatch.setattr(Path, "open", slow_open)
    inspecting = threading.Thread(target=db_check.inspect_file, args=(path,))
    inspecting.start()
    assert reading.wait(timeout=10)
    conn = db_check.connect(str(path), path)  # as ``db.open_database`` does, on this thread
    events.append("connection counted")
    connected.set()
    inspecting.join(timeout=10)
    assert events == ["header read", "connection counted"]
    assert db_check.inspect_file(path) is not None and db_check.live(path)
    conn.close()
    assert not db_check.live(path)


def test_invalid_utf8_reads_as_replacement_characters(tmp_path: Path) -> None:
    path = healthy(tmp_path / "odd.db")
    conn = sqlite3.connect(path)
    conn.execute("update documents set title = CAST(x'4361ff66e9' AS TEXT)")
    conn.commit()
    conn.close()
    store = Store(path)
    assert store.documents()[0].title == "Ca\ufffdf\ufffd"
    store.close()


# -- read-only: chmod, or for root (who may write anything) the immutable attribute ----------


@pytest.fixture
def read_only() -> Iterator[Callable[[Path], None]]:
    with unwritable() as make:
        yield make


@pytest.mark.parametrize("folder_too", [False, True])
def test_read_only_database_reads_and_exports_with_one_notice(
    tmp_path: Path, capsys, read_only, folder_too: bool
) -> None:
    folder = tmp_path / "project"
    folder.mkdir()
    path = healthy(folder / "team.db")
    read_only(path)
    if folder_too:
        read_only(folder)
    before, files = path.read_bytes(), beside(path)

    code, err = run_main(["--db", str(path), "stats", "--json"], capsys)
    assert code == 0, err
    assert err.count("\n") == 1 and "read-only" in err and str(path) in err

    out = tmp_path / "x.json"
    code, err = run_main(["--db", str(path), "export", "-o", str(out)], capsys)
    assert code == 0, err
    assert "Officials said the levy would rise" in out.read_text(encoding="utf-8")

    (tmp_path / "new.txt").write_text("A new document.", encoding="utf-8")
    for command in (["import", str(tmp_path / "new.txt")], ["db", "vacuum"]):
        code, err = run_main(["--db", str(path), *command], capsys)
        assert code == 1
        assert err.count("\n") == 1 and "read-only" in err, err
    assert path.read_bytes() == before and beside(path) == files


def test_new_database_in_read_only_folder_is_one_line(tmp_path: Path, capsys, read_only) -> None:
    folder = tmp_path / "locked"
    folder.mkdir()
    read_only(folder)
    source = tmp_path / "doc.txt"
    source.write_text("A document.", encoding="utf-8")
    code, err = run_main(["--db", str(folder / "new.db"), "import", str(source)], capsys)
    assert code == 1
    assert err == (
        f"annotty: {folder / 'new.db'}: cannot create a database here: the "
        f"folder {folder} is not writable\n"
    )
    assert list(folder.iterdir()) == []


def test_read_only_store_refuses_writes_with_its_reason(tmp_path: Path, read_only) -> None:
    """The app's path: a read-only store opens, says why, forgets reading positions and
    refuses work with ``ReadOnlyDatabase`` (which the app reports instead of crashing)."""
    path = healthy(tmp_path / "team.db")
    read_only(path)
    store = Store(path, create=False)
    assert store.readonly == "the file is not writable"
    doc = store.documents()[0]
    store.set_position(doc.id, 5)
    with pytest.raises(ReadOnlyDatabase, match="changes cannot be saved"):
        store.add_claim(doc.id, 0, 9, "opinion")
    store.close()


async def test_app_on_a_read_only_database_says_so_and_keeps_running(
    tmp_path: Path, read_only
) -> None:
    from tui.app import make_app

    path = healthy(tmp_path / "team.db")
    read_only(path)
    store = Store(path, create=False)
    app = make_app(store, seed=True)  # seeding would write: it must not even try
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        notices = [n.message for n in app._notifications]
        assert any("Read-only database (the file is not writable)" in m for m in notices)
        doc = store.documents()[0]
        app.open_document(doc.id, 0)
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.press("escape")  # leaving saves the reading position: forgotten, no crash
        await pilot.pause()
        assert app.is_running
    store.close()
