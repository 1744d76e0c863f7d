"""A browser tab's first screen (``annotty serve`` without ``--annotator``): who is annotating.

The list offers the names the project knows (assignments and past annotators); a new name
can be typed; whatever is chosen is the name on everything saved afterwards.
"""

from __future__ import annotations

import pytest
from textual.widgets import OptionList, Static

from annotations.store import Store
from tui.app import make_app
from tui.screens.annotator_name import AnnotatorNameScreen, name_problem
from tui.screens.library import LibraryScreen

SIZE = (110, 36)


def know_people(store: Store) -> str:
    """amira is assigned a document, bo has a claim, cy a document status: all are known.
    Returns the first document's id."""
    doc_id = store.documents()[0].id
    store.assign([(doc_id, "amira")])
    past = Store(store.path, annotator="bo")
    try:
        past.add_claim(doc_id, 0, 9, "statistical")
        past.set_status(doc_id, "done", annotator="cy")
    finally:
        past.close()
    return doc_id


def shown_names(screen: AnnotatorNameScreen) -> list[str]:
    names = screen.query_one(OptionList)
    return [str(names.get_option_at_index(i).prompt) for i in range(names.option_count)]


async def names_loaded(pilot) -> AnnotatorNameScreen:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, AnnotatorNameScreen)
    return screen


@pytest.mark.both_backends
def test_the_store_knows_assigned_and_past_annotators(seeded: Store) -> None:
    assert seeded.known_annotators() == []
    doc_id = seeded.documents()[0].id
    seeded.assign([(doc_id, "amira")])
    seeded.annotator = "bo"
    seeded.add_claim(doc_id, 0, 9, "statistical")
    seeded.set_status(doc_id, "done", annotator="cy")
    seeded.annotator = "dee"
    seeded.set_status(doc_id, "in_progress")  # a history row
    # tester assigned amira: a history row, so tester is known too
    assert seeded.known_annotators() == ["amira", "bo", "cy", "dee", "tester"]


async def test_a_new_name_is_typed_and_every_save_carries_it(seeded: Store) -> None:
    know_people(seeded)
    seeded.annotator = "server-login"  # what the serving process would be: nobody's name
    app = make_app(seeded, ask_annotator=True)
    async with app.run_test(size=SIZE) as pilot:
        screen = await names_loaded(pilot)
        assert shown_names(screen) == ["amira", "bo", "cy", "tester"]  # tester assigned amira
        assert not any(isinstance(s, LibraryScreen) for s in app.screen_stack)  # nothing yet
        await pilot.press("enter")  # nothing typed, nothing picked: says so, stays
        assert app.screen is screen
        assert "Type a name" in str(screen.query_one("#annotator-problem", Static).render())
        await pilot.press(*"Dé [b]O'N")
        assert shown_names(screen) == []  # no known name contains it
        await pilot.press("enter")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, LibraryScreen)
        assert seeded.annotator == "Dé [b]O'N"
        assert app.sub_title == "Dé [b]O'N"
        # the reader saves through the app's queue (the whole flow in a browser is in
        # tests/test_browser_serve.py): it names whoever the screen chose
        doc_id = seeded.documents()[0].id
        saved = app.saves.add_claim(doc_id, 10, 20, "statistical", stance="favor")
        assert saved is not None
    claims = [c for c in seeded.claims() if c.annotator != "bo"]
    assert len(claims) == 1
    claim = claims[0]
    assert claim.annotator == "Dé [b]O'N"
    assert (claim.doc_id, claim.start, claim.end) == (doc_id, 10, 20)
    assert claim.quote == seeded.document(claim.doc_id).text[claim.start : claim.end]
    assert {h["annotator"] for h in seeded.query("select annotator from history")} >= {"Dé [b]O'N"}
    assert "server-login" not in {
        h["annotator"] for h in seeded.query("select annotator from history")
    }


async def test_a_known_name_is_picked_from_the_list(seeded: Store) -> None:
    doc_id = know_people(seeded)
    app = make_app(seeded, ask_annotator=True)
    async with app.run_test(size=SIZE) as pilot:
        screen = await names_loaded(pilot)
        await pilot.press("m")  # typing filters the list: amira only
        assert shown_names(screen) == ["amira"]
        await pilot.press("backspace", "down", "down", "enter")  # all three again; the 2nd
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, LibraryScreen)
        assert seeded.annotator == "bo"
    assert seeded.assignments_of() == set()  # bo has none; amira has doc_id
    assert seeded.assignments_of("amira") == {doc_id}


async def test_names_are_data_never_markup(seeded: Store) -> None:
    doc_id = seeded.documents()[0].id
    seeded.assign([(doc_id, "[red]x[/red]\x1b[2J")])
    app = make_app(seeded, ask_annotator=True)
    async with app.run_test(size=SIZE) as pilot:
        screen = await names_loaded(pilot)
        # as it is, the control character made harmless (the same length)
        assert shown_names(screen)[0] == "[red]x[/red]\ufffd[2J"


@pytest.mark.parametrize(
    ("name", "ok"),
    [("Zoë", True), ("", False), ("a\x1bb", False), ("a\u202eb", False), ("x" * 101, False)],
)
def test_what_a_name_may_be(name: str, ok: bool) -> None:
    assert (name_problem(name) == "") is ok
