"""The review's ``e``: edit the selected claim's labels in the claim form, saved through the app's
save queue (kept and retried if it cannot be saved now)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from textual.actions import SkipAction
from textual.screen import Screen

from annotations.model import EDITABLE_CLAIM_FIELDS, SPEAKER_LABELS, Claim
from annotations.review.listing import ReviewList
from annotations.store import ConflictError, StoreError
from tui.screens.ordered_writes import Done
from tui.widgets.claim_context import ClaimContextView
from tui.widgets.claim_table import ClaimTable, one_line
from tui.widgets.save_state import PERSIST_SECONDS

if TYPE_CHECKING:
    from tui.app import AnnottyApp


class EditAction(Screen[None]):
    """Part of ``ReviewScreen``: editing the claim under the cursor."""

    app: AnnottyApp
    list: ReviewList | None
    table: ClaimTable
    show_context: Callable[[str], object]
    _usable_row: Callable[[], Claim | None]
    _status: Callable[[str], None]
    _write: Callable[[Callable[[], Any], Done], None]

    async def action_edit(self) -> None:
        row = self._usable_row()
        if row is None:
            raise SkipAction()
        from tui.widgets.claim_form import ClaimForm

        try:
            claim = self.app.store.claim(row.id)
        except StoreError as exc:
            self.notify(str(exc), severity="error")
            raise SkipAction() from exc
        context = self.query_one(ClaimContextView).context
        speakers = [
            e.text
            for e in (context.entities if context and context.claim.id == row.id else ())
            if e.label in SPEAKER_LABELS and e.text
        ]
        initial = {k: getattr(claim, k) for k in EDITABLE_CLAIM_FIELDS}
        form = ClaimForm(
            self.app.schema, claim.quote, initial=initial, speakers=speakers, title="Edit claim"
        )
        await self.app.push_screen(
            form, lambda values: self._edited(row, claim.version, initial, values)
        )

    def _edited(
        self, row: Claim, seen: str, initial: dict[str, Any], values: dict[str, Any] | None
    ) -> None:
        """Save the changed fields, on the version of the claim the form showed (``seen``)."""
        changes = {
            k: v
            for k, v in (values or {}).items()
            if k in EDITABLE_CLAIM_FIELDS and initial.get(k) != v
        }
        if not changes:
            return
        self._write(
            lambda: self.app.saves.update_claim(
                row.id, expected=seen, **changes
            ),  # kept if it fails
            lambda claim, error: self._edit_saved(row, claim, error),
        )

    def _edit_saved(self, row: Claim, claim: Any, error: Exception | None) -> None:
        if isinstance(error, ConflictError):  # show the claim as it is now
            self.notify(str(error), severity="warning", timeout=PERSIST_SECONDS, markup=False)
            self._refresh_rows()
            return
        if error is not None:
            self.notify(
                f"Could not save the edit of “{one_line(row.quote)[:40]}”: {one_line(str(error))}",
                severity="error",
                timeout=PERSIST_SECONDS,
                markup=False,
            )
            return
        if claim is None:
            self._status(f"Edit not saved yet (kept, retrying): “{one_line(row.quote)[:40]}”")
            return
        self._status(f"Saved: “{one_line(row.quote)[:60]}”")
        self._refresh_rows()

    def _refresh_rows(self) -> None:
        if self.list is not None:
            self.list.invalidate()
            self.table.refresh_rows()
            current = self.table.current
            if current is not None:
                self.show_context(current.id)
