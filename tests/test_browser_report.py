"""The HTML report in a real headless Chromium: what the DOM holds, what may run, what loads.

One report is exported and opened once for the module (a page costs far more than a check).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest

from annotations.entities import builtin
from annotations.export import export
from annotations.store import Store
from tests.browser import artifact

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

HOSTILE = (
    'Hostile: <script>window.pwned=1</script> then <img src=x onerror="window.pwned=1">'
    " and <b>bold</b>."
)
TRICKY = (
    "Beijing said growth was 5% in 2025.\r\nParis\rdisagreed: “no” 😀 🇨🇳 e\u0301\u2028"
    "next\u2029para \x85 \x9b \ufeff tab\there. Reuters reported that Xi Jinping spoke."
)
READ_BACK = """() => {
  const out = {};
  for (const el of document.querySelectorAll('.text [data-c]')) {
    const id = document.getElementById(el.dataset.c).dataset.claimId;
    out[id] = (out[id] || '') + el.textContent;
  }
  const heads = {};
  for (const el of document.querySelectorAll('[data-start][data-claim-id]')) {
    heads[el.dataset.claimId] = [Number(el.dataset.start), Number(el.dataset.end)];
  }
  const texts = Array.from(document.querySelectorAll('.text'), (el) => el.textContent);
  return {quotes: out, heads: heads, texts: texts};
}"""


def build(store: Store) -> None:
    tricky, _ = store.add_document(TRICKY, title="Tricky characters")
    for start, end, kind in [(0, 35, "statistical"), (8, 60, "opinion"), (20, 30, "causal"),
                             (37, 80, "prediction"), (82, len(TRICKY), "other")]:  # fmt: skip
        store.add_claim(tricky.id, start, end, kind, stance="favor", target="growth")
    claims = store.claims(tricky.id)
    for claim, status in zip(claims, ["accepted", "rejected"], strict=False):
        store.review_claim(
            claim.id,
            {"review_status": status, "reviewer": "rev", "review_note": "checked",
             "reviewed_at": "2026-01-01"},
        )  # fmt: skip
    hostile, _ = store.add_document(
        HOSTILE,
        title="<script>window.pwned=2</script>",
        source='"><img src=x onerror="window.pwned=4">',
        meta={"via": "<script>window.pwned=5</script>"},
    )
    store.add_claim(hostile.id, HOSTILE.index("<script>"), HOSTILE.index(" then"), "opinion",
                    speaker='<img src=x onerror="window.pwned=3">')  # fmt: skip


@pytest.fixture(scope="module")
def opened(
    browser: Browser, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Page, Store, list[str], list[str]]]:
    """The exported report open in one page; the URLs it requested; its console errors."""
    store = Store(None, annotator="ann")
    build(store)
    target = tmp_path_factory.mktemp("report") / "report.html"
    export(store, "html", target, builtin())
    page = browser.new_page(viewport={"width": 1100, "height": 900})
    requests: list[str] = []
    errors: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(target.as_uri(), wait_until="load")
    yield page, store, requests, errors
    page.close()
    store.close()


def test_every_highlighted_span_reads_back_as_its_quote(opened: Any) -> None:
    page, store, _, _ = opened
    dom = page.evaluate(READ_BACK)
    docs = store.documents()
    assert dom["texts"] == [store.document(d.id).text for d in docs]
    claims = [c for d in docs for c in store.claims(d.id)]
    assert dom["quotes"] == {c.id: c.quote for c in claims}
    assert dom["heads"] == {c.id: [c.start, c.end] for c in claims}


def test_a_hostile_document_cannot_run_script(opened: Any) -> None:
    page, _, _, errors = opened
    assert page.evaluate("typeof window.pwned") == "undefined"
    assert page.evaluate("document.querySelectorAll('img, b').length") == 0
    assert page.evaluate("document.scripts.length") == 1
    shown = page.inner_text("#d1 .text")
    assert "<script>window.pwned=1</script>" in shown and 'onerror="window.pwned=1">' in shown
    assert page.inner_text("#d1 h2") == "<script>window.pwned=2</script>"
    assert not errors, errors  # a CSP refusal of our own script or style would show here


def test_it_loads_nothing_from_anywhere(opened: Any) -> None:
    _, _, requests, _ = opened
    assert requests and all(url.startswith(("file:", "data:")) for url in requests), requests


def test_a_screenshot_is_kept_for_people(opened: Any) -> None:
    page, _, _, _ = opened
    shot = artifact("report.png")
    page.screenshot(path=shot, full_page=True)
    assert shot.stat().st_size > 10_000


def test_the_filters_hide_claims_by_status(opened: Any) -> None:
    page, _, _, _ = opened
    assert page.is_visible("#filters")  # the script ran under the policy
    rejected = "#d0 table.claims tr.s-rejected"
    assert page.is_visible(rejected)
    page.uncheck('#filters input[data-k="s-rejected"]')
    page.wait_for_selector(rejected, state="hidden")
    page.check('#filters input[data-k="s-rejected"]')
    page.wait_for_selector(rejected, state="visible")


def test_it_reads_without_script(browser: Browser, opened: Any) -> None:
    page, _, _, _ = opened
    context = browser.new_context(java_script_enabled=False)
    try:
        plain = context.new_page()
        plain.goto(page.url, wait_until="load")
        assert not plain.is_visible("#filters")
        head = plain.get_attribute("#d0 .c.h", "title") or ""
        assert "claim: statistical" in head and "review: accepted by rev" in head
        assert "Paris" in plain.inner_text("#d0 .text")
    finally:
        context.close()


def test_hovering_inside_a_claim_shows_every_claim_there(opened: Any) -> None:
    page, _, _, _ = opened
    inner = page.locator("#d0 .text .c .c:not(.h):not(:has(*))").first
    assert inner.get_attribute("title") is None  # only first pieces carry it in the file
    inner.hover()
    page.wait_for_function(
        "(el) => (el.title.match(/claim: /g) || []).length >= 2", arg=inner.element_handle()
    )
