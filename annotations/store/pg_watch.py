"""Noticing other annotators' saves on a PostgreSQL server the moment they commit (LISTEN/NOTIFY).

The SQLite watcher polls ``pragma data_version``, which only sees processes on the same host.
On a server the database itself tells us: triggers (``NOTIFY_SQL``, run by the migrations) send
one notification per writing statement on the channel ``annotty``, and PostgreSQL delivers it
to every listening connection when, and only when, the transaction commits (in commit order; a
rollback sends nothing). A history insert says which documents changed, by whom, how many rows
and the highest ``seq``; a change to other tables (documents, statuses, entity runs and edits,
assignments) says only that lists should be refreshed. Each notification names the writer's
session (``annotty.session``, set on every store connection by ``mark_session``), so a poll can
tell this process's own saves (``other=False``, as the SQLite watcher reports them) from
everyone else's.

``PgWatcher`` holds one dedicated autocommit connection outside the store's pool and drains it
without blocking, so ``poll`` can run from the UI's one-second timer at no cost when idle. The
server may restart or the link drop: ``poll`` never raises, reconnects (one attempt per poll),
listens again and reports ``other=True`` so the app refreshes everything, since notifications
sent while nobody listened are gone (the history rows committed meanwhile are read back, so
the open document still learns that it changed).
"""

from __future__ import annotations

import json
import logging
import select
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, TypeAlias

import psycopg

from annotations.store.watcher import Changes

log = logging.getLogger(__name__)

CHANNEL = "annotty"
"""The notification channel; a fixed name, never from data."""
SESSION_SETTING = "annotty.session"
"""The per-connection setting naming the writing process, read by the triggers."""
PAYLOAD_CAP = 7000
"""Bytes a payload may reach before its lists become ``"*"`` (PostgreSQL refuses 8000)."""
EVERYTHING = "*"
"""A list too long for one notification: "refresh everything"."""
RECONNECT_ROWS = 5000
"""History groups read back after a reconnect before giving up and saying "everything"."""
ATTEMPT_WAIT = 1.0
"""Seconds a poll waits for a reconnection attempt before leaving it to a later poll."""
DRAIN_ROUNDS = 4
"""Reads per poll while the socket stays readable (bounded: a busy server never holds a poll)."""
OTHER_TABLES = (
    "documents",
    "doc_state",
    "entity_runs",
    "entity_edits",
    "assignments",
    "doc_versions",
    "claim_anchors",
)
"""Tables whose changes leave no history row but change what lists show."""

# No "%" and no "?" anywhere below: the text runs unchanged through any placeholder translation.
NOTIFY_SQL = f"""
create or replace function annotty_notify_history() returns trigger
language plpgsql as $fn$
declare
    rows bigint;
    top bigint;
    docs text;
    who text;
    head text;
begin
    select count(*), max(seq),
           coalesce(json_agg(distinct doc_id) filter (where doc_id <> ''), '[]')::text,
           coalesce(json_agg(distinct annotator) filter (where annotator <> ''), '[]')::text
      into rows, top, docs, who
      from added;
    if rows = 0 then
        return null;
    end if;
    head := '{{"s":' || coalesce(
        to_json(left(current_setting('{SESSION_SETTING}', true), 200))::text, 'null');
    if octet_length(head) + octet_length(docs) + octet_length(who) + 60 > {PAYLOAD_CAP} then
        docs := '"{EVERYTHING}"';
    end if;
    if octet_length(head) + octet_length(docs) + octet_length(who) + 60 > {PAYLOAD_CAP} then
        who := '"{EVERYTHING}"';
    end if;
    perform pg_notify('{CHANNEL}', head || ',"d":' || docs || ',"a":' || who
        || ',"n":' || rows || ',"q":' || coalesce(top::text, 'null') || '}}');
    return null;
end
$fn$;

create or replace function annotty_notify_other() returns trigger
language plpgsql as $fn$
begin
    perform pg_notify('{CHANNEL}', '{{"s":' || coalesce(
        to_json(left(current_setting('{SESSION_SETTING}', true), 200))::text, 'null')
        || ',"o":1}}');
    return null;
end
$fn$;

do $do$
declare
    t text;
begin
    if to_regclass('history') is not null then
        drop trigger if exists annotty_notify on history;
        create trigger annotty_notify after insert on history
            referencing new table as added
            for each statement execute function annotty_notify_history();
    end if;
    foreach t in array array[{", ".join(f"'{t}'" for t in OTHER_TABLES)}] loop
        if to_regclass(t) is not null then
            execute 'drop trigger if exists annotty_notify on ' || quote_ident(t);
            execute 'create trigger annotty_notify'
                || ' after insert or update or delete or truncate on ' || quote_ident(t)
                || ' for each statement execute function annotty_notify_other()';
        end if;
    end loop;
end
$do$;
"""
"""DDL for the migrations: idempotent, one ``execute`` (several statements, no parameters)."""

Connect: TypeAlias = Callable[[], psycopg.Connection[Any]]
"""Makes a new connection to the project's database (the watcher makes it autocommit)."""


def mark_session(conn: psycopg.Connection[Any], session: str) -> None:
    """Name this process on a store connection, so its notifications say who wrote.

    Fits a pool's ``configure`` callback: the connection is left idle.
    """
    conn.execute("select set_config(%s, %s, false)", [SESSION_SETTING, session])
    if not conn.autocommit:
        conn.commit()


def connector(url: str) -> Connect:
    """A factory of watcher connections to ``url``: short connect timeout (2 s is libpq's
    least), TCP keepalives so a silently dead link is noticed, a name seen in pg_stat_activity."""

    def connect() -> psycopg.Connection[Any]:
        return psycopg.connect(
            url,
            autocommit=True,
            connect_timeout=2,
            keepalives=1,
            keepalives_idle=10,
            keepalives_interval=5,
            keepalives_count=3,
            application_name="annotty watcher",
        )

    return connect


@dataclass
class _Tally:
    """Changes being gathered from several notifications."""

    seq: int
    doc_ids: set[str] = field(default_factory=set)
    annotators: set[str] = field(default_factory=set)
    entries: int = 0
    other: bool = False
    everything: bool = False

    def changes(self) -> Changes:
        return Changes(
            seq=self.seq,
            doc_ids=frozenset(self.doc_ids),
            annotators=frozenset(self.annotators),
            entries=self.entries,
            other=self.other,
            everything=self.everything,
        )


def _int(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _names(value: object) -> tuple[set[str], bool]:
    """The names in a payload list, and whether the list was "everything" (or unreadable)."""
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return set(value), False
    return set(), True


class PgWatcher:
    """Reports commits on a PostgreSQL store, with the face of ``watcher.Watcher``.

    ``connect`` makes a new connection (see ``connector``); ``session`` is this process's id as
    given to ``mark_session``; ``seq`` is where to start (default: the newest history row now).
    Not thread-safe across callers: one worker polls at a time (a lock keeps ``close`` safe).
    """

    def __init__(
        self,
        connect: Connect,
        session: str,
        seq: int | None = None,
        *,
        retry_seconds: float = 0.5,
    ) -> None:
        self._connect = connect
        self.session = session
        self.seq = seq or 0
        self.retry_seconds = retry_seconds
        self._conn: psycopg.Connection[Any] | None = None
        self._lock = threading.Lock()  # one caller at a time
        self._slot = threading.Lock()  # the background attempt's result, and closing
        self._attempt: threading.Thread | None = None
        self._result: tuple[psycopg.Connection[Any], Changes] | None = None
        self._next_try = 0.0
        self._closed = False
        self._doomed = False  # the server said it is closing this connection
        self._known = seq is not None  # False: no history row read yet, so none can be "missed"
        try:
            self._conn, first = self._open(None if self._known else -1)
        except psycopg.Error as exc:  # the server is away: the first poll that reaches it says so
            self._lost(exc)
        else:
            self.seq, self._known = first.seq, True

    # -- public face --------------------------------------------------------------------------
    def poll(self) -> Changes:
        """What was committed since the last poll; never raises, never waits on the server for
        more than ``ATTEMPT_WAIT`` (a reconnection that takes longer ends in a later poll)."""
        with self._lock:
            tally = _Tally(self.seq)
            self._drain(tally, timeout=0.0, patience=ATTEMPT_WAIT)
            return self._finish(tally)

    def wait(self, timeout: float) -> Changes:
        """Block until something is to report or ``timeout`` seconds pass (tests, the CLI)."""
        deadline = time.monotonic() + timeout
        with self._lock:
            tally = _Tally(self.seq)
            while True:
                remaining = max(0.0, deadline - time.monotonic())
                self._drain(tally, remaining, min(ATTEMPT_WAIT, remaining), stop_after=1)
                changes = self._finish(tally)
                if changes or deadline <= time.monotonic():
                    return changes
                if self._conn is None:  # the server is away: try again shortly, not in a spin
                    time.sleep(min(self.retry_seconds, max(0.0, deadline - time.monotonic())))

    def close(self) -> None:
        """Stop listening; later polls report nothing."""
        with self._lock:
            with self._slot:
                self._closed = True
                result, self._result = self._result, None
            if result is not None:
                result[0].close()
            self._drop()

    # -- the connection -----------------------------------------------------------------------
    def _open(self, since: int | None) -> tuple[psycopg.Connection[Any], Changes]:
        """A new listening connection, and what the history says after LISTEN (so that nothing
        falls between): rows after ``since`` (-1: just the newest ``seq``; None: nothing)."""
        conn = self._connect()
        try:
            conn.autocommit = True  # notifications reach a connection only between transactions
            conn.add_notice_handler(self._on_notice)
            conn.execute(f"listen {CHANNEL}")
            if since is None:
                return conn, Changes(seq=self.seq)
            if since < 0:  # never saw the log: nothing can be "missed", start at its end
                return conn, Changes(seq=self._top(conn), other=True)
            return conn, self._read_back(conn, since)
        except BaseException:
            conn.close()
            raise

    @staticmethod
    def _top(conn: psycopg.Connection[Any]) -> int:
        row = conn.execute("select coalesce(max(seq), 0) from history").fetchone()
        return int(row[0]) if row else 0

    def _drain(
        self, tally: _Tally, timeout: float, patience: float, stop_after: int | None = None
    ) -> None:
        """Fold what has arrived (waiting up to ``timeout``) into ``tally``; on a lost
        connection, try to get it back (waiting up to ``patience`` for the attempt)."""
        if self._closed:
            return
        if self._conn is not None:
            try:
                self._fold(tally, self._conn.notifies(timeout=timeout, stop_after=stop_after))
                # More to read: the rest of a burst, or a closing server's goodbye (its error
                # message comes first, the end of the stream in a second read).
                for _ in range(DRAIN_ROUNDS):
                    if not select.select([self._conn.pgconn.socket], [], [], 0.0)[0]:
                        break
                    self._fold(tally, self._conn.notifies(timeout=0.0))
            except psycopg.Error as exc:
                self._lost(exc)
            else:
                if not (self._conn.closed or self._doomed):
                    return
                self._lost(None)
        self._reconnect(tally, patience)

    def _fold(self, tally: _Tally, notes: Iterable[psycopg.Notify]) -> None:
        for note in notes:
            if note.channel != CHANNEL:
                continue
            try:
                payload = json.loads(note.payload)
            except ValueError:
                payload = None
            if not isinstance(payload, dict):  # not ours (a hand-made NOTIFY): refresh anyway
                tally.other = True
                continue
            theirs = payload.get("s") != self.session
            if "d" not in payload:  # a change without history rows: lists should refresh
                tally.other = tally.other or theirs or payload.get("o") is None
                continue
            docs, all_docs = _names(payload.get("d"))
            who, all_who = _names(payload.get("a"))
            rows, top = _int(payload.get("n")), _int(payload.get("q"))
            tally.doc_ids |= docs
            tally.annotators |= who
            tally.entries += rows or 0
            if top is not None:
                tally.seq = max(tally.seq, top)
            tally.everything = tally.everything or all_docs
            tally.other = tally.other or theirs or all_docs or all_who or rows is None

    def _reconnect(self, tally: _Tally, patience: float) -> None:
        """One attempt per call (at most one per ``retry_seconds``), made in a thread of its own
        and awaited for ``patience`` seconds: libpq's connect timeout cannot go below 2 s, and a
        server that does not answer must not hold the app's poll. On success: a full refresh."""
        if self._closed or self._conn is not None:
            return
        if self._attempt is None or not self._attempt.is_alive():
            now = time.monotonic()
            if now < self._next_try:
                return
            self._next_try = now + self.retry_seconds
            since = tally.seq if self._known else -1
            self._attempt = threading.Thread(
                target=self._try_open, args=(since,), name="annotty-watch-connect", daemon=True
            )
            self._attempt.start()
        self._attempt.join(patience)
        with self._slot:
            result, self._result = self._result, None
        if result is None:
            return
        self._conn, missed = result
        self._known, self._doomed = True, False
        log.info("watcher: connected again; refreshing everything")
        tally.other = True
        tally.seq = max(tally.seq, missed.seq)
        tally.doc_ids |= missed.doc_ids
        tally.annotators |= missed.annotators
        tally.entries += missed.entries

    def _on_notice(self, diag: psycopg.errors.Diagnostic) -> None:
        """An idle connection gets a server's goodbye (57P01 on shutdown, pg_terminate_backend)
        as a notice, before the end of the stream: give the connection up at once."""
        if diag.severity_nonlocalized in ("FATAL", "PANIC"):
            self._doomed = True

    def _try_open(self, since: int) -> None:
        """The background attempt: leaves a listening connection in ``_result``, or nothing."""
        try:
            result = self._open(since)
        except psycopg.Error as exc:
            log.debug("watcher: the server is still away: %s", exc)
            return
        except Exception:  # a thread's edge: anything else is logged, the next poll tries again
            log.warning("watcher: reconnecting failed", exc_info=True)
            return
        with self._slot:
            if not self._closed:
                self._result = result
                return
        result[0].close()  # closed meanwhile

    @staticmethod
    def _read_back(conn: psycopg.Connection[Any], seq: int) -> Changes:
        """History committed while nobody listened (listening again first, so nothing falls
        between): which documents changed; the newest ``seq`` if there are too many."""
        rows = conn.execute(
            "select max(seq), count(*), doc_id, annotator from history where seq > %s"
            " group by doc_id, annotator limit %s",
            [seq, RECONNECT_ROWS + 1],
        ).fetchall()
        if len(rows) > RECONNECT_ROWS:
            return Changes(seq=PgWatcher._top(conn), other=True)
        return Changes(
            seq=max([seq, *(int(r[0]) for r in rows)]),
            doc_ids=frozenset(str(r[2]) for r in rows if r[2]),
            annotators=frozenset(str(r[3]) for r in rows if r[3]),
            entries=sum(int(r[1]) for r in rows),
            other=True,
        )

    def _finish(self, tally: _Tally) -> Changes:
        self.seq = tally.seq
        return tally.changes()

    def _lost(self, exc: BaseException | None) -> None:
        if self._conn is not None or exc is not None:
            log.warning("watcher: lost the server (%s); will reconnect", exc or "closed")
        self._drop()

    def _drop(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            try:
                conn.close()
            except psycopg.Error:
                log.debug("watcher: closing a broken connection failed", exc_info=True)
