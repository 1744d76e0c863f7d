"""Claim links (``claim_links``): two claims a reviewer said are the same claim.

A link is a pair stored once, smaller id first (``a < b``), so linking B to A finds A to B.
Links are undoable like claims (history kind ``claim_link``, the pair as a composite key); the
history row carries the document of the claim the link was made from, so undo in that reader
takes it back. Groups of linked claims are ``annotations.similar.clusters`` of the links.
A database from before links existed (opened read-only, never migrated) simply has none.

The near-duplicate search (``annotations.similar_claims``) reads its rows here too: every
claim's (id, document, quote), and which claims changed since a history position.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from annotations.model import now_iso
from annotations.similar_clusters import clusters
from annotations.store import dialect, history
from annotations.store.base import StoreBase, StoreError

COLUMNS = ("a", "b", "linked_by", "linked_at")
KEY = ("a", "b")
KIND = "claim_link"
_CHUNK = 500  # ids per "in (...)": well under SQLite's variable limit

history.register(KIND, "claim_links", "", COLUMNS, key=KEY)

# links whose two claims both still exist (a deleted claim's links wait for its undo)
LIVE_LINKS = (
    "select l.a, l.b from claim_links l join claims ca on ca.id = l.a join claims cb on cb.id = l.b"
)


@dataclass(frozen=True, slots=True)
class ClaimBrief:
    """What a list of similar claims shows about one claim (all of it data: shown as text)."""

    id: str
    doc_id: str
    title: str
    start: int
    quote: str
    claim_type: str
    annotator: str
    review_status: str


def pair(a: str, b: str) -> tuple[str, str]:
    """The stored order of a link: smaller id first."""
    return (a, b) if a < b else (b, a)


def has_links_table(conn: Any) -> bool:
    return "claim_links" in dialect.table_names(conn)


def live_links(conn: Any) -> list[tuple[str, str]]:
    """Every link between two existing claims, for the store's query modules (export)."""
    if not has_links_table(conn):
        return []
    return [(str(r[0]), str(r[1])) for r in conn.execute(LIVE_LINKS)]


class Links(StoreBase):
    """Writes and reads of ``claim_links``, and the rows the similar-claims index needs."""

    def link_claims(self, a: str, b: str) -> bool:
        """Link two existing claims as the same claim; whether the link is new. Logged in
        ``a``'s document (the claim it was made from), so undo there takes it back."""
        if a == b:
            raise StoreError("a claim cannot be linked to itself")
        low, high = pair(a, b)
        with self.transaction() as conn:
            docs = self._docs_of(conn, (a, b))
            missing = [c for c in (a, b) if c not in docs]
            if missing:
                raise StoreError(f"no claim {missing[0][:40]!r}")
            if conn.execute(
                "select 1 from claim_links where a = ? and b = ?", (low, high)
            ).fetchone():
                return False
            state = {"a": low, "b": high, "linked_by": self.annotator, "linked_at": now_iso()}
            item = history.item_id_of(KIND, state)
            history.apply(conn, KIND, item, state)
            history.record(conn, self.annotator, "create", KIND, item, docs[a], None, state)
        return True

    def unlink_claims(self, a: str, b: str) -> bool:
        """Remove the link between two claims (undoable); whether there was one."""
        low, high = pair(a, b)
        with self.transaction() as conn:
            row = conn.execute(
                "select a, b, linked_by, linked_at from claim_links where a = ? and b = ?",
                (low, high),
            ).fetchone()
            if row is None:
                return False
            before = dict(zip(COLUMNS, row, strict=True))
            doc = self._docs_of(conn, (a,)).get(a, "")
            item = history.item_id_of(KIND, before)
            history.apply(conn, KIND, item, None)
            history.record(conn, self.annotator, "delete", KIND, item, doc, before, None)
        return True

    def claim_links(self) -> list[tuple[str, str]]:
        """Every link between two existing claims, (smaller id, larger id), sorted."""
        with self.reading() as conn:
            return live_links(conn)

    def linked_to(self, claim_id: str) -> set[str]:
        """The claims linked to ``claim_id`` directly (not through another claim)."""
        with self.reading() as conn:
            if not has_links_table(conn):
                return set()
            rows = conn.execute(
                "select b from claim_links where a = ? union select a from claim_links where b = ?",
                (claim_id, claim_id),
            ).fetchall()
        return {str(r[0]) for r in rows}

    def claim_clusters(self) -> dict[str, str]:
        """Every linked claim's cluster id: the smallest claim id of its group."""
        return clusters(self.claim_links())

    def claim_quotes(self, claim_ids: Iterable[str] | None = None) -> list[tuple[str, str, str]]:
        """(id, document id, quote) of every claim, or of those of ``claim_ids`` that exist:
        what ``SimilarIndex`` indexes."""
        sql = "select id, doc_id, quote from claims"
        with self.reading() as conn:
            if claim_ids is None:
                return [(str(r[0]), str(r[1]), str(r[2] or "")) for r in conn.execute(sql)]
            ids = list(dict.fromkeys(claim_ids))
            out: list[tuple[str, str, str]] = []
            for i in range(0, len(ids), _CHUNK):
                chunk = ids[i : i + _CHUNK]
                rows = conn.execute(f"{sql} where id in ({','.join('?' * len(chunk))})", chunk)
                out += [(str(r[0]), str(r[1]), str(r[2] or "")) for r in rows]
        return out

    def claims_changed_since(self, seq: int) -> tuple[int, set[str], int]:
        """(the newest history seq, the claims logged as changed after ``seq``, how many
        claims there are now): enough to keep an index of quotes current without re-reading
        every claim; a change with no history row (an import, a merge) shows in the count.
        ``seq`` below 0 (nothing indexed yet) reads no history rows."""
        with self.reading() as conn:
            top = conn.execute("select coalesce(max(seq), 0) from history").fetchone()[0]
            rows = (
                []
                if seq < 0
                else conn.execute(
                    "select distinct item_id from history where seq > ? and kind = 'claim'", (seq,)
                ).fetchall()
            )
            count = conn.execute("select count(*) from claims").fetchone()[0]
        return int(top), {str(r[0]) for r in rows}, int(count)

    def claim_ids_starting(self, prefix: str, limit: int = 2) -> list[str]:
        """Claim ids beginning with ``prefix`` (a command takes a short id), at most ``limit``."""
        pattern = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        rows = self._rows(
            "select id from claims where id like ? escape '\\' order by id limit ?",
            (pattern, limit),
        )
        return [str(r["id"]) for r in rows]

    def claim_briefs(self, claim_ids: Iterable[str]) -> dict[str, ClaimBrief]:
        """What a list of similar claims shows of each existing claim of ``claim_ids``."""
        ids = list(dict.fromkeys(claim_ids))
        out: dict[str, ClaimBrief] = {}
        with self.reading() as conn:
            for i in range(0, len(ids), _CHUNK):
                chunk = ids[i : i + _CHUNK]
                rows = conn.execute(
                    "select c.id, c.doc_id, coalesce(d.title, ''), c.start, c.quote,"
                    " c.claim_type, c.annotator, c.review_status from claims c"
                    " left join documents d on d.id = c.doc_id"
                    f" where c.id in ({','.join('?' * len(chunk))})",
                    chunk,
                )
                for r in rows:
                    brief = ClaimBrief(
                        str(r[0]), str(r[1]), str(r[2]), int(r[3]), *(str(v or "") for v in r[4:])
                    )
                    out[brief.id] = brief
        return out

    def _docs_of(self, conn: Any, claim_ids: Iterable[str]) -> dict[str, str]:
        ids = list(claim_ids)
        rows = conn.execute(
            f"select id, doc_id from claims where id in ({','.join('?' * len(ids))})", ids
        ).fetchall()
        return {str(r[0]): str(r[1]) for r in rows}
