"""A remapped key that another binding of the same screen has is refused, naming both (issue 11).

``tui.key_clashes.CHAINS`` says which binding namespaces meet on each screen; the Pilot test below
opens every screen and dialog and checks it against the bindings of what is really mounted there.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.binding import Binding
from textual.screen import Screen

from annotations.errors import InputError
from annotations.keymap import load_keymap
from annotations.store import Store
from tests import test_reader_support as support
from tui.app import AnnottyApp, binding_ids, make_app
from tui.key_clashes import CHAINS, all_bindings, binding_classes, check_clashes, namespace

TEXT = "The minister said exports grew 12% in 2024. Critics called the figure misleading.\n"
SIZE = (110, 32)


def keymap(tmp_path: Path, body: str):  # type: ignore[no-untyped-def]
    path = tmp_path / "keys.yaml"
    path.write_text("keys:\n" + body, encoding="utf-8")
    return load_keymap(path)


def bindings() -> dict[str, Binding]:
    binding_ids()  # imports every screen
    return all_bindings(binding_classes())


@pytest.mark.parametrize(
    ("body", "says"),
    [
        # g goes to the top of the document in the reader's view
        ("  reader.claim: g\n", "g is already the key of view.top"),
        # k moves up in the reader's side lists
        ("  reader.claim: k\n", "k is already the key of side.up"),
        # the app's own keys are on every screen; / and slash are one key
        ("  review.stats: ctrl+q\n", "ctrl+q is already the key of app.quit"),
        ("  library.stats: /\n", "slash is already the key of library.filter"),
    ],
)
def test_a_key_taken_on_the_same_screen_is_refused_with_both_names(
    tmp_path: Path, body: str, says: str
) -> None:
    with pytest.raises(InputError) as refused:
        check_clashes(keymap(tmp_path, body), bindings())
    message = str(refused.value)
    assert message.startswith(f"{tmp_path / 'keys.yaml'}:2: ")
    assert says in message and len(message.splitlines()) == 1


@pytest.mark.parametrize(
    "body",
    [
        "  reader.claim: h\n",  # a free key
        "  reader.claim: g\n  view.top: ctrl+home\n",  # the other binding moved away too
        "  review.stats: v\n",  # v is the reader's document stance: another screen
        "  reader.claim: c\n",  # its own key again
    ],
)
def test_free_keys_and_keys_of_other_screens_are_taken(tmp_path: Path, body: str) -> None:
    check_clashes(keymap(tmp_path, body), bindings())


def test_the_app_refuses_a_clash_before_it_starts(store: Store, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="view.top"):
        make_app(store, keymap=keymap(tmp_path, "  reader.claim: g\n"))


def mounted_namespaces(screen: Screen[object]) -> set[str]:
    """The binding namespaces of the screen and every widget in it (all the chain can hold)."""
    found = {"app"}
    for node in [screen, *screen.walk_children()]:
        for cls in type(node).__mro__:
            if cls.__module__.startswith("tui."):
                found.update(
                    namespace(b.id)
                    for b in vars(cls).get("BINDINGS", ())
                    if isinstance(b, Binding) and b.id
                )
    return found


def screen_name(screen: Screen[object]) -> str:
    own = {
        namespace(b.id)
        for cls in type(screen).__mro__
        for b in vars(cls).get("BINDINGS", ())
        if isinstance(b, Binding) and b.id and cls.__module__.startswith("tui.")
    }
    assert len(own) == 1, (type(screen).__name__, own)
    return own.pop()


async def test_every_screens_chain_is_what_key_clashes_assumes(store: Store) -> None:
    doc, _ = store.add_document(TEXT, "t")
    store.add_claim(doc.id, 0, 43, "statistical", stance="favor")  # for the review dialogs
    app: AnnottyApp = make_app(store)
    seen: dict[str, set[str]] = {}

    async def look() -> None:
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        name = screen_name(app.screen)
        seen.setdefault(name, set()).update(mounted_namespaces(app.screen))

    async def visit(*keys: str) -> None:
        await pilot.press(*keys)
        await look()
        await pilot.press("escape")
        await pilot.pause()

    async with app.run_test(size=SIZE) as pilot:
        await look()  # library
        await visit("c")  # the candidate queue
        await support.open_reader(app, pilot, doc.id)
        await look()
        await visit("equals_sign")  # similar claims (of the claim under the cursor)
        await visit("s", "c")  # claim form
        await visit("C")  # comments of the document
        await visit("l")  # entity form
        await visit("slash")  # the search prompt
        await visit("ctrl+e")  # export dialog
        await visit("question_mark")  # help
        await visit("ctrl+g")  # guidelines
        await pilot.press("q")
        await pilot.pause()
        await pilot.press("r")  # review
        await look()
        await visit("slash")  # filter dialog
        await visit("r")  # reason dialog
        await visit("A")  # bulk dialog
        await pilot.press("t")  # stats
        await look()
        await pilot.press("q")
        await pilot.pause()
        await pilot.press("q")
        await pilot.pause()
        await pilot.press("a")  # adjudicate
        await look()
    assert seen == {name: set(CHAINS[name]) for name in seen}
    assert set(seen) == set(CHAINS)


def test_the_readmes_example_is_a_keymap_the_app_takes(tmp_path: Path) -> None:
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    example = readme.split("```yaml\nkeys:\n", 1)[1].split("```", 1)[0]
    check_clashes(keymap(tmp_path, example), bindings())


async def test_hint_lines_name_the_remapped_keys(store: Store, tmp_path: Path) -> None:
    """The footer follows a keymap by itself; the hints written in status lines and forms ask
    ``AnnottyApp.key`` and follow it too."""
    from textual.widgets import Static

    from annotations.review.filters import ReviewFilter
    from tui.screens.review import ReviewScreen
    from tui.widgets.claim_form import ClaimForm

    doc, _ = store.add_document(TEXT, "t")
    store.add_claim(doc.id, 0, 43, "statistical", stance="favor")
    keys = "  review.accept: y\n  review.reject: ctrl+x\n  claim_form.save: ctrl+s\n"
    app = make_app(store, keymap=keymap(tmp_path, keys))
    async with app.run_test(size=SIZE) as pilot:
        app.push_screen(ReviewScreen(ReviewFilter()))
        status = ""
        for _ in range(200):  # until the list is read and the line written
            await pilot.pause(0.02)
            if isinstance(app.screen, ReviewScreen):
                status = str(app.screen.query_one("#review-status", Static).content)
                if "accept" in status:
                    break
        assert "y accept · ^x reject" in status and "a accept" not in status
        await pilot.press("q")
        await support.open_reader(app, pilot, doc.id)
        await pilot.press("s", "c")
        await pilot.pause()
        assert isinstance(app.screen, ClaimForm)
        hint = str(app.screen.query_one("#hint", Static).content)
        assert "^s save · esc cancel" in hint
