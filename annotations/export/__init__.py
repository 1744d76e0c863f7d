"""Exporters: one module per format, each writing from the store to a text stream."""

from __future__ import annotations

from collections.abc import Callable
from typing import TextIO

from annotations.export.annotty_json import write_json, write_jsonl
from annotations.store import Store

Writer = Callable[[Store, TextIO, str], int]

FORMATS: dict[str, Writer] = {"json": write_json, "jsonl": write_jsonl}


def export(store: Store, fmt: str, out: TextIO, recognizer: str) -> int:
    """Write every document in format ``fmt``; returns the number of documents written."""
    try:
        writer = FORMATS[fmt]
    except KeyError:
        raise ValueError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}") from None
    return writer(store, out, recognizer)
