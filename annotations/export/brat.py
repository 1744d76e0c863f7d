"""brat standoff: a folder with ``<doc>.txt`` + ``<doc>.ann`` per document and an annotation.conf.

brat (Python 3) counts offsets in code points into the ``.txt`` file, so the text is written
byte-for-byte as stored (no newline translation: a CRLF stays two characters). A span may not
cross a line break in a ``.ann`` line, so a multi-line claim becomes brat's discontinuous form
``start end;start end``, one fragment per line. Claims are ``Claim`` text-bound annotations with
``Stance`` and ``ClaimType`` attributes (A lines), a ``Speaker`` relation (R) to the speaker's
mention where there is one, and ``#`` AnnotatorNotes for the note and the speaker's name.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Protocol, TextIO

from annotations.export.source import ClaimRow, DocBundle

CLAIM = "Claim"
_LINE_BREAK = re.compile(r"\r\n|[\r\n]")
_UNSAFE = re.compile(r"[\t\r\n\v\f\x1c-\x1e\x85\u2028\u2029]")
_NAME_UNSAFE = re.compile(r"[^\w\-]")


class Sink(Protocol):
    """Where brat files go: a folder, or one stream for a preview."""

    def open(self, name: str) -> AbstractContextManager[TextIO]: ...


class FolderSink:
    def __init__(self, folder: Path) -> None:
        self.folder = folder

    @contextmanager
    def open(self, name: str) -> Iterator[TextIO]:
        with (self.folder / name).open("w", encoding="utf-8", newline="") as out:
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
    """A ``.ann`` field: whatever a reader could take for a line or field break becomes a space."""
    return _UNSAFE.sub(" ", value)


def type_name(label: str) -> str:
    """brat type and attribute names allow no spaces or punctuation."""
    return _NAME_UNSAFE.sub("_", label) or "_"


def fragments(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """``[start, end)`` split at line breaks, dropping the breaks themselves."""
    out: list[tuple[int, int]] = []
    pos = start
    for match in _LINE_BREAK.finditer(text, start, end):
        if match.start() > pos:
            out.append((pos, match.start()))
        pos = match.end()
    if pos < end:
        out.append((pos, end))
    return out or [(start, end)]


def text_bound(number: int, label: str, text: str, start: int, end: int) -> str:
    parts = fragments(text, start, end)
    where = ";".join(f"{s} {e}" for s, e in parts)
    shown = " ".join(text[s:e] for s, e in parts)
    return f"T{number}\t{label} {where}\t{one_line(shown)}\n"


def ann_lines(bundle: DocBundle, used: dict[str, set[str]]) -> Iterator[str]:
    """The ``.ann`` file of one document; ``used`` collects the names annotation.conf needs."""
    text = bundle.doc.text
    t_number = a_number = r_number = n_number = 0
    mention_t: dict[tuple[int, int, str], int] = {}
    for entity in bundle.entities:
        t_number += 1
        label = type_name(entity.label)
        used["entities"].add(label)
        mention_t[(entity.start, entity.end, entity.label)] = t_number
        yield text_bound(t_number, label, text, entity.start, entity.end)
    for claim in bundle.claims:
        t_number += 1
        claim_t = t_number
        yield text_bound(claim_t, CLAIM, text, claim.start, claim.end)
        for attribute, value in (("ClaimType", claim.claim_type), ("Stance", claim.stance),
                                 ("Attribution", claim.attribution),
                                 ("Checkworthy", claim.checkworthy)):
            if value:
                a_number += 1
                used[attribute].add(type_name(value))
                yield f"A{a_number}\t{attribute} T{claim_t} {type_name(value)}\n"
        mention = bundle.speaker_mention(claim)
        if mention is not None:
            r_number += 1
            target = mention_t[(mention.start, mention.end, mention.label)]
            used["relations"].add(type_name(mention.label))
            yield f"R{r_number}\tSpeaker Arg1:T{claim_t} Arg2:T{target}\t\n"
        for line in _notes(claim):
            n_number += 1
            yield f"#{n_number}\tAnnotatorNotes T{claim_t}\t{one_line(line)}\n"


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
    lines += ["<OVERLAP> Arg1:<ENTITY>, Arg2:<ENTITY>, <OVL-TYPE>:<ANY>", "", "[events]", "",
              "[attributes]"]
    for attribute in ("ClaimType", "Stance", "Attribution", "Checkworthy"):
        if used[attribute]:
            lines.append(f"{attribute} Arg:{CLAIM}, Value:{'|'.join(sorted(used[attribute]))}")
    return "\n".join(lines) + "\n"


def file_stem(bundle: DocBundle) -> str:
    """The document id, or a safe form of it plus a hash so two ids never share a file."""
    doc_id = bundle.doc.id
    safe = type_name(doc_id)
    if safe == doc_id:
        return safe
    return f"{safe[:80]}-{hashlib.sha256(doc_id.encode('utf-8', 'surrogatepass')).hexdigest()[:8]}"


def write_brat(items: Iterable[DocBundle], sink: Sink) -> int:
    """Every document's ``.txt`` and ``.ann``, then the annotation.conf brat needs to show them."""
    used: dict[str, set[str]] = {key: set() for key in
                                 ("entities", "relations", "ClaimType", "Stance", "Attribution",
                                  "Checkworthy")}
    count = 0
    for bundle in items:
        stem = file_stem(bundle)
        with sink.open(f"{stem}.txt") as out:
            out.write(bundle.doc.text)
        with sink.open(f"{stem}.ann") as out:
            for line in ann_lines(bundle, used):
                out.write(line)
        count += 1
    with sink.open("annotation.conf") as out:
        out.write(annotation_conf(used))
    return count


def preview_brat(items: Iterable[DocBundle], out: TextIO) -> int:
    """The brat files as one text stream, for the export dialog's preview."""
    return write_brat(items, StreamSink(out))

