"""Documents: imported texts, their ids (content hashes) and counts, and exact quotes."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from typing import Any, NamedTuple

from annotations.model import Document, DocumentSummary, Entity, content_id, now_iso
from annotations.store.base import StoreBase, StoreError

_DOC_COLUMNS = "id, title, source, text, meta, chars, words, imported_at"
_DOC_CHUNK = 500  # documents per multi-row insert: 4,000 parameters, well under the limits


class DocumentName(NamedTuple):
    """What names a document on the command line: its id, title and source file."""

    id: str
    title: str
    source: str


class Documents(StoreBase):
    """Documents and their texts (texts never change: an id is its content hash)."""

    def add_document(
        self,
        text: str,
        title: str,
        source: str = "",
        meta: dict[str, Any] | None = None,
        doc_id: str | None = None,
    ) -> tuple[Document, bool]:
        """Store a document unless the same text is already there; returns it and whether new."""
        if "\x00" in text:
            raise StoreError("document text contains NUL characters (binary data?)")
        try:
            text.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise StoreError(
                f"document text has an unpaired surrogate at {exc.start}: not valid Unicode text"
            ) from None
        doc_id = doc_id or content_id(text)
        existing = self.find_document(doc_id)
        if existing is not None:
            return existing, False
        doc = Document(
            id=doc_id, title=title, text=text, source=source, meta=meta or {}, imported_at=now_iso()
        )
        with self.transaction() as conn:
            # "do nothing": another process may import the same text meanwhile
            inserted = conn.execute(
                f"insert into documents({_DOC_COLUMNS}) values (?, ?, ?, ?, ?, ?, ?, ?)"
                " on conflict (id) do nothing",
                (
                    doc.id,
                    doc.title,
                    doc.source,
                    doc.text,
                    json.dumps(doc.meta, ensure_ascii=False),
                    len(text),
                    doc.words,
                    doc.imported_at,
                ),
            ).rowcount
        if not inserted:
            return self.document(doc.id), False
        self._remember(doc.id, text, doc.imported_at)
        return doc, True

    def find_document(self, doc_id: str) -> Document | None:
        rows = self._rows(f"select {_DOC_COLUMNS} from documents where id = ?", [doc_id])
        if not rows:
            return None
        r = rows[0]
        self._remember(r["id"], r["text"], r["imported_at"] or "")
        return Document(
            id=r["id"],
            title=r["title"],
            text=r["text"],
            source=r["source"] or "",
            meta=json.loads(r["meta"] or "{}"),
            imported_at=r["imported_at"] or "",
        )

    def has_document(self, doc_id: str) -> bool:
        """Is a document stored under exactly this id? (Reads no text.)"""
        return bool(self._rows("select 1 from documents where id = ?", [doc_id]))

    def documents_by_id_prefix(self, prefix: str, limit: int) -> list[DocumentName]:
        """Up to ``limit`` documents whose id starts with ``prefix``, in id order."""
        rows = self._rows(
            "select id, title, source from documents where substr(id, 1, ?) = ?"
            " order by id limit ?",
            [len(prefix), prefix, limit],
        )
        return [_name(r) for r in rows]

    def documents_named(self, title: str, source_contains: str = "") -> list[DocumentName]:
        """Documents with exactly this title, or (if given) whose source contains
        ``source_contains`` (matched literally: ``%`` and ``_`` are not wildcards), in id order."""
        if not source_contains:
            rows = self._rows(
                "select id, title, source from documents where title = ? order by id", [title]
            )
        else:
            like = "%" + re.sub(r"([%_\\])", r"\\\1", source_contains) + "%"
            rows = self._rows(
                "select id, title, source from documents where title = ? or"
                " source like ? escape '\\' order by id",
                [title, like],
            )
        return [_name(r) for r in rows]

    def all_texts(self) -> Iterator[tuple[str, str]]:
        """Every stored document as ``(id, text)``, in no particular order."""
        with self.reading() as conn:
            rows = conn.execute("select id, text from documents").fetchall()
        yield from rows

    def document(self, doc_id: str) -> Document:
        doc = self.find_document(doc_id)
        if doc is None:
            raise StoreError(f"no document {doc_id!r}")
        return doc

    def document_texts(self, doc_ids: Iterable[str]) -> dict[str, str]:
        """Texts of those of ``doc_ids`` that are stored: one query per 500 ids (bulk import)."""
        ids = list(dict.fromkeys(doc_ids))
        out: dict[str, str] = {}
        with self.reading() as conn:
            for i in range(0, len(ids), 500):
                chunk = ids[i : i + 500]
                out.update(
                    conn.execute(
                        "select id, text from documents where id in"
                        f" ({','.join('?' * len(chunk))})",
                        chunk,
                    ).fetchall()
                )
        return out

    def add_documents(
        self,
        docs: list[Document],
        entities: dict[str, list[Entity]] | None = None,
        recognizer: str = "",
    ) -> list[Document]:
        """Store many new documents (and their machine entities) in one transaction.

        Returns those inserted; a document whose id is already stored (another process may have
        imported it meanwhile) is left out. One transaction per batch is what makes a bulk
        import fast: each commit waits for the disk.
        """
        for doc in docs:
            if "\x00" in doc.text:
                raise StoreError(f"document {doc.id}: text contains NUL characters")
        with self.transaction() as conn:
            # One multi-row insert per chunk; RETURNING names exactly the rows it inserted
            # (a document already there, perhaps imported by another process meanwhile, is
            # not returned), on SQLite and PostgreSQL alike.
            fresh: set[str] = set()
            for i in range(0, len(docs), _DOC_CHUNK):
                chunk = docs[i : i + _DOC_CHUNK]
                values = ", ".join(["(?, ?, ?, ?, ?, ?, ?, ?)"] * len(chunk))
                params = [
                    value
                    for d in chunk
                    for value in (
                        d.id,
                        d.title,
                        d.source,
                        d.text,
                        json.dumps(d.meta, ensure_ascii=False) if d.meta else "{}",
                        len(d.text),
                        d.words,
                        d.imported_at,
                    )
                ]
                fresh.update(
                    r[0]
                    for r in conn.execute(
                        f"insert into documents({_DOC_COLUMNS}) values {values}"
                        " on conflict (id) do nothing returning id",
                        params,
                    ).fetchall()
                )
            new = [d for d in docs if d.id in fresh]
            if entities is not None and recognizer:
                stamp = now_iso()
                conn.executemany(
                    'insert into entities(doc_id, start, "end", label, source, recognizer)'
                    " values (?, ?, ?, ?, ?, ?)",
                    [
                        (d.id, e.start, e.end, e.label, e.source, recognizer)
                        for d in new
                        for e in entities.get(d.id, ())
                    ],
                )
                conn.executemany(
                    "insert into entity_runs(doc_id, recognizer, count, computed_at)"
                    " values (?, ?, ?, ?) on conflict (doc_id, recognizer) do update set"
                    " count = excluded.count, computed_at = excluded.computed_at",
                    [(d.id, recognizer, len(entities.get(d.id, ())), stamp) for d in new],
                )
        return new

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

    def quote(self, doc_id: str, start: int, end: int) -> str:
        """The document text at ``[start, end)``, checked (``StoreError`` if outside it).

        The few most recently read texts are kept in memory: slicing there is exact and O(1),
        where SQLite's ``substr`` must decode a 10 MB text from its start on every save. A
        text changes only when a new version of the article is imported, which sets a new
        ``imported_at``: one key lookup checks it, so a save in this process never takes its
        offsets from a version another process has replaced.
        """
        row = self._rows("select imported_at from documents where id = ?", [doc_id])
        if not row:
            raise StoreError(f"no document {doc_id!r}")
        cached = self._texts.get(doc_id)
        if cached is not None and cached[1] == (row[0]["imported_at"] or ""):
            text = cached[0]
        else:
            text = self.document(doc_id).text
        if not (0 <= start < end <= len(text)):
            raise StoreError(f"span [{start}, {end}) is outside the document (0..{len(text)})")
        return text[start:end]


def _name(row: dict[str, Any]) -> DocumentName:
    return DocumentName(str(row["id"]), str(row["title"] or ""), str(row["source"] or ""))
