"""Comment threads (``comments``) on a claim, a document or an adjudication item, and what
others changed in an annotator's claims.

A thread is the comments sharing ``(kind, item_id)``, oldest first. Adding, editing and
resolving a comment are changes like any other: one transaction with a history row of kind
``comment`` (so undo takes them back, and ``annotty merge`` and the watcher see them). The
author is the store's annotator. An adjudication item has no row of its own: its id is the
document and the span the adjudication screen shows (``adjudication_item_id``).

"Where a reviewer changed my claim, and why" is read from the claim's history
(``history(item_id, seq)`` index): every change someone other than the claim's annotator made,
as field-by-field differences with the review note.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, replace
from typing import Any, Literal

from annotations.model import new_id, now_iso
from annotations.store import dialect, history
from annotations.store.base import StoreBase, StoreError

CommentKind = Literal["claim", "document", "adjudication"]
KINDS: tuple[str, ...] = ("claim", "document", "adjudication")
COLUMNS = (
    "id",
    "kind",
    "item_id",
    "doc_id",
    "author",
    "body",
    "created_at",
    "resolved_at",
    "resolved_by",
)
MAX_CHARS = 20_000
"""The longest comment kept: a thread is for messages, not for pasting articles."""
UNSHOWN_FIELDS = frozenset({"id", "doc_id", "updated_at", "created_at", "reviewed_at", "reviewer"})
"""Claim fields every change touches, that never change, or that say who (shown as "by"):
no part of a diff worth reading."""

# Comments are undoable like claims: an item is one comment.
history.register("comment", "comments", "id", COLUMNS)


@dataclass(frozen=True, slots=True)
class Comment:
    """One message of a thread. ``resolved_at`` is "" while the comment is open."""

    id: str
    kind: str
    item_id: str
    doc_id: str
    author: str
    body: str
    created_at: str
    resolved_at: str = ""
    resolved_by: str = ""

    @property
    def resolved(self) -> bool:
        return bool(self.resolved_at)


@dataclass(frozen=True, slots=True)
class ClaimChange:
    """One change someone other than the claim's annotator made to it (a review decision, an
    edit, an adjudication): the fields as ``(name, before, after)`` and the review note."""

    seq: int
    at: str
    by: str
    action: str
    fields: tuple[tuple[str, Any, Any], ...]
    note: str


def adjudication_item_id(doc_id: str, start: int, end: int) -> str:
    """The thread id of an adjudication item: its document and span (what the screen shows;
    an item is remade from the claims each time, so it has no id of its own)."""
    return f"{doc_id}:{start}-{end}"


def has_comments_table(conn: Any) -> bool:
    """False for a database from before comments (opened read-only, never migrated)."""
    return "comments" in dialect.table_names(conn)


_SELECT = "select " + ", ".join(f'"{c}"' for c in COLUMNS) + " from comments"
DOC_COMMENTS = f"{_SELECT} where doc_id = ? order by created_at, id"
"""Every comment of one document (claims', its own, adjudication items'), oldest first: for
the store's query modules (exports), with ``comment_of_row``."""


def comment_of_row(row: Iterable[Any]) -> Comment:
    """A ``Comment`` from a row of ``COLUMNS`` (a NULL read as "")."""
    return Comment(*(str(v) if v is not None else "" for v in row))


class Comments(StoreBase):
    """Writes and reads of the ``comments`` table, and others' changes to one's claims."""

    def add_comment(self, kind: str, item_id: str, doc_id: str, text: str) -> Comment:
        """Add a comment by this annotator to the thread ``(kind, item_id)``, undoable."""
        if kind not in KINDS:
            raise StoreError(f"unknown kind of comment {kind[:40]!r}; use one of {KINDS}")
        body = _checked(text)
        if not item_id or not doc_id:
            raise StoreError("a comment needs the item and the document it is about")
        comment = Comment(new_id(), kind, item_id, doc_id, self.annotator, body, now_iso())
        with self.transaction() as conn:
            state = asdict(comment)
            history.apply(conn, "comment", comment.id, state)
            history.record(
                conn, self.annotator, "create", "comment", comment.id, doc_id, None, state
            )
        return comment

    def edit_comment(self, comment_id: str, text: str) -> Comment:
        """Change the text of one of this annotator's own comments (undoable)."""
        body = _checked(text)
        with self.transaction() as conn:
            before = self._comment_row(conn, comment_id)
            if before.author != self.annotator:
                raise StoreError(f"that comment is {before.author}'s; you can only edit your own")
            return self._write(conn, before, replace(before, body=body))

    def resolve_comment(self, comment_id: str, resolved: bool = True) -> Comment:
        """Mark one comment resolved (by this annotator, now) or open again (undoable);
        a comment already so is returned unchanged, with no history row."""
        with self.transaction() as conn:
            before = self._comment_row(conn, comment_id)
            if before.resolved == resolved:
                return before
            return self._write(conn, before, _resolved(before, resolved, self.annotator))

    def resolve_thread(self, kind: str, item_id: str, resolved: bool = True) -> int:
        """Resolve (or reopen) every comment of a thread, as one undoable batch; how many
        comments changed."""
        batch = new_id()
        changed = 0
        with self.transaction() as conn:
            rows = conn.execute(
                f"{_SELECT} where kind = ? and item_id = ? order by created_at, id",
                (kind, item_id),
            ).fetchall()
            for row in rows:
                before = comment_of_row(row)
                if before.resolved != resolved:
                    after = _resolved(before, resolved, self.annotator)
                    self._write(conn, before, after, batch)
                    changed += 1
        return changed

    def comments(self, kind: str, item_id: str) -> list[Comment]:
        """The thread ``(kind, item_id)``, oldest first."""
        with self.reading() as conn:
            if not has_comments_table(conn):
                return []
            rows = conn.execute(
                f"{_SELECT} where kind = ? and item_id = ? order by created_at, id",
                (kind, item_id),
            ).fetchall()
        return [comment_of_row(row) for row in rows]

    def comment_counts(
        self, doc_id: str | None = None, kind: str | None = None
    ) -> dict[tuple[str, str], tuple[int, int]]:
        """``(kind, item_id) -> (comments, unresolved)`` for the threads of ``doc_id`` (default:
        every document), optionally of one ``kind``: what the markers show."""
        conds, params = [], []
        if doc_id is not None:
            conds.append("doc_id = ?")
            params.append(doc_id)
        if kind is not None:
            conds.append("kind = ?")
            params.append(kind)
        where = f" where {' and '.join(conds)}" if conds else ""
        with self.reading() as conn:
            if not has_comments_table(conn):
                return {}
            rows = conn.execute(
                "select kind, item_id, count(*),"
                " sum(case when resolved_at = '' then 1 else 0 end)"
                f" from comments{where} group by kind, item_id",
                params,
            ).fetchall()
        return {(str(r[0]), str(r[1])): (int(r[2]), int(r[3] or 0)) for r in rows}

    def changed_by_others(self, doc_id: str, annotator: str | None = None) -> set[str]:
        """The claims of ``annotator`` (default: this store's) in ``doc_id`` that someone else
        changed after the annotator's own last change to them: what the reader marks. A new
        version of the article carrying the claim over is not counted (the reader flags the
        claims it did not place exactly with a mark of their own)."""
        from annotations.store.versions import VERSION_AUTHOR

        me = annotator or self.annotator
        with self.reading() as conn:
            rows = conn.execute(
                "select c.id from claims c where c.doc_id = ? and c.annotator = ? and exists"
                " (select 1 from history h where h.item_id = c.id and h.kind = 'claim'"
                " and h.annotator != ? and h.annotator != ? and h.seq > coalesce("
                "(select max(m.seq) from history m"
                " where m.item_id = c.id and m.kind = 'claim' and m.annotator = ?), 0))",
                (doc_id, me, me, VERSION_AUTHOR, me),
            ).fetchall()
        return {str(r[0]) for r in rows}

    def claim_changes_by_others(self, claim_id: str) -> list[ClaimChange]:
        """Every change to the claim made by someone other than its annotator, oldest first,
        as field differences (before -> after) with the review note."""
        with self.reading() as conn:
            owner = conn.execute("select annotator from claims where id = ?", (claim_id,))
            row = owner.fetchone()
            if row is None:
                return []
            entries = dialect.dicts(
                conn,
                "select seq, at, annotator, action, before, after from history"
                " where item_id = ? and kind = 'claim' and annotator != ? order by seq",
                (claim_id, str(row[0])),
            )
        out = []
        for entry in entries:
            try:
                before = history.state_of(entry, "before") or {}
                after = history.state_of(entry, "after") or {}
            except history.HistoryError:
                continue  # a damaged row says nothing readable
            fields = tuple(
                (name, before.get(name), after.get(name))
                for name in history.table("claim").columns
                if name not in UNSHOWN_FIELDS and before.get(name) != after.get(name)
            )
            note = str(after.get("review_note") or "")
            out.append(
                ClaimChange(
                    int(entry["seq"]),
                    str(entry["at"]),
                    str(entry["annotator"]),
                    str(entry["action"]),
                    fields,
                    note,
                )
            )
        return out

    # -- plumbing ------------------------------------------------------------------------------
    def _comment_row(self, conn: Any, comment_id: str) -> Comment:
        row = conn.execute(f"{_SELECT} where id = ?", (comment_id,)).fetchone()
        if row is None:
            raise StoreError(f"no comment {comment_id[:40]!r}")
        return comment_of_row(row)

    def _write(
        self, conn: Any, before: Comment, after: Comment, batch: str | None = None
    ) -> Comment:
        old, new = asdict(before), asdict(after)
        history.apply(conn, "comment", after.id, new)
        history.record(
            conn,
            self.annotator,
            "update",
            "comment",
            after.id,
            after.doc_id,
            old,
            history.changed_fields(old, new, "id", "kind", "item_id", "doc_id"),
            batch=batch,
        )
        return after


def _checked(text: str) -> str:
    body = str(text).strip()
    if not body:
        raise StoreError("an empty comment: write something first")
    if len(body) > MAX_CHARS:
        raise StoreError(f"a comment is at most {MAX_CHARS:,} characters")
    return body


def _resolved(comment: Comment, resolved: bool, by: str) -> Comment:
    if resolved:
        return replace(comment, resolved_at=now_iso(), resolved_by=by)
    return replace(comment, resolved_at="", resolved_by="")
