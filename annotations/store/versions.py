"""Article versions: a document's text replaced by an edited one, its annotations carried over.

News articles are edited after publication. ``new_version`` stores the edited text under the
same document id in ONE transaction: the old text goes to ``doc_versions``, ``documents`` gets
the new one, the machine entity cache is replaced, and every claim, entity correction and
decided candidate is re-anchored with ``annotations.reanchor`` (quote, context, position).

Why these rules:

- A claim is never deleted. Exact and moved claims keep their quote; a fuzzy one (its sentence
  was reworded) takes the new words and is flagged ``review``; a lost one (its words are gone)
  is flagged ``lost`` and put on the words the edit left in its place (``_lost_span``): never an
  empty span, because every reader, exporter and the export schema rely on a claim being
  non-empty, and a zero-width claim could not be seen or selected in the reader. Its old place
  and text are in ``claim_anchors`` (``old_quote``), shown and exported beside it, so
  ``text[start:end] == quote`` holds for every claim at all times.
- The changes are written to history as one batch by ``VERSION_AUTHOR``, not by the person
  importing: a version import cannot be undone (undo would put old offsets on the new text),
  so it must be on nobody's undo stack. An annotator's later undo of an earlier change to a
  claim the import moved is refused by history's conflict check (the claim changed since).
- Entity corrections follow like claims, but a lost one is deleted (history keeps it): a
  correction on words that are gone corrects nothing. A decided candidate follows only when
  its quote was found (exact or moved); otherwise the decision is deleted (history keeps it)
  and the suggester may propose the new words again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from annotations.model import CLAIM_FIELDS, Document, Entity, new_id, now_iso
from annotations.reanchor import CONTEXT, Placement, anchor, place
from annotations.reanchor_diff import EditMap
from annotations.store import dialect, history
from annotations.store.base import StoreError, Transaction
from annotations.store.claims import Claims

__all__ = [
    "VERSION_AUTHOR",
    "ClaimAnchor",
    "DocVersion",
    "Replaced",
    "Versions",
    "VersionResult",
]

VERSION_AUTHOR = "annotty-version"
"""Who history says re-anchored the claims: no person, so no one's undo takes it back."""

_CLAIM_COLUMNS = ", ".join(f'"{name}"' for name in CLAIM_FIELDS)
_ANCHOR_COLUMNS = (
    "claim_id, doc_version, kind, confidence, old_version, old_start, old_end, old_quote,"
    " flag, placed_at"
)


class DocVersion(NamedTuple):
    """One version of a document, as listed: its number, when it was imported, its length."""

    version: int
    imported_at: str
    chars: int


@dataclass(frozen=True, slots=True)
class ClaimAnchor:
    """How a claim was carried onto its document's newest version, when not exactly in place."""

    claim_id: str
    doc_version: int
    kind: str
    """moved, fuzzy or lost (``annotations.reanchor.Kind``)."""
    confidence: float
    old_version: int
    old_start: int
    old_end: int
    old_quote: str
    flag: str
    """"review" (its text changed), "lost" (placed where its words were) or "" (just moved)."""
    placed_at: str

    def as_json(self) -> dict[str, Any]:
        """What an export carries as the claim's ``anchor``."""
        return {
            "kind": self.kind,
            "confidence": round(self.confidence, 4),
            "old_version": self.old_version,
            "old_start": self.old_start,
            "old_end": self.old_end,
            "old_quote": self.old_quote,
            "flag": self.flag,
        }


@dataclass(frozen=True, slots=True)
class Replaced:
    """A claim the new version did not find exactly in place: where it was and where it went."""

    claim_id: str
    kind: str
    old_quote: str
    new_quote: str
    old_start: int
    start: int
    end: int


@dataclass
class VersionResult:
    """What ``new_version`` did to one document."""

    doc_id: str
    title: str
    version: int
    counts: dict[str, int] = field(default_factory=dict)
    """Claims per placement kind: exact, moved, fuzzy, lost."""
    changed: list[Replaced] = field(default_factory=list)
    """The claims that are not exactly where they were, in text order."""
    corrections_moved: int = 0
    corrections_dropped: int = 0
    decisions_dropped: int = 0


class Versions(Claims):
    """Earlier texts of documents and new versions imported over them."""

    def document_version_number(self, doc_id: str) -> int:
        """The current version of a document (1 until an edited text was imported)."""
        rows = self._rows("select count(*) as n from doc_versions where doc_id = ?", [doc_id])
        return 1 + int(rows[0]["n"])

    def document_versions(self, doc_id: str) -> list[DocVersion]:
        """Every version of a document, oldest first, the current one last."""
        rows = self._rows(
            "select version, imported_at, chars from doc_versions where doc_id = ?"
            " order by version",
            [doc_id],
        )
        doc = self._rows("select imported_at, chars from documents where id = ?", [doc_id])
        if not doc:
            raise StoreError(f"no document {doc_id!r}")
        out = [
            DocVersion(int(r["version"]), r["imported_at"] or "", int(r["chars"] or 0))
            for r in rows
        ]
        out.append(DocVersion(len(out) + 1, doc[0]["imported_at"] or "", int(doc[0]["chars"] or 0)))
        return out

    def document_version(self, doc_id: str, version: int) -> Document:
        """A document as it was at ``version`` (the current one for the newest number)."""
        current = self.document(doc_id)
        if version == self.document_version_number(doc_id):
            return current
        rows = self._rows(
            "select text, source, imported_at from doc_versions where doc_id = ? and version = ?",
            [doc_id, version],
        )
        if not rows:
            raise StoreError(f"document {doc_id!r} has no version {version}")
        r = rows[0]
        return Document(
            id=doc_id,
            title=current.title,
            text=r["text"],
            source=r["source"] or "",
            meta=current.meta,
            imported_at=r["imported_at"] or "",
        )

    def documents_from_sources(self, sources: Sequence[str]) -> dict[str, str]:
        """For each of ``sources`` (files as named on import) that a stored document came
        from, that document's id (the newest imported, if several): one query per 500."""
        wanted = list(dict.fromkeys(sources))
        out: dict[str, tuple[str, str]] = {}
        for i in range(0, len(wanted), 500):
            chunk = wanted[i : i + 500]
            rows = self._rows(
                "select id, source, imported_at from documents where source in"
                f" ({','.join('?' * len(chunk))})",
                chunk,
            )
            for r in rows:
                stamp = (str(r["imported_at"] or ""), str(r["id"]))
                if r["source"] not in out or stamp > out[r["source"]]:
                    out[str(r["source"])] = stamp
        return {source: stamp[1] for source, stamp in out.items()}

    def claim_anchors(self, doc_id: str | None = None) -> dict[str, ClaimAnchor]:
        """The claims (of one document, or all) not placed exactly on the latest re-anchoring."""
        cols = ", ".join(f"a.{c.strip()}" for c in _ANCHOR_COLUMNS.split(","))
        if doc_id is None:
            rows = self._rows(f"select {cols} from claim_anchors a")
        else:
            rows = self._rows(
                f"select {cols} from claim_anchors a join claims c on c.id = a.claim_id"
                " where c.doc_id = ?",
                [doc_id],
            )
        return {str(r["claim_id"]): _anchor(r) for r in rows}

    def clear_anchor_flag(self, claim_id: str) -> None:
        """A reviewer has looked at a flagged claim: it is no longer flagged (the record of
        where it came from stays)."""
        with self.transaction() as conn:
            conn.execute("update claim_anchors set flag = '' where claim_id = ?", (claim_id,))

    def new_version(
        self,
        doc_id: str,
        text: str,
        *,
        title: str | None = None,
        source: str | None = None,
        entities: Sequence[Entity] | None = None,
        recognizer: str = "",
    ) -> VersionResult | None:
        """Make ``text`` the current version of ``doc_id``, in one transaction; None (and
        nothing written) if the text is the one already stored. ``entities`` found by
        ``recognizer`` on the new text replace the cached ones (all cached runs are dropped:
        their offsets are into the old text)."""
        if "\x00" in text:
            raise StoreError("document text contains NUL characters (binary data?)")
        if not text.strip():
            raise StoreError("document text is empty")
        with self.transaction() as conn:
            row = conn.execute(
                "select text, source, chars, words, imported_at, title from documents where id = ?",
                (doc_id,),
            ).fetchone()
            if row is None:
                raise StoreError(f"no document {doc_id!r}")
            old_text, old_source, chars, words, imported_at, old_title = row
            if old_text == text:
                return None
            old_version = 1 + int(
                conn.execute(
                    "select count(*) from doc_versions where doc_id = ?", (doc_id,)
                ).fetchone()[0]
            )
            version = old_version + 1
            stamp = now_iso()
            conn.execute(
                "insert into doc_versions(doc_id, version, text, source, chars, words,"
                " imported_at) values (?, ?, ?, ?, ?, ?, ?)",
                (doc_id, old_version, old_text, old_source, chars, words, imported_at),
            )
            new_doc = Document(id=doc_id, title=title or old_title, text=text, source="")
            conn.execute(
                "update documents set text = ?, chars = ?, words = ?, imported_at = ?,"
                " title = ?, source = ? where id = ?",
                (
                    text,
                    len(text),
                    new_doc.words,
                    stamp,
                    title or old_title,
                    old_source if source is None else source,
                    doc_id,
                ),
            )
            self._replace_entities(conn, doc_id, entities, recognizer, stamp)
            result = VersionResult(doc_id, title or old_title, version)
            edits = EditMap.of(old_text, text)
            batch = new_id()
            self._carry_claims(conn, result, old_text, text, edits, old_version, stamp, batch)
            self._carry_spans(conn, result, "entity_edit", old_text, text, edits, batch)
            self._carry_spans(conn, result, "suggestion", old_text, text, edits, batch)
        with self._lock:
            self._texts.pop(doc_id, None)
        self._remember(doc_id, text, stamp)
        return result

    def _replace_entities(
        self,
        conn: Transaction,
        doc_id: str,
        entities: Sequence[Entity] | None,
        recognizer: str,
        stamp: str,
    ) -> None:
        conn.execute("delete from entities where doc_id = ?", (doc_id,))
        conn.execute("delete from entity_runs where doc_id = ?", (doc_id,))
        if entities is None or not recognizer:
            return
        conn.executemany(
            'insert into entities(doc_id, start, "end", label, source, recognizer)'
            " values (?, ?, ?, ?, ?, ?)",
            [(doc_id, e.start, e.end, e.label, e.source, recognizer) for e in entities],
        )
        conn.execute(
            "insert into entity_runs(doc_id, recognizer, count, computed_at) values (?, ?, ?, ?)",
            (doc_id, recognizer, len(entities), stamp),
        )

    def _carry_claims(
        self,
        conn: Transaction,
        result: VersionResult,
        old_text: str,
        text: str,
        edits: EditMap,
        old_version: int,
        stamp: str,
        batch: str,
    ) -> None:
        claims = dialect.dicts(
            conn,
            f'select {_CLAIM_COLUMNS} from claims where doc_id = ? order by start, "end", id',
            (result.doc_id,),
        )
        placements = _placements(old_text, text, edits, [(c["start"], c["end"]) for c in claims])
        earlier = _flagged(conn, result.doc_id)
        counts = dict.fromkeys(("exact", "moved", "fuzzy", "lost"), 0)
        logged: list[history.BatchEntry] = []
        anchors: list[tuple[Any, ...]] = []
        replaced: list[str] = []
        for claim, (placed, start, end) in zip(claims, placements, strict=True):
            counts[placed.kind] += 1
            quote = text[start:end]
            if placed.kind != "exact":
                replaced.append(claim["id"])
                flag = {"fuzzy": "review", "lost": "lost"}.get(placed.kind, "")
                # a claim still flagged from an earlier version keeps the text its annotator
                # chose (old_*) and its flag: the reviewer has not looked at it yet
                old = earlier.get(claim["id"])
                was = (
                    (old_version, claim["start"], claim["end"], claim["quote"])
                    if old is None
                    else (old.old_version, old.old_start, old.old_end, old.old_quote)
                )
                anchors.append(
                    (
                        claim["id"],
                        result.version,
                        placed.kind,
                        placed.confidence,
                        *was,
                        flag or (old.flag if old is not None else ""),
                        stamp,
                    )
                )
                result.changed.append(
                    Replaced(
                        claim["id"], placed.kind, claim["quote"], quote, claim["start"], start, end
                    )
                )
            if (start, end, quote) == (claim["start"], claim["end"], claim["quote"]):
                continue
            after = {**claim, "start": start, "end": end, "quote": quote, "updated_at": stamp}
            history.apply(conn, "claim", claim["id"], after)
            logged.append(
                (
                    claim["id"],
                    result.doc_id,
                    claim,
                    history.changed_fields(claim, after, *history.SPAN),
                )
            )
        # an earlier flag stays until someone clears it; a claim placed exactly loses only a
        # record that said it had merely moved
        ids = [c["id"] for c in claims]
        for i in range(0, len(ids), 500):
            chunk = ids[i : i + 500]
            conn.execute(
                f"delete from claim_anchors where flag = '' and claim_id in"
                f" ({','.join('?' * len(chunk))})",
                chunk,
            )
        for i in range(0, len(replaced), 500):
            chunk = replaced[i : i + 500]
            conn.execute(
                f"delete from claim_anchors where claim_id in ({','.join('?' * len(chunk))})",
                chunk,
            )
        conn.executemany(
            f"insert into claim_anchors({_ANCHOR_COLUMNS}) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            anchors,
        )
        if logged:
            history.record_batch(conn, VERSION_AUTHOR, "update", "claim", logged, batch)
        result.counts = counts

    def _carry_spans(
        self,
        conn: Transaction,
        result: VersionResult,
        kind: str,
        old_text: str,
        text: str,
        edits: EditMap,
        batch: str,
    ) -> None:
        """Entity corrections (``entity_edit``) or decided candidates (``suggestion``)."""
        table = history.table(kind)
        cols = ", ".join(f'"{c}"' for c in table.columns)
        rows = dialect.dicts(
            conn,
            f'select {cols} from "{table.name}" where doc_id = ? order by start, "end"',
            (result.doc_id,),
        )
        placed = _reanchor(old_text, text, edits, [(r["start"], r["end"]) for r in rows])
        keeps = ("exact", "moved", "fuzzy") if kind == "entity_edit" else ("exact", "moved")
        taken: set[tuple[int, int]] = set()
        updates: list[history.BatchEntry] = []
        deletes: list[history.BatchEntry] = []
        for row, where in zip(rows, placed, strict=True):
            if where.start is None or where.end is None or where.kind not in keeps:
                deletes.append((row["id"], result.doc_id, row, None))
                continue
            span = (where.start, where.end)
            if kind == "entity_edit" and span in taken:  # two corrections met on one span
                deletes.append((row["id"], result.doc_id, row, None))
                continue
            taken.add(span)
            after = {**row, "start": span[0], "end": span[1], "quote": text[span[0] : span[1]]}
            if after != row:
                updates.append((row["id"], result.doc_id, row, after))
        # delete every changed row first, then write the moved ones: a span a correction moves
        # to may still be held by another that has not moved yet (a unique index)
        for item_id, _, _, _ in [*updates, *deletes]:
            history.apply(conn, kind, item_id, None)
        for item_id, _, _, moved in updates:
            history.apply(conn, kind, item_id, moved)
        if updates:
            history.record_batch(
                conn,
                VERSION_AUTHOR,
                "update",
                kind,
                [
                    (i, d, b, history.changed_fields(b or {}, a or {}, *history.SPAN))
                    for i, d, b, a in updates
                ],
                batch,
            )
        if deletes:
            history.record_batch(conn, VERSION_AUTHOR, "delete", kind, deletes, batch)
        if kind == "entity_edit":
            result.corrections_moved = len(updates)
            result.corrections_dropped = len(deletes)
        else:
            result.decisions_dropped = len(deletes)


def _placements(
    old_text: str, text: str, edits: EditMap, spans: list[tuple[int, int]]
) -> list[tuple[Placement, int, int]]:
    """Each span's placement and the non-empty span it gets in ``text``."""
    out: list[tuple[Placement, int, int]] = []
    for placed in _reanchor(old_text, text, edits, spans):
        if placed.start is not None and placed.end is not None and placed.end > placed.start:
            out.append((placed, placed.start, placed.end))
            continue
        lost = Placement(placed.anchor, "lost", None, None, 0.0)
        start, end = _lost_span(text, edits, placed.anchor.start, placed.anchor.end)
        out.append((lost, start, end))
    return out


def _reanchor(
    old_text: str, text: str, edits: EditMap, spans: list[tuple[int, int]]
) -> list[Placement]:
    """``annotations.reanchor.reanchor`` with the diff already made (one per new version)."""
    return [place(anchor(old_text, start, end), text, edits) for start, end in spans]


def _lost_span(text: str, edits: EditMap, old_start: int, old_end: int) -> tuple[int, int]:
    """Where a lost span goes: what the edit put in its place (at most as long as it was, plus
    a context), else the word nearest that place, so the claim stays non-empty and visible
    where its words were."""
    start = min(edits.start(old_start), len(text))
    end = min(max(edits.end(old_end), start), len(text), start + (old_end - old_start) + CONTEXT)
    if end > start:
        return start, end
    # the word just before the place (the deleted words' sentence), else the next, else any
    i = j = start - 1 if start > 0 and not text[start - 1].isspace() else min(start, len(text) - 1)
    while j < len(text) and text[j].isspace():
        j += 1
    if j == len(text):
        j = i
        while j > 0 and text[j].isspace():
            j -= 1
    start, end = j, j + 1
    while start > 0 and not text[start - 1].isspace():
        start -= 1
    while end < len(text) and not text[end].isspace():
        end += 1
    return start, end


def _flagged(conn: Transaction, doc_id: str) -> dict[str, ClaimAnchor]:
    """Inside the transaction: the document's claims still flagged from an earlier version."""
    cols = ", ".join(f"a.{c.strip()}" for c in _ANCHOR_COLUMNS.split(","))
    rows = dialect.dicts(
        conn,
        f"select {cols} from claim_anchors a join claims c on c.id = a.claim_id"
        " where c.doc_id = ? and a.flag <> ''",
        (doc_id,),
    )
    return {str(r["claim_id"]): _anchor(r) for r in rows}


def _anchor(r: dict[str, Any]) -> ClaimAnchor:
    return ClaimAnchor(
        claim_id=str(r["claim_id"]),
        doc_version=int(r["doc_version"]),
        kind=str(r["kind"]),
        confidence=float(r["confidence"]),
        old_version=int(r["old_version"]),
        old_start=int(r["old_start"]),
        old_end=int(r["old_end"]),
        old_quote=str(r["old_quote"]),
        flag=str(r["flag"] or ""),
        placed_at=str(r["placed_at"] or ""),
    )
