"""Plain documents into the store a batch at a time: one transaction per batch, with entities.

A commit waits for the disk, so a transaction per document caps an import at a few hundred
documents a second; a batch of 2,000 is still atomic and durable as a unit. Entities of a batch
are recognised (in worker processes for a large import, see ``bulk_entities``) while the next
batch is read, then stored in the batch's transaction, so a document is never stored without
its machine entities.

Ids: a document's id is the one its record gives, else its content hash. A record whose id is
already stored with a *different* text is a new version of that document (news articles are
edited after publication), and so is a text file imported again from the same path, or any
document imported with ``--as DOC`` (``as_doc``): the store keeps the old text and carries the
claims over (``Store.new_version``), one transaction per document. Two records with one id in
the same import keep the old behaviour: the later one goes under its content id, with a note.
The same text again is reported as already imported.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from annotations.bulk_entities import BulkRecognizer
from annotations.imports.report import ImportReport
from annotations.input_files import shown
from annotations.model import Document, Entity, content_id, new_id, now_iso
from annotations.store import Store, StoreError
from annotations.store.versions import VersionResult

if TYPE_CHECKING:
    from annotations.imports.plain_files import PlainRecord

BATCH_DOCS = 2000
BATCH_CHARS = 4_000_000
PARALLEL_FROM = 2  # batches: a pool starts only once an import is this many batches long


@dataclass
class _Ready:
    """A batch prepared and sent for recognition, waiting to be stored."""

    docs: list[Document]
    where: dict[str, str]
    entities: Callable[[], list[list[Entity]]] | None
    texts: dict[str, str] = field(default_factory=dict)


class DocBatches:
    """Collects ``PlainRecord``s and stores them a batch per transaction."""

    def __init__(
        self,
        store: Store,
        report: ImportReport,
        recognizer: BulkRecognizer | None,
        on_added: Callable[[Document], None] | None,
        as_doc: str | None = None,
    ) -> None:
        self.store, self.report = store, report
        self.as_doc = as_doc
        """Every record is a new version of this document (``annotty import --as``)."""
        self.as_used = False
        self.recognizer, self.on_added = recognizer, on_added
        self.pending: list[PlainRecord] = []
        self.chars = 0
        self.batches = 0
        self.waiting: _Ready | None = None
        self.by_source: dict[str, str] = {}
        """The batch's text files that were imported before: source -> document id."""

    def add(self, record: PlainRecord) -> None:
        self.pending.append(record)
        self.chars += len(record.text)
        if len(self.pending) >= BATCH_DOCS or self.chars >= BATCH_CHARS:
            self._prepare()

    def finish(self) -> None:
        """Store everything still held (call once the file is read)."""
        self._prepare()
        self._store_waiting()

    def _prepare(self) -> None:
        records, self.pending, self.chars = self.pending, [], 0
        if not records:
            return
        self.batches += 1
        earlier = self.waiting.texts if self.waiting is not None else {}
        cids = [content_id(r.text) for r in records]
        stored = self.store.document_texts(
            [*cids, *(r.doc_id for r in records if r.doc_id is not None)]
        )
        known = {**earlier, **stored}
        self.by_source = self.store.documents_from_sources(
            [r.source for r in records if r.by_source and r.doc_id is None]
        )
        batch: dict[str, str] = {}
        docs: list[Document] = []
        where: dict[str, str] = {}
        stamp = now_iso()
        for record, cid in zip(records, cids, strict=True):
            target = self._version_of(record, cid, stored, known, batch, earlier)
            if target is not None:
                self._new_version(record, target, stored.get(target))
                continue
            doc_id = record.doc_id or cid
            other = known.get(doc_id, batch.get(doc_id))
            if other is not None and other != record.text:
                doc_id = self._free_id(record.text, cid, known, batch)
                self.report.note(
                    f"{record.where}: id {shown(record.doc_id or cid)!r} is already used by "
                    f"another document; imported as {doc_id}"
                )
                other = known.get(doc_id, batch.get(doc_id))
            elif other is None and doc_id != cid and known.get(cid, batch.get(cid)) is not None:
                doc_id, other = cid, record.text  # this text is here under its own id
            if other is not None:
                self.report.duplicate(f"{record.where}: already imported as {doc_id}")
                continue
            batch[doc_id] = record.text
            where[doc_id] = record.where
            docs.append(
                Document(
                    id=doc_id,
                    title=record.title,
                    text=record.text,
                    source=record.source,
                    meta=record.meta,
                    imported_at=stamp,
                )
            )
        entities = None
        if self.recognizer is not None:
            entities = self.recognizer.submit(
                [d.text for d in docs], parallel=self.batches >= PARALLEL_FROM
            )
        self._store_waiting()  # the previous batch, recognised meanwhile
        self.waiting = _Ready(docs, where, entities, batch)

    def _version_of(
        self,
        record: PlainRecord,
        cid: str,
        stored: dict[str, str],
        known: dict[str, str],
        batch: dict[str, str],
        earlier: dict[str, str],
    ) -> str | None:
        """The stored document ``record`` is a version of, if any: by ``as_doc``, by the
        record's id, or (a text file) by the path it was imported from. A document not yet
        stored (earlier in this import) is not versioned, nor is a record whose text is already
        stored under the id the old rules gave it (the same file imported again): the old
        rules apply."""
        pending = {**earlier, **batch}
        if self.as_doc is not None:
            target: str | None = self.as_doc
        elif record.doc_id is not None:
            target = record.doc_id
        elif record.by_source:
            target = self.by_source.get(record.source)
        else:
            return None
        if target is None or target in pending:
            return None
        if target not in stored:
            stored.update(self.store.document_texts([target]))
        if self.as_doc is not None:
            return target
        if target not in stored:
            return None
        if record.doc_id is not None and stored[target] != record.text:
            elsewhere = self._free_id(record.text, cid, known, batch)
            if (known.get(elsewhere) or self.store.document_texts([elsewhere]).get(elsewhere)) == (
                record.text
            ):
                return None
        return target

    def _new_version(self, record: PlainRecord, target: str, current: str | None) -> None:
        if self.as_doc is not None:
            if current is None:
                self.report.error(f"{record.where}: no document {shown(target)!r}; skipped")
                return
            if self.as_used:
                self.report.error(
                    f"{record.where}: --as takes one document, this is another; skipped"
                )
                return
            self.as_used = True
        if current == record.text:
            self.report.duplicate(f"{record.where}: already imported as {target}")
            return
        entities: list[Entity] | None = None
        key = ""
        if self.recognizer is not None:
            entities, key = self.recognizer.recognizer.recognize(record.text), self.recognizer.key
        try:
            result: VersionResult | None = self.store.new_version(
                target,
                record.text,
                title=None if self.as_doc is not None else record.title,
                source=record.source,
                entities=entities,
                recognizer=key,
            )
        except (StoreError, ValueError, OverflowError, RecursionError) as exc:
            self.report.error(f"{record.where}: new version cannot be stored ({exc}); skipped")
            return
        if result is None:
            self.report.duplicate(f"{record.where}: already imported as {target}")
        else:
            self.report.version(result)

    def _free_id(self, text: str, cid: str, known: dict[str, str], batch: dict[str, str]) -> str:
        """The content id, unless a document with another text was given it as its id: then
        the first free id of a stable series (the same file imported again finds the same)."""
        for n in range(100):
            candidate = cid if n == 0 else content_id(f"{n}:{text}")
            other = known.get(candidate, batch.get(candidate))
            if other is None and n:
                other = self.store.document_texts([candidate]).get(candidate)
            if other is None or other == text:
                return candidate
        return new_id()

    def _store_waiting(self) -> None:
        ready, self.waiting = self.waiting, None
        if ready is None or not ready.docs:
            return
        entities: dict[str, list[Entity]] | None = None
        if ready.entities is not None:
            entities = dict(zip((d.id for d in ready.docs), ready.entities(), strict=True))
        key = self.recognizer.key if self.recognizer is not None else ""
        try:
            added = self.store.add_documents(ready.docs, entities, key)
        except (StoreError, ValueError, OverflowError, RecursionError):
            for doc in ready.docs:  # one bad record must not cost the batch: one by one
                self._one(doc, ready.where[doc.id], entities, key)
            return
        new = {d.id for d in added}
        for doc in ready.docs:
            if doc.id in new:
                self._added(doc)
            else:
                self.report.duplicate(f"{ready.where[doc.id]}: already imported as {doc.id}")

    def _one(
        self, doc: Document, where: str, entities: dict[str, list[Entity]] | None, key: str
    ) -> None:
        try:
            added = self.store.add_documents(
                [doc], None if entities is None else {doc.id: entities[doc.id]}, key
            )
        except (StoreError, ValueError, OverflowError, RecursionError) as exc:
            self.report.error(f"{where}: cannot be stored ({exc}); skipped")
            return
        if added:
            self._added(doc)
        else:
            self.report.duplicate(f"{where}: already imported as {doc.id}")

    def _added(self, doc: Document) -> None:
        self.report.add_document(doc)
        if self.on_added is not None:
            self.on_added(doc)
