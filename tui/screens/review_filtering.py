"""The review's filter: ``/`` opens the filter form, ``c`` clears it; the filter is remembered
per annotator so review reopens with it."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from textual.screen import Screen

from annotations.review.filters import ReviewFilter, save_filter
from tui.screens.ordered_writes import Done
from tui.screens.review_dialogs import FilterDialog
from tui.widgets.claim_table import ClaimTable

if TYPE_CHECKING:
    from typing import Any

    from tui.app import AnnottyApp


class FilterActions(Screen[None]):
    """Part of ``ReviewScreen``: choosing, clearing and remembering the filter."""

    app: AnnottyApp
    filter: ReviewFilter
    choices: dict[str, list[str]]
    table: ClaimTable
    load: Callable[..., object]
    _show_filter: Callable[..., None]
    _write: Callable[[Callable[[], Any], Done], None]

    def apply_filter(self, f: ReviewFilter) -> None:
        """Show the claims matching ``f`` (keeping the current claim if it still matches)."""
        self.filter = f
        self._show_filter(loading=True)
        row = self.table.current
        self.load(f, keep=row.id if row else None)
        self._save_filter(f)

    def _save_filter(self, f: ReviewFilter) -> None:
        """Remember the filter (per annotator) so review reopens with it."""
        self._write(lambda: save_filter(self.app.store, f), lambda _result, _error: None)

    async def action_filter(self) -> None:
        dialog = FilterDialog(
            self.app.schema, self.filter, self.choices["target"], self.choices["annotator"]
        )
        await self.app.push_screen(dialog, self._filter_chosen)

    def _filter_chosen(self, f: ReviewFilter | None) -> None:
        if f is not None and f != self.filter:
            self.apply_filter(f)

    def action_clear_filter(self) -> None:
        if not self.filter.is_empty():
            self.apply_filter(ReviewFilter())
