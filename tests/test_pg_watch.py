"""Live team view on PostgreSQL (issue 14): other sessions' commits reach an open app's watcher
through LISTEN/NOTIFY within a second, own saves are told apart, and a server restart is
survived with a full refresh.

Against a real throwaway server (tests/pg_cluster.py, fixtures in conftest), with minimal
tables carrying the triggers of ``pg_watch.NOTIFY_SQL``, and with two real stores.
PostgreSQL's documented behaviour relied on here
(https://www.postgresql.org/docs/15/sql-notify.html): notifications are delivered only when the
sending transaction commits, in commit order; a payload must be shorter than 8000 bytes.
"""

from __future__ import annotations

import json
import select
import socket
import time
from collections.abc import Callable, Iterator
from typing import Any

import psycopg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotations.store import Store
from annotations.store.pg_watch import (
    ATTEMPT_WAIT,
    CHANNEL,
    EVERYTHING,
    NOTIFY_SQL,
    OTHER_TABLES,
    PgWatcher,
    connector,
    mark_session,
)
from annotations.store.watcher import Changes
from tests.pg_cluster import PgCluster

ME, BOB = "session-alice", "session-bob"
SOON = 1.0  # "within a second" (issue 14)

SCHEMA = """
create table history (
    seq bigserial primary key, at text, annotator text, action text, kind text,
    item_id text, doc_id text, before text, after text, ref bigint, batch text
);
create table documents (id text primary key, text text);
create table doc_state (doc_id text, annotator text, status text, primary key (doc_id, annotator));
create table entity_runs (doc_id text primary key, run text);
create table entity_edits (id bigserial primary key, doc_id text);
create table doc_versions (doc_id text, version bigint, primary key (doc_id, version));
create table claim_anchors (claim_id text primary key, kind text);
"""
ASSIGNMENTS = "create table assignments (doc_id text, annotator text);"


def make_schema(url: str, *, assignments: bool = True) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(SCHEMA + (ASSIGNMENTS if assignments else ""))
        conn.execute(NOTIFY_SQL)


@pytest.fixture
def db(pg_url: str) -> str:
    make_schema(pg_url)
    return pg_url


@pytest.fixture
def writer(db: str) -> Iterator[psycopg.Connection[Any]]:
    """Bob's store connection: another process, named by its session."""
    with psycopg.connect(db) as conn:
        mark_session(conn, BOB)
        yield conn


@pytest.fixture
def watcher(db: str) -> Iterator[PgWatcher]:
    w = PgWatcher(connector(db), ME, retry_seconds=0.0)
    yield w
    w.close()


def add(conn: psycopg.Connection[Any], rows: list[tuple[str, str]]) -> None:
    """History rows (doc_id, annotator) in one statement, committed."""
    with conn.cursor() as cur:
        cur.execute(
            "insert into history(at, annotator, action, kind, item_id, doc_id)"
            " select 'now', a, 'add', 'claim', 'c', d from unnest(%s::text[], %s::text[]) as"
            " t(d, a)",
            [[d for d, _ in rows], [a for _, a in rows]],
        )
    conn.commit()


def top_seq(conn: psycopg.Connection[Any]) -> int:
    row = conn.execute("select max(seq) from history").fetchone()
    conn.commit()
    assert row is not None
    return int(row[0])


def readable(w: PgWatcher, timeout: float = SOON) -> bool:
    """Wait until the watcher's socket has something to read (a condition, not a fixed sleep)."""
    assert w._conn is not None
    return bool(select.select([w._conn.pgconn.socket], [], [], timeout)[0])


def gather(w: PgWatcher, done: Callable[[Changes], bool]) -> Changes:
    """Everything the watcher reports until ``done`` holds or a second passes."""
    deadline = time.monotonic() + SOON
    total = Changes(seq=w.seq)
    while not done(total) and (left := deadline - time.monotonic()) > 0:
        c = w.wait(left)
        total = Changes(
            seq=c.seq,
            doc_ids=total.doc_ids | c.doc_ids,
            annotators=total.annotators | c.annotators,
            entries=total.entries + c.entries,
            other=total.other or c.other,
        )
    return total


def poll_when_readable(w: PgWatcher) -> Changes:
    assert readable(w), "no notification within a second"
    return w.poll()


# -- the DDL --------------------------------------------------------------------------------------
def test_the_ddl_is_idempotent_and_puts_one_trigger_on_each_table(db: str) -> None:
    with psycopg.connect(db, autocommit=True) as conn:
        conn.execute(NOTIFY_SQL)  # a second migration run
        conn.execute(NOTIFY_SQL)
        rows = conn.execute(
            "select c.relname, count(*) from pg_trigger t join pg_class c on c.oid = t.tgrelid"
            " where not t.tgisinternal and t.tgname = 'annotty_notify' group by c.relname"
        ).fetchall()
    assert dict(rows) == {"history": 1, **dict.fromkeys(OTHER_TABLES, 1)}


def test_the_ddl_skips_tables_that_do_not_exist_yet(pg_url: str) -> None:
    make_schema(pg_url, assignments=False)
    with psycopg.connect(pg_url, autocommit=True) as conn:
        names = {r[0] for r in conn.execute("select tgrelid::regclass::text from pg_trigger")}
    assert "history" in names and "assignments" not in names


def test_a_history_statement_sends_one_compact_payload(
    db: str, writer: psycopg.Connection[Any]
) -> None:
    with psycopg.connect(db, autocommit=True) as listener:
        listener.execute(f"listen {CHANNEL}")
        add(writer, [("d1", "bob"), ("d2", "bob"), ("d1", "bob")])
        notes = list(listener.notifies(timeout=SOON, stop_after=1))
    assert len(notes) == 1
    assert json.loads(notes[0].payload) == {
        "s": BOB,
        "d": ["d1", "d2"],
        "a": ["bob"],
        "n": 3,
        "q": top_seq(writer),
    }


# -- what a poll reports --------------------------------------------------------------------------
def test_another_sessions_save_arrives_within_a_second(
    watcher: PgWatcher, writer: psycopg.Connection[Any]
) -> None:
    assert not watcher.poll()  # starts at "now"
    add(writer, [("d1", "bob"), ("d2", "bob"), ("d2", "carol")])
    changes = poll_when_readable(watcher)
    assert changes.doc_ids == {"d1", "d2"}
    assert changes.annotators == {"bob", "carol"}
    assert changes.entries == 3
    assert changes.other
    assert changes.seq == watcher.seq == top_seq(writer)
    assert not watcher.poll()  # reported once


def test_wait_blocks_until_a_save_arrives(
    watcher: PgWatcher, writer: psycopg.Connection[Any]
) -> None:
    add(writer, [("d9", "bob")])
    changes = watcher.wait(SOON)
    assert changes.doc_ids == {"d9"} and changes.other


def test_copy_and_skipped_inserts_notify_as_they_should(
    watcher: PgWatcher, writer: psycopg.Connection[Any]
) -> None:
    with writer.cursor().copy("copy history(doc_id, annotator) from stdin") as copy:
        copy.write_row(["copied", "bob"])  # bulk copies use COPY: the trigger fires for it too
    writer.commit()
    writer.execute("insert into history(seq, doc_id) values (1, 'dup') on conflict do nothing")
    writer.commit()  # no row inserted: nothing to tell
    changes = watcher.wait(SOON)
    assert changes.doc_ids == {"copied"} and changes.entries == 1
    add(writer, [("next", "bob")])  # commit order: the skipped insert sent nothing before this
    assert watcher.wait(SOON).doc_ids == {"next"}


def test_own_saves_are_reported_but_not_as_others(db: str, watcher: PgWatcher) -> None:
    with psycopg.connect(db) as mine:
        mark_session(mine, ME)
        add(mine, [("d1", "alice")])
        changes = poll_when_readable(watcher)
        assert changes.doc_ids == {"d1"} and changes.entries == 1
        assert not changes.other
        mine.execute("update documents set text = 'x'")  # own change without history: nothing
        mine.commit()
        assert readable(watcher)
        assert not watcher.poll()


def test_old_history_is_not_reported(db: str, writer: psycopg.Connection[Any]) -> None:
    add(writer, [("old", "bob")])
    w = PgWatcher(connector(db), ME)
    try:
        assert w.seq == top_seq(writer)
        add(writer, [("new", "bob")])
        assert w.wait(SOON).doc_ids == {"new"}
    finally:
        w.close()


def test_a_bulk_insert_sends_one_notification_saying_everything(
    db: str, watcher: PgWatcher, writer: psycopg.Connection[Any]
) -> None:
    bulk = [(f"document-{i:05d}", "bob") for i in range(5000)]
    with psycopg.connect(db, autocommit=True) as listener:
        listener.execute(f"listen {CHANNEL}")
        add(writer, bulk)
        add(writer, [("marker", "bob")])  # notifications come in commit order: this one last
        payloads: list[dict[str, Any]] = []
        for note in listener.notifies(timeout=SOON):
            payloads.append(json.loads(note.payload))
            if payloads[-1]["d"] == ["marker"]:
                break
        assert len(payloads) == 2
        assert len(json.dumps(payloads[0]).encode()) < 8000
        assert payloads[0]["d"] == EVERYTHING and payloads[0]["n"] == 5000
        assert payloads[0]["a"] == ["bob"]
    changes = gather(watcher, lambda c: "marker" in c.doc_ids)
    assert changes.other  # "*": refresh everything
    assert changes.doc_ids == {"marker"} and changes.entries == 5001


def test_own_bulk_insert_still_asks_for_a_full_refresh(db: str, watcher: PgWatcher) -> None:
    with psycopg.connect(db) as mine:
        mark_session(mine, ME)
        add(mine, [(f"d{i}-" + "x" * 40, "alice") for i in range(400)])
    changes = watcher.wait(SOON)
    assert changes.entries == 400 and not changes.doc_ids and changes.other


def test_names_too_long_for_a_notification_never_fail_the_save(
    watcher: PgWatcher, writer: psycopg.Connection[Any]
) -> None:
    long_doc, long_name = "d" * 9000, "\x01" * 9000  # escaped to 6 bytes each in JSON
    add(writer, [(long_doc, long_name), ("short", "bob")])  # pg_notify would refuse > 8000 B
    changes = watcher.wait(SOON)
    assert changes.entries == 2 and changes.other
    assert not changes.doc_ids and not changes.annotators  # both lists said "everything"


@pytest.mark.parametrize("table", OTHER_TABLES)
def test_a_change_without_history_asks_for_a_refresh(
    table: str, watcher: PgWatcher, writer: psycopg.Connection[Any]
) -> None:
    sql = {
        "documents": "insert into documents values ('d1', 'text')",
        "doc_state": "insert into doc_state values ('d1', 'bob', 'done')",
        "entity_runs": "insert into entity_runs values ('d1', 'spacy')",
        "entity_edits": "insert into entity_edits(doc_id) values ('d1')",
        "assignments": "insert into assignments values ('d1', 'bob')",
        "doc_versions": "insert into doc_versions values ('d1', 1)",
        "claim_anchors": "insert into claim_anchors values ('c1', 'lost')",
    }[table]
    writer.execute(sql)
    writer.commit()
    changes = poll_when_readable(watcher)
    assert changes.other and changes.entries == 0 and not changes.doc_ids
    writer.execute(f"delete from {table}")  # a delete tells too
    writer.commit()
    assert poll_when_readable(watcher).other


def test_a_rolled_back_save_sends_nothing(
    watcher: PgWatcher, writer: psycopg.Connection[Any]
) -> None:
    writer.execute("insert into history(doc_id, annotator) values ('lost', 'bob')")
    writer.execute("insert into documents values ('lost', 'x')")
    writer.rollback()
    add(writer, [("kept", "bob")])  # committed after the rollback: arrives, alone
    changes = watcher.wait(SOON)
    assert changes.doc_ids == {"kept"} and changes.entries == 1


def test_a_notification_is_held_until_commit(
    watcher: PgWatcher, writer: psycopg.Connection[Any]
) -> None:
    writer.execute("insert into history(doc_id, annotator) values ('later', 'bob')")
    assert not watcher.poll()  # inserted, not committed: nobody may see it yet
    writer.commit()
    assert watcher.wait(SOON).doc_ids == {"later"}


def test_a_stranger_notify_is_a_refresh_not_a_crash(db: str, watcher: PgWatcher) -> None:
    with psycopg.connect(db, autocommit=True) as conn:
        for payload in ("not json", "[1]", '{"d": 5, "a": null}', '{"s": 1}'):
            conn.execute("select pg_notify(%s, %s)", [CHANNEL, payload])
            changes = watcher.wait(SOON)
            assert changes.other and not changes.doc_ids and changes.entries == 0, payload


hostile_ids = st.text(
    st.characters(exclude_categories=["Cs"], exclude_characters="\x00"), min_size=1
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(doc_id=hostile_ids, annotator=hostile_ids)
def test_any_document_id_survives_the_payload(
    doc_id: str, annotator: str, watcher: PgWatcher, writer: psycopg.Connection[Any]
) -> None:
    add(writer, [(doc_id, annotator)])
    changes = watcher.wait(SOON)
    assert changes.doc_ids == {doc_id} and changes.annotators == {annotator}


def test_two_stores_on_one_server_see_each_other(pg_url: str) -> None:
    """The whole chain: the store's migrations install the triggers, its pool names the session,
    a claim's history row reaches the other annotator's watcher."""
    alice, bob = Store(pg_url, annotator="alice"), Store(pg_url, annotator="bob")
    assert alice._pg is not None
    w = PgWatcher(connector(pg_url), alice._pg.session)
    try:
        doc, _ = bob.add_document("Rates fell in Zurich last year.", "news")
        imported = w.wait(SOON)
        assert imported.other and not imported.doc_ids  # no history row: refresh the library
        bob.add_claim(doc.id, 0, 10, "other")
        theirs = gather(w, lambda c: doc.id in c.doc_ids)
        assert theirs.doc_ids == {doc.id} and theirs.annotators == {"bob"} and theirs.other
        alice.add_claim(doc.id, 11, 20, "other")
        own = w.wait(SOON)
        assert own.doc_ids == {doc.id} and own.annotators == {"alice"} and not own.other
    finally:
        w.close()
        alice.close()
        bob.close()


# -- a lost connection ----------------------------------------------------------------------------
def test_a_dropped_connection_is_replaced_and_missed_saves_are_read_back(
    db: str, watcher: PgWatcher, writer: psycopg.Connection[Any]
) -> None:
    assert watcher._conn is not None
    pid = watcher._conn.info.backend_pid
    writer.execute("select pg_terminate_backend(%s)", [pid])
    writer.commit()
    add(writer, [("meanwhile", "bob")])  # nobody listens: this notification is lost
    assert readable(watcher)  # the server said goodbye
    changes = watcher.poll()  # notices the loss, reconnects at once, reads history back
    assert changes.other
    assert changes.doc_ids == {"meanwhile"} and changes.seq == top_seq(writer)
    add(writer, [("after", "bob")])  # listening again
    assert watcher.wait(SOON).doc_ids == {"after"}


def test_a_server_that_does_not_answer_never_holds_a_poll(
    db: str, writer: psycopg.Connection[Any]
) -> None:
    with socket.socket() as silent:  # takes connections (the kernel does), never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        port = silent.getsockname()[1]
        target = [db]
        w = PgWatcher(lambda: connector(target[0])(), ME, retry_seconds=0.0)
        try:
            assert w._conn is not None
            target[0] = f"postgresql://postgres@127.0.0.1:{port}/hung"
            writer.execute("select pg_terminate_backend(%s)", [w._conn.info.backend_pid])
            writer.commit()
            assert readable(w)
            started = time.monotonic()
            assert not w.poll()  # libpq would wait 2 s for the hung server; the poll does not
            assert not w.poll()
            assert time.monotonic() - started < 2 * ATTEMPT_WAIT + 0.5
            target[0] = db  # the server is back: the attempt after the hung one gets through
            changes = w.wait(10.0)
            assert changes.other
        finally:
            w.close()


@pytest.fixture
def own_cluster() -> Iterator[PgCluster]:
    """A server of this test's own, to stop and start."""
    cluster = PgCluster().start()
    yield cluster
    cluster.stop()


def stop(cluster: PgCluster, mode: str) -> None:
    """Stop the server as an administrator would ("fast": sessions are told and closed) or as a
    crash does ("immediate"). The test cluster commits asynchronously and without fsync, so a
    checkpoint first keeps the schema's last commit (the triggers) through a crash."""
    cluster.sql("checkpoint")
    cluster._server("pg_ctl", "stop", "-D", str(cluster.data), "-m", mode, "-w", "-s")


def start_again(cluster: PgCluster) -> None:
    cluster._server(
        "pg_ctl", "start", "-D", str(cluster.data), "-l", str(cluster.log), "-w", "-s", "-t", "60"
    )


@pytest.mark.parametrize("mode", ["fast", "immediate"])
def test_a_server_restart_is_survived_with_a_full_refresh(
    own_cluster: PgCluster, mode: str
) -> None:
    url = own_cluster.create_database()
    make_schema(url)
    w = PgWatcher(connector(url), ME, retry_seconds=0.0)
    try:
        stop(own_cluster, mode)
        for _ in range(3):  # the server is away: nothing to report, never an exception
            assert not w.poll()
        assert not w.wait(0.2)
        start_again(own_cluster)
        changes = w.poll()  # one attempt, and it reaches the server
        assert changes.other
        with psycopg.connect(url) as conn:
            mark_session(conn, BOB)
            add(conn, [("back", "bob")])
        assert w.wait(SOON).doc_ids == {"back"}
    finally:
        w.close()


def test_a_watcher_made_while_the_server_is_away_starts_when_it_returns(
    own_cluster: PgCluster,
) -> None:
    url = own_cluster.create_database()
    make_schema(url)
    with psycopg.connect(url) as conn:
        add(conn, [("old", "bob")])
    stop(own_cluster, "fast")
    w = PgWatcher(connector(url), ME, retry_seconds=0.0)
    try:
        assert not w.poll()
        start_again(own_cluster)
        changes = w.poll()
        assert changes.other and not changes.doc_ids  # a full refresh, no old history replayed
        assert changes.seq == 1
    finally:
        w.close()


def test_a_closed_watcher_reports_nothing(
    watcher: PgWatcher, writer: psycopg.Connection[Any]
) -> None:
    watcher.close()
    add(writer, [("d1", "bob")])
    assert not watcher.poll()
    assert not watcher.wait(0.0)
