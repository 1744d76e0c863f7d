"""The candidate queue screen (issue 13): opened from the library with ``c``, one candidate at a
time from the whole corpus, one key per decision (``y`` accept, ``Y`` accept through the form,
``z`` reject, ``n`` skip, ``p`` back, ``u`` undo), ``o`` orders by score or uncertainty, and the
learned model's new scores come in after a batch of decisions."""

from __future__ import annotations

import sqlite3
from typing import Any, cast

import pytest
from textual.app import App
from textual.pilot import Pilot
from textual.widgets import Static

from annotations.store import Store
from tests.test_reader_support import screen_text
from tui.app import AnnottyApp, make_app
from tui.screens.candidate_queue import CandidateQueueScreen
from tui.screens.library import LibraryScreen
from tui.screens.reader import ReaderScreen
from tui.widgets.claim_form import ClaimForm

TEXT = (
    "Exports rose 12% in 2024 to $3.5 billion, the Ministry of Commerce said on Monday.\n"
    "I think it is nice.\n"
    "The new law will cut tariffs by 40 percent by 2030, according to the ministry.\n"
    "What a day!\n"
    "Unemployment fell to 3.9% last year, the lowest level since 1969, officials said.\n"
)
OTHER = "Inflation reached 7.5% in March, the central bank said.\nWe love it.\n"
SIZE = (100, 30)


async def settle(app: AnnottyApp, pilot: Pilot[Any]) -> None:
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()


async def open_queue(app: AnnottyApp, pilot: Pilot[Any]) -> CandidateQueueScreen:
    """From the library, ``c``; wait until the whole corpus is scored."""
    await settle(app, pilot)
    assert isinstance(app.screen, LibraryScreen)
    await pilot.press("c")
    for _ in range(200):
        await settle(app, pilot)
        screen = app.screen
        if isinstance(screen, CandidateQueueScreen) and screen.scoring is None:
            return screen
    raise AssertionError("the queue did not finish scoring")


def progress(screen: CandidateQueueScreen) -> str:
    return str(screen.query_one("#queue-progress", Static).content)


def current_span(screen: CandidateQueueScreen) -> tuple[str, int, int]:
    item = screen.queue.current
    assert item is not None
    return item.key


async def test_one_key_accepts_rejects_skips_and_undoes(store: Store) -> None:
    doc, _ = store.add_document(TEXT, "news")
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        queue = await open_queue(app, pilot)
        assert progress(queue) == "0 of 3 decided · by score"
        order = [i.key for i in queue.queue.items]
        scores = [i.candidate.score for i in queue.queue.items]
        assert scores == sorted(scores, reverse=True)
        shown = screen_text(cast(App[object], app))
        assert "news" in shown and "score " in shown
        first = queue.queue.current
        assert first is not None and first.sentence[:40] in shown

        await pilot.press("y")  # ONE key: a claim as suggested
        assert current_span(queue) == order[1]  # moved on before the save
        await settle(app, pilot)
        [claim] = store.claims(doc.id)
        _, start, end = order[0]
        assert (claim.start, claim.end, claim.quote) == (start, end, TEXT[start:end])
        assert claim.claim_type == first.candidate.claim_type
        [decision] = store.decisions(doc.id)
        assert (decision.start, decision.end, decision.decision) == (start, end, "accepted")
        assert decision.suggester == "builtin" and decision.score == first.candidate.score
        assert progress(queue) == "1 of 3 decided · by score"
        assert store.status(doc.id) == "in_progress"

        await pilot.press("n")  # skip: nothing saved
        assert current_span(queue) == order[2]
        assert progress(queue) == "1 of 3 decided · by score · 1 skipped"
        await pilot.press("z")
        await settle(app, pilot)
        rejected = {(d.start, d.end): d.decision for d in store.decisions(doc.id)}
        assert rejected[order[2][1:]] == "rejected" and len(store.claims(doc.id)) == 1
        assert progress(queue) == "2 of 3 decided · by score"
        assert "End of the queue: 1 skipped candidate" in screen_text(cast(App[object], app))

        await pilot.press("u")  # the rejection is taken back: the candidate is current again
        await settle(app, pilot)
        assert current_span(queue) == order[2]
        assert order[2][1:] not in {(d.start, d.end) for d in store.decisions(doc.id)}
        assert progress(queue) == "1 of 3 decided · by score · 1 skipped"
        await pilot.press("p")  # back to the skipped one
        assert current_span(queue) == order[1]
        await pilot.press("u")  # and the acceptance: claim and decision in one step
        await settle(app, pilot)
        assert store.claims(doc.id) == [] and store.decisions(doc.id) == []
        assert current_span(queue) == order[0]
        assert progress(queue).startswith("0 of 3 decided")
        await pilot.press("u")
        await settle(app, pilot)
        assert store.claims(doc.id) == [] and store.decisions(doc.id) == []


async def test_accept_with_the_form_prefilled(store: Store) -> None:
    doc, _ = store.add_document(TEXT, "news")
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        queue = await open_queue(app, pilot)
        item = queue.queue.current
        assert item is not None
        await pilot.press("Y")
        await pilot.pause()
        assert isinstance(app.screen, ClaimForm)
        assert app.screen.quote == item.sentence
        await pilot.press("2", "enter")  # the second claim type, saved
        await settle(app, pilot)
        [claim] = store.claims(doc.id)
        second = app.schema.claim_types[1].name
        assert (claim.start, claim.end, claim.claim_type) == (*item.key[1:], second)
        [decision] = store.decisions(doc.id)
        assert decision.claim_type == item.candidate.claim_type  # what was proposed
        assert progress(queue).startswith("1 of 3 decided")
        assert current_span(queue) != item.key


async def test_order_toggles_between_score_and_uncertainty(store: Store) -> None:
    store.add_document(TEXT, "news")
    store.add_document(OTHER, "other")
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        queue = await open_queue(app, pilot)
        items = queue.queue.items
        await pilot.press("o")
        assert progress(queue).endswith("by uncertainty")
        unsure = [abs(i.candidate.score - 0.5) for i in queue.queue.items]
        assert unsure == sorted(unsure) and len(unsure) == len(items)
        await pilot.press("o")
        assert progress(queue).endswith("by score")
        assert queue.queue.items == sorted(items, key=lambda i: -i.candidate.score)


async def test_enter_opens_the_reader_at_the_candidate_and_back(store: Store) -> None:
    doc, _ = store.add_document(TEXT, "news")
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        queue = await open_queue(app, pilot)
        _, start, _ = current_span(queue)
        await pilot.press("enter")
        await settle(app, pilot)
        reader = app.screen
        assert isinstance(reader, ReaderScreen) and reader.doc_id == doc.id
        assert reader.view.cursor == start
        await pilot.press("y")  # decided in the reader: the queue counts it on return
        await settle(app, pilot)
        await pilot.press("q")
        await settle(app, pilot)
        assert app.screen is queue
        assert progress(queue).startswith("1 of 3 decided")
        assert current_span(queue)[1] != start
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, LibraryScreen)


async def test_a_narrow_terminal_shows_the_queue(store: Store) -> None:
    store.add_document(TEXT * 3, "news with a long title that does not fit a narrow terminal")
    app = make_app(store)
    async with app.run_test(size=(60, 15)) as pilot:
        queue = await open_queue(app, pilot)
        await pilot.press("y", "n", "z", "p", "o", "u")
        await settle(app, pilot)
        assert "decided" in screen_text(cast(App[object], app))
        assert queue.queue.decided == 1


async def test_control_characters_in_the_text_are_shown_harmlessly(store: Store) -> None:
    text = "Exports rose 12%\x1b[31m to $3.5 billion in 2024, the ministry said.\n"
    store.add_document(text, "bad\ntitle\x1b[2J")
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await open_queue(app, pilot)
        shown = screen_text(cast(App[object], app))
        assert "\x1b" not in shown and "\ufffd[31m" in shown
        assert "bad title\ufffd[2J" in shown  # the title on one line


async def test_twenty_decisions_teach_the_model_and_the_queue_takes_its_scores(
    seeded: Store,
) -> None:
    """The issue's "done when": run the queue on the whole corpus and see the learned model's
    suggestions change after twenty decisions."""
    app = make_app(seeded)
    async with app.run_test(size=SIZE) as pilot:
        queue = await open_queue(app, pilot)
        header = queue.query_one("#queue-header", Static)
        assert str(header.content) == "Candidate queue · built-in"
        before = {i.key: i.candidate.score for i in queue.queue.items}
        for n in range(20):  # accept the statistical ones, reject the rest
            item = queue.queue.current
            assert item is not None
            await pilot.press("y" if item.candidate.claim_type == "statistical" else "z")
            if n % 5 == 4:
                await settle(app, pilot)
        for _ in range(200):
            await settle(app, pilot)
            if "learned model" in str(header.content) and queue.scoring is None:
                break
        assert "learned model" in str(header.content)
        assert progress(queue).startswith("20 of ")
        after = {i.key: i.candidate.score for i in queue.queue.items}
        changed = [k for k in after if k in before and after[k] != before[k]]
        assert len(changed) > len(after) // 10, (len(changed), len(after))
        assert {i.suggester for i in queue.queue.items} == {app.claim_suggester().key}
        assert len(seeded.decisions()) == 20
        model = seeded.latest_model("claims")
        assert model is not None and model[0] >= 1


async def test_closing_at_once_still_saves_the_decisions(store: Store) -> None:
    """The saves run behind the screen: closing it right after deciding loses nothing."""
    doc, _ = store.add_document(TEXT, "news")
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await open_queue(app, pilot)
        await pilot.press("y", "z", "escape")
        await settle(app, pilot)
        assert isinstance(app.screen, LibraryScreen)
        assert sorted(d.decision for d in store.decisions(doc.id)) == ["accepted", "rejected"]
        assert len(store.claims(doc.id)) == 1


async def test_a_document_scored_again_does_not_stop_the_corpus_scoring(store: Store) -> None:
    """Back from the reader (or another annotator's change) one document is scored again
    while the whole corpus may still be being scored: both finish."""
    ids = [store.add_document(f"{TEXT * 3}Document {n}.\n", f"news {n}")[0].id for n in range(20)]
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        queue = CandidateQueueScreen()
        await app.push_screen(queue)  # mounted: the corpus's scoring has started
        assert queue.scoring is not None  # and cannot have finished: the loop did not run
        queue.rescore(frozenset({ids[0]}))
        for _ in range(200):
            await settle(app, pilot)
            if queue.scoring is None:
                break
        assert queue.scoring is None
        assert queue.queue.total == 9 * len(ids) == queue.queue.remaining


async def test_a_database_failure_while_scoring_is_one_notice(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    store.add_document(TEXT, "news")

    def locked(doc_id: str) -> set[tuple[int, int]]:
        raise sqlite3.OperationalError("database is locked")

    monkeypatch.setattr(store, "decided_spans", locked)
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        queue = await open_queue(app, pilot)
        assert queue.scoring is None and queue.queue.current is None
        said = [n.message for n in app._notifications]
        assert any("Candidates not scored: database is locked" in m for m in said)
        assert "No candidates left" in screen_text(cast(App[object], app))


async def test_the_palette_offers_the_queue_in_the_library(store: Store) -> None:
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        [command] = [c for c in app.get_system_commands(app.screen) if c.title == "Candidate queue"]
        await command.callback()  # as the palette runs it: the library's action
        await settle(app, pilot)
        assert isinstance(app.screen, CandidateQueueScreen)
