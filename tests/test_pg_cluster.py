"""The throwaway PostgreSQL cluster the PostgreSQL backend's tests will run against (issue 14).

It must start, take connections on loopback, give each test a database of its own, and leave
no process and no folder behind, however the session ends.
"""

from __future__ import annotations

import os
import pwd
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests import pg_cluster as pgc
from tests.pg_cluster import PgCluster, PgUnavailable, pg_fixtures

ROOT = Path(__file__).resolve().parent.parent

pg_cluster, pg_url = pg_fixtures()

try:
    from psycopg import OperationalError

    CONNECT_ERRORS: tuple[type[Exception], ...] = (OperationalError,)
except ImportError:
    CONNECT_ERRORS = (subprocess.CalledProcessError,)


def query(url: str, sql: str) -> list[tuple[str, ...]]:
    """Rows as text, through psycopg when it is installed, else through psql."""
    try:
        import psycopg
    except ImportError:
        out = subprocess.run(
            [str(pgc.find_bin_dir() / "psql"), "-X", "-q", "-A", "-t", "-F", "\t", "-v"]
            + ["ON_ERROR_STOP=1", "-d", url, "-c", sql],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        return [tuple(line.split("\t")) for line in out.splitlines() if line]
    with psycopg.connect(url, autocommit=True) as conn:
        cur = conn.execute(sql)
        rows = cur.fetchall() if cur.description else []
        return [tuple("" if v is None else str(v) for v in row) for row in rows]


def uid_of(pid: int) -> int | None:
    """The process's real uid, or None if it ended meanwhile (a backend closing)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return None
    return next(int(line.split()[1]) for line in status.splitlines() if line.startswith("Uid:"))


def gone(pids: set[int]) -> bool:
    return not any(pgc._alive(p) for p in pids)


@pytest.fixture
def own_cluster() -> Iterator[PgCluster]:
    """A cluster of this test's own, for tests that stop or break it."""
    cluster = PgCluster().start()
    yield cluster
    cluster.stop()


def test_a_database_url_takes_queries_on_loopback(pg_url: str) -> None:
    name = pg_url.rsplit("/", 1)[1]
    assert pg_url.startswith("postgresql://postgres@127.0.0.1:")
    query(pg_url, "CREATE TABLE claim (id bigint PRIMARY KEY, quote text NOT NULL)")
    query(pg_url, "INSERT INTO claim VALUES (1, 'Zürich grew'), (2, 'rates fell')")
    rows = query(
        pg_url,
        "SELECT current_database(), host(inet_server_addr()),"
        " current_setting('server_version_num'),"
        " (SELECT string_agg(quote, '|' ORDER BY id) FROM claim)",
    )
    db, addr, version, quotes = rows[0]
    assert (db, addr, quotes) == (name, "127.0.0.1", "Zürich grew|rates fell")
    assert int(version) >= pgc.MIN_MAJOR * 10000
    # The full-text search the backend needs must see non-ASCII letters as letters.
    (lexemes,) = query(pg_url, "SELECT to_tsvector('simple', 'Zürich Öl')::text")[0]
    assert lexemes == "'zürich':1 'öl':2"


def test_each_test_gets_an_empty_database(pg_url: str) -> None:
    rows = query(pg_url, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
    assert rows == [("0",)]


def test_databases_are_isolated_and_dropped(pg_cluster: PgCluster) -> None:
    first, second = pg_cluster.create_database(), pg_cluster.create_database()
    assert first != second
    query(first, "CREATE TABLE only_here (x int)")
    where = "SELECT coalesce(to_regclass('only_here')::text, '-')"
    assert query(first, where) == [("only_here",)]
    assert query(second, where) == [("-",)]
    name = first.rsplit("/", 1)[1]
    open_conn = subprocess.Popen(  # a connection left open must not block the drop
        [str(pg_cluster.bin_dir / "psql"), "-X", "-q", "-d", first],
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        count = f"SELECT count(*) FROM pg_stat_activity WHERE datname = '{name}'"
        deadline = time.monotonic() + 30
        while pg_cluster.sql(count) == "0":
            assert time.monotonic() < deadline, "psql never connected"
            time.sleep(0.01)
        pg_cluster.drop_database(name)
    finally:
        open_conn.kill()
        open_conn.wait()
    assert pg_cluster.sql(f"SELECT count(*) FROM pg_database WHERE datname = '{name}'") == "0"


def test_names_from_outside_never_reach_sql(pg_cluster: PgCluster) -> None:
    with pytest.raises(ValueError, match="not a test database name"):
        pg_cluster.create_database('x"; DROP DATABASE postgres; --')
    with pytest.raises(ValueError):
        pg_cluster.drop_database("Upper")


def test_server_runs_as_a_user_postgres_accepts(pg_cluster: PgCluster) -> None:
    pids = pg_cluster.server_pids()
    assert len(pids) >= 2  # the postmaster and its helpers
    expected = os.geteuid() if os.geteuid() != 0 else pwd.getpwnam("postgres").pw_uid
    postmaster = pgc._postmaster_pid(pg_cluster.data)
    assert postmaster in pids and uid_of(postmaster) == expected
    assert {uid_of(p) for p in pids} - {None} == {expected}


def test_stopping_leaves_no_process_and_no_folder(own_cluster: PgCluster) -> None:
    url = own_cluster.create_database()
    assert query(url, "SELECT 1") == [("1",)]
    pids, folder = own_cluster.server_pids(), own_cluster.dir
    assert pids and folder is not None and folder.is_dir()
    own_cluster.stop()
    assert gone(pids)
    assert not folder.exists()
    with pytest.raises(CONNECT_ERRORS):
        query(url, "SELECT 1")


@pytest.mark.parametrize("error", [RuntimeError, KeyboardInterrupt])
def test_leaving_with_an_error_still_cleans_up(error: type[BaseException]) -> None:
    seen: dict[str, object] = {}
    with pytest.raises(error), PgCluster() as cluster:
        seen["pids"], seen["dir"] = cluster.server_pids(), cluster.dir
        raise error("interrupted mid-test")
    assert seen["pids"] and gone(seen["pids"])  # type: ignore[arg-type]
    assert not Path(str(seen["dir"])).exists()


def test_a_failed_start_says_why_and_leaves_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    made: list[str] = []  # this cluster's folder (other test workers make theirs meanwhile)
    mkdtemp = pgc.tempfile.mkdtemp

    def recording(*args: Any, **kwargs: Any) -> str:
        made.append(mkdtemp(*args, **kwargs))
        return made[-1]

    monkeypatch.setattr(pgc.tempfile, "mkdtemp", recording)
    with pytest.raises(PgUnavailable) as err:
        PgCluster(settings={"shared_buffers": "'not a size'"}).start()
    message = str(err.value)
    assert "\n" not in message and "pg_ctl" in message and "shared_buffers" in message
    assert made and not any(Path(folder).exists() for folder in made)


def test_a_cluster_whose_session_died_is_reaped(own_cluster: PgCluster) -> None:
    dead = subprocess.Popen(["true"])
    dead.wait()
    assert own_cluster.dir is not None
    (own_cluster.dir / "owner").write_text(str(dead.pid))
    pids, folder = own_cluster.server_pids(), own_cluster.dir
    assert pgc.reap_stale(own_cluster.bin_dir) >= 1
    assert gone(pids) and not folder.exists()


def test_missing_binaries_give_one_line_naming_the_package(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(pgc, "PG_MAJOR", 99)
    monkeypatch.setenv(pgc.BIN_ENV, str(tmp_path))
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(PgUnavailable) as err:
        PgCluster()
    assert "\n" not in str(err.value)
    assert "apt-get install -y postgresql" in str(err.value)


def test_fixture_fails_loudly_when_postgresql_is_missing(tmp_path: Path) -> None:
    """Not a silent skip: the test that needs the server fails with the one line."""
    (tmp_path / "test_needs_pg.py").write_text(
        "from tests import pg_cluster as pgc\n"
        "pgc.PG_MAJOR = 99\n"
        "pg_cluster, pg_url = pgc.pg_fixtures()\n"
        "def test_it(pg_url):\n"
        "    pass\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PATH": str(tmp_path), pgc.BIN_ENV: ""}
    out = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist"]
        + ["-p", "no:randomly", str(tmp_path / "test_needs_pg.py")],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        check=False,
    ).stdout
    assert "1 error" in out, out
    assert "install the Debian package 'postgresql'" in out, out
    assert "Traceback" not in out, out


def test_ctrl_c_in_a_session_stops_the_server(tmp_path: Path) -> None:
    """pytest runs the session fixture's teardown on KeyboardInterrupt: nothing is left."""
    seen = tmp_path / "seen.txt"
    (tmp_path / "test_waits.py").write_text(
        "import pathlib, time\n"
        "from tests.pg_cluster import pg_fixtures\n"
        "pg_cluster, pg_url = pg_fixtures()\n"
        "def test_it(pg_cluster, pg_url):\n"
        "    pids = ' '.join(map(str, pg_cluster.server_pids()))\n"
        f"    pathlib.Path({str(seen)!r}).write_text(pids + '\\n' + str(pg_cluster.dir))\n"
        "    time.sleep(120)\n"
    )
    proc = subprocess.Popen(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist"]
        + ["test_waits.py"],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),  # as in a terminal
    )
    try:
        deadline = time.monotonic() + 60
        while not (seen.exists() and "\n" in seen.read_text()):
            assert proc.poll() is None and time.monotonic() < deadline, proc.stdout
            time.sleep(0.02)
        pids_line, folder = seen.read_text().splitlines()
        pids = {int(p) for p in pids_line.split()}
        assert pids and not gone(pids)
        proc.send_signal(signal.SIGINT)
        out, _ = proc.communicate(timeout=60)
    finally:
        proc.kill()
        proc.wait()
    assert "KeyboardInterrupt" in out, out
    assert gone(pids) and not Path(folder).exists()
