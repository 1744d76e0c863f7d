"""What every exporter reads: documents streamed one at a time, each with its entities and claims.

The exporters never see the store. ``bundles()`` pages through the documents table, loads one text
at a time and queries that document's claims with the filters applied in SQL, so memory stays flat
whatever the corpus size. On a database file it reads through its own read-only connection inside
one read transaction: the export is a consistent snapshot even while someone keeps annotating.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
from collections.abc import Callable, Generator, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, NamedTuple, TextIO

import orjson

from annotations.errors import AnnottyError
from annotations.model import (
    CLAIM_FIELDS,
    DECISION_FIELDS,
    Decision,
    Document,
    Entity,
    ReviewStatus,
)
from annotations.similar_clusters import clusters
from annotations.store import Store, dialect
from annotations.store import sqlite as dbmod
from annotations.store.comments import DOC_COMMENTS, Comment, comment_of_row
from annotations.store.links import LIVE_LINKS

if TYPE_CHECKING:
    from annotations.entities import Recognizer

EntitySource = Callable[[Store, str, str], Iterable[Entity] | None]
"""``(store, doc_id, recognizer) -> entities``: where the entities of a document come from."""

Progress = Callable[[int, int], None]
"""Called after each document with ``(documents done, documents in total)``."""

PAGE = 256
CONTEXT = 32


def cached_entities(store: Store, doc_id: str, recognizer: str) -> list[Entity] | None:
    """The recognizer's cache alone: machine entities without manual corrections.

    ``Store.cached_entities`` in one query of plain tuples, which an export of 100,000 spans
    notices; an empty list also stands for "never ran", which an export treats the same.
    """
    if not recognizer:
        return None
    with store.reading() as conn:
        rows = conn.execute(
            'select start, "end", label, source from entities where doc_id = ? and recognizer = ?'
            ' order by start, "end"',
            (doc_id, recognizer),
        ).fetchall()
    return [Entity(*row) for row in rows]


class RecognizingSource:
    """What an annotator sees: the recognizer's entities with the corrections applied, and the
    entities of every document the cache lacks computed (and cached) on the way.

    The cache key holds the gazetteer's digest, so one line added to ``entities.yaml`` makes every
    document not opened since a cache miss; an export that read only the cache would write "0
    entities" for them. ``computed`` counts the documents recognized here, for the report. A
    cache that cannot be written (a read-only database) does not stop the export.
    """

    def __init__(self, recognizer: Recognizer) -> None:
        self.recognizer = recognizer
        self.computed = 0

    def __call__(self, store: Store, doc_id: str, key: str) -> list[Entity] | None:
        from annotations.entities.corrections import apply_corrections, corrections

        machine = store.cached_entities(doc_id, self.recognizer.key)
        if machine is None:
            doc = store.find_document(doc_id)
            if doc is None:
                return None
            machine = self.recognizer.recognize(doc.text)
            self.computed += 1
            # read-only or locked: export what was computed, cache it another time
            with contextlib.suppress(sqlite3.Error, AnnottyError, OSError):
                store.cache_entities(doc_id, self.recognizer.key, machine)
        return apply_corrections(machine, corrections(store, doc_id))


def default_entity_source(recognizer: Recognizer | None = None) -> EntitySource:
    """Machine entities with the annotators' corrections applied.

    With a ``recognizer`` object, documents missing from its cache are recognized on the way (see
    ``RecognizingSource``); with none, only the cache is read and ``bundles`` counts the documents
    it had nothing for in ``Tally.entities_missing``.
    """
    if recognizer is not None:
        return RecognizingSource(recognizer)
    try:
        from annotations.entities.corrections import document_entities
    except ImportError:
        return cached_entities
    return document_entities


@dataclass(frozen=True)
class Filters:
    """Which annotations to export; an empty tuple means no restriction on that field."""

    status: tuple[str, ...] = ()
    annotator: tuple[str, ...] = ()
    claim_type: tuple[str, ...] = ()
    stance: tuple[str, ...] = ()
    doc: tuple[str, ...] = ()
    skip_empty: bool = False
    """Leave out documents that have no matching claim (e.g. for a gold set of accepted claims);
    with ``suggestions``, a document with a matching decided candidate is kept too."""
    suggestions: bool = False
    """Also export the decided claim candidates (``annotty export --include-suggestions``):
    ``doc`` selects them as it selects claims, ``annotator`` by who decided and ``claim_type``
    by the suggested type; ``status`` and ``stance`` are a claim's and leave them alone."""

    def claim_sql(self, alias: str = "") -> tuple[str, list[str]]:
        """``and ...`` conditions on claims, with their parameters."""
        prefix = f"{alias}." if alias else ""
        parts: list[str] = []
        params: list[str] = []
        for column, values in (
            ("review_status", self.status),
            ("annotator", self.annotator),
            ("claim_type", self.claim_type),
            ("stance", self.stance),
        ):
            if values:
                parts.append(f" and {prefix}{column} in ({', '.join('?' * len(values))})")
                params += values
        return "".join(parts), params

    def decision_sql(self, alias: str = "") -> tuple[str, list[str]]:
        """``and ...`` conditions on decided candidates (``suggestions``), with parameters."""
        prefix = f"{alias}." if alias else ""
        parts: list[str] = []
        params: list[str] = []
        for column, values in (("annotator", self.annotator), ("claim_type", self.claim_type)):
            if values:
                parts.append(f" and {prefix}{column} in ({', '.join('?' * len(values))})")
                params += values
        return "".join(parts), params

    def doc_sql(self) -> tuple[str, list[str]]:
        """``and ...`` conditions on documents ``d``, with their parameters."""
        sql, params = "", list(self.doc)
        if self.doc:
            sql += f" and d.id in ({', '.join('?' * len(self.doc))})"
        if self.skip_empty:
            claims, claim_params = self.claim_sql("c")
            matching = f"exists (select 1 from claims c where c.doc_id = d.id{claims})"
            params += claim_params
            if self.suggestions:
                decided, decided_params = self.decision_sql("s")
                matching = (
                    f"({matching} or exists (select 1 from suggestions s"
                    f" where s.doc_id = d.id{decided}))"
                )
                params += decided_params
            sql += f" and {matching}"
        return sql, params


class ClaimRow(NamedTuple):
    """A claim as the exporters read it: ``model.Claim``'s fields, in order, as a tuple.

    Kept apart from ``Claim`` for speed alone: building 100,000 frozen ``Claim`` dataclasses takes
    ~200 ms against ~50 ms for this tuple subclass (built in C), and exporting 100,000 claims as
    jsonl took 1.70 s of CPU with ``Claim`` rows against 1.55 s with these (csv: 1.86 s against
    1.70 s; medians of 4, 2026-11-30). ``tests/test_claim_rows.py`` checks that the names, types
    and defaults stay those of ``Claim``: add a field there and here.
    """

    id: str
    doc_id: str
    start: int
    end: int
    quote: str
    claim_type: str
    stance: str = "none"
    target: str = ""
    speaker: str = ""
    attribution: str = ""
    checkworthy: str = ""
    note: str = ""
    annotator: str = ""
    review_status: ReviewStatus = "pending"
    reviewer: str = ""
    review_note: str = ""
    reviewed_at: str = ""
    created_at: str = ""
    updated_at: str = ""


class DocState(NamedTuple):
    """One annotator's verdict on a whole document: status (todo, in_progress, done, skipped)
    and stance ("" when not given). The reading position is UI state and is not exported."""

    annotator: str
    status: str
    stance: str
    updated_at: str

    def record(self) -> dict[str, str]:
        return {
            "annotator": self.annotator,
            "status": self.status,
            "stance": self.stance,
            "updated_at": self.updated_at,
        }


@dataclass(frozen=True, slots=True)
class DocBundle:
    """One document as exporters see it: its text, its entities (with text), its claims,
    every annotator's document status and stance, and (when asked for) its decided claim
    candidates, each with ``quote == text[start:end]``."""

    doc: Document
    entities: Sequence[Entity]
    claims: Sequence[ClaimRow]
    states: Sequence[DocState] = ()
    suggestions: Sequence[Decision] | None = None
    """None when the export was not asked for them (the format then writes nothing for them)."""
    comments: Sequence[Comment] = ()
    """Every comment of the document (its claims', its own, adjudication items'), oldest first."""
    clusters: Mapping[str, str] = field(default_factory=dict)
    """Linked claims' cluster ids (the smallest claim id of each "same claim" group), for the
    whole export: claims never linked are absent."""
    claim_seconds: Mapping[str, float] = field(default_factory=dict)
    """Seconds spent on each timed claim, by claim id (a claim never timed is not in it)."""
    version: int = 1
    """The document's version (1 + its earlier texts): the claims are on this text."""
    anchors: Mapping[str, dict[str, Any]] = field(default_factory=dict)
    """How claims were carried onto this version when not exactly in place, by claim id
    (``Store.claim_anchors``' ``as_json``); a claim placed exactly is not in it."""
    _mentions: dict[str, list[Entity]] = field(default_factory=dict, repr=False)

    def speaker_mention(self, claim: ClaimRow) -> Entity | None:
        """The entity whose text is the claim's speaker, nearest the claim; None for free text."""
        speaker = claim.speaker.strip()
        if not speaker:
            return None
        if not self._mentions and self.entities:
            for entity in self.entities:
                self._mentions.setdefault(entity.text, []).append(entity)
        found = self._mentions.get(speaker)
        if not found:
            return None
        return min(found, key=lambda e: (abs(e.start - claim.start), e.start))


_LINE_BREAKERS = str.maketrans({"\x85": "\\u0085", "\u2028": "\\u2028", "\u2029": "\\u2029"})


def to_json(value: Any) -> str:
    """Compact JSON, UTF-8 as is, one line that every line splitter agrees is one line.

    orjson encodes about six times faster than ``json`` (the export's largest cost); ``json``
    takes what orjson refuses (integers beyond 64 bits in someone's metadata). Both leave U+0085,
    U+2028 and U+2029 raw, and Python's ``str.splitlines()`` and some editors break lines there;
    inside JSON they can only sit in strings, where the escaped form means the same.
    """
    try:
        out = orjson.dumps(value).decode("utf-8")
    except TypeError:
        out = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    if "\x85" in out or "\u2028" in out or "\u2029" in out:
        out = out.translate(_LINE_BREAKERS)
    return out


def write_lines(
    items: Iterable[DocBundle], out: TextIO, make: Callable[[DocBundle], dict[str, Any]]
) -> int:
    """JSON Lines: one ``make(bundle)`` record per document; returns the number written."""
    count = 0
    for bundle in items:
        out.write(to_json(make(bundle)))
        out.write("\n")
        count += 1
    return count


def span(text: str, start: int, end: int) -> dict[str, Any]:
    """Offsets, the quoted text and a little context to re-anchor it in an edited copy."""
    return {
        "start": start,
        "end": end,
        "quote": text[start:end],
        "prefix": text[max(0, start - CONTEXT) : start],
        "suffix": text[end : end + CONTEXT],
    }


@dataclass
class Tally:
    """What an export wrote, and what it had to leave out (and why)."""

    documents: int = 0
    claims: int = 0
    entities: int = 0
    entity_labels: set[str] = field(default_factory=set)
    skipped: list[str] = field(default_factory=list)
    entities_computed: int = 0
    """Documents whose entities were missing from the cache and were recognized for the export."""
    entities_missing: list[str] = field(default_factory=list)
    """Documents exported without machine entities because the cache had none for them."""
    doc_states: int = 0
    suggestions: int = 0
    """Decided claim candidates written (``Filters.suggestions``)."""


class _Reader:
    """Read queries: a private read-only snapshot for a file; in memory the store's own
    connection, taken for each query so the app's writes go on between them."""

    def __init__(
        self, connection: Callable[[], contextlib.AbstractContextManager[sqlite3.Connection]]
    ) -> None:
        self.connection = connection

    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        with self.connection() as conn:
            return conn.execute(sql, list(params)).fetchall()

    def tables(self) -> set[str]:
        with self.connection() as conn:
            return dialect.table_names(conn)


@contextmanager
def _reader(store: Store) -> Iterator[_Reader]:
    if store.url is not None:  # a server: one repeatable-read snapshot on a pooled connection
        with store.separate_reading() as pg:
            pg.execute("begin isolation level repeatable read read only")
            try:
                yield _Reader(lambda: contextlib.nullcontext(pg))
            finally:
                pg.execute("commit")
        return
    if store.path is None:
        yield _Reader(store.reading)  # one connection: share the store's
        return
    conn = dbmod.read_connection(store.path)  # decodes broken UTF-8; works read-only
    try:
        conn.execute("BEGIN")  # one snapshot for the whole export
        yield _Reader(lambda: contextlib.nullcontext(conn))
        conn.execute("COMMIT")
    finally:
        conn.close()


def _has_decisions(reader: _Reader) -> bool:
    """A database from before claim candidates (opened read-only, so never migrated) has no
    ``suggestions`` table: it has no decided candidate to export."""
    return "suggestions" in reader.tables()


def _readable(reader: _Reader, filters: Filters) -> Filters:
    """``filters`` without ``suggestions`` when the database has none to read."""
    if filters.suggestions and not _has_decisions(reader):
        return replace(filters, suggestions=False)
    return filters


def count_documents(store: Store, filters: Filters | None = None) -> int:
    """How many documents an export with these filters writes (for a progress bar)."""
    with _reader(store) as reader:
        where, params = _readable(reader, filters or Filters()).doc_sql()
        return int(reader.rows(f"select count(*) from documents d where true{where}", params)[0][0])


def count_uncached(store: Store, key: str, filters: Filters | None = None) -> int:
    """Documents of an export with no cached entities for recognizer ``key`` (to say that an
    export will recognize them first)."""
    with _reader(store) as reader:
        where, params = _readable(reader, filters or Filters()).doc_sql()
        return int(
            reader.rows(
                "select count(*) from documents d where not exists (select 1 from entity_runs r"
                f" where r.doc_id = d.id and r.recognizer = ?){where}",
                [key, *params],
            )[0][0]
        )


def bundles(
    store: Store,
    filters: Filters | None = None,
    recognizer: str = "",
    entity_source: EntitySource = cached_entities,
    progress: Progress | None = None,
    tally: Tally | None = None,
) -> Generator[DocBundle, None, None]:
    """Documents in import order, one at a time, with filtered claims and their entities."""
    asked = filters or Filters()
    tally = tally if tally is not None else Tally()
    with _reader(store) as reader:
        filters = _readable(reader, asked)
        has_comments = "comments" in reader.tables()  # not in a database from before them
        timed = "claim_time" in reader.tables()  # nor time per claim
        versions: dict[str, int] = (  # earlier texts per edited document (few: read once)
            dict(reader.rows("select doc_id, count(*) from doc_versions group by doc_id"))
            if "doc_versions" in reader.tables()
            else {}
        )
        linked = reader.rows(LIVE_LINKS) if "claim_links" in reader.tables() else []
        groups = clusters((str(a), str(b)) for a, b in linked)  # "same claim" groups
        doc_where, doc_params = filters.doc_sql()
        claim_where, claim_params = filters.claim_sql()
        total = int(
            reader.rows(f"select count(*) from documents d where true{doc_where}", doc_params)[0][0]
        )
        after = -1
        done = 0
        while True:  # keyset paging on rowid: import order, one index seek per page
            page = reader.rows(
                "select d.rowid as rid, d.id, d.title, d.source, d.meta, d.imported_at"
                f" from documents d where d.rowid > ?{doc_where} order by d.rowid limit {PAGE}",
                [after, *doc_params],
            )
            if not page:
                break
            after = page[-1][0]
            for rid, doc_id, title, source, meta, imported_at in page:
                text = reader.rows("select text from documents where rowid = ?", [rid])[0][0]
                doc = Document(
                    id=doc_id,
                    title=title or "",
                    text=text,
                    source=source or "",
                    meta=json.loads(meta or "{}"),
                    imported_at=imported_at or "",
                )
                claims = _claims(reader, doc, claim_where, claim_params, tally)
                found = entity_source(store, doc.id, recognizer)
                if found is None and recognizer:
                    tally.entities_missing.append(doc.id)
                entities = _entities(doc, found, tally)
                states = _states(reader, doc.id, filters)
                tally.doc_states += len(states)
                decided = (
                    _decisions(reader, doc, filters, tally)
                    if filters.suggestions
                    else ([] if asked.suggestions else None)
                )
                tally.suggestions += len(decided or ())
                notes = _comments(reader, doc.id) if has_comments else []
                seconds = _claim_seconds(reader, doc.id) if timed and claims else {}
                version = 1 + versions.get(doc.id, 0)
                anchors = _anchors(reader, doc.id) if version > 1 and claims else {}
                yield DocBundle(
                    doc,
                    entities,
                    claims,
                    states,
                    decided,
                    comments=notes,
                    clusters=groups,
                    claim_seconds=seconds,
                    version=version,
                    anchors=anchors,
                )
                done += 1
                tally.documents += 1
                tally.claims += len(claims)
                tally.entities += len(entities)
                tally.entity_labels.update(e.label for e in entities)
                if progress is not None:
                    progress(done, total)


# every column but the stored quote, which is taken from the text itself
_CLAIM_COLUMNS = ", ".join(f'"{name}"' for name in CLAIM_FIELDS if name != "quote")
_QUOTE, _START, _END = (CLAIM_FIELDS.index(name) for name in ("quote", "start", "end"))


def _claims(
    reader: _Reader, doc: Document, where: str, params: list[str], tally: Tally
) -> list[ClaimRow]:
    rows = reader.rows(
        f'select {_CLAIM_COLUMNS} from claims where doc_id = ?{where} order by start, "end", id',
        [doc.id, *params],
    )
    text = doc.text
    out: list[ClaimRow] = []
    for row in rows:
        start, end = row[_START], row[_END]
        if not 0 <= start < end <= len(text):
            tally.skipped.append(
                f"{doc.id}: claim {row[0]} [{start}, {end}) is outside the text (0..{len(text)})"
            )
            continue
        out.append(ClaimRow._make(row[:_QUOTE] + (text[start:end],) + row[_QUOTE:]))
    return out


_DECISION_COLUMNS = ", ".join(f'"{name}"' for name in DECISION_FIELDS)


def _decisions(reader: _Reader, doc: Document, filters: Filters, tally: Tally) -> list[Decision]:
    """The document's decided candidates under the filters, quotes taken from the text."""
    where, params = filters.decision_sql()
    rows = reader.rows(
        f"select {_DECISION_COLUMNS} from suggestions where doc_id = ?{where}"
        ' order by start, "end", id',
        [doc.id, *params],
    )
    text = doc.text
    out: list[Decision] = []
    for row in rows:
        decision = Decision(*row)
        start, end = decision.start, decision.end
        if not 0 <= start < end <= len(text):
            tally.skipped.append(
                f"{doc.id}: decided candidate {decision.id} [{start}, {end}) is outside the"
                f" text (0..{len(text)})"
            )
            continue
        out.append(replace(decision, quote=text[start:end]))
    return out


def _comments(reader: _Reader, doc_id: str) -> list[Comment]:
    return [comment_of_row(row) for row in reader.rows(DOC_COMMENTS, [doc_id])]


def _claim_seconds(reader: _Reader, doc_id: str) -> dict[str, float]:
    rows = reader.rows(
        "select t.claim_id, t.seconds from claim_time t join claims c on c.id = t.claim_id"
        " where c.doc_id = ?",
        [doc_id],
    )
    return {claim_id: float(seconds) for claim_id, seconds in rows}


def _anchors(reader: _Reader, doc_id: str) -> dict[str, dict[str, Any]]:
    """How the claims of an edited document were carried onto its current version
    (``annotations.store.versions``): those not placed exactly, by claim id."""
    rows = reader.rows(
        "select a.claim_id, a.kind, a.confidence, a.old_version, a.old_start, a.old_end,"
        " a.old_quote, a.flag from claim_anchors a join claims c on c.id = a.claim_id"
        " where c.doc_id = ?",
        [doc_id],
    )
    return {
        str(r[0]): {
            "kind": str(r[1]),
            "confidence": round(float(r[2]), 4),
            "old_version": int(r[3]),
            "old_start": int(r[4]),
            "old_end": int(r[5]),
            "old_quote": str(r[6]),
            "flag": str(r[7] or ""),
        }
        for r in rows
    }


def _states(reader: _Reader, doc_id: str, filters: Filters) -> list[DocState]:
    """Every annotator's status and stance for the document (only the annotators asked for)."""
    sql = "select annotator, status, stance, updated_at from doc_state where doc_id = ?"
    params: list[str] = [doc_id]
    if filters.annotator:
        sql += f" and annotator in ({', '.join('?' * len(filters.annotator))})"
        params += filters.annotator
    rows = reader.rows(sql + " order by annotator", params)
    return [
        DocState(str(a or ""), str(st or "todo"), str(sn or ""), str(u or ""))
        for a, st, sn, u in rows
    ]


def _entities(doc: Document, found: Iterable[Entity] | None, tally: Tally) -> list[Entity]:
    text = doc.text
    out: list[Entity] = []
    for e in found or ():
        if not 0 <= e.start < e.end <= len(text):
            tally.skipped.append(
                f"{doc.id}: entity {e.label} [{e.start}, {e.end}) is outside the text"
            )
            continue
        out.append(Entity(e.start, e.end, e.label, e.source, text[e.start : e.end]))
    out.sort(key=lambda e: (e.start, e.end, e.label))
    return out
