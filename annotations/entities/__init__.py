"""Named-entity recognition: the recognizer interface, choosing one, and chunked running.

A recognizer has a ``key`` (name, version and the hash of its data) that changes whenever its
output may change; the store caches machine entities under that key, so a new key means
recomputation. Two kinds exist: the built-in rules + gazetteers (``builtin``) and any installed
spaCy pipeline (``spacy:NAME_OR_PATH``). ``resolve`` turns the user's choice into one, falling back
to the built-in recognizer with a message when spaCy or the model is missing.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from annotations.model import Entity

if TYPE_CHECKING:
    from annotations.entities.project_gazetteer import ProjectGazetteer
    from annotations.entities.rules import RuleRecognizer

CHUNK_CHARS = 100_000
GAZETTEER_FILE = "entities.yaml"
# Bump when the built-in rules change what they find: it is part of every cached entity's key.
BUILTIN_VERSION = 4  # 4: places by context, clubs, first names, acronyms, numbers (issue 12)


class Recognizer(Protocol):
    key: str

    def recognize(self, text: str) -> list[Entity]:
        """Entities in ``text`` with offsets into it (Python str indices), sorted by start."""
        ...


def chunks(text: str, size: int = CHUNK_CHARS) -> Iterator[tuple[int, str]]:
    """Split into pieces of at most ``size`` characters: (offset, piece).

    Cuts fall after a line break where there is one in the piece, else after a space, so a name
    is only ever cut in two when a piece has no whitespace at all.
    """
    start = 0
    while start < len(text):
        end = min(len(text), start + size)
        if end < len(text):
            cut = text.rfind("\n", start, end)
            if cut <= start:
                cut = max(text.rfind(" ", start, end), text.rfind("\t", start, end))
            end = cut + 1 if cut > start else end
        yield start, text[start:end]
        start = end


def recognize_in_chunks(
    recognizer: Recognizer, text: str, size: int = CHUNK_CHARS
) -> Iterator[list[Entity]]:
    """Run a recognizer piece by piece so callers can show entities as they arrive.

    Each yielded list holds the entities of one piece with offsets into the whole ``text``. A
    caller on a UI can stop iterating at any time (a newer document was opened).
    """
    shifted = getattr(recognizer, "recognize_at", None)
    for offset, piece in chunks(text, size):
        if shifted is not None:
            yield shifted(piece, offset)
        else:
            yield [
                Entity(e.start + offset, e.end + offset, e.label, e.source, e.text)
                for e in recognizer.recognize(piece)
            ]


def builtin_key(project: ProjectGazetteer, base: str | None = None) -> str:
    """The built-in recognizer's key: rules version, gazetteer files, project gazetteer."""
    from annotations.entities import gazetteer

    key = f"builtin@{BUILTIN_VERSION}:{base or gazetteer.inputs_digest()}"
    if project.entries or project.ignore:
        key += f"+{project.digest}"
    return key


def builtin(gazetteer: Path | None = None) -> Recognizer:
    """Rules + gazetteers, with a project gazetteer file if given (a missing file is empty).

    The project file is read now (a malformed one is reported at once) and the key is known at
    once; the rules themselves load on first use, off the UI thread, so the app starts fast.
    """
    from annotations.entities import project_gazetteer

    return BuiltinRecognizer(project_gazetteer.load(gazetteer))


class BuiltinRecognizer:
    """The built-in recognizer, its rules (``rules.RuleRecognizer``) loaded on first use."""

    def __init__(self, project: ProjectGazetteer) -> None:
        self.project = project
        self.key = builtin_key(project)
        self._rules: RuleRecognizer | None = None
        self._lock = threading.Lock()

    @property
    def rules(self) -> RuleRecognizer:
        if self._rules is None:
            with self._lock:  # two workers may ask first: build it once
                if self._rules is None:
                    from annotations.entities.rules import RuleRecognizer

                    self._rules = RuleRecognizer(self.project)
        return self._rules

    def recognize(self, text: str) -> list[Entity]:
        return self.rules.recognize(text)

    def recognize_at(self, text: str, offset: int) -> list[Entity]:
        return self.rules.recognize_at(text, offset)

    def __getattr__(self, name: str) -> Any:  # the rest (``gazetteer``...) is the rules'
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self.rules, name)


def default_gazetteer_path(db_path: Path) -> Path:
    """Where a project's gazetteer lives when ``--entities`` is not given: beside the database."""
    return Path(db_path).with_name(GAZETTEER_FILE)


def resolve(spec: str | None, gazetteer: Path | None = None) -> tuple[Recognizer, list[str]]:
    """The recognizer ``spec`` names, and messages for the user about what happened.

    ``None``, ``""`` or ``"builtin"`` is the built-in recognizer; ``spacy:NAME_OR_PATH`` is an
    installed spaCy pipeline (with the project gazetteer added as an entity ruler). When spaCy or
    the model cannot be loaded, the built-in recognizer is returned with a message saying how to
    install what is missing. Malformed gazetteer files raise ``InputError`` (file, line, field).
    """
    choice = (spec or "builtin").strip()
    if choice in ("builtin", "rules", "built-in"):
        return builtin(gazetteer), []
    if choice.startswith("spacy:") or choice == "spacy":
        from annotations.entities import spacy_backend

        name = choice.partition(":")[2].strip()
        recognizer, problem = spacy_backend.load(name, gazetteer)
        if recognizer is not None:
            return recognizer, []
        return builtin(gazetteer), [f"{problem}; using the built-in recognizer"]
    return builtin(gazetteer), [
        f"unknown recognizer {choice!r} (use 'builtin' or "
        "'spacy:NAME_OR_PATH'); using the built-in recognizer"
    ]
