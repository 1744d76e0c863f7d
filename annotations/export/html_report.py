"""A standalone HTML report: the documents with their entities and claims, and the counts.

One file anyone can open, with no network at all: the stylesheet and the small filter script
are inline, fonts are the system's, charts are inline SVG. A Content-Security-Policy lets only
that stylesheet and that script run (by their SHA-256), so even a report whose data somehow
carried markup could not load or run anything else; and every piece of data goes through
``html_text.esc``, so a document containing ``<script>`` shows it as text.

The writer streams like every exporter: each document is written as it comes and only counters
are kept, so the summary (counts and charts of the claims exported) is written at the end; the
stylesheet shows it first.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Iterable
from functools import cache
from importlib import resources
from typing import TextIO

from annotations.export.bundles import DocBundle
from annotations.export.html_stats import ReportStats
from annotations.export.html_text import (
    MAX_LEVEL,
    esc,
    render_text,
    status_class,
    status_mark,
)
from annotations.model import Decision

QUOTE_CHARS = 160
"""A claim's quote in the table is cut here (the text above shows it whole)."""
META_FIELDS = 8
META_CHARS = 80
"""A document's metadata is shown in part: the first fields, each value cut here."""


@cache
def asset(name: str) -> str:
    """``html_report.css`` or ``html_report.js``, as shipped in the package."""
    return resources.files("annotations.export").joinpath(name).read_text(encoding="utf-8")


def digest(source: str) -> str:
    """A CSP source expression allowing exactly this inline script or stylesheet."""
    raw = hashlib.sha256(source.encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(raw).decode('ascii')}'"


def policy(css: str, js: str) -> str:
    """Nothing may load; only our own stylesheet and script may apply or run."""
    return (
        f"default-src 'none'; style-src {digest(css)}; script-src {digest(js)}; "
        "img-src 'none'; base-uri 'none'; form-action 'none'"
    )


def head(css: str, js: str) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{policy(css, js)}">\n'
        '<meta name="referrer" content="no-referrer">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="generator" content="annotty">\n'
        "<title>annotty report</title>\n"
        f"<style>{css}</style>\n</head>\n<body>\n"
        '<header id="top"><h1>annotty report</h1>'
        '<p class="legend"><span class="key">Claims</span> are underlined, one bar row per claim'
        " where they overlap, coloured by review status:"
        ' <span class="sw s-accepted"></span> ✓ accepted'
        ' <span class="sw s-pending"></span> ? pending'
        ' <span class="sw s-rejected"></span> ✗ rejected (dashed).'
        ' <span class="key">Entities</span> are tinted by label'
        ' (<span class="e e-PERSON et" data-l="PERSON">Ada</span>,'
        ' <span class="e e-GPE et" data-l="GPE">Paris</span>).'
        " Hover over a span for its labels; each document's table lists its claims.</p>"
        '<nav><a href="#summary">Summary and filters</a></nav></header>\n<main id="docs">\n'
    )


def tail(stats: ReportStats, js: str) -> str:
    empty = "" if stats.documents else '<p class="none">No documents match the filters.</p>\n'
    return f"{empty}</main>\n{stats.html()}<script>{js}</script>\n</body>\n</html>\n"


def document(bundle: DocBundle, number: int, stats: ReportStats) -> str:
    """One document's section: heading, highlighted text, its claims table."""
    doc = bundle.doc
    claims = bundle.claims
    anchors = [f"c{number}-{n}" for n in range(len(claims))]
    body, rows = render_text(
        doc.text, bundle.entities, claims, anchors.__getitem__, stats.type_class
    )
    stats.add(claims, bundle.entities)
    meta = [f"id <bdi>{esc(doc.id)}</bdi>"]
    if doc.source:
        meta.append(f"source <bdi>{esc(doc.source)}</bdi>")
    meta.append(f"{len(claims):,} claims · {len(bundle.entities):,} entities")
    for key, value in list(doc.meta.items())[:META_FIELDS]:
        shown = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
        meta.append(f"<bdi>{esc(str(key))}</bdi>: <bdi>{esc(_cut(shown, META_CHARS))}</bdi>")
    for state in bundle.states:
        stance = f", stance {esc(state.stance)}" if state.stance else ""
        meta.append(f"<bdi>{esc(state.annotator)}</bdi>: {esc(state.status)}{stance}")
    parts = [
        f'<section class="doc" id="d{number}" data-doc-id="{esc(doc.id)}">',
        f"<h2><bdi>{esc(doc.title or doc.id)}</bdi></h2>",
        f'<p class="meta">{" · ".join(meta)}</p>',
        f'<div class="text dp{min(rows, MAX_LEVEL + 1)}">{body}</div>',
        _claims_table(bundle, anchors, stats),
    ]
    if bundle.suggestions:
        parts.append(_decisions_table(bundle.suggestions))
    parts.append("</section>\n")
    return "".join(parts)


_CLAIM_HEAD = (
    "<thead><tr><th>#</th><th>quote</th><th>type</th><th>stance</th><th>target</th>"
    "<th>speaker</th><th>annotator</th><th>review</th><th>note</th></tr></thead>"
)


def _cut(value: str, limit: int = QUOTE_CHARS) -> str:
    return value if len(value) <= limit else value[: limit - 1] + "…"


def _claims_table(bundle: DocBundle, anchors: list[str], stats: ReportStats) -> str:
    if not bundle.claims:
        return '<p class="none">No claims.</p>'
    rows = []
    for n, c in enumerate(bundle.claims):
        review = f"{status_mark(c.review_status)} {esc(c.review_status)}"
        if c.reviewer:
            review += f" by <bdi>{esc(c.reviewer)}</bdi>"
        if c.review_note:
            review += f"<br><bdi>{esc(c.review_note)}</bdi>"
        rows.append(
            f'<tr class="{status_class(c.review_status)} {stats.type_class(c.claim_type)}">'
            f'<td><a href="#{anchors[n]}">{n + 1}</a></td>'
            f'<td class="q"><bdi>{esc(_cut(c.quote))}</bdi></td>'
            f"<td><bdi>{esc(c.claim_type)}</bdi></td><td><bdi>{esc(c.stance)}</bdi></td>"
            f"<td><bdi>{esc(c.target)}</bdi></td><td><bdi>{esc(c.speaker)}</bdi></td>"
            f"<td><bdi>{esc(c.annotator)}</bdi></td><td>{review}</td>"
            f"<td><bdi>{esc(c.note)}</bdi></td></tr>"
        )
    return f'<table class="claims">{_CLAIM_HEAD}<tbody>{"".join(rows)}</tbody></table>'


def _decisions_table(decisions: Iterable[Decision]) -> str:
    """Decided claim candidates (``--include-suggestions``): listed, not drawn in the text."""
    rows = "".join(
        f'<tr><td class="q"><bdi>{esc(_cut(d.quote))}</bdi></td><td class="n">{d.score:.2f}</td>'
        f"<td><bdi>{esc(d.claim_type)}</bdi></td><td><bdi>{esc(d.speaker)}</bdi></td>"
        f"<td>{esc(d.decision)}</td><td><bdi>{esc(d.annotator)}</bdi></td>"
        f"<td><bdi>{esc(d.suggester)}</bdi></td></tr>"
        for d in decisions
    )
    return (
        '<table class="claims decided"><caption>Decided claim candidates</caption>'
        "<thead><tr><th>quote</th><th>score</th><th>suggested type</th><th>speaker</th>"
        f"<th>decision</th><th>by</th><th>suggester</th></tr></thead><tbody>{rows}</tbody></table>"
    )


def write_html(items: Iterable[DocBundle], out: TextIO) -> int:
    """The report, a document at a time; returns the number of documents written."""
    css, js = asset("html_report.css"), asset("html_report.js")
    stats = ReportStats()
    out.write(head(css, js))
    count = 0
    for bundle in items:
        out.write(document(bundle, count, stats))
        count += 1
    out.write(tail(stats, js))
    return count
