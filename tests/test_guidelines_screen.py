"""Guidelines where the decision is made: a user's session at 60×15.

The claim form describes the highlighted choice under the field being edited; ``g`` opens the
guidelines, ``/`` finds a word and scrolls to it, ``n`` goes on, ``escape`` returns to the form
with everything typed still there. The reader reaches them too (``ctrl+g``, the palette), and a
schema without a guidelines file shows its own descriptions, links opening nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.content import Content
from textual.pilot import Pilot
from textual.widgets import Input, Markdown, Static
from textual.widgets.markdown import MarkdownBlock

from annotations import schema as schema_mod
from annotations.store import Store
from tests.test_reader_support import open_reader, screen_lines, screen_text
from tui.app import AnnottyApp, make_app
from tui.commands import binding_commands
from tui.screens.guidelines import GuidelinesScreen
from tui.screens.reader import ReaderScreen
from tui.widgets.choice_field import ChoiceField
from tui.widgets.claim_form import ClaimForm

TEXT = "The minister said exports grew 12% in 2024. Critics called the figure misleading.\n"
SIZE = (60, 15)


async def until(pilot: Pilot[Any], done: Any, tries: int = 200) -> None:
    for _ in range(tries):
        if done():
            return
        await pilot.pause(0.01)
    raise AssertionError("condition never held")


def about(form: ClaimForm) -> dict[str, str]:
    """The about lines on screen: field -> its text (only the shown one, if any)."""
    return {
        str(w.id).removeprefix("about-"): str(w.content)
        for w in form.query(".about").results(Static)
        if w.display
    }


def marked(block: MarkdownBlock) -> str:
    """The text of ``block`` the search marked (styled ``reverse``)."""
    content = block.content
    assert isinstance(content, Content)
    return "".join(
        content.plain[span.start : span.end]
        for span in content.spans
        if "reverse" in str(span.style)
    )


async def test_reading_the_guidelines_from_the_claim_form_at_60_by_15(store: Store) -> None:
    doc, _ = store.add_document(TEXT, "t")
    app = make_app(store)
    s = app.schema
    async with app.run_test(size=SIZE) as pilot:
        await open_reader(app, pilot, doc.id)
        await pilot.press("s", "c")
        await until(pilot, lambda: isinstance(app.screen, ClaimForm))
        form = app.screen
        assert isinstance(form, ClaimForm)
        await pilot.pause()
        assert about(form) == {}  # nothing highlighted yet: nothing to describe

        # the line under the field follows the highlight, by key and by arrow
        await pilot.press("1")
        await until(pilot, lambda: "claim_type" in about(form))
        statistical = s.label("claim_types", "statistical")
        assert statistical is not None
        assert about(form)["claim_type"].startswith(f"statistical: {statistical.description}")
        await pilot.press("right")
        comparison = s.label("claim_types", "comparison")
        assert comparison is not None
        await until(pilot, lambda: comparison.description in about(form).get("claim_type", ""))
        # a stance key picks from anywhere in the choices: its own field is the one described
        await pilot.press("a")
        await until(pilot, lambda: list(about(form)) == ["stance"])
        line = form.query_one("#about-stance", Static)
        assert line.region.height == 1 and form.query_one("VerticalScroll").region.contains_region(
            line.region
        )
        # one row, cut with an ellipsis, never wrapped: the next row is the next field
        rows = screen_lines(app)
        at = next(i for i, row in enumerate(rows) if "against: The claim" in row)
        assert "…" in rows[at] and "Target" in rows[at + 1]
        await pilot.press("tab", "z")  # text fields: no about line, and "z" is typed
        await until(pilot, lambda: about(form) == {})
        await pilot.press("shift+tab")
        assert isinstance(form.focused, ChoiceField)

        # g opens the guidelines; / finds a word far down and scrolls to it
        await pilot.press("g")
        await until(pilot, lambda: isinstance(app.screen, GuidelinesScreen))
        guide = app.screen
        assert isinstance(guide, GuidelinesScreen)
        assert str(form.query_one("#error", Static).content) == ""  # g is an action, not a choice
        await until(pilot, lambda: len(guide.query(MarkdownBlock)) > 20)
        assert "Annotation guidelines" in screen_text(app)
        scroll = guide.query_one("#guidelines-scroll")
        assert scroll.scroll_y == 0
        await pilot.press("slash", *"REPEAT", "enter")
        await until(pilot, lambda: guide.current == 0)
        count = len(guide.matches)
        assert count >= 2 and scroll.scroll_y > 0
        block = guide.matches[0][0]
        assert marked(block).casefold() == "repeat"  # found whatever the case
        assert scroll.region.contains_region(block.region)  # scrolled into view
        status = guide.query_one("#guidelines-status", Static)
        assert "repeat" in screen_text(app).casefold() and f"1 of {count}" in str(status.content)
        await pilot.press("n")
        assert guide.current == 1 and marked(guide.matches[1][0]).casefold() == "repeat"
        assert guide.matches[1][0] is not block and marked(block) == ""  # the old mark is gone
        assert scroll.region.contains_region(guide.matches[1][0].region)
        assert f"2 of {count}" in str(status.content)
        await pilot.press("slash", *"qq", "enter")
        await until(pilot, lambda: "not found" in str(status.content))

        # escape goes back to the form as it was
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is form)
        assert form.values()["claim_type"] == "comparison"
        assert form.values()["stance"] == "against"
        assert form.query_one("#target", Input).value == "z"
        assert isinstance(form.focused, ChoiceField)
        await pilot.press("z")  # a stray key is still explained
        assert "“z” picks no choice" in str(form.query_one("#error", Static).content)
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, ReaderScreen))

        # from the reader: ctrl+g, and the palette lists it
        titles = {command.title for command in binding_commands(app.screen, set())}
        assert "Guidelines" in titles
        await pilot.press("ctrl+g")
        await until(pilot, lambda: isinstance(app.screen, GuidelinesScreen))
        await pilot.press("q")
        await until(pilot, lambda: isinstance(app.screen, ReaderScreen))


async def test_without_a_guidelines_file_the_schemas_descriptions_are_shown(
    store: Store, tmp_path: Path
) -> None:
    path = tmp_path / "labels.yaml"
    path.write_text(
        "claim_types:\n  - name: statistical\n    key: '1'\n"
        "    description: 'See [this](https://example.com/x) <b>now</b>'\n"
        "    examples: ['Jobs rose 3%.']\n"
        "stances: [{name: favor, key: f}, {name: guarded, key: g}]\n",
        encoding="utf-8",
    )
    schema = schema_mod.load(path)
    app: AnnottyApp = make_app(store, schema=schema)
    opened: list[str] = []
    app.open_url = lambda url, **kw: opened.append(url)  # type: ignore[method-assign]
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        form = ClaimForm(schema, "Jobs rose 3%.")
        await app.push_screen(form)
        assert "^g guidelines" in str(form.query_one("#hint", Static).content)
        await pilot.press("g")  # the schema's choice on g wins over the form's key
        assert app.screen is form and form.values()["stance"] == "guarded"
        await pilot.press("ctrl+g")
        await until(pilot, lambda: isinstance(app.screen, GuidelinesScreen))
        guide = app.screen
        await until(pilot, lambda: len(guide.query(MarkdownBlock)) > 3)
        notice = guide.query_one("#guidelines-notice", Static)
        assert "names no guidelines file" in str(notice.content) and notice.region.height

        def shown() -> str:
            return " ".join(str(b.content) for b in guide.query(MarkdownBlock) if b.content)

        await until(pilot, lambda: "Jobs rose 3%" in shown())
        assert "statistical" in shown()
        assert "[this](https://example.com/x) <b>now</b>" in shown()  # literal, not a link
        markdown = guide.query_one(Markdown)
        markdown.post_message(Markdown.LinkClicked(markdown, "https://example.com/x"))
        await until(pilot, lambda: bool(app._notifications))  # noqa: SLF001
        assert opened == []


async def test_the_file_is_read_again_when_it_changed_and_a_lost_file_is_explained(
    store: Store, tmp_path: Path
) -> None:
    guide_file = tmp_path / "guide.md"
    guide_file.write_text("# Ours\n\nFirst version.\n", encoding="utf-8")
    path = tmp_path / "labels.yaml"
    path.write_text(
        "guidelines: guide.md\nclaim_types: [{name: a, key: '1', description: Alpha}]\n"
        "stances: [{name: favor, key: f}]\n",
        encoding="utf-8",
    )
    schema = schema_mod.load(path)
    app: AnnottyApp = make_app(store, schema=schema)

    def shown() -> str:
        return " ".join(str(b.content) for b in app.screen.query(MarkdownBlock) if b.content)

    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+g")
        await until(pilot, lambda: "First version." in shown())
        guide = app.screen
        assert not guide.query_one("#guidelines-notice").display
        await pilot.press("q")
        await until(pilot, lambda: not isinstance(app.screen, GuidelinesScreen))
        guide_file.write_text("# Ours\n\nSecond version, longer.\n", encoding="utf-8")
        await pilot.press("ctrl+g")
        await until(pilot, lambda: "Second version" in shown())
        assert app.screen is guide  # the same screen, read again
        await pilot.press("escape")
        await until(pilot, lambda: not isinstance(app.screen, GuidelinesScreen))
        guide_file.unlink()
        await pilot.press("ctrl+g")
        await until(pilot, lambda: "Alpha" in shown())  # the schema's own descriptions
        notice = str(guide.query_one("#guidelines-notice", Static).content)
        assert "cannot read guidelines" in notice and str(guide_file) in notice
