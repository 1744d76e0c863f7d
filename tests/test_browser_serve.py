"""``annotty serve`` in a real headless Chromium: a tab asks the name, opens a document, tags
a claim with the keyboard, and the claim is in the database with exact offsets. And beyond
loopback the page needs the token.

The terminal is drawn on a canvas, so the page's text cannot be read from the DOM: an init
script keeps what the app sends over its WebSocket, and the tests wait for text in it.
"""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import TYPE_CHECKING

from annotations.entities import builtin
from annotations.schema import load_default
from annotations.seeding import import_with_entities
from annotations.store import Store
from tests.browser import artifact
from tests.conftest import SEEDS
from tests.serve_support import WAIT, processes_naming, serving, stop

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

KEEP_OUTPUT = """
(() => {
  const Native = window.WebSocket;
  const decoder = new TextDecoder();
  window.__annottyOut = "";
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener("message", (event) => {
        if (event.data instanceof ArrayBuffer) {
          window.__annottyOut += decoder.decode(event.data, { stream: true });
        }
      });
    }
  };
})();
"""
ESCAPES = re.compile(r"\x1b(\[[0-9;?<>=]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)|[@-Z\\-_])")


def screen_text(page: Page) -> str:
    return ESCAPES.sub("", str(page.evaluate("() => window.__annottyOut")))


def wait_for_text(page: Page, text: str, after: int = 0) -> int:
    """Wait until the app has drawn ``text`` (after the first ``after`` characters of its
    output); returns the output's length then, for the next wait."""
    deadline = time.monotonic() + WAIT
    while True:
        shown = screen_text(page)
        if text in shown[after:]:
            return len(shown)
        if time.monotonic() > deadline:
            raise AssertionError(f"{text!r} never appeared; the screen ends: {shown[-600:]!r}")
        page.wait_for_timeout(30)


def wait_for_claim(db: Path) -> list:
    deadline = time.monotonic() + WAIT
    while True:
        store = Store(db, annotator="checker", create=False, background_check=False)
        try:
            claims = store.claims()
            texts = {c.doc_id: store.document(c.doc_id).text for c in claims}
        finally:
            store.close()
        if claims or time.monotonic() > deadline:
            return [(c, texts[c.doc_id]) for c in claims]
        time.sleep(0.05)


def new_page(browser: Browser) -> Page:
    page = browser.new_page(viewport={"width": 1200, "height": 800})
    page.add_init_script(KEEP_OUTPUT)
    return page


def test_annotate_in_a_browser_tab(browser: Browser, tmp_path: Path) -> None:
    from playwright.sync_api import expect

    folder = tmp_path / "my project's data"  # the tab's command quotes it for the shell
    folder.mkdir()
    db = folder / "annotty.db"
    store = Store(db, annotator="seeder")
    import_with_entities(store, [sorted(SEEDS.glob("*.txt"))[0]], builtin())  # one is enough
    first = store.documents()[0]
    store.close()
    schema = load_default()
    with serving(db) as served:
        assert served.banner == (
            f"annotty serve: http://127.0.0.1:{served.port}/ (this machine only; Ctrl+C stops)\n"
        )
        page = new_page(browser)
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        remote: list[str] = []
        page.on(
            "request",
            lambda r: (
                None
                if r.url.startswith(f"http://127.0.0.1:{served.port}/")
                else remote.append(r.url)
            ),
        )
        response = page.goto(f"http://127.0.0.1:{served.port}/")
        assert response is not None and response.status == 200
        seen = wait_for_text(page, "Who is annotating?")
        page.get_by_role("textbox", name="Terminal input").focus()
        page.keyboard.type("Zoë O'Brien")
        page.keyboard.press("Enter")
        seen = wait_for_text(page, first.title, seen)  # the library, with its documents
        page.keyboard.press("Enter")
        seen = wait_for_text(page, "Claims (0)", seen)  # the reader, its claim list empty
        # two words on, then a selection extended by three words; tag it: type 1, stance f
        for key in ("w", "w", "W", "W", "W", "c"):
            page.keyboard.press(key)
        seen = wait_for_text(page, "Stance", seen)  # the claim form
        for key in ("1", "f", "Enter"):
            page.keyboard.press(key)
        wait_for_text(page, "Claims (1)", seen)
        page.screenshot(path=artifact("serve_reader.png"))
        claims = wait_for_claim(db)
        out, err = stop(served)  # Ctrl+C with the tab still open: its app quits first
        expect(page.locator("body.-closed .closed-dialog")).to_be_visible()  # "Session ended."
        page.close()
    assert out == "annotty serve: stopped\n" and err == ""
    assert processes_naming(str(db)) == []  # no tab's app outlives the server
    assert len(claims) == 1
    claim, text = claims[0]
    assert claim.doc_id == first.id and text.startswith("Reference News Network, January 30")
    assert (claim.start, claim.end) == (
        text.index("Network"),
        text.index("January 30") + len("January 30"),
    )
    assert claim.quote == text[claim.start : claim.end] == "Network, January 30"
    assert claim.annotator == "Zoë O'Brien"
    assert claim.claim_type == schema.claim_types[0].name
    assert claim.stance == next(s.name for s in schema.stances if s.key == "f")
    assert remote == []  # nothing from the network: fonts and scripts are served locally
    assert not [e for e in errors if "Content Security Policy" in e], errors


def test_beyond_loopback_the_page_needs_the_token(browser: Browser, tmp_path: Path) -> None:
    db = tmp_path / "annotty.db"
    Store(db, annotator="seeder").close()
    with serving(db, "--host", "0.0.0.0") as served:
        token = served.banner.split("?token=", 1)[1].split()[0]
        page = new_page(browser)
        refused = page.goto(f"http://127.0.0.1:{served.port}/")
        assert refused is not None and refused.status == 403
        assert "textual.js" not in page.content()
        loaded = page.goto(f"http://127.0.0.1:{served.port}/?token={token}")
        assert loaded is not None and loaded.status == 200
        wait_for_text(page, "Who is annotating?")  # the app runs: the WebSocket got in
        assert "token" not in page.url  # the address bar forgot it; the cookie remains
        cookies = page.context.cookies()
        assert [(c["name"], c["httpOnly"], c["sameSite"]) for c in cookies] == [
            (f"annotty_token_{served.port}", True, "Strict")
        ]
        page.close()
        stop(served)
    assert processes_naming(str(db)) == []
