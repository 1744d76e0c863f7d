"""Shared by the review and stats tests: tagged seed corpus, review app, screen text.

(Named ``test_*`` so it lives with the tests it serves; it holds no tests itself.)
"""

from __future__ import annotations

import io
import re
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from rich.console import Console
from textual.app import App
from textual.pilot import Pilot
from textual.screen import Screen

from annotations.model import Claim
from annotations.review.filters import ReviewFilter
from annotations.store import Store
from tui.app import AnnottyApp, make_app

if TYPE_CHECKING:
    from tui.screens.review import ReviewScreen

TYPES = ("statistical", "causal", "prediction", "opinion")
STANCES = ("favor", "against", "none")
TARGETS = ("China's technological leadership", "China-Russia relations", "")
SPEAKERS = ("Chen Kaixin", "Guo Jiakun", "")


def sentences(text: str, limit: int) -> list[tuple[int, int]]:
    """The first ``limit`` sentences of a text as (start, end) spans."""
    out = []
    for match in re.finditer(r"[^.\n]{20,}?[.!?](?=\s|$)", text):
        start = match.start() + len(match.group()) - len(match.group().lstrip())
        out.append((start, match.end()))
        if len(out) == limit:
            break
    return out


def tag_corpus(store: Store, per_doc: int = 4) -> list[Claim]:
    """Deterministic claims over the seed documents: varied labels, two annotators."""
    claims: list[Claim] = []
    who = store.annotator
    i = 0
    for summary in store.documents():
        text = store.document(summary.id).text
        spans = sentences(text, per_doc)
        battery = text.find("battery")
        if battery >= 0:
            start = text.rfind(".", 0, battery) + 1
            while text[start].isspace():
                start += 1
            end = text.find(".", battery) + 1
            if all(s != start for s, _ in spans):
                spans.append((start, end))
        for start, end in spans:
            store.annotator = ("ann", "bob")[i % 2]
            claims.append(
                store.add_claim(
                    summary.id,
                    start,
                    end,
                    TYPES[i % len(TYPES)],
                    stance=STANCES[i % len(STANCES)],
                    target=TARGETS[i % len(TARGETS)],
                    speaker=SPEAKERS[i % len(SPEAKERS)],
                    note="checked" if i % 5 == 0 else "",
                )
            )
            i += 1
    store.annotator = who
    return claims


def review_host(store: Store, review_filter: ReviewFilter | None = None) -> AnnottyApp:
    """The app as ``annotty review`` starts it: the review screen over the library."""
    return make_app(store, start="review", review_filter=review_filter)


async def settle(pilot: Pilot[Any]) -> None:
    """Wait until every worker is done and the screen has caught up."""
    for _ in range(3):
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def until(pilot: Pilot[Any], condition: Callable[[], object], timeout: float = 20.0) -> None:
    """Let the app run until ``condition`` holds (polled, bounded by ``timeout`` seconds)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached")
        await pilot.pause(0.01)


async def open_review(pilot: Pilot[Any]) -> ReviewScreen:
    """The review screen of ``review_host``, once its list of claims is made and drawn."""
    from tui.screens.review import ReviewScreen

    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, ReviewScreen)
    return screen


async def open_review_dialog(pilot: Pilot[Any], key: str) -> Screen[Any]:
    """Press ``key`` on the review screen once it is drawn (``r``, ``A``, ``slash``...): the
    dialog it opens, settled."""
    await settle(pilot)
    await pilot.press(key)
    await settle(pilot)
    return pilot.app.screen


def screen_text(app: App[Any]) -> str:
    """What the terminal shows, as plain text."""
    console = Console(
        width=app.size.width,
        height=app.size.height,
        file=io.StringIO(),
        force_terminal=True,
        color_system=None,
        record=True,
    )
    console.print(
        app.screen._compositor.render_update(full=True, screen_stack=app._background_screens)
    )
    return console.export_text()
