"""Helpers for the reader and form tests: what the terminal really shows, read from Textual's
own screenshot (public API), so a test sees what a user sees, not only a widget's value."""

from __future__ import annotations

import html
import re
from typing import Any

from textual.app import App
from textual.pilot import Pilot

from tui.app import AnnottyApp
from tui.screens.reader import ReaderScreen

_TEXT = re.compile(
    r'<text class="[^"]*" x="([\d.]+)" y="[\d.]+" textLength="[\d.]+" '
    r'clip-path="url\(#[\w-]+-line-(\d+)\)">([^<]*)</text>'
)
CELL = 12.2  # the width of one cell in Textual's SVG export


def screen_lines(app: App[object]) -> list[str]:
    """The screen as rows of plain text (one string per terminal row)."""
    rows: dict[int, dict[int, str]] = {}
    for x, line, content in _TEXT.findall(app.export_screenshot()):
        rows.setdefault(int(line), {})[round(float(x) / CELL)] = html.unescape(content).replace(
            "\xa0", " "
        )
    out: list[str] = []
    for index in range(max(rows, default=-1) + 1):
        row = ""
        for column, piece in sorted(rows.get(index, {}).items()):
            row = row.ljust(column) + piece
        out.append(row)
    return out


def screen_text(app: App[object]) -> str:
    return "\n".join(screen_lines(app))


async def open_reader(app: AnnottyApp, pilot: Pilot[Any], doc_id: str) -> ReaderScreen:
    """Open ``doc_id`` at its start and wait until the reader has loaded it (workers done)."""
    await pilot.pause()
    app.open_document(doc_id, 0)
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()
    reader = app.screen
    assert isinstance(reader, ReaderScreen)
    return reader
