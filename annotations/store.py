"""The annotation store: every change is one durable SQLite transaction plus a history row.

``Store`` is the core's public API for documents, entities, claims and history. It is safe to call
from worker threads (one connection, serialised by a lock); writes are short ``BEGIN IMMEDIATE``
transactions so several annotty processes can share one file.
"""

from __future__ import annotations

import getpass
import json
import random
import sqlite3
import threading
import time
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

from annotations import db as dbmod
from annotations import history, writer_queue
from annotations.errors import ReadOnlyDatabase
from annotations.model import (
    CLAIM_FIELDS,
    DOC_STATUSES,
    EDITABLE_CLAIM_FIELDS,
    Claim,
    Document,
    DocumentSummary,
    Entity,
    content_id,
    new_id,
    now_iso,
)
from annotations.writer_queue import WriterQueue

_CLAIM_COLUMNS = ", ".join(f'"{name}"' for name in CLAIM_FIELDS)
TEXT_CACHE = 4  # document texts kept in memory for exact, fast quotes


class StoreError(ValueError):
    """A request the store refuses (bad offsets, unknown id): the message says why."""


def default_annotator() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name in some containers
        return "annotator"


class Store:
    def __init__(self, path: str | Path | None = None, annotator: str | None = None,
                 create: bool = True, background_check: bool = True) -> None:
        """Open ``path`` (see ``db.open_database``): ``create=False`` refuses a missing file.

        ``readonly`` is why the file can only be read ("" when writable); every write then
        raises ``ReadOnlyDatabase``. Writes also wait for the integrity check of an existing
        file (``background_check`` starts it now rather than at the first write) and are refused
        if it found damage.
        """
        self.path = None if path is None else Path(path)
        opened = dbmod.open_database(path, create=create, background_check=background_check)
        self.db = opened.db
        self.readonly = opened.readonly
        self._gate = opened.gate
        self.annotator = annotator or default_annotator()
        self._lock = threading.RLock()
        self._texts: OrderedDict[str, str] = OrderedDict()
        self._writers = WriterQueue(self.path)

    def _remember(self, doc_id: str, text: str) -> None:
        with self._lock:
            self._texts[doc_id] = text
            self._texts.move_to_end(doc_id)
            while len(self._texts) > TEXT_CACHE:
                self._texts.popitem(last=False)

    # -- plumbing ---------------------------------------------------------------------------
    @contextmanager
    def transaction(self, wait: float | None = None) -> Iterator[sqlite3.Connection]:
        """One atomic, durable write: commit on success, roll back on any error.

        Writers of all processes take turns through ``WriterQueue``; ``BEGIN IMMEDIATE`` then
        takes SQLite's write lock up front (waiting up to the busy timeout), so the body never
        meets a lock. If another program held it even longer, BEGIN and COMMIT are retried with
        backoff, until ``writer_queue.LOCK_WAIT_SECONDS`` have passed. The turn is taken before
        the connection's lock, so reads from other threads never wait behind a blocked writer.
        ``wait`` shortens that limit for writes that may be dropped (a reading position).
        """

        def patiently(sql: str, attempts: int = 8) -> None:
            for attempt in range(attempts):
                try:
                    conn.execute(sql)
                    return
                except sqlite3.OperationalError as exc:
                    busy = "locked" in str(exc) or "busy" in str(exc)
                    if not busy or attempt == attempts - 1 or time.monotonic() > deadline:
                        raise
                    time.sleep(min(1.0, 0.01 * 2**attempt) * (0.5 + random.random()))

        self.check_writable()
        self._writers.annotator = self.annotator
        limit = writer_queue.LOCK_WAIT_SECONDS if wait is None else wait
        self._writers.acquire(limit)
        try:
            with self._lock:
                deadline = time.monotonic() + limit
                conn = self.db.conn
                patiently("BEGIN IMMEDIATE")
                try:
                    yield conn
                    patiently("COMMIT")
                except BaseException:
                    if conn.in_transaction:
                        conn.execute("ROLLBACK")
                    raise
        finally:
            self._writers.release()

    def query(self, sql: str, params: Iterable[Any] = ()) -> list[dict[str, Any]]:
        """Run a read-only query; rows as dicts. For core modules that need their own reads."""
        return self._rows(sql, params)

    def _rows(self, sql: str, params: Iterable[Any] = ()) -> list[dict[str, Any]]:
        with self._lock:
            return list(self.db.query(sql, list(params)))

    def close(self) -> None:
        with self._lock:
            if self._gate is not None:
                self._gate.close()
            trusted = self._gate is not None and self._gate.unchanged_by_others(self.db.conn)
            self.db.conn.close()
            self._writers.close()
            if trusted and self._gate is not None:
                self._gate.remember()  # only this session wrote since the check: still good

    def check_writable(self) -> None:
        """Raise ``ReadOnlyDatabase``/``DamagedDatabase`` unless a write may go ahead."""
        if self.readonly:
            raise ReadOnlyDatabase(self.path or ":memory:", self.readonly)
        if self._gate is not None:
            self._gate.require()

    def setting(self, key: str, default: str = "") -> str:
        rows = self._rows("select value from settings where key = ?", [key])
        return rows[0]["value"] if rows else default

    def set_setting(self, key: str, value: str) -> None:
        with self.transaction() as conn:
            conn.execute("insert or replace into settings(key, value) values (?, ?)", (key, value))

    # -- documents --------------------------------------------------------------------------
    def add_document(
        self, text: str, title: str, source: str = "", meta: dict[str, Any] | None = None,
        doc_id: str | None = None,
    ) -> tuple[Document, bool]:
        """Store a document unless the same text is already there; returns it and whether new."""
        if "\x00" in text:
            raise StoreError("document text contains NUL characters (binary data?)")
        try:
            text.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise StoreError(f"document text has an unpaired surrogate at {exc.start}: "
                             "not valid Unicode text") from None
        doc_id = doc_id or content_id(text)
        existing = self.find_document(doc_id)
        if existing is not None:
            return existing, False
        doc = Document(id=doc_id, title=title, text=text, source=source, meta=meta or {},
                       imported_at=now_iso())
        with self.transaction() as conn:
            # "or ignore": another process may import the same text meanwhile
            inserted = conn.execute(
                "insert or ignore into documents"
                "(id, title, source, text, meta, chars, words, imported_at)"
                " values (?, ?, ?, ?, ?, ?, ?, ?)",
                (doc.id, doc.title, doc.source, doc.text, json.dumps(doc.meta, ensure_ascii=False),
                 len(text), doc.words, doc.imported_at),
            ).rowcount
        if not inserted:
            return self.document(doc.id), False
        self._remember(doc.id, text)
        return doc, True

    def find_document(self, doc_id: str) -> Document | None:
        rows = self._rows("select * from documents where id = ?", [doc_id])
        if not rows:
            return None
        r = rows[0]
        self._remember(r["id"], r["text"])
        return Document(id=r["id"], title=r["title"], text=r["text"], source=r["source"] or "",
                        meta=json.loads(r["meta"] or "{}"), imported_at=r["imported_at"] or "")

    def document(self, doc_id: str) -> Document:
        doc = self.find_document(doc_id)
        if doc is None:
            raise StoreError(f"no document {doc_id!r}")
        return doc

    def document_texts(self, doc_ids: Iterable[str]) -> dict[str, str]:
        """Texts of those of ``doc_ids`` that are stored: one query per 500 ids (bulk import)."""
        ids = list(dict.fromkeys(doc_ids))
        out: dict[str, str] = {}
        with self._lock:
            for i in range(0, len(ids), 500):
                chunk = ids[i:i + 500]
                out.update(self.db.conn.execute(
                    f"select id, text from documents where id in ({','.join('?' * len(chunk))})",
                    chunk).fetchall())
        return out

    def add_documents(self, docs: list[Document], entities: dict[str, list[Entity]] | None = None,
                      recognizer: str = "") -> list[Document]:
        """Store many new documents (and their machine entities) in one transaction.

        Returns those inserted; a document whose id is already stored (another process may have
        imported it meanwhile) is left out. One transaction per batch is what makes a bulk
        import fast: each commit waits for the disk.
        """
        for doc in docs:
            if "\x00" in doc.text:
                raise StoreError(f"document {doc.id}: text contains NUL characters")
        with self.transaction() as conn:
            last = conn.execute("select coalesce(max(rowid), 0) from documents").fetchone()[0]
            before = conn.total_changes
            conn.executemany(
                "insert or ignore into documents"
                "(id, title, source, text, meta, chars, words, imported_at)"
                " values (?, ?, ?, ?, ?, ?, ?, ?)",
                [(d.id, d.title, d.source, d.text,
                  json.dumps(d.meta, ensure_ascii=False) if d.meta else "{}",
                  len(d.text), d.words, d.imported_at) for d in docs])
            new = docs
            if conn.total_changes - before < len(docs):  # some were there already
                fresh = {r[0] for r in conn.execute(
                    "select id from documents where rowid > ?", (last,))}
                new = [d for d in docs if d.id in fresh]
            if entities is not None and recognizer:
                stamp = now_iso()
                conn.executemany(
                    'insert into entities(doc_id, start, "end", label, source, recognizer)'
                    " values (?, ?, ?, ?, ?, ?)",
                    [(d.id, e.start, e.end, e.label, e.source, recognizer)
                     for d in new for e in entities.get(d.id, ())])
                conn.executemany(
                    "insert or replace into entity_runs(doc_id, recognizer, count, computed_at)"
                    " values (?, ?, ?, ?)",
                    [(d.id, recognizer, len(entities.get(d.id, ())), stamp) for d in new])
        return new

    def merge_doc_states(self, rows: Iterable[dict[str, str]]) -> int:
        """Take document status/stance rows from another copy of the work, timestamps kept.

        Each row (doc_id, annotator, status, stance, updated_at) replaces the stored one only if
        it is newer, so importing an old export never undoes later work. Returns rows written.
        """
        written = 0
        with self.transaction() as conn:
            for row in rows:
                if row["status"] not in DOC_STATUSES:
                    raise StoreError(f"unknown status {row['status']!r}")
                written += conn.execute(
                    "insert into doc_state(doc_id, annotator, status, position, stance,"
                    " updated_at) values (?, ?, ?, 0, ?, ?) on conflict(doc_id, annotator)"
                    " do update set status = excluded.status, stance = excluded.stance,"
                    " updated_at = excluded.updated_at"
                    " where coalesce(doc_state.updated_at, '') < excluded.updated_at",
                    (row["doc_id"], row["annotator"], row["status"], row["stance"],
                     row["updated_at"])).rowcount
        return written

    def documents(self, annotator: str | None = None) -> list[DocumentSummary]:
        """Every document with its counts, in import order, without loading texts."""
        who = annotator or self.annotator
        rows = self._rows(
            """
            select d.id, d.title, d.source, d.chars, d.words,
              coalesce((select count from entity_runs r where r.doc_id = d.id
                        order by computed_at desc limit 1), 0) as entities,
              (select count(*) from claims c where c.doc_id = d.id) as claims,
              coalesce((select status from doc_state s where s.doc_id = d.id
                        and s.annotator = ?), 'todo') as status
            from documents d order by d.imported_at, d.rowid
            """,
            [who],
        )
        return [DocumentSummary(**r) for r in rows]

    def status(self, doc_id: str, annotator: str | None = None) -> str:
        rows = self._rows("select status from doc_state where doc_id = ? and annotator = ?",
                          [doc_id, annotator or self.annotator])
        return rows[0]["status"] if rows else "todo"

    def set_status(self, doc_id: str, status: str, annotator: str | None = None) -> None:
        if status not in DOC_STATUSES:
            raise StoreError(f"unknown status {status!r}; use one of {', '.join(DOC_STATUSES)}")
        who = annotator or self.annotator
        with self.transaction() as conn:
            conn.execute(
                "insert into doc_state(doc_id, annotator, status, position, updated_at,"
                " status_at) values (?, ?, ?, 0, ?, ?) on conflict(doc_id, annotator)"
                " do update set status = excluded.status, updated_at = excluded.updated_at,"
                " status_at = excluded.status_at",
                (doc_id, who, status, *[now_iso()] * 2),
            )

    def position(self, doc_id: str, annotator: str | None = None) -> int:
        """Where this annotator last left the document (a cursor offset)."""
        rows = self._rows("select position from doc_state where doc_id = ? and annotator = ?",
                          [doc_id, annotator or self.annotator])
        return int(rows[0]["position"] or 0) if rows else 0

    def set_position(self, doc_id: str, offset: int, annotator: str | None = None,
                     wait: float | None = None) -> None:
        if self.readonly:  # a reading position is not work: a read-only database forgets it
            return
        with self.transaction(wait) as conn:
            conn.execute(
                "insert into doc_state(doc_id, annotator, status, position, updated_at)"
                " values (?, ?, 'todo', ?, ?) on conflict(doc_id, annotator)"
                " do update set position = excluded.position",
                (doc_id, annotator or self.annotator, offset, now_iso()),
            )

    def doc_stance(self, doc_id: str, annotator: str | None = None) -> str:
        """The annotator's stance for the document as a whole ('' when not set)."""
        rows = self._rows("select stance from doc_state where doc_id = ? and annotator = ?",
                          [doc_id, annotator or self.annotator])
        return (rows[0]["stance"] or "") if rows else ""

    def set_doc_stance(self, doc_id: str, stance: str, annotator: str | None = None) -> None:
        with self.transaction() as conn:
            conn.execute(
                "insert into doc_state(doc_id, annotator, status, position, stance, updated_at,"
                " stance_at) values (?, ?, 'todo', 0, ?, ?, ?) on conflict(doc_id, annotator)"
                " do update set stance = excluded.stance, updated_at = excluded.updated_at,"
                " stance_at = excluded.stance_at",
                (doc_id, annotator or self.annotator, stance, *[now_iso()] * 2),
            )

    # -- machine entities (a cache, keyed by recognizer name and version) -------------------
    def cached_entities(self, doc_id: str, recognizer: str) -> list[Entity] | None:
        """The cached entities of a document, or None if that recognizer never ran on it."""
        if not self._rows("select 1 from entity_runs where doc_id = ? and recognizer = ?",
                          [doc_id, recognizer]):
            return None
        rows = self._rows(
            'select start, "end", label, source from entities'
            " where doc_id = ? and recognizer = ? order by start, \"end\"",
            [doc_id, recognizer],
        )
        return [Entity(r["start"], r["end"], r["label"], r["source"]) for r in rows]

    def cache_entities(self, doc_id: str, recognizer: str, entities: Iterable[Entity],
                       wait: float | None = None) -> int:
        rows = [(doc_id, e.start, e.end, e.label, e.source, recognizer) for e in entities]
        if self.readonly:  # only a cache: a read-only database recognizes again next time
            return len(rows)
        with self.transaction(wait) as conn:
            conn.execute("delete from entities where doc_id = ? and recognizer = ?",
                         (doc_id, recognizer))
            conn.executemany(
                'insert into entities(doc_id, start, "end", label, source, recognizer)'
                " values (?, ?, ?, ?, ?, ?)",
                rows,
            )
            conn.execute(
                "insert or replace into entity_runs(doc_id, recognizer, count, computed_at)"
                " values (?, ?, ?, ?)",
                (doc_id, recognizer, len(rows), now_iso()),
            )
        return len(rows)

    # -- claims -----------------------------------------------------------------------------
    def add_claim(self, doc_id: str, start: int, end: int, claim_type: str, *,
                  claim_id: str | None = None, **labels: str) -> Claim:
        """Save a new claim durably, with its history row, in one transaction.

        ``claim_id`` makes the save idempotent (a replay from the recovery journal): a claim
        already stored under that id is returned as it is.
        """
        unknown = set(labels) - set(EDITABLE_CLAIM_FIELDS)
        if unknown:
            raise StoreError(f"unknown claim fields: {', '.join(sorted(unknown))}")
        stamp = now_iso()
        claim = Claim(id=claim_id or new_id(), doc_id=doc_id, start=start, end=end, quote="",
                      claim_type=claim_type, annotator=self.annotator, created_at=stamp,
                      updated_at=stamp, **labels)
        with self.transaction() as conn:
            if claim_id is not None and conn.execute("select 1 from claims where id = ?",
                                                     (claim_id,)).fetchone():
                return Claim(**self._claim_row(conn, claim_id))
            claim = replace(claim, quote=self._quote(conn, doc_id, start, end))
            history.apply(conn, "claim", claim.id, asdict(claim))
            history.record(conn, self.annotator, "create", "claim", claim.id, doc_id, None,
                           asdict(claim))
        return claim

    def update_claim(self, claim_id: str, **changes: Any) -> Claim:
        unknown = set(changes) - set(EDITABLE_CLAIM_FIELDS) - {"review_status", "reviewer",
                                                                "review_note"}
        if unknown:
            raise StoreError(f"unknown claim fields: {', '.join(sorted(unknown))}")
        with self.transaction() as conn:
            before = self._claim_row(conn, claim_id)
            after = {**before, **changes, "updated_at": now_iso()}
            if "start" in changes or "end" in changes:
                after["quote"] = self._quote(conn, after["doc_id"], after["start"], after["end"])
            history.apply(conn, "claim", claim_id, after)
            history.record(conn, self.annotator, "update", "claim", claim_id, before["doc_id"],
                           before, history.changed_fields(before, after, *history.SPAN))
        return Claim(**after)

    def delete_claim(self, claim_id: str) -> Claim:
        with self.transaction() as conn:
            before = self._claim_row(conn, claim_id)
            history.apply(conn, "claim", claim_id, None)
            history.record(conn, self.annotator, "delete", "claim", claim_id, before["doc_id"],
                           before, None)
        return Claim(**before)

    def claim(self, claim_id: str) -> Claim:
        with self._lock:
            return Claim(**self._claim_row(self.db.conn, claim_id))

    def claims(self, doc_id: str | None = None) -> list[Claim]:
        """Claims in text order; columns by position into ``Claim`` (dicts cost 4x as much)."""
        where, params = ("where doc_id = ?", [doc_id]) if doc_id else ("", [])
        with self._lock:
            rows = self.db.conn.execute(
                f"select {_CLAIM_COLUMNS} from claims {where} order by doc_id, start, \"end\"",
                params).fetchall()
        return [Claim(*row) for row in rows]

    def _claim_row(self, conn: sqlite3.Connection, claim_id: str) -> dict[str, Any]:
        cur = conn.execute("select * from claims where id = ?", (claim_id,))
        row = cur.fetchone()
        if row is None:
            raise StoreError(f"no claim {claim_id!r}")
        return dict(zip([c[0] for c in cur.description], row, strict=True))

    def _quote(self, conn: sqlite3.Connection, doc_id: str, start: int, end: int) -> str:
        """The document text at ``[start, end)``, checked.

        Texts never change (a document's id is its content hash), so the few most recently
        read ones are kept in memory: slicing there is exact and O(1), where SQLite's
        ``substr`` must decode a 10 MB text from its start on every save.
        """
        text = self._texts.get(doc_id)
        if text is None:
            text = self.document(doc_id).text
        if not (0 <= start < end <= len(text)):
            raise StoreError(f"span [{start}, {end}) is outside the document (0..{len(text)})")
        return text[start:end]

    # -- history ----------------------------------------------------------------------------
    def history(self, doc_id: str | None = None) -> list[dict[str, Any]]:
        where, params = ("where doc_id = ?", [doc_id]) if doc_id else ("", [])
        return self._rows(f"select * from history {where} order by seq", params)

    def undo(self, doc_id: str | None = None) -> dict[str, Any] | None:
        """Undo this annotator's latest change (in ``doc_id`` if given); None if nothing to undo.

        A history row that cannot be applied safely (forged or damaged) is refused with a
        ``StoreError`` naming it, and nothing is changed.
        """
        try:
            with self.transaction() as conn:
                return history.undo(conn, self.annotator, doc_id)
        except history.HistoryError as exc:
            raise StoreError(f"cannot undo: {exc}") from None

    def redo(self, doc_id: str | None = None) -> dict[str, Any] | None:
        try:
            with self.transaction() as conn:
                return history.redo(conn, self.annotator, doc_id)
        except history.HistoryError as exc:
            raise StoreError(f"cannot redo: {exc}") from None

    # -- counts -----------------------------------------------------------------------------
    def stats(self) -> dict[str, Any]:
        one = self._rows(
            "select (select count(*) from documents) as documents,"
            " (select count(*) from claims) as claims,"
            " (select coalesce(sum(count), 0) from entity_runs r where computed_at ="
            "   (select max(computed_at) from entity_runs r2 where r2.doc_id = r.doc_id))"
            "   as entities,"
            " (select count(*) from history) as history"
        )[0]
        by = {}
        for field in ("claim_type", "stance", "review_status", "annotator"):
            by[field] = {r["k"]: r["n"] for r in self._rows(
                f"select {field} as k, count(*) as n from claims group by {field} order by n desc"
            )}
        return {**one, "claims_by": by}
