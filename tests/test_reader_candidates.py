"""Claim candidates in the reader (issue 13): suggested sentences drawn dimly, listed in the side
panel, jumped to with ``}`` ``{``, accepted with ONE key (``y``; ``Y`` through the form: two
keys plus the changes), rejected with one (``z``), and undone like any change."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, cast

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.segment import Segment
from rich.style import Style
from textual.app import App
from textual.pilot import Pilot

from annotations.store import Store
from annotations.suggest.candidate import open_candidates
from annotations.suggest.units import _units_whole, units
from tests.test_reader_support import open_reader, screen_text
from tui.app import AnnottyApp, make_app
from tui.screens.reader import ReaderScreen
from tui.styles import Palette
from tui.widgets.claim_form import ClaimForm
from tui.widgets.side_lists import CandidateList

# A news-like text: three check-worthy sentences (numbers, a prediction, a record), two that
# are not (a first-person opinion, an exclamation).
TEXT = (
    "Exports rose 12% in 2024 to $3.5 billion, the Ministry of Commerce said on Monday.\n"
    "I think it is nice.\n"
    "The new law will cut tariffs by 40 percent by 2030, according to the ministry.\n"
    "What a day!\n"
    "Unemployment fell to 3.9% last year, the lowest level since 1969, officials said.\n"
)
FIRST = (0, TEXT.index("\nI think"))
THIRD = (TEXT.index("The new law"), TEXT.index("\nWhat a day"))
FIFTH = (TEXT.index("Unemployment"), len(TEXT) - 1)
SIZE = (110, 32)


async def settle(app: AnnottyApp, pilot: Pilot[Any]) -> None:
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()


async def opened(app: AnnottyApp, pilot: Pilot[Any], doc_id: str) -> ReaderScreen:
    reader = await open_reader(app, pilot, doc_id)
    for _ in range(200):  # the candidates follow the entities, in their own worker
        await settle(app, pilot)
        if reader._entities_ready and reader._scored is not None:
            break
    await settle(app, pilot)
    return reader


def spans(reader: ReaderScreen) -> list[tuple[int, int]]:
    return [(c.start, c.end) for c in reader.candidates]


async def test_candidates_appear_listed_and_drawn(store: Store) -> None:
    doc, _ = store.add_document(TEXT, "news")
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        reader = await opened(app, pilot, doc.id)
        assert spans(reader) == [FIRST, THIRD, FIFTH]
        first = reader.candidates[0]
        assert first.claim_type == "statistical" and first.speaker == "Ministry of Commerce"
        assert reader.query_one(CandidateList).candidates == reader.candidates
        shown = screen_text(cast(App[object], app))
        assert "Candidates (3)" in shown
        assert "Exports rose 12%" in shown.split("Candidates (3)", 1)[1]  # the list's first row
        assert [(c.start, c.end) for c in reader.view.candidates.spans] == [FIRST, THIRD, FIFTH]
        # the status line says what the keys would decide, with the keys
        said = f"candidate {first.score:.2f}: statistical, said by Ministry of Commerce (y accept,"
        assert said in shown


async def test_decided_spans_and_own_claims_are_not_offered(store: Store) -> None:
    doc, _ = store.add_document(TEXT, "news")
    store.reject_candidate(
        doc.id, *FIRST, score=0.9, claim_type="statistical", speaker="", suggester="builtin"
    )
    store.add_claim(doc.id, FIFTH[0], FIFTH[0] + 12, "statistical", stance="none")
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        reader = await opened(app, pilot, doc.id)
        assert spans(reader) == [THIRD]


async def test_next_and_previous_move_the_cursor(store: Store) -> None:
    doc, _ = store.add_document(TEXT, "news")
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        reader = await opened(app, pilot, doc.id)
        await pilot.press("right_curly_bracket")
        assert reader.view.cursor == THIRD[0]
        await pilot.press("right_curly_bracket")
        assert reader.view.cursor == FIFTH[0]
        await pilot.press("left_curly_bracket", "left_curly_bracket")
        assert reader.view.cursor == FIRST[0]


async def test_the_candidate_list_jumps_on_enter(store: Store) -> None:
    doc, _ = store.add_document(TEXT, "news")
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        reader = await opened(app, pilot, doc.id)
        await pilot.press("tab", "tab")  # the claim list, then the candidates
        assert reader.query_one(CandidateList).has_focus
        await pilot.press("down", "enter")
        await pilot.pause()
        assert reader.view.has_focus and reader.view.cursor == THIRD[0]


async def test_accept_takes_one_key_and_undo_brings_the_candidate_back(store: Store) -> None:
    doc, _ = store.add_document(TEXT, "news")
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        reader = await opened(app, pilot, doc.id)
        keys = ["y"]  # the cursor is on the first candidate: one key accepts it
        await pilot.press(*keys)
        await settle(app, pilot)
        assert len(keys) == 1
        [claim] = store.claims(doc.id)
        assert (claim.start, claim.end) == FIRST and claim.quote == TEXT[slice(*FIRST)]
        assert (claim.claim_type, claim.speaker) == ("statistical", "Ministry of Commerce")
        [decision] = store.decisions(doc.id)
        assert (decision.decision, decision.claim_id) == ("accepted", claim.id)
        assert spans(reader) == [THIRD, FIFTH]
        assert [c.id for c in reader.claims] == [claim.id]
        await pilot.press("u")  # one undo takes back the claim and the decision
        await settle(app, pilot)
        assert store.claims(doc.id) == [] and store.decisions(doc.id) == []
        assert spans(reader) == [FIRST, THIRD, FIFTH]
        assert reader.claims == []


@pytest.mark.parametrize(
    ("changes", "claim_type"),
    [([], "prediction"), (["2"], "comparison")],  # as suggested; the type changed with "2"
)
async def test_accept_through_the_form_takes_two_keys_plus_the_changes(
    store: Store, changes: list[str], claim_type: str
) -> None:
    doc, _ = store.add_document(TEXT, "news")
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        reader = await opened(app, pilot, doc.id)
        reader.jump_to(THIRD[0] + 4)  # anywhere in the candidate
        await pilot.pause()
        keys = ["Y", *changes, "enter"]
        await pilot.press("Y")
        assert isinstance(app.screen, ClaimForm)
        await pilot.press(*keys[1:])
        await settle(app, pilot)
        assert len(keys) == 2 + len(changes)
        [claim] = store.claims(doc.id)
        assert (claim.start, claim.end, claim.claim_type) == (*THIRD, claim_type)
        [decision] = store.decisions(doc.id)
        assert decision.decision == "accepted" and decision.claim_type == "prediction"
        assert spans(reader) == [FIRST, FIFTH]


async def test_reject_takes_one_key_is_recorded_and_undone(store: Store) -> None:
    doc, _ = store.add_document(TEXT, "news")
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        reader = await opened(app, pilot, doc.id)
        await pilot.press("right_curly_bracket", "z")
        await settle(app, pilot)
        [decision] = store.decisions(doc.id)
        assert (decision.start, decision.end, decision.decision) == (*THIRD, "rejected")
        assert store.claims(doc.id) == []
        assert spans(reader) == [FIRST, FIFTH]
        await pilot.press("u")
        await settle(app, pilot)
        assert store.decisions(doc.id) == []
        assert spans(reader) == [FIRST, THIRD, FIFTH]


async def test_a_locked_database_keeps_the_decision_and_saves_it_later(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A decision that fails is kept and retried like every save: the claim shows meanwhile,
    the candidate does not come back, and the retry writes claim and decision once."""
    store = Store(tmp_path / "a.db", annotator="ann")
    doc, _ = store.add_document(TEXT, "news")
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        reader = await opened(app, pilot, doc.id)

        @contextmanager
        def locked() -> Iterator[sqlite3.Connection]:
            raise sqlite3.OperationalError("database is locked")
            yield store.db.conn  # pragma: no cover

        with monkeypatch.context() as patch:
            patch.setattr(store, "transaction", locked)  # as tests/test_recovery_app.py does
            await pilot.press("y", "right_curly_bracket", "z")
            await settle(app, pilot)
            assert store.claims(doc.id) == [] and store.decisions(doc.id) == []
            assert app.saves.unsaved == 3  # the accept, the status "in progress", the reject
            assert spans(reader) == [FIFTH]  # both decided: neither is offered again
            assert [(c.start, c.end) for c in reader.claims] == [FIRST]  # shown while kept
            said = [str(n.message) for n in app._notifications]
            assert any("Not saved yet: kept, retrying." in m for m in said)
        assert app.saves.retry() == 0  # the database is back
        assert [(c.start, c.end) for c in store.claims(doc.id)] == [FIRST]
        kinds = [(d.start, d.end, d.decision) for d in store.decisions(doc.id)]
        assert kinds == [(*FIRST, "accepted"), (*THIRD, "rejected")]
        assert app.saves.retry() == 0 and len(store.claims(doc.id)) == 1  # nothing twice
    store.close()


async def test_r_adjusts_a_candidates_span_before_accepting(store: Store) -> None:
    """``r`` selects the candidate, shift+arrows change the selection, ``y`` accepts it with
    that span: the claim has the new span, the decision stays on the candidate's."""
    doc, _ = store.add_document(TEXT, "news")
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        reader = await opened(app, pilot, doc.id)
        await pilot.press("r")
        assert reader.view.selection == FIRST
        await pilot.press("shift+left", "shift+left")
        chosen = reader.view.selection
        assert chosen is not None and chosen[0] == FIRST[0] and chosen[1] < FIRST[1]
        await pilot.press("y")
        await settle(app, pilot)
        [claim] = store.claims(doc.id)
        assert (claim.start, claim.end) == chosen
        assert claim.quote == TEXT[chosen[0] : chosen[1]]
        [decision] = store.decisions(doc.id)
        assert (decision.start, decision.end, decision.decision) == (*FIRST, "accepted")
        assert decision.claim_id == claim.id
        assert reader.view.selection is None and reader.respan is None
        await pilot.press("u")  # one undo takes back claim and decision
        await settle(app, pilot)
        assert store.claims(doc.id) == [] and store.decisions(doc.id) == []


async def test_r_twice_on_a_candidate_accepts_it_and_escape_cancels(store: Store) -> None:
    doc, _ = store.add_document(TEXT, "news")
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        reader = await opened(app, pilot, doc.id)
        await pilot.press("r", "escape")
        await settle(app, pilot)
        assert reader.respan is None and store.claims(doc.id) == []
        await pilot.press("g", "r", "shift+right", "r")  # the newline is not taken: same span
        await settle(app, pilot)
        [claim] = store.claims(doc.id)
        assert (claim.start, claim.end) == FIRST


async def test_a_key_off_any_candidate_decides_nothing(store: Store) -> None:
    doc, _ = store.add_document(TEXT, "news")
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        reader = await opened(app, pilot, doc.id)
        reader.jump_to(TEXT.index("I think"))
        await pilot.press("y", "z")
        await settle(app, pilot)
        assert store.claims(doc.id) == [] and store.decisions(doc.id) == []
        assert spans(reader) == [FIRST, THIRD, FIFTH]


def look_of(segments: list[Segment], word: str) -> Style:
    """The style the view draws ``word`` in (the first segment that holds it)."""
    style = next(s.style for s in segments if word in s.text)
    assert style is not None
    return style


async def test_without_colour_candidates_still_differ_from_claims(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    doc, _ = store.add_document(TEXT, "news")
    store.add_claim(doc.id, *FIRST, "statistical", stance="none")
    app = make_app(store)
    assert app.no_color
    async with app.run_test(size=SIZE) as pilot:
        reader = await opened(app, pilot, doc.id)
        assert spans(reader) == [THIRD, FIFTH]
        rows = [list(reader.view.render_line(y)) for y in range(reader.view.size.height)]
        segments = [segment for row in rows for segment in row]
        claim_look, candidate_look = look_of(segments, "rose"), look_of(segments, "tariffs")
        assert candidate_look.underline and candidate_look.dim
        assert claim_look.underline and not claim_look.dim
    palette = Palette(None)
    for stance in ("favor", "against", "none"):
        for claim_style in (palette.stance(stance), palette.other(stance)):
            assert claim_style.without_color != palette.candidate(True)


def test_open_candidates_drops_low_decided_and_overlapping() -> None:
    from annotations.suggest.candidate import Candidate

    made = [Candidate(0, 10, 0.9, "other"), Candidate(11, 20, 0.3, "other")]
    made += [Candidate(21, 30, 0.8, "other"), Candidate(31, 40, 0.7, "other")]
    kept = open_candidates(made, {(21, 30)}, [(35, 36)], 0.5)
    assert [(c.start, c.end) for c in kept] == [(0, 10)]


# Lines as news has them, and the starts syntok glues to the sentence before ("?", ")", "”").
PIECES = ["Exports rose 12%.", "The U.S. said so", "Mr. Li", "(see", "below.)", " ", "?", "”"]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.lists(st.sampled_from(PIECES), min_size=1, max_size=8), max_size=8),
    st.sampled_from(["\n\n", "\n \n", "\r\n\r\n"]),
    st.integers(min_value=1, max_value=40),
)
def test_units_cut_at_paragraph_breaks_are_the_units_of_the_whole_text(
    paragraphs: list[list[str]], gap: str, size: int
) -> None:
    """syntok segments each paragraph on its own, so cutting after a blank line changes no
    unit. (A cut after a line that ends a sentence, the fallback for a text with no blank line,
    can: syntok reads "(see … below.)" across lines. ``units`` is defined by the cut text, and
    the seed gold is labelled on exactly those units: tests/test_suggest_units.py.)"""
    text = gap.join("".join(p) for p in paragraphs)
    assert units(text, size) == _units_whole(text)
