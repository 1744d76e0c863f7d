"""Merging annotty databases from different machines into one team database.

Documents are matched by content (``content_id`` of the text), whatever id each machine gave
them. Claims keep their ids (uuid4, unique across machines), their annotator and their whole
history. Each claim ends up in the state of its most recent change anywhere (last writer wins,
by the time of the change in the history log: an undo done later beats the edit it undid; a
delete done later beats an older copy). Ties are broken by comparing the states themselves, so
the result does not depend on the order of the sources, and merging the same database twice
changes nothing: history rows already present are recognised by their content, and equal states
are not rewritten.

The target is written one document per transaction, so annotators working live on the team
database wait milliseconds, not the whole merge; an interrupted merge is finished by running it
again. Each annotator's document status and stance merge separately, the more recently set of
each winning (``status_at``/``stance_at``, else ``updated_at`` for a value that is not the
default): opening a document on a laptop must not undo "done" set on the server. Machine entities
keep the newer run; settings stay local to each database. Candidate decisions merge like entity
corrections (the newest state anywhere, one per span); suggester models are copied once each,
matched by name, creation time and params, a clashing version number taking the next free one.

Assignments merge like claims, one item per (document, annotator): a pair only one side has
is added, and where both have it the more recent change wins (an assignment undone later stays
undone); their history rows name the item by its document, so they are rewritten with it.

Each source and the target is an SQLite file or a ``postgresql://`` URL: everything goes through
``Store`` (a source is read in one snapshot), so any backend merges into any other.

History rows of the source are untrusted (undo replays them here): each is checked by
``history_check`` and a bad one is reported with its file (or URL, without its password) and
seq and left out.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from annotations import strict_json
from annotations.errors import InputError
from annotations.model import content_id
from annotations.store import Store, dialect, history, history_check
from annotations.store import sqlite as dbmod
from annotations.store.pg_url import redact

HistoryKey = tuple[Any, ...]
Version = tuple[str, "dict[str, Any] | None"]  # (time of the last change, the state; None = gone)
Conn = Any
"""A connection of either backend (``sqlite3.Connection`` or the PostgreSQL one): both run the
store's SQL text and give cursors of plain tuples."""


@dataclass
class MergeReport:
    """What merging one source did to the target."""

    source: str
    documents_added: int = 0
    documents_matched: int = 0
    claims_added: int = 0
    claims_updated: int = 0
    claims_deleted: int = 0
    history_added: int = 0
    statuses: int = 0
    entity_edits: int = 0
    suggestions: int = 0
    """Candidate decisions added, changed or removed."""
    models: int = 0
    """Suggester models added."""
    assignments: int = 0
    """Assignments added, changed or removed."""
    comments: int = 0
    """Comments added or changed (resolved, edited) or removed."""
    links: int = 0
    """Links between claims ("the same claim") added or removed."""
    times: int = 0
    """Claims' and documents' time on task taken from the source (the larger count wins)."""
    problems: list[str] = field(default_factory=list)
    """One line per source row left out (file, history seq, why)."""

    @property
    def changed(self) -> bool:
        return bool(
            self.documents_added
            or self.claims_added
            or self.claims_updated
            or self.claims_deleted
            or self.history_added
            or self.statuses
            or self.entity_edits
            or self.suggestions
            or self.models
            or self.assignments
            or self.comments
            or self.links
            or self.times
        )


def merge_databases(
    sources: Sequence[str | Path], output: str | Path, annotator: str | None = None
) -> list[MergeReport]:
    """Merge every source database into ``output`` (created if missing, migrated); one report
    each. Each is a file path or a ``postgresql://`` URL (given as ``str``)."""
    target = Store(database(output), annotator=annotator)
    try:
        merger = DatabaseMerger(target)
        return [merger.merge_from(src) for src in sources]
    finally:
        target.close()


def database(given: str | Path) -> str | Path:
    """A server URL as it is (``Path`` would mangle it), else the file path."""
    if isinstance(given, str) and dbmod.is_url(given):
        return given
    return Path(given)


def shown(given: str | Path) -> str:
    """How a database is named in reports: the file, or the URL without its password."""
    where = database(given)
    return redact(where) if isinstance(where, str) else str(where)


def _rows(conn: Conn, sql: str, params: tuple[Any, ...] = ()) -> Iterator[dict[str, Any]]:
    """Rows as dicts, without the columns PostgreSQL derives (``dialect.DERIVED``: the local
    import order, the search vector), which are never copied or compared."""
    cur = conn.execute(sql, params)
    names = [c[0] for c in cur.description]
    for row in cur:
        yield {k: v for k, v in zip(names, row, strict=True) if k not in dialect.DERIVED}


def _columns(conn: Conn, table: str) -> list[str]:
    """The data columns of ``table`` (a fixed name); [] when it does not exist."""
    if table not in dialect.table_names(conn):
        return []
    return dialect.columns(conn, table)


def _canonical(state: dict[str, Any] | None) -> str:
    return "" if state is None else json.dumps(state, sort_keys=True, ensure_ascii=False)


def _key(entry: dict[str, Any]) -> HistoryKey:
    """A history row's identity across databases (``seq`` is local, the content is not)."""
    return (
        entry["at"],
        entry["annotator"],
        entry["action"],
        entry["kind"],
        entry["item_id"],
        entry["before"],
        entry["after"],
    )


class DatabaseMerger:
    """Merges sources into one open target store, remembering documents between sources."""

    def __init__(self, target: Store) -> None:
        self.target = target
        with target.reading() as conn:
            self.by_content = {
                content_id(text): doc_id
                for doc_id, text in conn.execute("select id, text from documents")
            }
            self.ids = set(self.by_content.values())
            self.annotators = {r[0] for r in conn.execute("select distinct annotator from history")}
            self.columns = {
                t: _columns(conn, t)
                for t in (
                    "documents",
                    "claims",
                    "history",
                    "doc_state",
                    "entities",
                    "entity_edits",
                    "suggestions",
                    "suggest_models",
                    "assignments",
                    "comments",
                    "claim_links",
                    "claim_time",
                    "doc_time",
                )
            }

    def _is_target(self, where: str | Path) -> bool:
        """Whether a source is the target itself (merging it would change nothing)."""
        if isinstance(where, str):
            return self.target.url is not None and redact(self.target.url) == redact(where)
        return (
            self.target.path is not None
            and self.target.path.exists()
            and os.path.samefile(where, self.target.path)
        )

    def merge_from(self, given: str | Path) -> MergeReport:
        """Merge one database (a file, or a server URL given as ``str``) into the target."""
        where = database(given)
        report = MergeReport(shown(where))
        if isinstance(where, Path) and not where.is_file():
            raise InputError(where, "no such database file")
        if self._is_target(where):
            return report
        # Only read (an empty file stays empty): no integrity check, damage shows when read.
        store = Store(where, annotator=self.target.annotator, create=False, background_check=False)
        try:
            with store.reading() as source, dialect.snapshot(source):
                history_rows = source.execute("select distinct annotator from history")
                annotators = [r[0] for r in history_rows.fetchall()]
                self.annotators.update(annotators)
                docs = source.execute("select id, text from documents order by imported_at, rowid")
                for doc_id, text in docs:
                    self._document(source, doc_id, text, annotators, report)
                self._models(source, report)
            return report
        finally:
            store.close()

    # -- one document, one transaction -------------------------------------------------------
    def _document(
        self,
        source: Conn,
        src_id: str,
        text: str,
        annotators: list[str],
        report: MergeReport,
    ) -> None:
        digest = content_id(text)
        with self.target.transaction() as conn:
            tid = self.by_content.get(digest)
            if tid is None:
                tid = self._new_id(src_id, digest)
                row = next(_rows(source, "select * from documents where id = ?", (src_id,)))
                self._insert(conn, "documents", {**row, "id": tid})
                self.by_content[digest], report.documents_added = tid, report.documents_added + 1
                self.ids.add(tid)
            else:
                report.documents_matched += 1

            def remap(state: str | None) -> str | None:
                return state if tid == src_id else _redoc(state, tid)

            logs = self._claims(conn, source, src_id, tid, annotators, remap, report)
            self._statuses(conn, source, src_id, tid, report)
            self._entities(conn, source, src_id, tid)
            report.assignments += self._assignments(conn, source, src_id, tid, logs, report)
            report.comments += self._logged(conn, source, logs, _COMMENT, "comments", tid, src_id)
            report.links += self._logged(conn, source, logs, _LINK, "claim_links", tid, src_id)
            report.times += self._times(conn, source, src_id, tid)

    def _new_id(self, src_id: str, digest: str) -> str:
        """The source's id if free here, else the content hash, else the hash numbered."""
        for candidate in (src_id, digest):
            if candidate not in self.ids:
                return candidate
        n = 2
        while f"{digest}-{n}" in self.ids:
            n += 1
        return f"{digest}-{n}"

    def _claims(
        self,
        conn: Conn,
        source: Conn,
        src_id: str,
        tid: str,
        annotators: list[str],
        remap: Callable[[str | None], str | None],
        report: MergeReport,
    ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """Copy missing history rows, then bring each claim to its newest state anywhere.
        Returns both histories of the document (here, and the source's as it is added)."""
        mine_log = self._history(conn, tid, sorted(self.annotators))
        keyed: list[tuple[Any, str]] = []
        rows = _keyed_items(self._history(source, src_id, annotators), src_id, tid, keyed)
        checked, problems = history_check.check(rows, src_id)
        report.problems.extend(
            f"{report.source}: history row {seq}: {why}; left out"
            for seq, why in sorted(keyed + problems, key=lambda p: _seq_order(p[0]))
        )
        theirs_log = [
            {
                **e,
                "doc_id": tid,
                "item_id": e.get("new_item_id", e["item_id"]),
                "before": remap(e["before"]),
                "after": remap(e["after"]),
            }
            for e in checked
        ]
        mine = {r["id"]: r for r in _rows(conn, "select * from claims where doc_id = ?", (tid,))}
        theirs = {
            r["id"]: {**r, "doc_id": tid}
            for r in _rows(source, "select * from claims where doc_id = ?", (src_id,))
        }
        mine_v = _versions(mine_log, mine, "claim")
        theirs_v = _versions(theirs_log, theirs, "claim")

        seqs = {_key(e): e["seq"] for e in mine_log}
        keys = {e["seq"]: _key(e) for e in theirs_log}
        cols = [c for c in self.columns["history"] if c != "seq"]
        sql = (
            f"insert into history({', '.join(cols)}) values ({', '.join('?' for _ in cols)})"
            " returning seq"
        )
        for entry in theirs_log:
            key = keys[entry["seq"]]
            if key in seqs:
                continue
            if entry.get("ref") is not None:  # undo/redo point at a row: its seq here
                entry["ref"] = seqs.get(keys.get(entry["ref"], ()))
            seqs[key] = conn.execute(sql, [entry.get(c) for c in cols]).fetchone()[0]
            report.history_added += 1

        for item_id, version in theirs_v.items():
            if not _newer(version, mine_v.get(item_id, ("", None))):
                continue
            state = theirs.get(item_id)
            if state is None and item_id not in mine:
                continue
            history.apply(conn, "claim", item_id, _only(state, self.columns["claims"]))
            if state is None:
                report.claims_deleted += 1
            elif item_id in mine:
                report.claims_updated += 1
            else:
                report.claims_added += 1
        logs = (mine_log, theirs_log)
        report.entity_edits += self._by_span(conn, source, src_id, tid, logs, _EDIT)
        report.suggestions += self._by_span(conn, source, src_id, tid, logs, _DECISION)
        return logs

    def _assignments(
        self,
        conn: Conn,
        source: Conn,
        src_id: str,
        tid: str,
        logs: tuple[list[dict[str, Any]], list[dict[str, Any]]],
        report: MergeReport,
    ) -> int:
        """Who is assigned the document: each (document, annotator) pair in its newest state
        anywhere, as claims are (a pair only the source has is added; one the source's
        history removed later than it was set here is removed). Returns how many changed."""
        columns = self.columns["assignments"]
        if not columns or not _columns(source, "assignments"):
            return 0  # a database from before assignments existed has none to bring
        mine = {
            history.item_id_of(_ASSIGNMENT, r): r
            for r in _rows(conn, "select * from assignments where doc_id = ?", (tid,))
        }
        theirs: dict[str, dict[str, Any]] = {}
        for row in _rows(source, "select * from assignments where doc_id = ?", (src_id,)):
            row = {**row, "doc_id": tid}
            if not isinstance(row.get("annotator"), str) or history.KEY_SEP in row["annotator"]:
                who = str(row.get("annotator"))[:40]
                report.problems.append(
                    f"{report.source}: assignment of {src_id!r} to {who!r}: not an annotator's"
                    " name; left out"
                )
                continue
            theirs[history.item_id_of(_ASSIGNMENT, row)] = row
        mine_log, theirs_log = logs
        mine_v = _versions(mine_log, mine, _ASSIGNMENT)
        theirs_v = _versions(theirs_log, theirs, _ASSIGNMENT)
        changed = 0
        for item_id, version in sorted(theirs_v.items()):
            if not _newer(version, mine_v.get(item_id, ("", None))):
                continue
            state = theirs.get(item_id)
            if state is None and item_id not in mine:
                continue
            try:
                history.apply(conn, _ASSIGNMENT, item_id, _only(state, columns))
            except history.HistoryError as exc:  # a damaged row: say so, merge the rest
                report.problems.append(
                    f"{report.source}: assignment {item_id.replace(history.KEY_SEP, '/')!r}:"
                    f" {exc}; left out"
                )
                continue
            changed += 1
        return changed

    def _logged(
        self,
        conn: Conn,
        source: Conn,
        logs: tuple[list[dict[str, Any]], list[dict[str, Any]]],
        kind: str,
        name: str,
        tid: str,
        src_id: str,
    ) -> int:
        """Items that only history names by their own id (comments, links between claims):
        each item the source's history of the document touched, in its newest state anywhere
        (last writer wins, as for claims). Returns how many changed here."""
        columns = self.columns.get(name)
        if not columns or not _columns(source, name):
            return 0  # a database from before issue 16 has none to bring
        mine_log, theirs_log = logs
        items = sorted({e["item_id"] for e in theirs_log if e["kind"] == kind})
        mine = {i: history.current(conn, kind, i) for i in items}
        theirs = {i: _moved(history.current(source, kind, i), src_id, tid) for i in items}
        mine_v = _versions(mine_log, {i: r for i, r in mine.items() if r is not None}, kind)
        theirs_v = _versions(theirs_log, {i: r for i, r in theirs.items() if r is not None}, kind)
        changed = 0
        for item_id in items:
            if not _newer(theirs_v[item_id], mine_v.get(item_id, ("", None))):
                continue
            state = theirs[item_id]
            if state is None and mine[item_id] is None:
                continue
            history.apply(conn, kind, item_id, _only(state, columns))
            changed += 1
        return changed

    def _times(self, conn: Conn, source: Conn, src_id: str, tid: str) -> int:
        """Time on task for this document's claims and the document itself: a measurement, not
        history, so the larger count wins (a database copied from the other has the same one;
        adding them would count those seconds twice). Returns how many rows changed here."""
        if not self.columns.get("claim_time") or not _columns(source, "claim_time"):
            return 0
        changed = 0
        theirs = _rows(
            source,
            "select t.claim_id, t.annotator, t.seconds, t.updated_at from claim_time t"
            " join claims c on c.id = t.claim_id where c.doc_id = ?",
            (src_id,),
        )
        for row in theirs:
            if conn.execute("select 1 from claims where id = ?", (row["claim_id"],)).fetchone():
                changed += _larger(conn, "claim_time", ("claim_id",), row)
        for row in _rows(source, "select * from doc_time where doc_id = ?", (src_id,)):
            changed += _larger(conn, "doc_time", ("doc_id", "annotator"), {**row, "doc_id": tid})
        return changed

    def _by_span(
        self,
        conn: Conn,
        source: Conn,
        src_id: str,
        tid: str,
        logs: tuple[list[dict[str, Any]], list[dict[str, Any]]],
        kind: str,
    ) -> int:
        """Entity corrections and candidate decisions, like claims: the newest state of each
        anywhere. One per span: where two databases corrected (or decided) the same span, the
        newer one stays. Returns how many items changed here."""
        mine_log, theirs_log = logs
        table = history.table(kind).name  # a fixed name from the registry, never from data
        columns = self.columns[table]
        if not columns or not _columns(source, table):
            return 0  # a database from before the table existed has nothing to bring
        changed = 0
        mine = {
            r["id"]: r for r in _rows(conn, f'select * from "{table}" where doc_id = ?', (tid,))
        }
        theirs = {
            r["id"]: {**r, "doc_id": tid}
            for r in _rows(source, f'select * from "{table}" where doc_id = ?', (src_id,))
        }
        mine_v = _versions(mine_log, mine, kind)
        theirs_v = _versions(theirs_log, theirs, kind)
        for item_id, version in sorted(theirs_v.items()):
            if not _newer(version, mine_v.get(item_id, ("", None))):
                continue
            state = theirs.get(item_id)
            if state is None and item_id not in mine:
                continue
            if state is not None:
                clash = conn.execute(
                    f'select id from "{table}" where doc_id = ? and start = ?'
                    ' and "end" = ? and id != ?',
                    (tid, state["start"], state["end"], item_id),
                ).fetchone()
                if clash is not None:
                    if not _newer(version, mine_v.get(clash[0], ("", None))):
                        continue
                    history.apply(conn, kind, clash[0], None)
            history.apply(conn, kind, item_id, _only(state, columns))
            changed += 1
        return changed

    def _models(self, source: Conn, report: MergeReport) -> None:
        """Suggester models, matched by (name, creation time, params): one already here is
        skipped; another keeps its version if free here, else takes the next one, so no
        model is lost and none is stored twice."""
        if not self.columns["suggest_models"] or not _columns(source, "suggest_models"):
            return
        theirs = list(
            _rows(source, "select * from suggest_models order by name, version")  # small
        )
        if not theirs:
            return
        with self.target.transaction() as conn:
            for row in theirs:
                why = _model_problem(row)
                if why:
                    name, version = str(row.get("name"))[:40], row.get("version")
                    report.problems.append(
                        f"{report.source}: suggester model {name!r} version {version}: {why};"
                        " left out"
                    )
                    continue
                same = conn.execute(
                    "select 1 from suggest_models where name = ? and created_at is ?"
                    " and params = ?",
                    (row["name"], row.get("created_at"), row["params"]),
                ).fetchone()
                if same is not None:
                    continue
                taken = conn.execute(
                    "select 1 from suggest_models where name = ? and version = ?",
                    (row["name"], row.get("version")),
                ).fetchone()
                version = row.get("version")
                if taken is not None or not isinstance(version, int):
                    (top,) = conn.execute(
                        "select coalesce(max(version), 0) from suggest_models where name = ?",
                        (row["name"],),
                    ).fetchone()
                    version = int(top) + 1
                self._insert(conn, "suggest_models", {**row, "version": version})
                report.models += 1

    @staticmethod
    def _history(conn: Conn, doc_id: str, annotators: list[str]) -> list[dict[str, Any]]:
        """A document's history in order, through the (annotator, doc_id) index."""
        if not annotators:
            return []
        marks = ", ".join("?" for _ in annotators)
        return list(
            _rows(
                conn,
                f"select * from history where annotator in ({marks}) and doc_id = ? order by seq",
                (*annotators, doc_id),
            )
        )

    def _statuses(
        self,
        conn: Conn,
        source: Conn,
        src_id: str,
        tid: str,
        report: MergeReport,
    ) -> None:
        """Each annotator's status and stance of the document: the more recently set of each
        wins, separately; the reading position follows the newer row."""
        for row in _rows(source, "select * from doc_state where doc_id = ?", (src_id,)):
            row = {**row, "doc_id": tid}
            here = next(
                _rows(
                    conn,
                    "select * from doc_state where doc_id = ? and annotator = ?",
                    (tid, row["annotator"]),
                ),
                None,
            )
            if here is None:
                self._insert(conn, "doc_state", row)
                report.statuses += 1
                continue
            merged = dict(here)
            for name, stamp, default in _DOC_FIELDS:
                theirs, mine = (
                    _set_at(row, name, stamp, default),
                    _set_at(here, name, stamp, default),
                )
                if (theirs, str(row.get(name) or "")) > (mine, str(here.get(name) or "")):
                    merged[name], merged[stamp] = row.get(name), theirs or None
            if (row.get("updated_at") or "") > (here.get("updated_at") or ""):
                merged["position"], merged["updated_at"] = row.get("position"), row["updated_at"]
            if merged == here:
                continue
            cols = [
                c
                for c in ("status", "stance", "status_at", "stance_at", "position", "updated_at")
                if c in self.columns["doc_state"]
            ]
            conn.execute(
                f"update doc_state set {', '.join(f'{c} = ?' for c in cols)}"
                " where doc_id = ? and annotator = ?",
                [*(merged.get(c) for c in cols), tid, row["annotator"]],
            )
            report.statuses += 1

    def _entities(self, conn: Conn, source: Conn, src_id: str, tid: str) -> None:
        """Machine entities are a cache: keep the newer run of each recognizer."""
        for run in _rows(source, "select * from entity_runs where doc_id = ?", (src_id,)):
            here = conn.execute(
                "select computed_at from entity_runs where doc_id = ? and recognizer = ?",
                (tid, run["recognizer"]),
            ).fetchone()
            if here is not None and (here[0] or "") >= (run["computed_at"] or ""):
                continue
            conn.execute(
                "delete from entities where doc_id = ? and recognizer = ?", (tid, run["recognizer"])
            )
            for ent in _rows(
                source,
                "select * from entities where doc_id = ? and recognizer = ?",
                (src_id, run["recognizer"]),
            ):
                ent.pop("id", None)
                self._insert(conn, "entities", {**ent, "doc_id": tid})
            conn.execute(
                "insert into entity_runs(doc_id, recognizer, count, computed_at)"
                " values (?, ?, ?, ?) on conflict (doc_id, recognizer) do update set"
                " count = excluded.count, computed_at = excluded.computed_at",
                (tid, run["recognizer"], run["count"], run["computed_at"]),
            )

    def _insert(self, conn: Conn, table: str, row: dict[str, Any]) -> None:
        cols = [c for c in self.columns.get(table, list(row)) if c in row]
        names = ", ".join(f'"{c}"' for c in cols)
        marks = ", ".join("?" for _ in cols)
        conn.execute(f'insert into "{table}"({names}) values ({marks})', [row[c] for c in cols])


_DOC_FIELDS = (("status", "status_at", "todo"), ("stance", "stance_at", ""))


def _set_at(row: dict[str, Any], name: str, stamp: str, default: str) -> str:
    """When the field was set: its own time, else the row's for a value other than the default
    (rows from before those times were kept, or from an import), else never ("")."""
    if row.get(stamp):
        return str(row[stamp])
    return str(row.get("updated_at") or "") if (row.get(name) or default) != default else ""


_EDIT = "entity_edit"
_DECISION = "suggestion"
_ASSIGNMENT = "assignment"
_COMMENT = "comment"
_LINK = "claim_link"
_TIMES = {
    "claim_time": "insert into claim_time(claim_id, annotator, seconds, updated_at)"
    " values (?, ?, ?, ?) on conflict (claim_id) do update set seconds = excluded.seconds,"
    " updated_at = excluded.updated_at",
    "doc_time": "insert into doc_time(doc_id, annotator, seconds, updated_at)"
    " values (?, ?, ?, ?) on conflict (doc_id, annotator) do update set"
    " seconds = excluded.seconds, updated_at = excluded.updated_at",
}


def _larger(conn: Conn, table: str, key: tuple[str, ...], row: dict[str, Any]) -> int:
    """Write ``row``'s seconds into ``table`` (our own names) unless what is here is as large."""
    where = " and ".join(f"{k} = ?" for k in key)
    here = conn.execute(f"select seconds from {table} where {where}", [row[k] for k in key])
    found = here.fetchone()
    seconds = float(row["seconds"] or 0)
    if found is not None and float(found[0] or 0) >= seconds:
        return 0
    first = "claim_id" if table == "claim_time" else "doc_id"
    conn.execute(_TIMES[table], (row[first], row["annotator"], seconds, row["updated_at"]))
    return 1


def _moved(state: dict[str, Any] | None, src_id: str, tid: str) -> dict[str, Any] | None:
    """A comment of a document that has another id here: its document, and a document's or
    adjudication item's thread, named by that id."""
    if state is None or src_id == tid or "doc_id" not in state:
        return state
    moved = {**state, "doc_id": tid}
    item = str(state.get("item_id", ""))
    if state.get("kind") == "document" and item == src_id:
        moved["item_id"] = tid
    elif state.get("kind") == "adjudication" and item.startswith(f"{src_id}:"):
        moved["item_id"] = tid + item[len(src_id) :]
    return moved


def _keyed_items(
    rows: list[dict[str, Any]], src_id: str, tid: str, problems: list[tuple[Any, str]]
) -> list[dict[str, Any]]:
    """History rows whose item is named by its document (an assignment: document, annotator)
    get the item id it has here (``new_item_id``); one naming another document is a problem
    (undo here would touch that document), left out before the rest is checked."""
    out = []
    for row in rows:
        try:
            t = history.table(row.get("kind"))  # type: ignore[arg-type]
        except history.HistoryError:
            out.append(row)  # history_check reports it
            continue
        if not t.key or "doc_id" not in t.key or not isinstance(row.get("item_id"), str):
            out.append(row)
            continue
        try:
            _, parts = history.item_where(row["kind"], row["item_id"])
        except history.HistoryError as exc:
            problems.append((row.get("seq"), str(exc)))
            continue
        at = t.key.index("doc_id")
        if parts[at] != src_id:
            problems.append((row.get("seq"), f"an {row['kind']} of another document"))
            continue
        parts[at] = tid
        out.append({**row, "new_item_id": history.KEY_SEP.join(str(p) for p in parts)})
    return out


def _seq_order(seq: Any) -> tuple[int, str]:
    return (seq, "") if isinstance(seq, int) else (0, str(seq))


def _versions(
    log: list[dict[str, Any]], rows: dict[str, dict[str, Any]], kind: str
) -> dict[str, Version]:
    """Each item's (time of its last change, current state) in one database."""
    last: dict[str, str] = {}
    for entry in log:
        if entry["kind"] == kind:
            last[entry["item_id"]] = max(last.get(entry["item_id"], ""), entry["at"] or "")
    out: dict[str, Version] = {item: (at, rows.get(item)) for item, at in last.items()}
    for item, row in rows.items():
        set_at = row.get("updated_at") or row.get("decided_at") or row.get("assigned_at")
        out.setdefault(item, (str(set_at or ""), row))
    return out


def _newer(theirs: Version, mine: Version) -> bool:
    """Last writer wins; on a tie of times the larger state (as canonical JSON) wins, so the
    outcome is the same whichever database is merged first."""
    if theirs[0] != mine[0]:
        return theirs[0] > mine[0]
    return theirs[1] != mine[1] and _canonical(theirs[1]) > _canonical(mine[1])


def _redoc(raw: str | None, doc_id: str) -> str | None:
    """A history state with its document id rewritten (the document has another id here)."""
    if raw is None:
        return None
    state = json.loads(raw)
    if isinstance(state, dict) and "doc_id" in state:
        state["doc_id"] = doc_id
    return json.dumps(state, ensure_ascii=False)


def _model_problem(row: dict[str, Any]) -> str:
    """Why a source's model row may not be copied ("" if it may): it needs a name and params
    that are a strict JSON object (``latest_model`` would refuse anything else later)."""
    if not isinstance(row.get("name"), str) or not row["name"]:
        return "no name"
    raw = row.get("params")
    try:
        params = strict_json.loads(raw) if isinstance(raw, str) else None
    except ValueError as exc:
        return str(exc)
    return "" if isinstance(params, dict) else "params that are not a JSON object"


def _only(state: dict[str, Any] | None, columns: list[str]) -> dict[str, Any] | None:
    return None if state is None else {k: v for k, v in state.items() if k in columns}
