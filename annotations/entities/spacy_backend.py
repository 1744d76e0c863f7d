"""The optional spaCy backend: any installed pipeline, with the project gazetteer on top.

``pip install 'annotty[spacy]'`` and a model (``python -m spacy download en_core_web_sm``) make
``--recognizer spacy:en_core_web_sm`` available; a path to a trained pipeline works too. spaCy is
imported only here and only when asked for (it costs most of a second). spaCy refuses texts over
``nlp.max_length`` characters (a million by default), so documents are fed in line-aligned pieces
and offsets shifted back. Project gazetteer names are added as an entity ruler after the model's
own recognizer, overwriting it, so an annotator's "apply everywhere" always wins.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from annotations.entities import CHUNK_CHARS, chunks
from annotations.entities import project_gazetteer as pg
from annotations.model import Entity
from annotations.spacy_pipelines import import_spacy, load_pipeline

RULER = "annotty_gazetteer"
_KEEP = {"tok2vec", "transformer", "ner", "entity_ruler", "span_ruler", RULER}
_LABELS = {"PER": "PERSON"}  # WikiNER-style models


class SpacyRecognizer:
    """A spaCy pipeline as a recognizer; ``key`` names the model, its version and the gazetteer."""

    def __init__(self, nlp: Any, name: str, project: pg.ProjectGazetteer | None = None) -> None:
        from spacy.about import __version__ as spacy_version

        self.nlp = nlp
        self.name = name
        self.project = project or pg.ProjectGazetteer()
        self.source = f"spacy:{name}"
        version = nlp.meta.get("version", "0")
        self.key = f"spacy:{name}@{version}:spacy{spacy_version}"
        if self.project.entries or self.project.ignore:
            self.key += f"+{self.project.digest}"
            _add_ruler(nlp, self.project)
        self._ignore = frozenset(pg.normalise(n) for n in self.project.ignore)
        self._size = max(1, min(CHUNK_CHARS, int(getattr(nlp, "max_length", 1_000_000)) - 1))

    def recognize(self, text: str) -> list[Entity]:
        return self.recognize_at(text, 0)

    def recognize_at(self, text: str, offset: int) -> list[Entity]:
        """Entities of ``text`` (fed to spaCy in pieces under its length limit), shifted."""
        pieces = list(chunks(text, self._size))
        out: list[Entity] = []
        docs = self.nlp.pipe(((piece, start) for start, piece in pieces), as_tuples=True)
        for doc, start in docs:
            for ent in doc.ents:
                if self._ignore and pg.normalise(ent.text) in self._ignore:
                    continue
                label = _LABELS.get(ent.label_, ent.label_)
                out.append(
                    Entity(
                        ent.start_char + start + offset,
                        ent.end_char + start + offset,
                        label,
                        self.source,
                        ent.text,
                    )
                )
        return out


def _patterns(project: pg.ProjectGazetteer) -> list[dict[str, str]]:
    patterns = []
    for entry in project.entries:
        for surface in dict.fromkeys((entry.name, *entry.aliases)):
            for form in dict.fromkeys((surface, pg.normalise(surface))):
                patterns.append({"label": entry.label, "pattern": form, "id": entry.name})
    return patterns


def _add_ruler(nlp: Any, project: pg.ProjectGazetteer) -> None:
    if RULER in nlp.pipe_names:
        nlp.remove_pipe(RULER)
    where: dict[str, str] = {"after": "ner"} if "ner" in nlp.pipe_names else {}
    ruler = nlp.add_pipe("entity_ruler", name=RULER, config={"overwrite_ents": True}, **where)
    ruler.add_patterns(_patterns(project))


def from_nlp(nlp: Any, name: str, gazetteer: str | Path | None = None) -> SpacyRecognizer:
    """Wrap an already built pipeline (tests use ``spacy.blank("en")`` and an entity ruler)."""
    return SpacyRecognizer(nlp, name, pg.load(gazetteer))


def load(name: str, gazetteer: str | Path | None = None) -> tuple[SpacyRecognizer | None, str]:
    """(recognizer, "") or (None, what is missing and how to install it)."""
    if not name:
        return (
            None,
            "no spaCy pipeline named: use --recognizer spacy:NAME_OR_PATH "
            "(e.g. spacy:en_core_web_sm)",
        )
    spacy, problem = import_spacy()
    if spacy is None:
        return None, problem
    project = pg.load(gazetteer)  # a malformed gazetteer is the user's error: let it raise
    nlp, problem = load_pipeline(spacy, name, f"python -m spacy download {name}")
    if nlp is None:
        return None, problem
    _disable(nlp, (p for p in nlp.pipe_names if p not in _KEEP))
    return SpacyRecognizer(nlp, name, project), ""


def _disable(nlp: Any, names: Iterable[str]) -> None:
    """Switch off what entity recognition does not need (parser, tagger): several times faster."""
    unwanted = list(names)
    if unwanted:
        nlp.select_pipes(disable=unwanted)
