"""The report's summary: counts of the exported claims, tallied as the documents stream by.

The charts describe exactly what the report holds (the filters applied), which is why they are
counted here rather than read from ``annotations.stats``: that one counts the whole database.
Bars are inline SVG rectangles sized by attributes, with the number beside each, so they need no
script, no style attribute and no font.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence

from annotations.export.bundles import ClaimRow
from annotations.export.html_text import entity_class, esc, status_class, status_mark
from annotations.model import REVIEW_STATUSES, Entity

TOP = 10
BAR_WIDTH = 240
STANCE_COLOURS = 6
"""Stance fills the stylesheet defines (``st0``..``st5``); more stances share the last."""


class ReportStats:
    """Counters over the claims written so far, and the type classes the filters use."""

    def __init__(self) -> None:
        self.documents = 0
        self.claims = 0
        self.status: Counter[str] = Counter()
        self.type_stance: Counter[tuple[str, str]] = Counter()
        self.annotators: Counter[str] = Counter()
        self.targets: Counter[str] = Counter()
        self.speakers: Counter[str] = Counter()
        self.entity_labels: Counter[str] = Counter()
        self.types: dict[str, int] = {}

    def type_class(self, claim_type: str) -> str:
        """``t<n>``, n in order of first appearance: a class name no data can forge."""
        if claim_type not in self.types:
            self.types[claim_type] = len(self.types)
        return f"t{self.types[claim_type]}"

    def add(self, claims: Sequence[ClaimRow], entities: Sequence[Entity]) -> None:
        self.documents += 1
        self.claims += len(claims)
        for c in claims:
            self.status[c.review_status] += 1
            self.type_stance[c.claim_type, c.stance or "none"] += 1
            self.annotators[c.annotator] += 1
            if c.target.strip():
                self.targets[c.target.strip()] += 1
            if c.speaker.strip():
                self.speakers[c.speaker.strip()] += 1
        self.entity_labels.update(e.label for e in entities)

    def html(self) -> str:
        """The summary section: totals, the filters (shown by the script) and the charts."""
        statuses = list(REVIEW_STATUSES) + sorted(set(self.status) - set(REVIEW_STATUSES))
        parts = [
            '<section id="summary" aria-labelledby="summary-h">',
            '<h2 id="summary-h">Summary</h2>',
            f'<p class="totals">{self.documents:,} documents · {self.claims:,} claims'
            f" · {sum(self.entity_labels.values()):,} entities</p>",
            self._filters(statuses),
            '<div class="charts">',
            _bars(
                "Claims by review status",
                [(f"{status_mark(s)} {s}", self.status[s], status_class(s)) for s in statuses],
            ),
            self._type_stance(),
            _bars("Claims by annotator", _top(self.annotators, None)),
            _bars(f"Top {TOP} targets", _top(self.targets, TOP)),
            _bars(f"Top {TOP} speakers", _top(self.speakers, TOP)),
            _bars(
                "Entities by label",
                [(k, n, entity_class(k)) for k, n in self.entity_labels.most_common()],
            ),
            "</div></section>\n",
        ]
        return "".join(parts)

    def _filters(self, statuses: Iterable[str]) -> str:
        """Checkboxes that hide claims by status or type; hidden until the script runs."""
        boxes = [
            f'<label><input type="checkbox" checked data-k="{status_class(s)}"> {esc(s)}</label>'
            for s in statuses
        ]
        types = [
            f'<label><input type="checkbox" checked data-k="t{n}"> <bdi>{esc(t)}</bdi></label>'
            for t, n in self.types.items()
        ]
        return (
            '<form id="filters" hidden><fieldset><legend>Show claims by review status</legend>'
            + " ".join(boxes)
            + "</fieldset><fieldset><legend>Show claims by type</legend>"
            + (" ".join(types) or "none")
            + "</fieldset></form>"
        )

    def _type_stance(self) -> str:
        stances = Counter[str]()
        types = Counter[str]()
        for (claim_type, stance), n in self.type_stance.items():
            stances[stance] += n
            types[claim_type] += n
        order = [s for s, _ in stances.most_common()]
        widest = max(types.values(), default=0)
        head = "".join(
            f'<th scope="col"><span class="sw st{min(j, STANCE_COLOURS - 1)}"></span>'
            f" <bdi>{esc(s)}</bdi></th>"
            for j, s in enumerate(order)
        )
        rows = []
        for claim_type, total in types.most_common():
            cells = "".join(
                f'<td class="n">{self.type_stance[claim_type, s]:,}</td>' for s in order
            )
            rects, x = [], 0
            for j, s in enumerate(order):
                width = _width(self.type_stance[claim_type, s], widest)
                if width:
                    rects.append(
                        f'<rect class="st{min(j, STANCE_COLOURS - 1)}" x="{x}" width="{width}"'
                        ' height="12"/>'
                    )
                x += width
            rows.append(
                f'<tr><th scope="row"><bdi>{esc(claim_type)}</bdi></th>{cells}'
                f'<td class="n">{total:,}</td><td>{_svg("".join(rects))}</td></tr>'
            )
        body = "".join(rows) or f'<tr><td colspan="{len(order) + 3}">no claims</td></tr>'
        return (
            '<table class="chart"><caption>Claims by type × stance</caption>'
            f'<thead><tr><th scope="col">type</th>{head}<th scope="col">all</th><th></th>'
            f"</tr></thead><tbody>{body}</tbody></table>"
        )


def _top(counts: Counter[str], limit: int | None) -> list[tuple[str, int, str]]:
    return [(k or "(none)", n, "") for k, n in counts.most_common(limit)]


def _width(count: int, widest: int) -> int:
    return round(BAR_WIDTH * count / widest) if widest else 0


def _svg(inner: str) -> str:
    return (
        f'<svg class="bar" width="{BAR_WIDTH}" height="12" viewBox="0 0 {BAR_WIDTH} 12"'
        f' aria-hidden="true">{inner}</svg>'
    )


def _bars(title: str, rows: list[tuple[str, int, str]]) -> str:
    """A labelled bar per row (label, count, fill class), longest bar the largest count."""
    widest = max((n for _, n, _ in rows), default=0)
    cells = []
    for label, n, cls in rows:
        rect = f'<rect class="{cls or "fill"}" width="{_width(n, widest)}" height="12"/>'
        cells.append(
            f'<tr><th scope="row"><bdi>{esc(label)}</bdi></th><td class="n">{n:,}</td>'
            f"<td>{_svg(rect)}</td></tr>"
        )
    body = "".join(cells)
    body = body or '<tr><td colspan="3">none</td></tr>'
    return f'<table class="chart"><caption>{esc(title)}</caption><tbody>{body}</tbody></table>'
