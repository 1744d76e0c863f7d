"""The numbers behind the stats screen and ``annotty stats --json``: one function, one dict.

The claims are read once for every label distribution (a GROUP BY per question cost several
times as much), and per-document totals come from an index, so 100,000 claims take a few
hundred milliseconds. The screen and the CLI show
the same dict, so they never disagree.
"""

from __future__ import annotations

import sqlite3
from collections import Counter, defaultdict
from typing import Any

from annotations.model import DOC_STATUSES, REVIEW_STATUSES

TOP = 20
"""How many targets and speakers are listed by name; the rest are summed as ``other``."""


def _status_counts() -> dict[str, int]:
    return dict.fromkeys(REVIEW_STATUSES, 0)


def compute(
    conn: sqlite3.Connection, top: int = TOP, documents: int | None = None
) -> dict[str, Any]:
    """Counts for progress, review and label distributions over the whole corpus.

    Keys: ``documents claims entities history`` (totals), ``claims_by`` (claim_type, stance,
    review_status, annotator), ``review`` (status counts and the reviewed share),
    ``annotators`` and ``reviewers`` (progress per person), ``documents_with_claims``,
    ``documents_progress`` (every document in library order, or with ``documents=N`` only the
    N with most claims, which is all a screen shows and much cheaper), ``type_by_stance``,
    ``targets`` and ``speakers`` (top ``top``).
    """
    totals = dict(
        zip(
            ("documents", "claims", "entities", "history"),
            conn.execute(
                "select (select count(*) from documents), (select count(*) from claims),"
                " (select coalesce(sum(count), 0) from entity_runs r where computed_at ="
                "   (select max(computed_at) from entity_runs r2 where r2.doc_id = r.doc_id)),"
                " (select count(*) from history)"
            ).fetchone(),
            strict=True,
        )
    )
    claims_by: dict[str, Counter[str]] = {
        k: Counter() for k in ("claim_type", "stance", "review_status", "annotator")
    }
    type_by_stance: dict[str, Counter[str]] = defaultdict(Counter)
    per_annotator: dict[str, dict[str, int]] = defaultdict(_status_counts)
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

    review: dict[str, Any] = {**_status_counts(), **claims_by["review_status"]}
    decided = review["accepted"] + review["rejected"]
    review["reviewed_share"] = round(decided / totals["claims"], 4) if totals["claims"] else 0.0
    return {
        **totals,
        "claims_by": {k: dict(v.most_common()) for k, v in claims_by.items()},
        "review": review,
        "annotators": _annotators(conn, per_annotator, totals["documents"]),
        "reviewers": [
            {"reviewer": who, "accepted": c["accepted"], "rejected": c["rejected"]}
            for who, c in sorted(reviewers.items(), key=lambda kv: (-kv[1].total(), kv[0]))
        ],
        "documents_with_claims": conn.execute(
            "select count(distinct doc_id) from claims"
        ).fetchone()[0],
        "documents_progress": _documents(conn, documents),
        "type_by_stance": {
            t: dict(s.most_common())
            for t, s in sorted(type_by_stance.items(), key=lambda kv: -kv[1].total())
        },
        "targets": _top_targets(targets, top),
        "speakers": [
            {"speaker": s, "claims": n}
            for s, n in sorted(speakers.items(), key=lambda kv: (-kv[1], kv[0]))[:top]
        ],
    }


def _documents(conn: sqlite3.Connection, limit: int | None) -> list[dict[str, Any]]:
    """Documents in library order (or the ``limit`` with most claims) by review status.

    Totals come from the ``(doc_id, start)`` index without a sort; only decided claims go
    through a GROUP BY sort, and pending is the difference.
    """
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
    decided: dict[str, dict[str, int]] = defaultdict(_status_counts)
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
        c = decided.get(doc_id) or _status_counts()
        c["pending"] = total - c["accepted"] - c["rejected"]
        out.append(
            {
                "id": doc_id,
                "title": title or "",
                "claims": total,
                **c,
                "done_by": done.get(doc_id, []),
            }
        )
    return out


def _annotators(
    conn: sqlite3.Connection, per: dict[str, dict[str, int]], documents: int
) -> list[dict[str, Any]]:
    """Claims by review status and documents by status, for everyone who did either."""
    doc_states: dict[str, Counter[str]] = defaultdict(Counter)
    for who, status, n in conn.execute(
        "select annotator, status, count(*) from doc_state group by 1, 2"
    ):
        doc_states[who or ""][status] += n
    out = []
    for who in sorted(set(per) | set(doc_states), key=lambda w: (-sum(per[w].values()), w)):
        states = doc_states.get(who, Counter())
        counted = {s: states.get(s, 0) for s in DOC_STATUSES if s != "todo"}
        out.append(
            {
                "annotator": who,
                "claims": sum(per[who].values()),
                **per[who],
                "documents": {"todo": max(0, documents - sum(counted.values())), **counted},
            }
        )
    return out


def _top_targets(per: dict[str, Counter[str]], top: int) -> list[dict[str, Any]]:
    """Claims per target split by stance; beyond ``top`` targets, one ``other`` row."""
    ranked = sorted(per.items(), key=lambda kv: (-kv[1].total(), kv[0]))
    out: list[dict[str, Any]] = [
        {"target": t, "claims": c.total(), "stances": dict(c.most_common())}
        for t, c in ranked[:top]
    ]
    rest: Counter[str] = Counter()
    for _, c in ranked[top:]:
        rest.update(c)
    if rest:
        out.append(
            {
                "target": None,
                "other_targets": len(ranked) - top,
                "claims": rest.total(),
                "stances": dict(rest.most_common()),
            }
        )
    return out
