"""The adjudication screen's two lists: documents with their counts, and one document's items.

Both are plain ``DataTable``s filled from core data (``adjudication.overview``'s
``DocumentOverview`` rows and a ``Comparison``); every cell is a ``Text`` made safe with
``one_line``, never markup.
"""

from __future__ import annotations

from rich.text import Text
from textual.widgets import DataTable

from annotations.adjudication import Comparison, DocumentOverview, Item
from tui.widgets.claim_table import one_line

STATUS = {
    "disputed": ("≠ disputed", "bold yellow"),
    "agreed": ("= agreed", "dim"),
    "resolved": ("✓ resolved", "green"),
}
REJECTED = ("✗ no claim", "red")
FIELD_NAMES = {"claim_type": "type", "checkworthy": "check"}
DIFFERS_WIDTH = 28
COUNTS = ("disputed", "agreed", "resolved")


def cut(value: str, limit: int) -> str:
    return value if len(value) <= limit else value[: max(0, limit - 1)] + "…"


def describe(item: Item) -> str:
    """What differs, in a few words: "missing bob · boundary · stance"."""
    parts = []
    for difference in item.differences:
        if difference == "missing":
            parts.append("missing " + ", ".join(one_line(a) for a in item.missing))
        else:
            parts.append(FIELD_NAMES.get(difference, difference))
    if item.rejected:
        parts.insert(0, "no claim")
    return " · ".join(parts) or "—"


class DocumentTable(DataTable[Text]):
    """One row per document two or more people annotated: ≠ disputed, = agreed, ✓ resolved."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        self.title_width = 26

    def on_mount(self) -> None:
        self.add_column("Document", key="title")
        for key, mark in zip(COUNTS, "≠=✓", strict=True):
            self.add_column(Text(mark, justify="right"), key=key)
        self.add_column("Annotators", key="annotators")

    def show(self, docs: list[DocumentOverview]) -> None:
        """Replace the rows, keeping the cursor's row number."""
        row = self.cursor_row
        self.clear()
        for doc in docs:
            self.add_row(*self.cells(doc), key=doc.doc_id)
        if docs:
            self.move_cursor(row=min(max(row, 0), len(docs) - 1))

    def update_counts(self, doc: DocumentOverview) -> None:
        for key, cell in zip(("title", *COUNTS), self.cells(doc), strict=False):
            self.update_cell(doc.doc_id, key, cell)

    def cells(self, doc: DocumentOverview) -> list[Text]:
        title = cut(one_line(doc.title) or doc.doc_id, self.title_width)
        return [
            Text(title, style="bold" if doc.disputed else ""),
            Text(
                str(doc.disputed),
                style="bold yellow" if doc.disputed else "dim",
                justify="right",
            ),
            Text(str(doc.agreed), justify="right"),
            Text(str(doc.resolved), style="green" if doc.resolved else "", justify="right"),
            Text(", ".join(one_line(a) for a in doc.annotators), style="dim"),
        ]


class ItemTable(DataTable[Text]):
    """One document's items in text order: status, span, what differs, the text."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row")

    def on_mount(self) -> None:
        for key in ("Status", "Span", "Differs", "Quote"):
            self.add_column(key, key=key.lower())

    def show(self, comparison: Comparison, text: str, width: int, row: int) -> None:
        """Replace the rows; the quotes take what ``width`` leaves; the cursor goes to ``row``."""
        self.clear()
        rows = []
        for item in comparison.items:
            label, style = REJECTED if item.rejected else STATUS[item.status]
            rows.append(
                (
                    Text(label, style=style),
                    Text(f"{item.start:,}–{item.end:,}"),
                    Text(cut(describe(item), DIFFERS_WIDTH)),
                    one_line(text[item.start : item.end]),
                )
            )
        used = sum(max((len(r[i]) for r in rows), default=0) + 2 for i in range(3))
        room = max(16, width - used - 5)  # cell padding and the scrollbar
        for status, where, differs, quote in rows:
            self.add_row(status, where, differs, Text(cut(quote, room)))
        if rows:
            self.move_cursor(row=min(max(row, 0), len(rows) - 1))
