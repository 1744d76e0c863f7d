"""The numbers behind the stats screen and ``annotty stats --json``: one function, one ``Stats``.

The claims are read once for every label distribution (a GROUP BY per question cost several
times as much), and per-document totals come from an index, so 100,000 claims take a few
hundred milliseconds. The screen and the CLI show the same ``Stats``, so they never disagree;
``Stats.as_json`` is what ``--json`` prints.
"""

from __future__ import annotations

import sqlite3
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass
from typing import Any

from annotations.model import DOC_STATUSES
from annotations.store import dialect
from annotations.store.assignments import progress as assignment_progress
from annotations.timing import TimeStats, summarise

TOP = 20
"""How many targets and speakers are listed by name; the rest are summed as ``other``."""


@dataclass(frozen=True, slots=True)
class ReviewProgress:
    """Every claim by review status, and the share decided (accepted or rejected)."""

    pending: int
    accepted: int
    rejected: int
    reviewed_share: float


@dataclass(frozen=True, slots=True)
class DocumentCounts:
    """One annotator's documents by status (``todo``: every document not marked otherwise)."""

    todo: int
    in_progress: int
    done: int
    skipped: int


@dataclass(frozen=True, slots=True)
class AnnotatorProgress:
    """One person's claims by review status and documents by status."""

    annotator: str
    claims: int
    pending: int
    accepted: int
    rejected: int
    documents: DocumentCounts


@dataclass(frozen=True, slots=True)
class AssignedProgress:
    """One annotator's assigned documents (``annotty assign``) by that annotator's status."""

    annotator: str
    assigned: int
    done: int
    in_progress: int
    skipped: int
    todo: int


@dataclass(frozen=True, slots=True)
class ReviewerDecisions:
    """What one reviewer decided."""

    reviewer: str
    accepted: int
    rejected: int

    @property
    def pending(self) -> int:
        """Nothing: a decision is never pending (so a reviewer charts like the others)."""
        return 0


@dataclass(frozen=True, slots=True)
class DocumentProgress:
    """One document's claims by review status, and who marked it done."""

    id: str
    title: str
    claims: int
    pending: int
    accepted: int
    rejected: int
    done_by: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ClaimsBy:
    """Claims per value of each label, most frequent first."""

    claim_type: dict[str, int]
    stance: dict[str, int]
    review_status: dict[str, int]
    annotator: dict[str, int]


@dataclass(frozen=True, slots=True)
class TargetCount:
    """Claims about one target, by stance."""

    target: str
    claims: int
    stances: dict[str, int]


@dataclass(frozen=True, slots=True)
class OtherTargets:
    """The targets beyond the top ones, summed."""

    other_targets: int
    claims: int
    stances: dict[str, int]


@dataclass(frozen=True, slots=True)
class SpeakerCount:
    """Claims attributed to one speaker."""

    speaker: str
    claims: int


@dataclass(frozen=True, slots=True)
class TypeAcceptance:
    """Decided claim candidates of one suggested claim type, and the share accepted."""

    claim_type: str
    decided: int
    accepted: int
    rejected: int
    acceptance_rate: float


@dataclass(frozen=True, slots=True)
class AnnotatorAcceptance:
    """The claim candidates one annotator decided, and the share accepted."""

    annotator: str
    decided: int
    accepted: int
    rejected: int
    acceptance_rate: float


@dataclass(frozen=True, slots=True)
class SuggestionStats:
    """How the suggester's claim candidates fared: decisions by suggested type and by
    annotator, and how many of today's claims an accepted candidate made.

    ``acceptance_rate`` is accepted / decided (0 with nothing decided); ``share_of_claims`` is
    ``claims_from_suggestions`` / every claim (a claim an accept made and someone deleted since
    no longer counts; one edited since still does).
    """

    decided: int
    accepted: int
    rejected: int
    acceptance_rate: float
    by_type: tuple[TypeAcceptance, ...]
    by_annotator: tuple[AnnotatorAcceptance, ...]
    claims_from_suggestions: int
    share_of_claims: float


@dataclass(frozen=True, slots=True)
class Stats:
    """Counts for progress, review and label distributions over the whole corpus.

    ``documents_progress`` holds every document in library order, or with ``documents=N``
    only the N with most claims; ``type_by_stance`` maps claim type to claims by stance;
    ``targets`` and ``speakers`` are the top ones (``other_targets`` sums the rest).
    """

    documents: int
    claims: int
    entities: int
    history: int
    claims_by: ClaimsBy
    review: ReviewProgress
    annotators: tuple[AnnotatorProgress, ...]
    reviewers: tuple[ReviewerDecisions, ...]
    documents_with_claims: int
    documents_progress: tuple[DocumentProgress, ...]
    type_by_stance: dict[str, dict[str, int]]
    targets: tuple[TargetCount, ...]
    other_targets: OtherTargets | None
    speakers: tuple[SpeakerCount, ...]
    suggestions: SuggestionStats
    assignments: tuple[AssignedProgress, ...] = ()
    """Per annotator with assignments, by name; empty when nobody is assigned anything."""
    time: TimeStats = TimeStats((), (), ())
    """Seconds per timed claim (median, total) by annotator and claim type; document time."""

    def as_json(self) -> dict[str, Any]:
        """The numbers as ``annotty stats --json`` prints them: the summed other targets are
        the last entry of ``targets``, with ``"target": null``; ``assignments`` only when
        there are some."""
        out: dict[str, Any] = _plain(asdict(self))
        if not out["assignments"]:
            del out["assignments"]
        other = out.pop("other_targets")
        if other is not None:
            out["targets"].append({"target": None, **other})
        return out


def _plain(value: Any) -> Any:
    """JSON's own types: tuples (of records, of names) become lists."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def compute(conn: sqlite3.Connection, top: int = TOP, documents: int | None = None) -> Stats:
    """Counts for progress, review and label distributions over the whole corpus (with
    ``documents=N`` only the N documents with most claims, which is all a screen shows and
    much cheaper)."""
    n_docs, n_claims, n_entities, n_history = conn.execute(
        "select (select count(*) from documents), (select count(*) from claims),"
        " (select cast(coalesce(sum(count), 0) as bigint) from entity_runs r where computed_at ="
        "   (select max(computed_at) from entity_runs r2 where r2.doc_id = r.doc_id)),"
        " (select count(*) from history)"
    ).fetchone()
    claims_by: dict[str, Counter[str]] = {
        k: Counter() for k in ("claim_type", "stance", "review_status", "annotator")
    }
    type_by_stance: dict[str, Counter[str]] = defaultdict(Counter)
    per_annotator: dict[str, Counter[str]] = defaultdict(Counter)
    targets: dict[str, Counter[str]] = defaultdict(Counter)
    speakers: Counter[str] = Counter()
    reviewers: dict[str, Counter[str]] = defaultdict(Counter)
    # Counting label tuples in Python beats SQL's GROUP BY here: SQLite groups by sorting,
    # and sorting 100,000 rows of seven text columns costs more than hashing them.
    grouped = Counter(
        conn.execute(
            "select claim_type, stance, review_status, annotator, target, speaker, reviewer"
            " from claims"
        )
    )
    for (ctype, stance, status, who, target, speaker, reviewer), n in grouped.items():
        ctype, stance, status, who = ctype or "", stance or "", status or "pending", who or ""
        claims_by["claim_type"][ctype] += n
        claims_by["stance"][stance] += n
        claims_by["review_status"][status] += n
        claims_by["annotator"][who] += n
        type_by_stance[ctype][stance] += n
        per_annotator[who][status] += n
        targets[target or ""][stance] += n
        speakers[speaker or ""] += n
        if status != "pending":
            reviewers[reviewer or ""][status] += n

    statuses = claims_by["review_status"]
    decided = statuses["accepted"] + statuses["rejected"]
    ranked_targets, other_targets = _top_targets(targets, top)
    return Stats(
        documents=n_docs,
        claims=n_claims,
        entities=n_entities,
        history=n_history,
        claims_by=ClaimsBy(**{k: dict(v.most_common()) for k, v in claims_by.items()}),
        review=ReviewProgress(
            pending=statuses["pending"],
            accepted=statuses["accepted"],
            rejected=statuses["rejected"],
            reviewed_share=round(decided / n_claims, 4) if n_claims else 0.0,
        ),
        annotators=_annotators(conn, per_annotator, n_docs),
        reviewers=tuple(
            ReviewerDecisions(who, c["accepted"], c["rejected"])
            for who, c in sorted(reviewers.items(), key=lambda kv: (-kv[1].total(), kv[0]))
        ),
        documents_with_claims=conn.execute("select count(distinct doc_id) from claims").fetchone()[
            0
        ],
        documents_progress=_documents(conn, documents),
        type_by_stance={
            t: dict(s.most_common())
            for t, s in sorted(type_by_stance.items(), key=lambda kv: -kv[1].total())
        },
        targets=ranked_targets,
        other_targets=other_targets,
        speakers=tuple(
            SpeakerCount(s, n)
            for s, n in sorted(speakers.items(), key=lambda kv: (-kv[1], kv[0]))[:top]
        ),
        suggestions=suggestion_stats(conn, n_claims),
        assignments=tuple(
            AssignedProgress(p.annotator, p.assigned, p.done, p.in_progress, p.skipped, p.todo)
            for p in assignment_progress(conn)
        ),
        time=time_stats(conn),
    )


def time_stats(conn: sqlite3.Connection) -> TimeStats:
    """Time per claim (``claim_time`` joined to the claim, for its type; a deleted claim's
    time no longer counts) and per annotator with documents open (``doc_time``). A database
    from before time was recorded (read-only, never migrated) has none."""
    if "claim_time" not in dialect.table_names(conn):
        return TimeStats((), (), ())
    claims = conn.execute(
        "select t.annotator, c.claim_type, t.seconds from claim_time t"
        " join claims c on c.id = t.claim_id"
    ).fetchall()
    documents = conn.execute(
        "select annotator, count(*), coalesce(sum(seconds), 0) from doc_time group by annotator"
    ).fetchall()
    return summarise(claims, documents)


def _rate(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0


def suggestion_stats(conn: sqlite3.Connection, claims: int | None = None) -> SuggestionStats:
    """Claim candidates decided, accepted and rejected, by suggested type and by annotator.

    A few grouped reads of the ``suggestions`` table (one row per decided span), cheap enough
    for the review screen's header; a database from before suggestions existed (opened
    read-only, never migrated) has none.
    """
    has_table = "suggestions" in dialect.table_names(conn)
    rows = (
        conn.execute(
            "select claim_type, annotator, decision, count(*) from suggestions group by 1, 2, 3"
        ).fetchall()
        if has_table
        else []
    )
    by_type: dict[str, Counter[str]] = defaultdict(Counter)
    by_annotator: dict[str, Counter[str]] = defaultdict(Counter)
    for ctype, who, verdict, n in rows:
        by_type[ctype or ""][verdict] += n
        by_annotator[who or ""][verdict] += n
    if claims is None:
        claims = int(conn.execute("select count(*) from claims").fetchone()[0])
    made = (
        int(
            conn.execute(
                "select count(*) from claims where id in (select claim_id from suggestions"
                " where decision = 'accepted' and claim_id != '')"
            ).fetchone()[0]
        )
        if has_table
        else 0
    )
    accepted = sum(c["accepted"] for c in by_type.values())
    rejected = sum(c["rejected"] for c in by_type.values())

    def ranked(per: dict[str, Counter[str]]) -> list[tuple[str, int, int, int, float]]:
        out = []
        for name, c in per.items():
            decided = c["accepted"] + c["rejected"]
            out.append((name, decided, c["accepted"], c["rejected"], _rate(c["accepted"], decided)))
        return sorted(out, key=lambda row: (-row[1], row[0]))

    return SuggestionStats(
        decided=accepted + rejected,
        accepted=accepted,
        rejected=rejected,
        acceptance_rate=_rate(accepted, accepted + rejected),
        by_type=tuple(TypeAcceptance(*row) for row in ranked(by_type)),
        by_annotator=tuple(AnnotatorAcceptance(*row) for row in ranked(by_annotator)),
        claims_from_suggestions=made,
        share_of_claims=_rate(made, claims),
    )


def _documents(conn: sqlite3.Connection, limit: int | None) -> tuple[DocumentProgress, ...]:
    """Documents in library order (or the ``limit`` with most claims) by review status.

    Totals come from the ``(doc_id, start)`` index without a sort; only decided claims go
    through a GROUP BY sort, and pending is the difference.
    """
    params: list[str]
    if limit is None:
        totals = dict(conn.execute("select doc_id, count(*) from claims group by doc_id"))
        docs = conn.execute("select id, title from documents order by rowid").fetchall()
        only, params = "", []
    else:
        totals = dict(
            conn.execute(
                "select doc_id, count(*) as n from claims group by doc_id"
                " order by n desc, doc_id limit ?",
                (limit,),
            )
        )
        params = list(totals)
        only = f" and doc_id in ({','.join('?' * len(params))})"
        titles = dict(
            conn.execute(
                f"select id, title from documents where id in ({','.join('?' * len(params))})",
                params,
            )
        )
        docs = [(d, titles.get(d, "")) for d in totals]
    decided: dict[str, Counter[str]] = defaultdict(Counter)
    for doc_id, status, n in conn.execute(
        "select doc_id, review_status, count(*) from claims not indexed"
        f" where review_status in ('accepted', 'rejected'){only} group by 1, 2",
        params,
    ):
        decided[doc_id][status] += n
    done: dict[str, list[str]] = defaultdict(list)
    for doc_id, who in conn.execute(
        "select doc_id, annotator from doc_state where status = 'done' order by annotator"
    ):
        done[doc_id].append(who)
    out = []
    for doc_id, title in docs:
        total = totals.get(doc_id, 0)
        c = decided.get(doc_id, Counter())
        out.append(
            DocumentProgress(
                id=doc_id,
                title=title or "",
                claims=total,
                pending=total - c["accepted"] - c["rejected"],
                accepted=c["accepted"],
                rejected=c["rejected"],
                done_by=tuple(done.get(doc_id, ())),
            )
        )
    return tuple(out)


def _annotators(
    conn: sqlite3.Connection, per: dict[str, Counter[str]], documents: int
) -> tuple[AnnotatorProgress, ...]:
    """Claims by review status and documents by status, for everyone who did either."""
    doc_states: dict[str, Counter[str]] = defaultdict(Counter)
    for who, status, n in conn.execute(
        "select annotator, status, count(*) from doc_state group by 1, 2"
    ):
        doc_states[who or ""][status] += n
    out = []
    for who in sorted(set(per) | set(doc_states), key=lambda w: (-per[w].total(), w)):
        states = doc_states.get(who, Counter())
        counted = {s: states.get(s, 0) for s in DOC_STATUSES if s != "todo"}
        mine = per[who]
        out.append(
            AnnotatorProgress(
                annotator=who,
                claims=mine.total(),
                pending=mine["pending"],
                accepted=mine["accepted"],
                rejected=mine["rejected"],
                documents=DocumentCounts(todo=max(0, documents - sum(counted.values())), **counted),
            )
        )
    return tuple(out)


def _top_targets(
    per: dict[str, Counter[str]], top: int
) -> tuple[tuple[TargetCount, ...], OtherTargets | None]:
    """Claims per target split by stance; beyond ``top`` targets, one ``other`` sum."""
    ranked = sorted(per.items(), key=lambda kv: (-kv[1].total(), kv[0]))
    named = tuple(TargetCount(t, c.total(), dict(c.most_common())) for t, c in ranked[:top])
    rest: Counter[str] = Counter()
    for _, c in ranked[top:]:
        rest.update(c)
    if not rest:
        return named, None
    return named, OtherTargets(len(ranked) - top, rest.total(), dict(rest.most_common()))
