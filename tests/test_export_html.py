"""The HTML report, read back without a browser: offsets, escaping, filters, CSP, the command.

The page is parsed with ``html.parser``. A claim's pieces (the elements whose ``data-c`` names
its anchor, the one carrying its ``data-claim-id``), read in order, must spell its quote
exactly, whatever the text holds. What a browser's parser does beyond ``html.parser`` (a raw CR
or CR LF read as LF) is checked by the absence of any raw CR in the output, and in a real
Chromium by ``test_browser_report.py``.
"""

from __future__ import annotations

import base64
import hashlib
import io
import re
from collections import defaultdict
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotations.export import Filters, export
from annotations.export.bundles import ClaimRow, DocBundle
from annotations.export.html_report import write_html
from annotations.export.html_text import esc, levels, shown
from annotations.model import Document, Entity
from annotations.store import Store
from tests.test_cli_support import Ran

HOSTILE = (
    'A <script>window.pwned=1</script> and <img src=x onerror="window.pwned=1"> and'
    " \"quotes\" & 'apostrophes' </div></section><!-- --> end."
)


class Page(HTMLParser):
    """What a test needs of a report: each claim's text, attributes, scripts and styles."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, dict[str, str]]] = []
        self.claim_text: dict[str, list[str]] = defaultdict(list)
        self.heads: dict[str, dict[str, str]] = {}
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.scripts: list[str] = []
        self.styles: list[str] = []
        self.texts: list[str] = []
        self._raw: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        self.tags.append((tag, values))
        if tag in ("script", "style"):
            self._raw = self.scripts if tag == "script" else self.styles
            self._raw.append("")
        if tag in ("br", "meta", "input", "rect"):
            return
        self.stack.append((tag, values))
        if "data-start" in values and "data-claim-id" in values:
            self.heads[values["data-claim-id"]] = values
        if "text" in values.get("class", "").split():
            self.texts.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._raw = None
        while self.stack:
            open_tag, _ = self.stack.pop()
            if open_tag == tag:
                break

    def handle_data(self, data: str) -> None:
        if self._raw is not None:
            self._raw[-1] += data
            return
        inside_text = False
        for _, values in self.stack:
            if "data-c" in values:
                self.claim_text[values["data-c"]].append(data)
            if "text" in values.get("class", "").split():
                inside_text = True
        if inside_text:
            self.texts[-1] += data

    def quote(self, claim_id: str) -> str:
        """The text of every piece naming the claim's anchor, in order."""
        anchor = self.heads[claim_id]["data-c"]
        assert self.heads[claim_id]["id"] == anchor
        return "".join(self.claim_text[anchor])


def parse(page: str) -> Page:
    parsed = Page()
    parsed.feed(page)
    parsed.close()
    return parsed


def report(store: Store, filters: Filters | None = None) -> str:
    buffer = io.StringIO()
    export(store, "html", buffer, "", filters=filters)
    return buffer.getvalue()


def claim(doc_id: str, n: int, start: int, end: int, text: str) -> ClaimRow:
    return ClaimRow(f"c{n}", doc_id, start, end, text[start:end], "causal")


def bundle_page(text: str, spans: list[tuple[int, int]], entities: list[Entity]) -> str:
    doc = Document(id="d", title="t", text=text)
    claims = [claim("d", n, s, e, text) for n, (s, e) in enumerate(spans)]
    buffer = io.StringIO()
    assert write_html([DocBundle(doc, entities, claims)], buffer) == 1
    return buffer.getvalue()


# -- offsets ------------------------------------------------------------------------------------
TRICKY = [
    "\r",
    "\n",
    "\r\n",
    "\t",
    " ",
    "a",
    "é",
    "e\u0301",
    "😀",
    "🇨🇳",
    "👨\u200d👩\u200d👧",
    "\u2028",
    "\u2029",
    "\x85",
    "\x80",
    "\x9b",
    "\x0c",
    "\x0b",
    "\x7f",
    "\ufeff",
    "\u202e",
    "\ufdd0",
    "\uffff",
    "&",
    "<",
    ">",
    '"',
    "'",
    "&amp;",
    "&#13;",
    "<!--",
    "]]>",
    "\x00",
    "\ud800",
    "\udfff",
]


@st.composite
def documents(draw: st.DrawFn) -> tuple[str, list[tuple[int, int]], list[Entity]]:
    pieces = draw(st.lists(st.one_of(st.sampled_from(TRICKY), st.text(max_size=3)), max_size=40))
    text = "".join(pieces) or "x"
    span = st.tuples(st.integers(0, len(text) - 1), st.integers(1, len(text))).filter(
        lambda p: p[0] < p[1]
    )
    spans = draw(st.lists(span, max_size=8))
    ents = [
        Entity(s, e, draw(st.sampled_from(["ORG", "GPE", "NEW"])), "rules", text[s:e])
        for s, e in draw(st.lists(span, max_size=4))
    ]
    return text, sorted(spans), sorted(ents, key=lambda e: (e.start, e.end))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents())
def test_every_claim_reads_back_as_its_quote(
    case: tuple[str, list[tuple[int, int]], list[Entity]],
) -> None:
    text, spans, entities = case
    page = bundle_page(text, spans, entities)
    assert "\r" not in page and "\x00" not in page  # a browser would turn a raw CR into LF
    page.encode("utf-8")  # no lone surrogate left
    parsed = parse(page)
    assert parsed.texts == [shown(text)]
    for n, (start, end) in enumerate(spans):
        assert parsed.quote(f"c{n}") == shown(text[start:end])
        head = parsed.heads[f"c{n}"]
        assert (int(head["data-start"]), int(head["data-end"])) == (start, end)


def test_only_what_html_cannot_carry_changes_and_keeps_its_length() -> None:
    text = "a\x00b\ud800c\r\nd\x85"
    assert shown(text) == "a\ufffdb\ufffdc\r\nd\x85" and len(shown(text)) == len(text)
    assert esc("\r\n<&>\"'") == "&#13;\n&lt;&amp;&gt;&quot;&#x27;"


def test_overlapping_claims_get_their_own_rows() -> None:
    text = "0123456789"
    claims = [
        claim("d", n, s, e, text) for n, (s, e) in enumerate([(0, 5), (2, 8), (3, 4), (6, 9)])
    ]
    rows = levels(claims)
    assert rows == [0, 1, 2, 0]
    for i, a in enumerate(claims):
        for j, b in enumerate(claims[:i]):
            if a.start < b.end and b.start < a.end:
                assert rows[i] != rows[j]


# -- escaping -----------------------------------------------------------------------------------
def hostile_store() -> Store:
    store = Store(None, annotator='<img src=x onerror="window.pwned=1">')
    doc, _ = store.add_document(
        HOSTILE + "\r\nline two\rthree",
        title="<script>alert(1)</script>",
        meta={"<k>": '"><script>window.pwned=1</script>', "n": [1, "<b>x</b>"]},
        source='"><b>x</b>',
    )
    start = HOSTILE.index("<script>")
    one = store.add_claim(
        doc.id, start, HOSTILE.index(" end"), "<b>type</b>", stance="<i>", target="</td>",
        speaker="<script>", note="& <x>",
    )  # fmt: skip
    store.review_claim(
        one.id,
        {"review_status": "rejected", "reviewer": "<u>rev</u>", "review_note": "<svg onload=1>",
         "reviewed_at": "2026-01-01"},
    )  # fmt: skip
    store.add_claim(doc.id, 0, len(HOSTILE) + 5, "opinion")
    return store


def test_hostile_data_is_text() -> None:
    store = hostile_store()
    page = report(store)
    parsed = parse(page)
    tags = {tag for tag, _ in parsed.tags}
    assert not tags & {"img", "b", "i", "u", "x"}
    assert len(parsed.scripts) == 1 and len(parsed.styles) == 1  # our own only
    assert sum(1 for tag, _ in parsed.tags if tag == "svg") == sum(
        1 for tag, values in parsed.tags if tag == "svg" and values.get("class") == "bar"
    )
    assert not any(k.startswith("on") for _, values in parsed.tags for k in values)
    doc = store.documents()[0]
    assert parsed.texts == [store.document(doc.id).text]
    for c in store.claims(doc.id):
        assert parsed.quote(c.id) == c.quote
    for value in ("<script>alert(1)</script>", "<svg onload=1>", "& <x>", "<u>rev</u>", "<k>"):
        assert esc(value) in page


# -- filters, empty, CSP ------------------------------------------------------------------------
def seeded_store(path: Path | None = None) -> Store:
    store = Store(path, annotator="ann")
    first, _ = store.add_document("Beijing said growth was 5%. Paris disagreed strongly.", "one")
    second, _ = store.add_document("Nothing to see here at all.", "two")
    kept = store.add_claim(first.id, 0, 26, "statistical", stance="favor", target="growth")
    store.review_claim(
        kept.id,
        {"review_status": "accepted", "reviewer": "rev", "review_note": "",
         "reviewed_at": "2026-01-01"},
    )  # fmt: skip
    store.add_claim(first.id, 28, 52, "opinion", speaker="Paris")
    store.add_claim(second.id, 0, 7, "other")
    return store


def test_status_filter_keeps_only_accepted_claims() -> None:
    store = seeded_store()
    parsed = parse(report(store, Filters(status=("accepted",), skip_empty=True)))
    accepted = [c.id for d in store.documents() for c in store.claims(d.id)
                if c.review_status == "accepted"]  # fmt: skip
    assert set(parsed.heads) == set(accepted) and len(parsed.texts) == 1
    totals = re.search(
        r'<p class="totals">([^<]*)</p>', report(store, Filters(status=("accepted",)))
    )
    assert totals and totals.group(1).startswith("2 documents · 1 claims")


def test_empty_corpus_is_a_page() -> None:
    page = report(Store(None, annotator="ann"))
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    assert "No documents match the filters." in page and "0 documents · 0 claims" in page


def sha(source: str) -> str:
    return base64.b64encode(hashlib.sha256(source.encode("utf-8")).digest()).decode("ascii")


def test_csp_allows_exactly_the_inline_script_and_style() -> None:
    page = report(seeded_store())
    parsed = parse(page)
    (policy,) = [
        v["content"] for tag, v in parsed.tags
        if tag == "meta" and v.get("http-equiv", "").lower() == "content-security-policy"
    ]  # fmt: skip
    rules = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert rules["default-src"] == "'none'" and rules["base-uri"] == "'none'"
    assert rules["script-src"] == f"'sha256-{sha(parsed.scripts[0])}'"
    assert rules["style-src"] == f"'sha256-{sha(parsed.styles[0])}'"
    assert page.index("Content-Security-Policy") < page.index("<style>")
    assert not re.search(r"\b(?:src|href)=\"(?!#)", page), "nothing may be loaded"


def test_summary_counts_what_was_exported() -> None:
    page = report(seeded_store())
    assert "3 claims" in page
    for label in ("Claims by review status", "Claims by type × stance", "Claims by annotator",
                  "Top 10 targets", "Top 10 speakers"):  # fmt: skip
        assert label in page
    assert re.search(r"<bdi>growth</bdi></th><td class=\"n\">1</td>", page)


def test_decided_candidates_are_listed() -> None:
    store = seeded_store()
    doc = store.documents()[1]
    store.accept_candidate(doc.id, 8, 11, score=0.75, claim_type="causal", speaker="",
                           suggester="builtin")  # fmt: skip
    page = report(store, Filters(suggestions=True))
    assert "Decided claim candidates" in page and "0.75" in page


# -- the command --------------------------------------------------------------------------------
def test_the_command_writes_a_file_and_to_stdout(
    tmp_path: Path, annotty: Callable[..., Ran]
) -> None:
    db = tmp_path / "a.db"
    seeded_store(db).close()
    target = tmp_path / "report.html"
    ran = annotty("--db", str(db), "export", "--format", "html", "-o", str(target),
                  "--status", "accepted")  # fmt: skip
    assert ran.returncode == 0, ran.stderr
    assert "wrote 2 documents, 1 claim" in ran.stderr
    assert len(parse(target.read_text(encoding="utf-8")).heads) == 1
    out = annotty("--db", str(db), "export", "--format", "html", "--doc", "two")
    assert out.returncode == 0, out.stderr
    parsed = parse(out.stdout)
    assert len(parsed.heads) == 1 and parsed.texts == ["Nothing to see here at all."]
