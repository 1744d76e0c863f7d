"""What the commands that take a document or a text file share: finding a stored document by
whatever the user typed, and showing a span of text on one safe line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from annotations.cli import Settings
from annotations.doc_ref import AmbiguousDocument, NoSuchDocument, resolve_document
from annotations.entities import Recognizer
from annotations.model import Document, Entity, content_id
from annotations.terminal_safe import clean


def find_document(settings: Settings, target: str) -> Document | None:
    """A document by id, unique id prefix, file name or title (``annotations.doc_ref``); None
    if there is no such document."""
    if not settings.db_exists():
        return None
    store = settings.store()
    try:
        return store.find_document(resolve_document(store, target))
    except NoSuchDocument:
        return None
    except AmbiguousDocument as exc:
        raise click.BadParameter(str(exc), param_hint="DOC_OR_FILE") from exc


def shown(text: str, width: int = 60) -> str:
    """A span's text on one line: newlines as ↵, every other control made visible."""
    flat = clean(text.replace("\n", "↵"))
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def text_and_entities(
    settings: Settings, target: str, recognizer: Recognizer
) -> tuple[str, list[Entity], dict[str, Any]]:
    """The text named by ``target`` (a file, else a stored document), its entities (a stored
    document's with the annotators' corrections applied) and what to print about where it came
    from; ``click.BadParameter`` when it is neither."""
    from annotations.imports.plain_files import decode

    path = Path(target)
    if path.is_file():
        text = decode(path.read_bytes(), path)
        return text, recognizer.recognize(text), {"file": str(path), "document": content_id(text)}
    doc = find_document(settings, target)
    if doc is None:
        raise click.BadParameter(
            f"no file or stored document '{clean(target)}' (a document is named by its id, "
            "a unique id prefix, the file it was imported from or its title)",
            param_hint="DOC_OR_FILE",
        )
    from annotations.entities.corrections import document_entities

    found = document_entities(settings.store(), doc.id, recognizer) or []
    return doc.text, list(found), {"document": doc.id, "title": doc.title}
