"""The PostgreSQL backend's own behaviour, against a real throwaway server (tests/pg_cluster.py):
opening by URL, migrations and their refusals, secrets kept out of messages, NUL characters,
the SQL translation, and saves kept while the server is away."""

from __future__ import annotations

import socket
from collections.abc import Callable
from pathlib import Path

import psycopg
import pytest
from hypothesis import given
from hypothesis import strategies as st

from annotations.errors import DatabaseProblem, InputError, ServerUnavailable
from annotations.recovery import SaveQueue
from annotations.store import Store
from annotations.store.pg import translate
from annotations.store.pg_url import redact
from annotations.store.sqlite_schema import SCHEMA_VERSION
from tests.pg_cluster import PgCluster
from tests.test_cli_support import Ran

ROOT = Path(__file__).resolve().parent.parent


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_the_url_password_never_appears_in_a_message() -> None:
    url = f"postgresql://alice:s3cret-pw@127.0.0.1:{_closed_port()}/team"
    assert redact(url) == url.replace(":s3cret-pw", "")
    with pytest.raises(ServerUnavailable) as caught:
        Store(url, annotator="alice")
    assert "s3cret-pw" not in str(caught.value)
    assert "postgresql://alice@127.0.0.1" in str(caught.value)


def test_an_unreachable_server_is_one_line_from_the_cli(annotty: Callable[..., Ran]) -> None:
    url = f"postgresql://bob:hunter2@127.0.0.1:{_closed_port()}/team"
    done = annotty("--db", url, "stats")
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert "server unavailable" in lines[0]
    assert "hunter2" not in done.stderr + done.stdout
    assert "Traceback" not in done.stderr


def test_other_url_schemes_are_refused_in_one_line() -> None:
    with pytest.raises(InputError, match="unsupported database URL scheme 'mysql'"):
        Store("mysql://u:pw@localhost/x")


def test_a_new_database_is_migrated_and_db_upgrade_says_so(
    pg_url: str, annotty: Callable[..., Ran]
) -> None:
    done = annotty("--db", pg_url, "db", "upgrade")
    assert done.returncode == 0, done.stderr
    assert f"schema 0 -> {SCHEMA_VERSION}" in done.stdout
    again = annotty("--db", pg_url, "db", "upgrade")
    assert f"schema {SCHEMA_VERSION}, up to date" in again.stdout
    check = annotty("--db", pg_url, "db", "check")
    assert check.returncode == 0 and "ok (schema" in check.stdout


def test_a_database_from_a_newer_annotty_is_refused(pg_url: str) -> None:
    Store(pg_url).close()
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute("update schema_version set version = %s", [SCHEMA_VERSION + 1])
    with pytest.raises(InputError, match="made by a newer annotty"):
        Store(pg_url)


def test_another_programs_database_is_not_touched(pg_url: str) -> None:
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute("create table orders (id int)")
    with pytest.raises(InputError, match="not an annotty database"):
        Store(pg_url)
    with psycopg.connect(pg_url, autocommit=True) as conn:
        tables = {
            r[0]
            for r in conn.execute("select tablename from pg_tables where schemaname = 'public'")
        }
    assert tables == {"orders"}


def test_a_nul_character_is_refused_with_a_clear_line_and_nothing_is_harmed(pg_url: str) -> None:
    store = Store(pg_url, annotator="alice")
    try:
        store.add_document("The minister said taxes will fall.", "T", doc_id="d1")
        kept = store.add_claim("d1", 4, 12, "factual")
        with pytest.raises(DatabaseProblem, match="NUL character"):
            store.add_claim("d1", 0, 3, "factual", note="bad\x00note")
        assert [c.id for c in store.claims("d1")] == [kept.id]
    finally:
        store.close()


def test_text_sorts_in_code_point_order_as_in_sqlite(pg_url: str, tmp_path: Path) -> None:
    ids = ["b", "B", "a", "é", "Z", "_x", "10", "9"]
    orders = []
    for target in (pg_url, str(tmp_path / "s.db")):
        store = Store(target)
        for doc_id in ids:
            store.add_document(f"text {doc_id}", doc_id, doc_id=doc_id)
        orders.append([d.id for d in sorted(store.documents(), key=lambda d: d.id)])
        orders.append([r["id"] for r in store.query("select id from documents order by id")])
        store.close()
    assert orders[1] == orders[3] == sorted(ids)


def test_placeholders_and_percent_signs_in_literals_are_kept() -> None:
    sql = "select ? as a, '?' as b, \"q?\" as c, 'x%' as d from t where e like ? escape '\\'"
    assert translate(sql) == (
        "select %s as a, '?' as b, \"q?\" as c, 'x%%' as d from t where e ilike %s escape '\\'"
    )
    assert translate("select * from h not indexed where seq > ?") == (
        "select * from h  where seq > %s"
    )
    assert translate("where created_at is ?") == "where created_at is not distinct from %s"
    assert translate("where id in () and x in (?)") == "where id in (null) and x in (%s)"


@given(st.text(alphabet="ab?%' \"", max_size=30))
def test_translation_keeps_quoted_text_and_counts_every_placeholder(sql: str) -> None:
    out = translate(sql)
    if sql.count("'") % 2 == 0 and sql.count('"') % 2 == 0:
        unquoted = "".join(part for i, part in enumerate(sql.split("'")) if i % 2 == 0)
        unquoted = "".join(p for i, p in enumerate(unquoted.split('"')) if i % 2 == 0)
        assert out.count("%s") >= unquoted.count("?")
    assert out.replace("%s", "?").replace("%%", "%").replace("ilike", "like") == sql


def test_saves_made_while_the_server_is_away_are_kept_and_written_when_it_returns() -> None:
    with PgCluster() as cluster:
        url = cluster.create_database()
        store = Store(url, annotator="alice")
        store.add_document("The minister said taxes will fall next year.", "T", doc_id="d1")
        queue = SaveQueue(store)
        try:
            cluster.stop_server()
            assert queue.add_claim("d1", 4, 12, "factual", note="typed while away") is None
            assert queue.unsaved == 1
            assert "server unavailable" in queue.last_error
            kept_id = queue.pending[0].claim_id
            cluster.start_server()
            queue.retry()
            assert queue.unsaved == 0
            claims = store.claims("d1")
            assert [(c.id, c.quote, c.note) for c in claims] == [
                (kept_id, "minister", "typed while away")
            ]
        finally:
            store.close()
