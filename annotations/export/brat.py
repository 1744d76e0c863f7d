"""brat standoff: a folder with ``<doc>.txt`` + ``<doc>.ann`` per document and an annotation.conf.

brat (Python 3) counts offsets in code points into the ``.txt`` file, so the text is written
byte-for-byte as stored (no newline translation: a CRLF stays two characters). brat reads a
``.ann`` file with ``codecs`` ``readlines()``, which breaks lines wherever ``str.splitlines`` does
(CR, LF, VT, FF, FS, GS, RS, NEL, U+2028, U+2029), and requires the text after a T line's second
tab to be exactly the fragments' text joined by single spaces (tabs included, as they are). So a
span is cut into fragments at every one of those characters, brat's discontinuous form ``start
end;start end``, and the fragments' text is written verbatim. Claims are ``Claim`` text-bound
annotations with ``Stance`` and ``ClaimType`` attributes (A lines), a ``Speaker`` relation (R)
to the speaker's mention where there is one, and ``#`` AnnotatorNotes for the note and the
speaker's name.

File names come from document ids; an id that is not a safe, short file name becomes a cut-down
form plus a hash of the id (two ids never share a file, even on a case-insensitive disk). brat has
no document-level annotation, so each document's file name, id, title and every annotator's
status and stance go in ``annotty-documents.jsonl`` beside the files (brat lists only ``*.txt``).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager, ExitStack, contextmanager
from pathlib import Path
from typing import Protocol, TextIO

from annotations.atomic_write import create_file
from annotations.export.bundles import ClaimRow, DocBundle, to_json

CLAIM = "Claim"
DOCUMENTS_FILE = "annotty-documents.jsonl"
MAX_STEM = 80
"""ASCII characters of a document id kept in a file name (a hash follows): well under the
255-byte name limit of common file systems."""
# every character str.splitlines() (and so brat's codecs readlines()) breaks a line at
_LINE_BREAK = re.compile("\r\n|[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]")
_UNSAFE = re.compile("[\t\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]")
_NAME_UNSAFE = re.compile(r"[^A-Za-z0-9_\-]")


class Sink(Protocol):
    """Where brat files go: a folder, or one stream for a preview."""

    def open(self, name: str) -> AbstractContextManager[TextIO]: ...


class FolderSink:
    """Files in a fresh folder (``atomic_write.replace_folder``), each created exclusively."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    @contextmanager
    def open(self, name: str) -> Iterator[TextIO]:
        with create_file(self.folder, name) as out:
            yield out


class StreamSink:
    """All files into one stream, each under a ``==> name <==`` header (like ``head``)."""

    def __init__(self, out: TextIO) -> None:
        self.out = out

    @contextmanager
    def open(self, name: str) -> Iterator[TextIO]:
        self.out.write(f"==> {name} <==\n")
        yield self.out
        self.out.write("\n")


def one_line(value: str) -> str:
    """A note's text: whatever a reader could take for a line or field break becomes a space."""
    return _UNSAFE.sub(" ", value)


def type_name(label: str) -> str:
    """brat type and attribute names allow no spaces or punctuation."""
    return _NAME_UNSAFE.sub("_", label) or "_"


def fragments(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """``[start, end)`` split at every line break ``str.splitlines`` knows, dropping the breaks.

    Empty when the span holds nothing but line breaks (brat cannot show such a span).
    """
    out: list[tuple[int, int]] = []
    pos = start
    for match in _LINE_BREAK.finditer(text, start, end):
        if match.start() > pos:
            out.append((pos, match.start()))
        pos = match.end()
    if pos < end:
        out.append((pos, end))
    return out


def text_bound(number: int, label: str, text: str, start: int, end: int) -> str | None:
    """A T line whose text is exactly what brat checks: the fragments' text joined by spaces."""
    parts = fragments(text, start, end)
    if not parts:
        return None
    where = ";".join(f"{s} {e}" for s, e in parts)
    shown = " ".join(text[s:e] for s, e in parts)
    return f"T{number}\t{label} {where}\t{shown}\n"


def ann_lines(
    bundle: DocBundle, used: dict[str, set[str]], skipped: list[str] | None = None
) -> Iterator[str]:
    """The ``.ann`` file of one document; ``used`` collects the names annotation.conf needs and
    ``skipped`` the spans brat cannot hold (nothing but line breaks)."""
    text = bundle.doc.text
    t_number = a_number = r_number = n_number = 0
    mention_t: dict[tuple[int, int, str], int] = {}
    for entity in bundle.entities:
        label = type_name(entity.label)
        line = text_bound(t_number + 1, label, text, entity.start, entity.end)
        if line is None:
            _skip(skipped, bundle, f"entity {entity.label} [{entity.start}, {entity.end})")
            continue
        t_number += 1
        used["entities"].add(label)
        mention_t[(entity.start, entity.end, entity.label)] = t_number
        yield line
    for claim in bundle.claims:
        line = text_bound(t_number + 1, CLAIM, text, claim.start, claim.end)
        if line is None:
            _skip(skipped, bundle, f"claim {claim.id} [{claim.start}, {claim.end})")
            continue
        t_number += 1
        claim_t = t_number
        yield line
        for attribute, value in (
            ("ClaimType", claim.claim_type),
            ("Stance", claim.stance),
            ("Attribution", claim.attribution),
            ("Checkworthy", claim.checkworthy),
        ):
            if value:
                a_number += 1
                used[attribute].add(type_name(value))
                yield f"A{a_number}\t{attribute} T{claim_t} {type_name(value)}\n"
        mention = bundle.speaker_mention(claim)
        target = (
            None if mention is None else mention_t.get((mention.start, mention.end, mention.label))
        )
        if mention is not None and target is not None:
            r_number += 1
            used["relations"].add(type_name(mention.label))
            yield f"R{r_number}\tSpeaker Arg1:T{claim_t} Arg2:T{target}\t\n"
        for line in _notes(claim):
            n_number += 1
            yield f"#{n_number}\tAnnotatorNotes T{claim_t}\t{one_line(line)}\n"


def _skip(skipped: list[str] | None, bundle: DocBundle, what: str) -> None:
    if skipped is not None:
        skipped.append(f"{bundle.doc.id}: brat: {what} holds only line breaks; left out")


def _notes(claim: ClaimRow) -> Iterator[str]:
    if claim.note:
        yield claim.note
    if claim.speaker:
        yield f"speaker: {claim.speaker}"
    if claim.target:
        yield f"target: {claim.target}"
    yield f"id: {claim.id}; annotator: {claim.annotator}; review: {claim.review_status}"


def annotation_conf(used: dict[str, set[str]]) -> str:
    lines = ["[entities]", CLAIM, *sorted(used["entities"]), "", "[relations]"]
    if used["relations"]:
        lines.append(f"Speaker Arg1:{CLAIM}, Arg2:{'|'.join(sorted(used['relations']))}")
    lines += [
        "<OVERLAP> Arg1:<ENTITY>, Arg2:<ENTITY>, <OVL-TYPE>:<ANY>",
        "",
        "[events]",
        "",
        "[attributes]",
    ]
    for attribute in ("ClaimType", "Stance", "Attribution", "Checkworthy"):
        if used[attribute]:
            lines.append(f"{attribute} Arg:{CLAIM}, Value:{'|'.join(sorted(used[attribute]))}")
    return "\n".join(lines) + "\n"


def _digest(doc_id: str, length: int) -> str:
    return hashlib.sha256(doc_id.encode("utf-8", "surrogatepass")).hexdigest()[:length]


def file_stem(bundle: DocBundle, taken: set[str] | None = None) -> str:
    """A file name for the document: its id when that is short and plain ASCII, else a cut-down
    safe form plus a hash of the whole id. ``taken`` (case-folded stems already used) makes it
    collision-safe: a clash, even one only a case-insensitive disk sees, gets a longer hash."""
    doc_id = bundle.doc.id
    safe = _NAME_UNSAFE.sub("_", doc_id)
    stem = (
        doc_id
        if safe == doc_id and 0 < len(doc_id) <= MAX_STEM
        else f"{safe[:MAX_STEM]}-{_digest(doc_id, 8)}"
    )
    if taken is None:
        return stem
    n = 0
    while stem.casefold() in taken:
        n += 1
        stem = f"{safe[:MAX_STEM]}-{_digest(doc_id, 32)}" + (f"-{n}" if n > 1 else "")
    taken.add(stem.casefold())
    return stem


def write_brat(items: Iterable[DocBundle], sink: Sink, skipped: list[str] | None = None) -> int:
    """Every document's ``.txt`` and ``.ann``, the annotation.conf brat needs to show them, and
    ``annotty-documents.jsonl`` with what brat has no place for (ids, document status, stance)."""
    used: dict[str, set[str]] = {
        key: set()
        for key in ("entities", "relations", "ClaimType", "Stance", "Attribution", "Checkworthy")
    }
    count = 0
    taken: set[str] = set()
    with ExitStack() as stack:
        # a folder gets the documents file as it goes (flat memory); a preview at the end
        side: TextIO | None = None
        if isinstance(sink, FolderSink):
            side = stack.enter_context(sink.open(DOCUMENTS_FILE))
        later: list[str] = []
        for bundle in items:
            stem = file_stem(bundle, taken)
            with sink.open(f"{stem}.txt") as out:
                out.write(bundle.doc.text)
            with sink.open(f"{stem}.ann") as out:
                for line in ann_lines(bundle, used, skipped):
                    out.write(line)
            record = (
                to_json(
                    {
                        "file": stem,
                        "id": bundle.doc.id,
                        "title": bundle.doc.title,
                        "doc_state": [s.record() for s in bundle.states],
                    }
                )
                + "\n"
            )
            if side is not None:
                side.write(record)
            else:
                later.append(record)
            count += 1
    with sink.open("annotation.conf") as out:
        out.write(annotation_conf(used))
    if later:
        with sink.open(DOCUMENTS_FILE) as out:
            out.writelines(later)
    return count


def preview_brat(items: Iterable[DocBundle], out: TextIO) -> int:
    """The brat files as one text stream, for the export dialog's preview."""
    return write_brat(items, StreamSink(out))
