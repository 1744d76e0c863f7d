"""The reader's marks for claims an edited article's new version could not place exactly.

When a document is imported again with a changed text (``Store.new_version``), a claim whose
words were reworded (flag ``review``) or are gone (flag ``lost``) is kept and flagged: the
claims list (and the review table) shows ``⚑`` and the claim's old words struck through before
its new ones, until a reviewer accepts or rejects the claim, which clears the flag. Data is
shown as ``rich.text.Text``, never markup.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text

from tui.widgets.side_lists import snippet

FLAG_MARK = "⚑"
OLD_WORDS = 18
"""Characters of a flagged claim's old text shown in the claims list."""


def anchor_marks(store: Any, doc_id: str | None) -> dict[str, Text]:
    """(In a worker) each flagged claim's marker (of one document, or of all for review): the
    flag, and its old text struck through."""
    marks: dict[str, Text] = {}
    for claim_id, anchor in store.claim_anchors(doc_id).items():
        if not anchor.flag:
            continue
        style = "bold red" if anchor.flag == "lost" else "bold yellow"
        marks[claim_id] = Text.assemble(
            (FLAG_MARK, style), (snippet(anchor.old_quote, OLD_WORDS), "dim strike")
        )
    return marks


def merged(first: dict[str, Text], second: dict[str, Text]) -> dict[str, Text]:
    """Both markers where a claim has both (comments, then the flag)."""
    out = dict(first)
    for claim_id, mark in second.items():
        out[claim_id] = Text.assemble(out[claim_id], " ", mark) if claim_id in out else mark
    return out
