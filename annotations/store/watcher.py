"""Noticing other annotators' changes to a shared database, cheaply enough to poll every second.

Several annotty processes may write one SQLite file at once (annotators over SSH on one server).
Each app keeps what it shows in step by polling: ``PRAGMA data_version`` answers "did any *other*
connection commit since I last asked?" from shared memory, without reading a page, so an idle
poll costs microseconds. Only when it moved do we read the history log past the last ``seq`` we
saw, which says which documents changed and who changed them (an indexed range scan on the
primary key). Changes that leave no history row (imports, statuses, cached entities) still move
``data_version``, so ``Changes.other`` tells the app to refresh its lists. The app's own writes
do not move ``data_version``; the connection's ``total_changes`` catches those, so a poll also
reports them (a second screen of the same app may show the same claims).

Typical use from a UI timer (run it in a worker thread, it touches the database)::

    watcher = Watcher(store)            # starts at "now": nothing old is reported
    ...
    changes = watcher.poll()            # every second or so
    if changes:
        if current_doc in changes.doc_ids: reload the document's claims
        refresh the library / review lists
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from annotations.store import Store

if TYPE_CHECKING:
    from annotations.store.pg_watch import PgWatcher


@dataclass(frozen=True, slots=True)
class Changes:
    """What changed since the previous poll. False when nothing did."""

    seq: int
    """The highest history ``seq`` seen; pass it to the next ``changes_since``."""
    doc_ids: frozenset[str] = field(default_factory=frozenset)
    """Documents whose claims (or other logged items) changed."""
    annotators: frozenset[str] = field(default_factory=frozenset)
    """Who made those logged changes, so the app can say "bob added 2 claims"."""
    entries: int = 0
    """How many history rows were appended."""
    other: bool = False
    """Another process committed something (maybe without a history row: imports, statuses,
    merges), so lists such as the library should be refreshed."""
    everything: bool = False
    """Too many documents changed to name them (a bulk import on PostgreSQL, whose notices are
    limited in size): treat every document as changed."""

    def __bool__(self) -> bool:
        return bool(self.entries or self.other)

    def touches(self, doc_id: str) -> bool:
        """Whether ``doc_id``'s logged items may have changed."""
        return self.everything or doc_id in self.doc_ids


def last_seq(store: Store) -> int:
    """The newest history ``seq`` now: where a new watcher starts."""
    rows = store.query("select coalesce(max(seq), 0) as seq from history")
    return int(rows[0]["seq"])


def data_version(store: Store) -> int:
    """SQLite's counter of commits made by *other* connections (this one's own don't count)."""
    return int(store.query("pragma data_version")[0]["data_version"])


def changes_since(store: Store, seq: int) -> Changes:
    """History rows after ``seq``: the new high-water mark, the documents touched and by whom.

    Uses the ``seq`` primary key, so the cost grows with the number of new rows, not the log.
    """
    # NOT INDEXED: else SQLite scans the whole (annotator, doc_id) index instead of the range.
    rows = store.query(
        "select max(seq) as top, count(*) as n, doc_id, annotator"
        " from history not indexed where seq > ? group by doc_id, annotator",
        [seq],
    )
    if not rows:
        return Changes(seq=seq)
    return Changes(
        seq=max(int(r["top"]) for r in rows),
        doc_ids=frozenset(r["doc_id"] for r in rows if r["doc_id"]),
        annotators=frozenset(r["annotator"] for r in rows if r["annotator"]),
        entries=sum(int(r["n"]) for r in rows),
    )


def watcher_for(store: Store) -> Watcher | PgWatcher:
    """The watcher of ``store``'s backend: ``data_version`` polling for an SQLite file,
    LISTEN/NOTIFY on a server (``pg_watch``; it holds a connection: ``close()`` it)."""
    if store.url is None:
        return Watcher(store)
    from annotations.store.pg_watch import PgWatcher, connector

    return PgWatcher(connector(store.url), store.session)


class Watcher:
    """Polls one store for changes made by other processes (and, via history, by this one).

    Not thread-safe on its own: call ``poll`` from one worker at a time.
    """

    def __init__(self, store: Store, seq: int | None = None) -> None:
        self.store = store
        self.version = data_version(store)
        self.own = store.own_changes()
        self.seq = last_seq(store) if seq is None else seq

    def poll(self) -> Changes:
        """What changed since the last poll; costs one pragma when nothing did."""
        version, own = data_version(self.store), self.store.own_changes()
        moved = version != self.version
        if not moved and own == self.own:
            return Changes(seq=self.seq)
        self.version, self.own = version, own
        changes = changes_since(self.store, self.seq)
        self.seq = changes.seq
        return Changes(
            seq=changes.seq,
            doc_ids=changes.doc_ids,
            annotators=changes.annotators,
            entries=changes.entries,
            other=moved,
        )

    def close(self) -> None:
        """Nothing to let go of (the store's own connection is read); for ``PgWatcher``'s face."""
