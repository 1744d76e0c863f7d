"""The reader's entity actions: add, relabel or remove an entity (here or everywhere), jump
between mentions, show labels inline; and the recognized entities under the corrections."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from textual import work
from textual.actions import SkipAction
from textual.screen import Screen

from annotations.entities import corrections
from annotations.errors import AnnottyError
from annotations.model import Document, Entity
from annotations.screen_text import screen_safe
from annotations.store import StoreError
from tui.screens.worker_results import deliver
from tui.widgets.document_view import DocumentView
from tui.widgets.entity_form import EntityForm
from tui.widgets.side_lists import snippet

if TYPE_CHECKING:
    from tui.app import AnnottyApp

LABELS_SETTING = "inline_labels:"  # + annotator: "on" when entity labels show in the text
CACHE_WAIT_SECONDS = 1.0  # the entity cache is only a cache: never wait long to write it
log = logging.getLogger(__name__)


class EntityActions(Screen[None]):
    """Part of ``ReaderScreen``: entity corrections, saved through the app's ``SaveQueue``."""

    app: AnnottyApp
    view: DocumentView
    document: Document | None
    doc_id: str
    _mentions: dict[str, list[int]]
    _note: str
    _note_at: int | None
    jump_to: Callable[[int], None]
    _update_status: Callable[[], None]
    _not_saved: Callable[[], str]
    _entities_arrived: Callable[[list[Entity], bool], None]

    def _corrections(self, doc_id: str, text: str) -> list[corrections.Correction]:
        """The stored entity corrections, and over them those still waiting for a retry."""
        edits = {(c.start, c.end): c for c in corrections.corrections(self.app.store, doc_id)}
        for start, end, label in self.app.saves.kept_entity_edits(doc_id):
            edits[start, end] = corrections.Correction(
                "", doc_id, start, end, label, text[start:end]
            )
        return list(edits.values())

    def _cache(self, doc_id: str, found: list[Entity]) -> None:
        """Keep the recognized entities for next time; a failed write only costs that."""
        try:
            self.app.store.cache_entities(
                doc_id, self.app.recognizer.key, found, wait=CACHE_WAIT_SECONDS
            )
        except (sqlite3.Error, AnnottyError, OSError) as exc:
            log.info("entity cache for %s not written: %s", doc_id, exc)

    def entity_at_cursor(self) -> Entity | None:
        here = self.view.entities.at(self.view.cursor)
        return min(here, key=lambda e: e.end - e.start) if here else None

    async def action_label_entity(self) -> None:
        """On a selection: add an entity. On an entity: relabel or remove it."""
        span = self.view.selection
        entity = None if span else self.entity_at_cursor()
        if span is not None:
            start, end = span
        elif entity is not None:
            start, end = entity.start, entity.end
        else:
            self.notify(
                "Select the name first (w/W, shift+arrows), or put the cursor on an entity.",
                severity="warning",
            )
            raise SkipAction()
        quote = self.view.text[start:end]

        def chosen(values: dict[str, Any] | None) -> None:
            if values is not None:
                self.correct_entity(start, end, values)

        await self.app.push_screen(
            EntityForm(quote, entity.label if entity else "", can_remove=entity is not None), chosen
        )

    def action_remove_entity(self) -> None:
        entity = self.entity_at_cursor()
        if entity is None:
            self.notify("No entity under the cursor.")
            return
        self.correct_entity(entity.start, entity.end, {"remove": True, "scope": "here"})

    @work(thread=True, group="save")
    def correct_entity(self, start: int, end: int, values: dict[str, Any]) -> None:
        store, app = self.app.store, self.app
        name = self.view.text[start:end]
        label = None if values.get("remove") else values["label"]
        try:  # kept and retried if the save fails, like a claim
            saved = app.saves.correct_entity(self.doc_id, start, end, label or "")
        except StoreError as exc:  # a bad label: nothing to keep
            self.app.call_from_thread(self.notify, str(exc), severity="error", markup=False)
            return
        what = "removed" if label is None else label
        message = (
            f"{name!r}: {what} (u to undo)." if saved else f"{name!r}: {what}. {self._not_saved()}"
        )
        if values.get("scope") == "everywhere":
            if app.gazetteer is None:
                message += " No project gazetteer for an in-memory database."
            else:
                try:
                    corrections.apply_everywhere(store, app.gazetteer, name, label)
                    app.reload_recognizer()
                    message += " " + corrections.everywhere_note(
                        app.recognizer, app.gazetteer.name, name, label
                    )
                except (OSError, AnnottyError) as exc:  # the gazetteer file, not the database
                    message += (
                        f" Not added to {app.gazetteer.name}: "
                        f"{getattr(exc, 'strerror', None) or exc}"
                    )
        self.app.call_from_thread(self.notify, screen_safe(message), markup=False)
        self.reload_entities()  # a kept correction shows too; the database gets it later

    @work(thread=True, exclusive=True, group="entities")
    def reload_entities(self) -> None:
        doc = self.document
        if doc is None:
            return
        key = self.app.recognizer.key  # a new one after "apply everywhere": recognize again
        machine = self.app.store.cached_entities(doc.id, key)
        if machine is None:
            machine = self.app.recognizer.recognize(doc.text)
            self._cache(doc.id, machine)
        shown = corrections.apply_corrections(machine, self._corrections(doc.id, doc.text))
        deliver(self, self._entities_arrived, shown, True)

    def action_mention(self, step: int) -> None:
        """Jump to the next (or previous) mention of the entity under the cursor."""
        entity = self.entity_at_cursor()
        if entity is None:
            self.notify("Put the cursor on an entity first.")
            return
        name = self.view.text[entity.start : entity.end]
        starts = self._mentions.get(name, [entity.start])
        if len(starts) < 2:
            # in the status line, not a toast: toasts pile up over the text when repeated
            self._note = f"“{snippet(name, 30)}” is mentioned once."
            self._note_at = self.view.cursor
            self._update_status()
            return
        later = [s for s in starts if s > entity.start]
        earlier = [s for s in starts if s < entity.start]
        target = (later or starts)[0] if step > 0 else (earlier or starts)[-1]
        self.jump_to(target)  # the status line shows "mention i of n"

    def action_toggle_labels(self) -> None:
        """Inline entity labels on or off, remembered per annotator (written in a thread)."""
        on = not self.view.show_labels
        self.view.set_labels(on)
        key, store = LABELS_SETTING + self.app.store.annotator, self.app.store
        self.run_worker(
            lambda: store.set_setting(key, "on" if on else "off"),
            thread=True,
            group="labels-setting",
            exit_on_error=False,
        )
