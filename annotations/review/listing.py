"""The review list: every claim matching a filter, in library order, without loading them.

A filter's result is an array of claim *rowids* in display order (8 bytes each); rows are read
a page at a time when the table draws them. The order of all claims (documents in import
order, then by offset) comes from one sort-free query over the ``(doc_id, start)`` index and is
cached until claims are added, removed or moved; a filter then only needs the *set* of
matching rowids, an unsorted scan, which keeps a filter matching all 100,000 claims fast.

On PostgreSQL (1,000,000 claims in ``bench_pg_review``) the same steps run in one read-only
snapshot with their own queries: the order as one array per document, read through the
(doc_id, start, rowid) index; the cached order is kept until an exact change counter
(``pg_schema.REVIEW_ORDER_CHANGES``) moves; a filter's rowids come as one array, from the
(value, rowid) indexes, and with memory enough for an exact bitmap when fields are combined.

Reads go through their own connections (``ReviewReader``) so that, in WAL mode, paging never waits
for a long write such as a bulk decision. Rows are plain ``Claim`` objects; the table's document
titles come from ``ReviewList.title``, read with the same page.
"""

from __future__ import annotations

import sqlite3
import threading
from array import array
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from itertools import compress
from operator import itemgetter
from pathlib import Path
from typing import Any, cast

from annotations.model import CLAIM_FIELDS, Claim, Entity, ReviewStatus
from annotations.review.filters import LINKED, ReviewError, ReviewFilter, where
from annotations.similar_clusters import clusters
from annotations.store import Store, dialect
from annotations.store import sqlite as dbmod
from annotations.store.links import LIVE_LINKS

PAGE = 100
# sums as floats (as SQLite's ``total`` was): an integer sum could overflow 64 bits
_FINGERPRINT = (
    "select count(*), max(rowid), coalesce(sum(start), 0),"
    " coalesce(sum(cast(rowid * (start + 1) as real)), 0) from claims"
)
_ORDER = (
    "select group_concat(r) from (select c.rowid as r from documents d"
    " join claims c on c.doc_id = d.id order by d.rowid, c.start, c.rowid)"
)
# PostgreSQL keeps a subquery's order into an aggregate only when the aggregate says so, and
# an ordered aggregate sorts all 1,000,000 rows (a second); an ARRAY(subquery) keeps the
# subquery's ORDER BY, here one index range per document, so nothing is sorted but documents
_PG_ORDER = (
    "select array(select c.rowid from claims c where c.doc_id = d.id order by c.start, c.rowid)"
    " from documents d order by d.rowid"
)
# pg_schema.REVIEW_ORDER_CHANGES (not imported: pg_schema brings psycopg to SQLite users)
_PG_CHANGES = "select coalesce(sum(n), 0) from claims_order_changes"
_PG_HAS_CHANGES = "select to_regclass('claims_order_changes') is not null"
# a filter combining fields ANDs index bitmaps; in the default 4 MB they go lossy and every
# claim of a page is read again (250 ms instead of 60 for type+stance+annotator+search)
_PG_WORK_MEM = "set local work_mem = '64MB'"
_PG_IDS = "cast(string_to_array(?, ',') as bigint[])"  # rowids sent as one text parameter
_COUNT = "select count(*) from claims"
_PENDING = "select rowid from claims where review_status = 'pending'"
_COLUMNS = ", ".join(f'"{name}"' for name in CLAIM_FIELDS)


# a page of claims with their documents' titles; building 100 ``Claim`` objects takes ~0.2 ms
_ROW_SQL = (
    "select c.rowid, coalesce(d.title, ''), "
    + ", ".join(f'c."{name}"' for name in CLAIM_FIELDS)
    + " from claims c left join documents d on d.id = c.doc_id where c.rowid in ({})"
)


class ReviewReader:
    """Read connections for the review, apart from the store's writer.

    A file database gets its own connections (WAL lets them read while a bulk decision
    writes); an in-memory one can only share the store's connection and lock. The reader also
    keeps the display order of all claims between filter changes.
    """

    def __init__(self, store: Store) -> None:
        self.store = store
        self._lock = threading.RLock()
        self._shared: sqlite3.Connection | None = None
        self._order: array[int] = array("q")
        self._order_key: tuple[object, ...] | None = None
        self._order_lock = threading.Lock()
        self._counted: bool | None = None  # the server database has the change counter
        self._whole: array[int] | None = None  # the order, if it holds every claim

    def _open(self, path: Path) -> sqlite3.Connection:
        return dbmod.read_connection(path)  # decodes broken UTF-8; works read-only

    @contextmanager
    def shared(self) -> Iterator[sqlite3.Connection]:
        """The long-lived connection for short reads on the UI thread (pages of rows)."""
        if self.store.url is not None:
            with self.store.separate_reading() as conn:
                yield conn
            return
        if self.store.path is None:
            with self.store.reading() as conn:
                yield conn
            return
        with self._lock:
            if self._shared is None:
                self._shared = self._open(self.store.path)
            yield self._shared

    @contextmanager
    def fresh(self) -> Iterator[sqlite3.Connection]:
        """A connection of its own, for a worker thread's longer query."""
        if self.store.url is not None:
            with self.store.separate_reading() as conn:
                yield conn
            return
        if self.store.path is None:
            with self.store.reading() as conn:
                yield conn
            return
        conn = self._open(self.store.path)
        try:
            yield conn
        finally:
            conn.close()

    def display_order(self, conn: sqlite3.Connection) -> array[int]:
        """All claims' rowids in display order, recomputed only when claims were added,
        removed or moved (a checksum over the covering index says so in a few ms)."""
        with self._order_lock:
            key = self._order_version(conn)
            if key != self._order_key:
                self._order = _display_order(conn)
                self._order_key = key
                # on PostgreSQL: no claim lacks its document (a count, 80 ms at 1,000,000)
                pg = dialect.is_postgres(conn)
                whole = pg and conn.execute(_COUNT).fetchone()[0] == len(self._order)
                self._whole = self._order if whole else None
            return self._order

    def lists_every_claim(self, order: array[int]) -> bool:
        """Whether ``order`` (from ``display_order``) holds every claim in the database,
        as it does unless a claim's document is missing; known on PostgreSQL only."""
        return order is self._whole

    def _order_version(self, conn: sqlite3.Connection) -> tuple[object, ...]:
        """What changes when claims are added, removed or moved: the change counter on a
        server that has it (one tiny row per connection), else a checksum over all claims."""
        if dialect.is_postgres(conn):
            if self._counted is None:
                self._counted = bool(conn.execute(_PG_HAS_CHANGES).fetchone()[0])
            if self._counted:
                return ("changes", conn.execute(_PG_CHANGES).fetchone()[0])
        return tuple(conn.execute(_FINGERPRINT).fetchone())

    @contextmanager
    def snapshot(self, conn: sqlite3.Connection) -> Iterator[None]:
        """On PostgreSQL, one read-only snapshot for the change counter, the order and a
        filter's rowids, so they describe the same claims (SQLite's reads are one query each
        over an order checked by its checksum); elsewhere nothing."""
        if not dialect.is_postgres(conn):
            yield
            return
        raw: Any = getattr(conn, "raw")  # noqa: B009 - the psycopg connection under it
        with raw.transaction():
            conn.execute("set transaction isolation level repeatable read, read only")
            conn.execute(_PG_WORK_MEM)
            yield

    def close(self) -> None:
        with self._lock:
            if self._shared is not None:
                self._shared.close()
            self._shared = None

    def choices(self, limit: int = 200) -> dict[str, list[str]]:
        """The corpus's targets (most claimed first, at most ``limit``) and annotators, for the
        filter form's pick lists. A query of its own: call it from a worker thread."""
        with self.fresh() as conn:
            targets = [
                t
                for (t,) in conn.execute(
                    "select target from claims where target != '' group by target"
                    " order by count(*) desc limit ?",
                    (limit,),
                )
            ]
            annotators = [
                a
                for (a,) in conn.execute("select distinct annotator from claims order by annotator")
                if a
            ]
        return {"target": targets, "annotator": annotators}


def matching_rowids(
    conn: sqlite3.Connection, f: ReviewFilter, order: array[int] | None = None, whole: bool = False
) -> array[int]:
    """Rowids of the claims matching ``f`` in library order (documents as imported, then by
    offset); ``order`` is all claims in that order, when the caller has it cached; ``whole``
    says it holds every claim of the database, read in this connection's snapshot.

    Sorting only the matching claims in SQL costs a 100,000-row sort when the filter matches
    most of them (review=pending, at first); taking the unsorted set and keeping those in the
    cached order is about twice as fast, and as fast for small results.
    """
    if order is None:
        order = _display_order(conn)
    if f.is_empty():
        return order
    if dialect.is_postgres(conn):
        return _pg_matching(conn, *_pg_select(f, conn), order, whole)
    cond, params = where(f, conn)
    try:
        raw = conn.execute(
            f"select group_concat(c.rowid) from claims c where {cond}", params
        ).fetchone()[0]
    except sqlite3.OperationalError as exc:  # an FTS query SQLite still refuses
        raise ReviewError(f"cannot search for {f.search!r}: {exc}") from exc
    if not raw:
        return array("q")
    return _Gather.of(order).keep(list(map(int, raw.split(","))))


def grouped(conn: sqlite3.Connection, found: array[int]) -> array[int]:
    """``cluster=linked``: each "same claim" group's claims one after another, in display
    order, the groups in the order of their first claim (a few hundred links: a few ms)."""
    group = clusters((str(a), str(b)) for a, b in conn.execute(LIVE_LINKS).fetchall())
    claim_of = dict(
        conn.execute(
            "select c.rowid, c.id from claims c"
            " where c.id in (select a from claim_links union select b from claim_links)"
        ).fetchall()
    )

    def group_of(rowid: int) -> str:
        return group.get(str(claim_of.get(rowid, "")), "")

    first: dict[str, int] = {}
    for pos, rowid in enumerate(found):
        first.setdefault(group_of(rowid), pos)
    return array("q", sorted(found, key=lambda r: first[group_of(r)]))


def _pg_select(f: ReviewFilter, conn: Any) -> tuple[str, list[Any]]:
    """The query of the filter's rowids: with a search, one condition (the planner ANDs the
    search index's bitmap with the others'); else one query per field, INTERSECTed, each
    read from its (value, rowid) index alone (an AND of bitmaps reads every claim they
    share from the table: 220 ms instead of 85 for annotator+type at 1,000,000 claims)."""
    fields = f.active()
    if f.search or len(fields) < 2:
        cond, params = where(f, conn)
        return f"select c.rowid from claims c where {cond}", params
    parts: list[str] = []
    params = []
    for name, value in fields:
        cond, more = where(ReviewFilter(**{name: value}), conn)
        parts.append(f"select c.rowid from claims c where {cond}")
        params += more
    return " intersect ".join(parts), params


def _pg_matching(
    conn: Any, select: str, params: list[Any], order: array[int], whole: bool
) -> array[int]:
    """The filter's rowids as one array, kept in ``order``'s order.

    When every claim matches (review=pending at first) and ``order`` holds every claim, the
    order is the answer (the caller read its change counter in this same snapshot, so the
    sets are equal). Otherwise a
    byte per rowid marks the matching ones and ``_Gather`` reads the marks in display order:
    three C loops, 4 times faster at 1,000,000 claims than a set tested claim by claim.
    """
    wanted: list[int] = _pg_binary(conn, f"select array({select})", params)[0][0] or []
    if not wanted:
        return array("q")
    if whole and len(wanted) == len(order):
        return order
    return _Gather.of(order).keep(wanted)


class _Gather:
    """``order`` filtered by a set of rowids without a Python loop over ``order``: an
    ``itemgetter`` of all of ``order`` (built once per order, ~30 ms and 40 MB at 1,000,000
    claims) reads a byte mask indexed by rowid in display order; ``compress`` keeps the marked.
    """

    _last: _Gather | None = None

    def __init__(self, order: array[int]) -> None:
        self.order = order
        self.size = max(order, default=-1) + 1
        self.getter = itemgetter(*order) if len(order) > 1 else None

    @classmethod
    def of(cls, order: array[int]) -> _Gather:
        last = cls._last
        if last is None or last.order is not order:
            last = cls._last = cls(order)
        return last

    def keep(self, wanted: list[int]) -> array[int]:
        if self.getter is None:  # itemgetter of one item returns it, not a tuple
            return array("q", filter(set(wanted).__contains__, self.order))
        mask = bytearray(self.size)
        try:
            for rowid in wanted:
                mask[rowid] = 1
        except IndexError:  # a claim newer than the order: the caller's order is stale
            return array("q", filter(set(wanted).__contains__, self.order))
        return array("q", compress(self.order, self.getter(mask)))


def _pg_binary(conn: Any, sql: str, params: list[Any] | None = None) -> list[Any]:
    """Rows of a PostgreSQL query in binary form: arrays of rowids arrive as packed integers,
    not digits to parse (a third faster for a million)."""
    from annotations.store.pg import translate

    with conn.raw.cursor(binary=True) as cur:
        cur.execute(translate(sql), params or [])
        return list(cur.fetchall())


def _display_order(conn: sqlite3.Connection) -> array[int]:
    """All claims' rowids in display order (documents as imported, then by offset)."""
    if dialect.is_postgres(conn):
        out = array("q")
        for (ids,) in _pg_binary(conn, _PG_ORDER):
            out.extend(ids)
        return out
    raw = conn.execute(_ORDER).fetchone()[0]
    return array("q", map(int, raw.split(","))) if raw else array("q")


class ReviewList:
    """The claims matching one filter: rowids in order, rows fetched and cached by page.

    ``status_override`` holds decisions sent to the store but not yet committed, so moving to
    the next pending claim right after a keypress skips the one just decided.
    """

    def __init__(self, reader: ReviewReader, f: ReviewFilter, rowids: array[int]) -> None:
        self.reader = reader
        self.filter = f
        self.rowids = rowids
        self._pages: OrderedDict[int, dict[int, Claim]] = OrderedDict()
        self._titles: dict[str, str] = {}
        self.status_override: dict[int, str] = {}
        """Review status by claim rowid (``rowids[index]``), shown until the store has it."""

    @classmethod
    def load(cls, reader: ReviewReader, f: ReviewFilter) -> ReviewList:
        """Run in a worker thread: up to ~100 ms for 100,000 claims."""
        with reader.fresh() as conn, reader.snapshot(conn):
            order = reader.display_order(conn)
            found = matching_rowids(conn, f, order, reader.lists_every_claim(order))
            if f.cluster == LINKED and len(found) > 1:
                found = grouped(conn, found)
            return cls(reader, f, found)

    def __len__(self) -> int:
        return len(self.rowids)

    def row(self, index: int) -> Claim | None:
        """The claim at ``index``; None past the end or if the claim was deleted meanwhile."""
        if not 0 <= index < len(self.rowids):
            return None
        page = self._page(index // PAGE)
        row = page.get(self.rowids[index])
        status = self.status_override.get(self.rowids[index])
        if row is not None and status is not None:
            row = replace(row, review_status=cast(ReviewStatus, status))  # a decision's status
        return row

    def title(self, doc_id: str) -> str:
        """The title of a document with a claim on a page read ("" if it has none)."""
        return self._titles.get(doc_id, "")

    def cached(self, index: int) -> bool:
        return index // PAGE in self._pages

    def _page(self, number: int) -> dict[int, Claim]:
        cached = self._pages.get(number)
        if cached is not None:
            self._pages.move_to_end(number)
            return cached
        ids = self.rowids[number * PAGE : (number + 1) * PAGE].tolist()
        with self.reader.shared() as conn:
            rows = conn.execute(_ROW_SQL.format(",".join("?" * len(ids))), ids).fetchall()
        page: dict[int, Claim] = {}
        for rowid, title, *fields in rows:
            claim = Claim(*fields)
            page[rowid] = claim
            self._titles[claim.doc_id] = title
        self._pages[number] = page
        if len(self._pages) > 64:
            self._pages.popitem(last=False)
        return page

    def invalidate(self, index: int | None = None) -> None:
        """Forget cached rows (one page, or all) so they are read again."""
        if index is None:
            self._pages.clear()
            self._titles.clear()
        else:
            self._pages.pop(index // PAGE, None)

    def index_of(self, claim_id: str) -> int | None:
        with self.reader.shared() as conn:
            found = conn.execute("select rowid from claims where id = ?", (claim_id,)).fetchone()
        if found is None:
            return None
        try:
            return self.rowids.index(found[0])
        except ValueError:
            return None

    def next_pending(self, index: int, step: int = 1) -> int | None:
        """The nearest pending claim after (step 1) or before (step -1) ``index``.

        Looks in growing chunks (64, 512, 4096 rows…): usually the next claim is pending and
        one tiny query answers; past 100,000 decided claims it still takes only a few.
        """
        chunk = 64
        i = index + step
        with self.reader.shared() as conn:  # one connection for all chunks (from the pool)
            while 0 <= i < len(self.rowids):
                lo, hi = (
                    (i, min(len(self.rowids), i + chunk))
                    if step > 0
                    else (max(0, i - chunk + 1), i + 1)
                )
                ids = self.rowids[lo:hi].tolist()
                if dialect.is_postgres(conn):  # one text parameter (adapting a list of 4,096
                    # ints to an array costs more than the query), answered as one array
                    sql = f"select array({_PENDING} and rowid = any({_PG_IDS}))"
                    params = [",".join(map(str, ids))]
                    pending = set(conn.execute(sql, params).fetchone()[0])
                else:
                    sql = f"{_PENDING} and rowid in ({','.join('?' * len(ids))})"
                    pending = {r[0] for r in conn.execute(sql, ids)}
                for rowid, status in self.status_override.items():
                    (pending.add if status == "pending" else pending.discard)(rowid)
                order = range(len(ids)) if step > 0 else range(len(ids) - 1, -1, -1)
                for k in order:
                    if ids[k] in pending:
                        return lo + k
                i = hi if step > 0 else lo - 1
                chunk = min(chunk * 8, 8192)
        return None


@dataclass(frozen=True, slots=True)
class ClaimContext:
    """A claim with the paragraph around it and the entities in that paragraph.

    ``offset`` is the document offset of ``text[0]``; entity and claim offsets stay document
    offsets, so the view subtracts ``offset``. ``clipped`` says the paragraph was cut short.
    """

    claim: Claim
    title: str
    text: str
    offset: int
    entities: tuple[Entity, ...]
    clipped: bool = False


def load_context(
    conn: sqlite3.Connection, claim_id: str, window: int = 1500
) -> ClaimContext | None:
    """Read only the text near the claim (documents can be megabytes), cut at line breaks."""
    cur = conn.execute(f"select {_COLUMNS} from claims where id = ?", (claim_id,))
    found = cur.fetchone()
    if found is None:
        return None
    claim = Claim(**dict(zip([c[0] for c in cur.description], found, strict=True)))
    lo = max(0, claim.start - window)
    doc = conn.execute(
        "select title, chars, substr(text, ?, ?) from documents where id = ?",
        (lo + 1, claim.end + window - lo, claim.doc_id),
    ).fetchone()
    if doc is None:
        return ClaimContext(claim, "", claim.quote, claim.start, ())
    title, chars, piece = doc
    before = piece.rfind("\n", 0, claim.start - lo)
    after = piece.find("\n", claim.end - lo)
    clipped = (before < 0 < lo) or (after < 0 and lo + len(piece) < chars)
    begin = before + 1
    text = piece[begin : after if after >= 0 else len(piece)]
    offset = lo + begin
    run = conn.execute(
        "select recognizer from entity_runs where doc_id = ? order by computed_at desc limit 1",
        (claim.doc_id,),
    ).fetchone()
    entities: tuple[Entity, ...] = ()
    if run is not None:
        rows = conn.execute(
            'select start, "end", label, source from entities where doc_id = ? and recognizer = ?'
            " and start >= ? and start < ? order by start",
            (claim.doc_id, run[0], offset - 200, offset + len(text)),
        )
        entities = tuple(
            Entity(s, e, lab, src, text[max(0, s - offset) : e - offset])
            for s, e, lab, src in rows
            if e > offset
        )
    return ClaimContext(claim, title or "", text, offset, entities, clipped)
