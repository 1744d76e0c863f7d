"""The review filter: which claims a reviewer sees, checked, saved and turned into SQL.

A filter becomes one SQL condition (labels, document, FTS5 search) used both to list claims
(``annotations.review.listing``) and to decide on all of them at once
(``annotations.review.decisions``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, fields, replace
from typing import TYPE_CHECKING, Any

from annotations.doc_ref import AmbiguousDocument, NoSuchDocument, resolve_document
from annotations.model import REVIEW_STATUSES
from annotations.store import Store, StoreError, dialect
from annotations.terminal_safe import clean

if TYPE_CHECKING:
    from annotations.schema import Schema

FILTER_ALIASES = {
    "type": "claim_type",
    "status": "review_status",
    "doc": "document",
    "q": "search",
    "text": "search",
}
"""Short names accepted on the command line (``--filter type=causal``)."""
SETTING = "review.filter:"
SOURCES = ("suggested", "manual")
"""Where a claim came from: an accepted claim candidate, or an annotator's own selection."""
COMMENT_FILTERS = ("unresolved", "any")
"""Claims with an unresolved comment, or with any comment at all (``comments=``)."""
ANCHOR_FILTERS = ("flagged", "review", "lost")
"""Claims a new version of their article flagged (``anchor=``): any flag, reworded
(``review``: placed on the new words) or gone (``lost``)."""
LINKED = "linked"
"""``cluster=linked``: every claim linked as the same claim as another, each group together."""


class ReviewError(StoreError):
    """A review request that cannot be done (bad filter, unknown decision)."""


@dataclass(frozen=True, slots=True)
class ReviewFilter:
    """Which claims the review shows; empty fields match everything, set fields all must match.

    ``document`` is a document id or words from its title; ``search`` is full text over the
    claim's quote and note (every word must occur, each as a word prefix); ``source`` is
    ``suggested`` for claims an accepted candidate made, ``manual`` for all others;
    ``comments`` is ``unresolved`` (a comment on the claim is open) or ``any``;
    ``cluster`` is ``linked`` (claims linked as the same claim) or a claim id (its group);
    ``anchor`` is ``flagged``, ``review`` or ``lost`` (see ``ANCHOR_FILTERS``).
    """

    claim_type: str = ""
    stance: str = ""
    target: str = ""
    annotator: str = ""
    review_status: str = ""
    document: str = ""
    search: str = ""
    source: str = ""
    comments: str = ""
    cluster: str = ""
    anchor: str = ""

    def is_empty(self) -> bool:
        return not any(getattr(self, f.name) for f in fields(self))

    def active(self) -> list[tuple[str, str]]:
        """The set fields, in declaration order: what the filter bar shows."""
        return [(f.name, getattr(self, f.name)) for f in fields(self) if getattr(self, f.name)]

    def describe(self) -> str:
        return " · ".join(f"{k}={v}" for k, v in self.active()) or "all claims"

    def to_json(self) -> str:
        return json.dumps(dict(self.active()), ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_json(cls, raw: str) -> ReviewFilter:
        """A saved filter; anything unreadable gives the empty filter rather than an error."""
        try:
            data = json.loads(raw) if raw else {}
            return cls.from_dict(data if isinstance(data, dict) else {})
        except (ValueError, ReviewError):
            return cls()

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ReviewFilter:
        known = {f.name for f in fields(cls)}
        out: dict[str, str] = {}
        for key, value in data.items():
            name = FILTER_ALIASES.get(key, key)
            if name not in known:
                raise ReviewError(f"unknown filter {key!r}; use one of {', '.join(sorted(known))}")
            out[name] = str(value).strip()
        status = out.get("review_status", "")
        if status and status not in REVIEW_STATUSES:
            raise ReviewError(
                f"unknown review status {status!r}; use one of {', '.join(REVIEW_STATUSES)}"
            )
        source = out.get("source", "")
        if source and source not in SOURCES:
            raise ReviewError(f"unknown source {clean(source)!r}; use one of {', '.join(SOURCES)}")
        comments = out.get("comments", "")
        if comments and comments not in COMMENT_FILTERS:
            raise ReviewError(
                f"unknown comments filter {clean(comments)!r};"
                f" use one of {', '.join(COMMENT_FILTERS)}"
            )
        anchor = out.get("anchor", "")
        if anchor and anchor not in ANCHOR_FILTERS:
            raise ReviewError(
                f"unknown anchor filter {clean(anchor)!r}; use one of {', '.join(ANCHOR_FILTERS)}"
            )
        return cls(**out)

    @classmethod
    def parse(cls, items: Iterable[str]) -> ReviewFilter:
        """``["stance=against", "q=tariff"]`` (the ``--filter`` options) into a filter."""
        data: dict[str, str] = {}
        for item in items:
            key, sep, value = item.partition("=")
            if not sep or not key.strip():
                raise ReviewError(f"filter {item!r} is not KEY=VALUE")
            data[key.strip()] = value
        return cls.from_dict(data)

    def replace(self, **changes: str) -> ReviewFilter:
        return replace(self, **changes)

    def validated(self, schema: Schema, store: Store) -> ReviewFilter:
        """This filter if every value can match something, with ``document`` made an id.

        A typo (``type=Causal``, ``stance=maybe``) would otherwise show no claims, and be
        remembered as the review filter; instead it is a ``ReviewError`` listing what is valid.
        ``document`` is resolved by ``annotations.doc_ref`` (id, id prefix, file name, title);
        words of a title still work when some title contains them.
        """
        if self.cluster and self.cluster != LINKED:
            found = store.claim_ids_starting(self.cluster)
            if self.cluster not in found:  # a unique start of an id names its claim
                if len(found) != 1:
                    what = "more than one claim starts with" if found else "no claim"
                    raise ReviewError(f"cluster: {what} {clean(self.cluster)!r}")
                return replace(self, cluster=found[0]).validated(schema, store)
        valid = known_values(schema, store)
        for name in ("claim_type", "stance", "review_status", "annotator", "target"):
            check_value(name, getattr(self, name), valid[name])
        if not self.document:
            return self
        try:
            return replace(self, document=resolve_document(store, self.document))
        except AmbiguousDocument as exc:
            raise ReviewError(f"document: {exc}") from exc
        except NoSuchDocument as exc:
            pattern = "%" + re.sub(r"([%_\\])", r"\\\1", self.document) + "%"
            if store.query(
                "select 1 from documents where title like ? escape '\\' limit 1", [pattern]
            ):
                return self  # words of titles, as the filter dialog takes them
            raise ReviewError(f"document: {exc}") from exc


FIELD_NAMES = {
    "claim_type": "claim type",
    "stance": "stance",
    "review_status": "review status",
    "annotator": "annotator",
    "target": "target",
}
_KNOWN_SQL = {  # fixed statements: no name from data is ever part of SQL
    "claim_type": "select distinct claim_type as v from claims",
    "stance": "select distinct stance as v from claims",
    "annotator": "select distinct annotator as v from claims",
    "target": "select distinct target as v from claims",
}


def known_values(schema: Schema, store: Store) -> dict[str, tuple[str, ...]]:
    """What each claim field can be: the schema's labels, then any other value stored
    (claims imported under another schema), review statuses, annotators and targets in use."""
    stored = {
        name: [str(r["v"]) for r in store.query(sql) if r["v"]] for name, sql in _KNOWN_SQL.items()
    }
    return {
        "claim_type": tuple(
            dict.fromkeys(
                [*(lab.name for lab in schema.claim_types), *sorted(stored["claim_type"])]
            )
        ),
        "stance": tuple(
            dict.fromkeys([*(lab.name for lab in schema.stances), *sorted(stored["stance"])])
        ),
        "review_status": REVIEW_STATUSES,
        "annotator": tuple(sorted(stored["annotator"])),
        "target": tuple(dict.fromkeys([*schema.targets, *sorted(stored["target"])])),
    }


def check_values(schema: Schema, store: Store, **values: Iterable[str]) -> None:
    """``check_value`` for several fields at once (``export --type A --stance B ...``)."""
    valid = known_values(schema, store)
    for name, given in values.items():
        for value in given:
            check_value(name, value, valid[name])


def check_value(name: str, value: str, valid: Iterable[str], shown: int = 12) -> None:
    """Refuse a filter value no claim can have, naming the valid ones (and a near miss)."""
    valid = tuple(valid)
    if not value or value in valid:
        return
    what = FIELD_NAMES.get(name, name)
    near = [v for v in valid if v.casefold() == value.casefold()]
    hint = f"; did you mean '{clean(near[0])}'?" if near else ""
    if not valid:
        raise ReviewError(f"unknown {what} '{clean(value)}': no claim has one yet")
    listed = ", ".join(clean(v) for v in valid[:shown])
    more = f" and {len(valid) - shown} more" if len(valid) > shown else ""
    raise ReviewError(f"unknown {what} '{clean(value)}'{hint} (valid: {listed}{more})")


def _words(text: str) -> list[str]:
    return [w for w in re.split(r"\s+", text.strip()) if any(ch.isalnum() for ch in w)]


def fts_query(text: str) -> str:
    """User words as an FTS5 query: each a quoted prefix term, so no input is FTS syntax."""
    return " ".join('"' + w.replace('"', '""') + '"*' for w in _words(text))


def ts_query(text: str) -> str:
    """User words as PostgreSQL ``to_tsquery`` input, the same search as ``fts_query``: each
    a quoted prefix lexeme (quote doubled, backslash escaped: no input is tsquery syntax),
    all of them required."""
    return " & ".join(
        "'" + w.replace("\\", "\\\\").replace("'", "''") + "':*" for w in _words(text)
    )


def _search(text: str, db: object) -> tuple[str, str]:
    """The full-text condition and its parameter: FTS5 on SQLite, the claims' ``search``
    tsvector (``pg_schema``, GIN-indexed, same accent folding) on PostgreSQL; "" if no word."""
    if dialect.is_postgres(db):
        query = ts_query(text)
        return ("c.search @@ to_tsquery('annotty', ?)" if query else ""), query
    query = fts_query(text)
    cond = "c.rowid in (select rowid from claims_fts where claims_fts match ?)"
    return (cond if query else ""), query


def where(f: ReviewFilter, db: object = None) -> tuple[str, list[Any]]:
    """SQL condition on ``claims c`` for a filter, with its parameters. ``db`` (the store or
    a connection of it) says which database runs it: its full-text search differs."""
    parts: list[str] = []
    params: list[Any] = []
    for name in ("claim_type", "stance", "target", "annotator", "review_status"):
        value = getattr(f, name)
        if value:
            parts.append(f"c.{name} = ?")
            params.append(value)
    if f.document:
        pattern = "%" + re.sub(r"([%_\\])", r"\\\1", f.document) + "%"
        parts.append(
            "(c.doc_id = ? or c.doc_id in"
            " (select id from documents where title like ? escape '\\'))"
        )
        params += [f.document, pattern]
    if f.search:
        cond, query = _search(f.search, db)
        if cond:
            parts.append(cond)
            params.append(query)
    if f.source in SOURCES:  # one hashed subquery, not a lookup per claim
        negate = "not " if f.source == "manual" else ""
        parts.append(
            f"c.id {negate}in (select claim_id from suggestions"
            " where decision = 'accepted' and claim_id != '')"
        )
    if f.comments in COMMENT_FILTERS:  # the thread's (kind, item_id) index answers it
        open_only = " and k.resolved_at = ''" if f.comments == "unresolved" else ""
        parts.append(
            "exists (select 1 from comments k where k.kind = 'claim' and k.item_id = c.id"
            f"{open_only})"
        )
    if f.anchor in ANCHOR_FILTERS:  # flags are few: the claim_anchors rows of flagged claims
        parts.append(
            "c.id in (select a.claim_id from claim_anchors a where a.flag <> ''"
            + ("" if f.anchor == "flagged" else " and a.flag = ?")
            + ")"
        )
        params += [] if f.anchor == "flagged" else [f.anchor]
    if f.cluster:
        parts.append(_cluster(f.cluster))
        params += [] if f.cluster == LINKED else [f.cluster]
    return (" and ".join(parts) or "true"), params


# links between two existing claims (a deleted claim's links do not join groups)
_LIVE = "l.a in (select id from claims) and l.b in (select id from claims)"


def _cluster(cluster: str) -> str:
    """The condition for ``cluster=``: every linked claim, or the group of one claim (walked
    link by link by a recursive query, the same on SQLite and PostgreSQL)."""
    if cluster == LINKED:
        return (
            f"c.id in (select l.a from claim_links l where {_LIVE}"
            f" union select l.b from claim_links l where {_LIVE})"
        )
    return (
        "c.id in (with recursive grp(id) as (select id from claims where id = ? union"
        " select case when l.a = grp.id then l.b else l.a end from claim_links l"
        f" join grp on (l.a = grp.id or l.b = grp.id) where {_LIVE}) select id from grp)"
    )


def saved_filter(store: Store) -> ReviewFilter:
    """The filter this annotator last used in review (kept in the database's settings)."""
    return ReviewFilter.from_json(store.setting(SETTING + store.annotator))


def save_filter(store: Store, f: ReviewFilter) -> None:
    store.set_setting(SETTING + store.annotator, f.to_json())
