"""The review list: every claim matching a filter, in library order, without loading them.

A filter's result is an array of claim *rowids* in display order (8 bytes each); rows are read
a page at a time when the table draws them. The order of all claims (documents in import
order, then by offset) comes from one sort-free query over the ``(doc_id, start)`` index and is
cached until claims are added, removed or moved; a filter then only needs the *set* of
matching rowids, an unsorted scan, which keeps a filter matching all 100,000 claims fast.

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
from pathlib import Path
from typing import cast

from annotations.model import CLAIM_FIELDS, Claim, Entity, ReviewStatus
from annotations.review.filters import ReviewError, ReviewFilter, where
from annotations.store import Store
from annotations.store import sqlite as dbmod

PAGE = 100
_FINGERPRINT = "select count(*), max(rowid), total(start), total(rowid * (start + 1)) from claims"
_ORDER = (
    "select group_concat(r) from (select c.rowid as r from documents d"
    " join claims c on c.doc_id = d.id order by d.rowid, c.start, c.rowid)"
)


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

    def _open(self, path: Path) -> sqlite3.Connection:
        return dbmod.read_connection(path)  # decodes broken UTF-8; works read-only

    @contextmanager
    def shared(self) -> Iterator[sqlite3.Connection]:
        """The long-lived connection for short reads on the UI thread (pages of rows)."""
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
            key = tuple(conn.execute(_FINGERPRINT).fetchone())
            if key != self._order_key:
                raw = conn.execute(_ORDER).fetchone()[0]
                self._order = array("q", map(int, raw.split(","))) if raw else array("q")
                self._order_key = key
            return self._order

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
    conn: sqlite3.Connection, f: ReviewFilter, order: array[int] | None = None
) -> array[int]:
    """Rowids of the claims matching ``f`` in library order (documents as imported, then by
    offset); ``order`` is all claims in that order, when the caller has it cached.

    Sorting only the matching claims in SQL costs a 100,000-row sort when the filter matches
    most of them (review=pending, at first); taking the unsorted set and keeping those in the
    cached order is about twice as fast, and as fast for small results.
    """
    if order is None:
        raw = conn.execute(_ORDER).fetchone()[0]
        order = array("q", map(int, raw.split(","))) if raw else array("q")
    if f.is_empty():
        return order
    cond, params = where(f)
    try:
        raw = conn.execute(
            f"select group_concat(c.rowid) from claims c where {cond}", params
        ).fetchone()[0]
    except sqlite3.OperationalError as exc:  # an FTS query SQLite still refuses
        raise ReviewError(f"cannot search for {f.search!r}: {exc}") from exc
    if not raw:
        return array("q")
    wanted = set(map(int, raw.split(",")))
    return array("q", filter(wanted.__contains__, order))


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
        with reader.fresh() as conn:
            return cls(reader, f, matching_rowids(conn, f, reader.display_order(conn)))

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
        while 0 <= i < len(self.rowids):
            lo, hi = (
                (i, min(len(self.rowids), i + chunk))
                if step > 0
                else (max(0, i - chunk + 1), i + 1)
            )
            ids = self.rowids[lo:hi].tolist()
            with self.reader.shared() as conn:
                pending = {
                    r[0]
                    for r in conn.execute(
                        "select rowid from claims where review_status = 'pending'"
                        f" and rowid in ({','.join('?' * len(ids))})",
                        ids,
                    )
                }
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
    cur = conn.execute("select * from claims where id = ?", (claim_id,))
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
