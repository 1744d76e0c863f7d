"""Merging imported documents and claims into the store: placed exactly, never duplicated.

Every importer turns its records into ``IncomingDoc``s with code-point offsets; this module does
the rest the same way for all formats. A document is matched by its id, then by its text (so a
file that lost annotty's ids still merges into the right document). A claim is matched by its id,
then by an identical span, type and annotator: an equal one is left alone, a newer one (by
``updated_at``) updates it, an older one is kept as it is here. A span whose offsets do not
point at its quote is re-anchored by the quote and its context, or reported and left out.
All writes of one document are one transaction, each claim with its history row, like
``Store.add_claim``; the history rows of one import share a ``batch`` id, so one undo takes the
whole import back.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import datetime
from typing import Any

from annotations.export.incoming import IncomingClaim, IncomingDoc
from annotations.imports.report import ImportReport
from annotations.input_files import shown
from annotations.model import CLAIM_FIELDS, REVIEW_STATUSES, Document, content_id, new_id, now_iso
from annotations.store import Store, StoreError, Transaction

TEXT_FIELDS = tuple(f for f in CLAIM_FIELDS if f not in ("id", "doc_id", "start", "end", "quote"))
MAX_MATCHES = 1000


def place(text: str, claim: IncomingClaim) -> tuple[int, int] | None:
    """Offsets for ``claim`` in ``text``: as given if they hold its quote, else by the quote."""
    start, end, quote = claim.start, claim.end, claim.quote
    if (
        start is not None
        and end is not None
        and 0 <= start < end <= len(text)
        and (quote is None or text[start:end] == quote)
    ):
        return start, end
    if not quote:
        return None
    best: tuple[int, int] | None = None
    best_score: tuple[int, int] | None = None
    at = text.find(quote)
    seen = 0
    while at != -1 and seen < MAX_MATCHES:
        after = at + len(quote)
        context = int(bool(claim.prefix) and text[:at].endswith(claim.prefix)) + int(
            bool(claim.suffix) and text[after:].startswith(claim.suffix)
        )
        distance = abs(at - start) if start is not None else at
        score = (context, -distance)
        if best_score is None or score > best_score:
            best, best_score = (at, after), score
        at = text.find(quote, at + 1)
        seen += 1
    return best


def derived_id(doc_id: str, start: int, end: int, fields: dict[str, Any]) -> str:
    """A stable id for a claim that came without one: importing it twice gives the same id."""
    key = json.dumps(
        [doc_id, start, end, fields.get("claim_type", ""), fields.get("annotator", "")],
        ensure_ascii=False,
    )
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def _when(stamp: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(stamp)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=datetime.now().astimezone().tzinfo)


def _newer(incoming: str, existing: str) -> bool:
    a, b = _when(incoming), _when(existing)
    if a is not None and b is not None:
        return a > b
    return bool(incoming) and incoming > existing


class ImportPlacer:
    """Writes ``IncomingDoc``s into a store and keeps the ``ImportReport``."""

    def __init__(
        self,
        store: Store,
        label: str,
        annotator: str,
        on_added: Callable[[Document], None] | None = None,
    ) -> None:
        self.store = store
        self.label = label  # the file, for messages
        self.annotator = annotator  # for claims that name none
        self.on_added = on_added
        self.batch = f"import:{new_id()}"
        self.result = ImportReport()
        self._aliases: dict[str, str] | None = None
        self._states: list[dict[str, str]] = []

    def problem(self, number: int, message: str) -> None:
        self.result.error(f"{self.label}: record {number}: {message}")

    def finish(self) -> None:
        """Write what is still pending (document states are written in batches)."""
        states, self._states = self._states, []
        if states:
            self.result.states_imported += self.store.merge_doc_states(states)

    def document(self, incoming: IncomingDoc) -> None:
        self.result.entities_ignored += incoming.entities
        for message in incoming.problems:
            self.problem(incoming.number, message)
        doc = self._document(incoming)
        if doc is None:
            return
        self._states += [{**state, "doc_id": doc.id} for state in incoming.states]
        if len(self._states) >= 500:
            self.finish()
        rows: list[tuple[dict[str, Any], bool]] = []
        for claim in incoming.claims:
            row = self._row(doc, incoming.number, claim)
            if row is not None:
                rows.append((row, bool(_text(claim.fields.get("id"))) and not claim.derived_id))
        if rows:
            with self.store.transaction() as conn:
                for row, has_id in rows:
                    self._merge(conn, incoming.number, row, has_id)

    def _document(self, incoming: IncomingDoc) -> Document | None:
        text = incoming.text
        found = self.store.find_document(incoming.doc_id) if incoming.doc_id else None
        if found is not None and found.text != text:
            # the id names another text here: this document is kept under an id of its own
            fresh = self._free_id(text)
            self.result.note(
                f"{self.label}: record {incoming.number}: id {shown(incoming.doc_id or '')!r} is "
                f"already used by a document with another text; imported as {fresh}"
            )
            incoming.doc_id = fresh
            found = None
        if found is None:
            found = self.store.find_document(content_id(text))
            if found is not None and found.text != text:
                found = None
        if found is None:
            alias = self._alias(text)
            found = self.store.find_document(alias) if alias else None
        if found is not None:
            self.result.documents_merged += 1
            return found
        try:
            doc, _ = self.store.add_document(
                text, incoming.title, incoming.source, incoming.meta, doc_id=incoming.doc_id
            )
        except StoreError as exc:
            self.problem(incoming.number, f"{exc}; skipped")
            return None
        self.result.add_document(doc)
        if self.on_added is not None:
            self.on_added(doc)
        return doc

    def _free_id(self, text: str) -> str:
        """The content id, or (if a document with another text was given that id) the first
        free one of a stable series, so importing the same file twice finds the same id."""
        for n in range(100):
            candidate = content_id(text if n == 0 else f"{n}:{text}")
            stored = self.store.find_document(candidate)
            if stored is None or stored.text == text:
                return candidate
        return new_id()

    def _alias(self, text: str) -> str | None:
        """The id of a stored document with this text whose id is not its content id (ids given
        by an imported JSONL). Built once per import by one pass over the texts, and only when a
        document is not found by id: a foreign file then still merges into the right document."""
        if self._aliases is None:
            self._aliases = {}
            for stored_id, stored_text in self.store.all_texts():
                derived = content_id(stored_text)
                if derived != stored_id:
                    self._aliases[derived] = stored_id
        return self._aliases.get(content_id(text))

    def _row(self, doc: Document, number: int, claim: IncomingClaim) -> dict[str, Any] | None:
        where = place(doc.text, claim)
        if where is None:
            given = f"[{claim.start}, {claim.end})"
            quote = f" quote {claim.quote[:60]!r}" if claim.quote else ""
            self.problem(
                number,
                f"{claim.where}: cannot place {given}{quote} in document "
                f"{doc.id} ({len(doc.text)} characters); skipped",
            )
            return None
        start, end = where
        if (start, end) != (claim.start, claim.end):
            self.result.moved.append(
                f"{self.label}: record {number}: {claim.where}: offsets "
                f"[{claim.start}, {claim.end}) did not hold the quote; "
                f"placed at [{start}, {end})"
            )
        fields = {name: _text(claim.fields.get(name)) for name in TEXT_FIELDS}
        fields["annotator"] = fields["annotator"] or self.annotator
        fields["stance"] = fields["stance"] or "none"
        if fields["review_status"] not in REVIEW_STATUSES:
            if fields["review_status"]:
                self.problem(
                    number,
                    f"{claim.where}: unknown review status "
                    f"{fields['review_status']!r}, imported as pending",
                )
            fields["review_status"] = "pending"
        if not fields["claim_type"]:
            self.problem(number, f"{claim.where}: no claim type, imported as 'other'")
            fields["claim_type"] = "other"
        stamp = now_iso()
        fields["created_at"] = fields["created_at"] or stamp
        fields["updated_at"] = fields["updated_at"] or fields["created_at"]
        claim_id = _text(claim.fields.get("id")) or derived_id(doc.id, start, end, fields)
        return {
            "id": claim_id,
            "doc_id": doc.id,
            "start": start,
            "end": end,
            "quote": doc.text[start:end],
            **fields,
        }

    def _merge(self, conn: Transaction, number: int, row: dict[str, Any], has_id: bool) -> None:
        existing = self.store.claim_state(conn, row["id"])
        if existing is None:
            # a claim that came without an id (a foreign file, or one that lost annotty's
            # extras) is the same claim as one here with its span, type and annotator
            if not has_id and self.store.has_twin(
                conn, row["doc_id"], row["start"], row["end"], row["claim_type"], row["annotator"]
            ):
                self.result.claims_unchanged += 1
                return
            self.store.log_change(
                conn, "create", "claim", row["id"], row["doc_id"], None, row, batch=self.batch
            )
            self.result.claims_added += 1
        elif existing["doc_id"] != row["doc_id"]:
            self.problem(
                number,
                f"claim {row['id']} already belongs to document {existing['doc_id']}; skipped",
            )
            return
        elif all(existing[k] == row[k] for k in row if k not in ("created_at", "updated_at")):
            self.result.claims_unchanged += 1
            return
        elif not _newer(row["updated_at"], existing["updated_at"]):
            self.result.claims_kept += 1
            return
        else:
            self.store.log_change(
                conn, "update", "claim", row["id"], row["doc_id"], existing, row, batch=self.batch
            )
            self.result.claims_updated += 1


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return "\n".join(str(v) for v in value)
    return str(value)
