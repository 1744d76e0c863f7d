"""Claims: each change one transaction plus its history row."""

from __future__ import annotations

from dataclasses import asdict, replace
from typing import Any

from annotations.model import CLAIM_FIELDS, EDITABLE_CLAIM_FIELDS, Claim, new_id, now_iso
from annotations.store import conflicts, history
from annotations.store.base import StoreError, Transaction
from annotations.store.documents import Documents

_CLAIM_COLUMNS = ", ".join(f'"{name}"' for name in CLAIM_FIELDS)


class Claims(Documents):
    """Claims; quotes come from ``Documents.quote`` so they always match the text."""

    def add_claim(
        self,
        doc_id: str,
        start: int,
        end: int,
        claim_type: str,
        *,
        claim_id: str | None = None,
        **labels: Any,
    ) -> Claim:
        """Save a new claim durably, with its history row, in one transaction.

        ``claim_id`` makes the save idempotent (a replay from the recovery journal): a claim
        already stored under that id is returned as it is.
        """
        unknown = set(labels) - set(EDITABLE_CLAIM_FIELDS)
        if unknown:
            raise StoreError(f"unknown claim fields: {', '.join(sorted(unknown))}")
        stamp = now_iso()
        claim = Claim(
            id=claim_id or new_id(),
            doc_id=doc_id,
            start=start,
            end=end,
            quote="",
            claim_type=claim_type,
            annotator=self.annotator,
            created_at=stamp,
            updated_at=stamp,
            **labels,
        )
        with self.transaction() as conn:
            if (
                claim_id is not None
                and conn.execute("select 1 from claims where id = ?", (claim_id,)).fetchone()
            ):
                return Claim(**self._claim_row(conn, claim_id))
            claim = replace(claim, quote=self.quote(doc_id, start, end))
            history.apply(conn, "claim", claim.id, asdict(claim))
            history.record(
                conn, self.annotator, "create", "claim", claim.id, doc_id, None, asdict(claim)
            )
        return claim

    def update_claim(self, claim_id: str, *, expected: str | None = None, **changes: Any) -> Claim:
        """Change a claim's fields. ``expected``: the version (``Claim.version``) the user
        edited; if someone else changed the claim since, ``ConflictError`` and nothing saved."""
        unknown = (
            set(changes) - set(EDITABLE_CLAIM_FIELDS) - {"review_status", "reviewer", "review_note"}
        )
        if unknown:
            raise StoreError(f"unknown claim fields: {', '.join(sorted(unknown))}")
        with self.transaction() as conn:
            before = self.claim_for_write(conn, claim_id, expected, "edit")
            after = {**before, **changes, "updated_at": now_iso()}
            if "start" in changes or "end" in changes:
                after["quote"] = self.quote(after["doc_id"], after["start"], after["end"])
            history.apply(conn, "claim", claim_id, after)
            history.record(
                conn,
                self.annotator,
                "update",
                "claim",
                claim_id,
                before["doc_id"],
                before,
                history.changed_fields(before, after, *history.SPAN),
            )
        return Claim(**after)

    def delete_claim(self, claim_id: str, *, expected: str | None = None) -> Claim:
        """Delete a claim (``StoreError`` if it is gone); ``expected`` as for ``update_claim``."""
        with self.transaction() as conn:
            before = self.claim_for_write(conn, claim_id, expected, "delete")
            history.apply(conn, "claim", claim_id, None)
            history.record(
                conn, self.annotator, "delete", "claim", claim_id, before["doc_id"], before, None
            )
        return Claim(**before)

    def claim(self, claim_id: str) -> Claim:
        with self.reading() as conn:
            return Claim(**self._claim_row(conn, claim_id))

    def claims(self, doc_id: str | None = None) -> list[Claim]:
        """Claims in text order; columns by position into ``Claim`` (dicts cost 4x as much)."""
        where, params = ("where doc_id = ?", [doc_id]) if doc_id else ("", [])
        with self.reading() as conn:
            rows = conn.execute(
                f'select {_CLAIM_COLUMNS} from claims {where} order by doc_id, start, "end"', params
            ).fetchall()
        return [Claim(*row) for row in rows]

    def claim_for_write(
        self, conn: Transaction, claim_id: str, expected: str | None, doing: conflicts.Doing
    ) -> dict[str, Any]:
        """Inside ``transaction()``: the claim's row, locked for this write (PostgreSQL), after
        checking it is still at version ``expected`` when given (``conflicts.check``)."""
        current = conflicts.locked_row(conn, claim_id)
        if expected is not None:
            conflicts.check(conn, self.annotator, claim_id, current, expected, doing)
        if current is None:
            raise StoreError(f"no claim {claim_id!r}")
        return current

    def check_claims(
        self, conn: Transaction, expected: dict[str, str], doing: conflicts.Doing
    ) -> None:
        """Inside ``transaction()``: lock the claims (in one order) and check each is still at
        the version the user saw (``NO_CLAIM``: none), as for one claim in ``update_claim``."""
        conflicts.lock_rows(conn, list(expected))
        for claim_id in sorted(expected):
            current = conflicts.locked_row(conn, claim_id)
            conflicts.check(conn, self.annotator, claim_id, current, expected[claim_id], doing)

    def claim_state(self, conn: Transaction, claim_id: str) -> dict[str, Any] | None:
        """Inside ``transaction()``: the stored claim as a dict of columns, or None."""
        try:
            return self._claim_row(conn, claim_id)
        except StoreError:
            return None

    def has_twin(
        self, conn: Transaction, doc_id: str, start: int, end: int, claim_type: str, by: str
    ) -> bool:
        """Inside ``transaction()``: is there a claim with this span, type and annotator?"""
        return (
            conn.execute(
                'select 1 from claims where doc_id = ? and start = ? and "end" = ?'
                " and claim_type = ? and annotator = ?",
                (doc_id, start, end, claim_type, by),
            ).fetchone()
            is not None
        )

    def _claim_row(self, conn: Transaction, claim_id: str) -> dict[str, Any]:
        # the columns by name: PostgreSQL's claims table also has a ``rowid`` column
        cur = conn.execute(f"select {_CLAIM_COLUMNS} from claims where id = ?", (claim_id,))
        row = cur.fetchone()
        if row is None:
            raise StoreError(f"no claim {claim_id!r}")
        return dict(zip([c[0] for c in cur.description], row, strict=True))
