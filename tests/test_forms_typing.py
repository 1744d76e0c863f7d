"""Text fields show what is typed while focused; the claim form marks the focused field, says
when a key picks nothing, shows the chosen value's schema description, and scrolls on a small
terminal so every field can be reached."""

from __future__ import annotations

import pytest
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Input, Label

from annotations.store import Store
from tests.test_reader_support import screen_lines, screen_text
from tui.app import AnnottyApp, make_app
from tui.screens.reader import ReaderScreen
from tui.screens.review_dialogs import BulkDialog, ReasonDialog
from tui.widgets.choice_field import ChoiceField
from tui.widgets.claim_form import ClaimForm

TEXT = (
    "The minister said exports grew 12% in 2024. Critics called the figure misleading.\n"
    "Paris and Berlin disagreed about it.\n"
)


async def open_form(app: AnnottyApp, pilot, doc_id: str) -> ClaimForm:
    await pilot.pause()
    app.open_document(doc_id, 0)
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()
    assert isinstance(app.screen, ReaderScreen)
    await pilot.press("s", "c")
    await pilot.wait_for_scheduled_animations()
    await pilot.pause()
    form = app.screen
    assert isinstance(form, ClaimForm)
    return form


@pytest.mark.parametrize("field", ["target", "speaker", "note"])
async def test_typed_text_is_on_screen_while_the_field_has_focus(store: Store, field: str) -> None:
    doc, _ = store.add_document(TEXT, "t")
    app = make_app(store)
    async with app.run_test(size=(80, 24)) as pilot:
        form = await open_form(app, pilot, doc.id)
        form.query_one(f"#{field}", Input).focus()
        await pilot.pause()
        await pilot.press(*"zebrafish")
        await pilot.pause()
        widget = form.query_one(f"#{field}", Input)
        assert widget.has_focus and widget.value == "zebrafish"
        assert widget.content_region.height >= 1
        assert "zebrafish" in screen_text(app)  # drawn while focused, not only after tab


async def test_the_focused_field_is_marked_and_a_stray_key_is_explained(store: Store) -> None:
    doc, _ = store.add_document(TEXT, "t")
    app = make_app(store)
    async with app.run_test(size=(80, 24)) as pilot:
        form = await open_form(app, pilot, doc.id)
        # the case: after "3 a tab", typing must land in a text field, not pick choices
        await pilot.press("3", "a", "tab", *"zebra")
        await pilot.pause()
        target = form.query_one("#target", Input)
        assert form.focused is target and target.value == "zebra"
        assert form.query_one("#caption-target", Label).has_class("-focused")
        assert not form.query_one("#caption-claim_type", Label).has_class("-focused")
        assert any("▸ Target" in line for line in screen_lines(app))
        assert form.values()["stance"] == "against"  # "zebra" picked nothing
        await pilot.press("tab", "tab", "tab")  # speaker, note, round to the choices
        await pilot.pause()
        assert form.focused is form.query_one("#claim_type", ChoiceField)
        await pilot.press("shift+tab")
        assert form.focused is form.query_one("#note", Input)
        await pilot.press("tab", "z")
        await pilot.pause()
        assert "“z” picks no choice" in screen_text(app)


async def test_the_chosen_values_description_is_shown(store: Store) -> None:
    doc, _ = store.add_document(TEXT, "t")
    app = make_app(store)
    async with app.run_test(size=(100, 30)) as pilot:
        form = await open_form(app, pilot, doc.id)
        await pilot.press("3")
        await pilot.pause()
        causal = app.schema.label("claim_types", "causal")
        assert causal is not None and causal.description
        assert f"causal: {causal.description}" in screen_text(app)
        await pilot.press("a")  # a choice picked from anywhere in the choices is described
        await pilot.pause()
        against = app.schema.label("stances", "against")
        assert against is not None
        assert f"against: {against.description}" in screen_text(app)
        assert form.focused is form.query_one("#claim_type", ChoiceField)


async def test_every_field_is_reachable_and_visible_at_60_by_15(store: Store) -> None:
    doc, _ = store.add_document(TEXT, "t")
    app = make_app(store)
    async with app.run_test(size=(60, 15)) as pilot:
        form = await open_form(app, pilot, doc.id)
        visible = form.query_one(VerticalScroll).scrollable_content_region
        assert app.screen.region.contains_region(visible)
        fields = [w for w in form.query("ChoiceField, Input")]
        assert len(fields) >= 7
        for widget in fields:
            widget.focus()
            await pilot.pause()
            await pilot.wait_for_scheduled_animations()
            assert widget.has_focus
            region = widget.region
            assert region.height >= 1 and visible.contains_region(region), widget.id
        note = form.query_one("#note", Input)
        await pilot.press(*"tiny")
        await pilot.pause()
        assert note.value == "tiny" and "tiny" in screen_text(app)


class _BareField(ModalScreen[None]):
    """A default Input in a modal, styled only by annotty's app CSS."""

    def compose(self) -> ComposeResult:
        yield Input(id="bare")


async def test_a_plain_input_anywhere_in_the_app_shows_its_text(store: Store) -> None:
    """The shared cause: Textual's ``Input:focus`` adds a tall border; annotty's one-row fields
    then had no row left for text. The app's CSS keeps every field one row, borderless."""
    app = make_app(store)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await app.push_screen(_BareField())
        await pilot.pause()
        field = app.screen.query_one("#bare", Input)
        field.focus()
        await pilot.press(*"visible")
        await pilot.pause()
        assert field.has_focus and field.region.height == field.content_region.height == 1
        assert "visible" in screen_text(app)


@pytest.mark.parametrize(
    "dialog",
    [
        lambda: ReasonDialog("The quote."),
        lambda: BulkDialog("rejected", 3, "stance = against", False),
    ],
)
async def test_review_reason_fields_show_their_text(store: Store, dialog) -> None:
    app = make_app(store)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.push_screen(dialog())
        await pilot.pause()
        field = app.screen.query_one("#reason", Input)
        field.focus()
        await pilot.pause()
        await pilot.press(*"duplicate")
        await pilot.pause()
        assert field.has_focus and field.value == "duplicate"
        assert "duplicate" in screen_text(app)
