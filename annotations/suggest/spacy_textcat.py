"""The optional spaCy suggester: an installed text classification pipeline scores the units.

``--suggester spacy:NAME_OR_PATH`` loads a pipeline (by package name or path, as
``spacy.load`` does) that has a ``textcat`` or ``textcat_multilabel`` component; a unit's score
is the probability of the claim label (one named like CLAIM or CHECKWORTHY, or the one given as
``spacy:NAME#LABEL``). Claim type and speaker come from the built-in rules, since a text
classifier gives neither. spaCy is imported only here and only when asked for. Units are fed
through ``nlp.pipe`` in batches with every component the classifier does not need switched off.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from annotations.model import Entity
from annotations.spacy_pipelines import import_spacy, load_pipeline
from annotations.suggest.builtin import DEFAULT_THRESHOLD, BuiltinSuggester
from annotations.suggest.candidate import Candidate
from annotations.suggest.features import features_of_units
from annotations.suggest.units import units

FACTORIES = ("textcat", "textcat_multilabel")
CLAIM_LABELS = frozenset(
    {"claim", "claims", "checkworthy", "check_worthy", "check-worthy", "cfs", "check-worthy claim"}
)
"""Label names taken as "holds a check-worthy claim" when ``#LABEL`` is not given (any case);
ClaimBuster's check-worthy factual sentence class is CFS."""
_SHARED = ("tok2vec", "transformer")  # embedding layers a classifier may listen to
BATCH_SIZE = 128
MAX_UNIT_CHARS = 20_000
"""A unit is a sentence; a longer one (a line with no full stop in a huge file) is scored by its
first 20,000 characters, far beyond what any classifier reads with care and under spaCy's
length limit."""


class SpacyTextcatSuggester:
    """A spaCy text classifier as a suggester. ``key`` names the pipeline, its version, the
    component and label, and spaCy's version, so cached suggestions know when any changes."""

    def __init__(
        self,
        nlp: Any,
        name: str,
        component: str,
        label: str,
        claim_types: Sequence[str] | None = None,
        threshold: float = DEFAULT_THRESHOLD,
    ) -> None:
        from spacy.about import __version__ as spacy_version

        self.nlp = nlp
        self.name = name
        self.component = component
        self.label = label
        self.threshold = threshold
        version = nlp.meta.get("version", "0")
        self.key = f"spacy:{name}#{label}@{version}:spacy{spacy_version}"
        self._rules = BuiltinSuggester(claim_types=claim_types, threshold=threshold)
        self._lock = threading.Lock()  # one pipeline, possibly asked from several workers

    def suggest(self, text: str, entities: Sequence[Entity]) -> list[Candidate]:
        """Every unit of ``text``, scored (as ``BuiltinSuggester.suggest``)."""
        return self.score_units(text, units(text), entities)

    def score_units(
        self, text: str, spans: Sequence[tuple[int, int]], entities: Sequence[Entity]
    ) -> list[Candidate]:
        """Score given units of ``text``; type, speaker and the rules' reasons come from the
        built-in suggester, the score (and the first reason) from the classifier."""
        scored = list(features_of_units(text, spans, entities))
        probabilities = self.probabilities([text[s:e] for s, e, _ in scored])
        out = []
        for (start, end, features), p in zip(scored, probabilities, strict=True):
            rule = self._rules.candidate(text, start, end, features)
            why = (f"{'+' if p >= self.threshold else '-'} spaCy {self.label}: {p:.2f}",)
            out.append(replace(rule, score=round(p, 4), reasons=why + rule.reasons[:3]))
        return out

    def probabilities(self, texts: Sequence[str]) -> list[float]:
        """The claim label's probability for each text."""
        pieces = (t[:MAX_UNIT_CHARS] for t in texts)
        with self._lock:
            return [
                float(doc.cats.get(self.label, 0.0))
                for doc in self.nlp.pipe(pieces, batch_size=BATCH_SIZE)
            ]


def from_nlp(
    nlp: Any, name: str, label: str = "", claim_types: Sequence[str] | None = None
) -> tuple[SpacyTextcatSuggester | None, str]:
    """Wrap a built pipeline: (suggester, "") or (None, why it cannot classify claims)."""
    classifiers = [
        (pipe, nlp.get_pipe_meta(pipe).factory)
        for pipe in nlp.component_names  # disabled ones too: a pipeline may ship it switched off
        if nlp.get_pipe_meta(pipe).factory in FACTORIES
    ]
    if not classifiers:
        components = ", ".join(nlp.component_names) or "none"
        return None, (
            f"spaCy pipeline {name!r} has no textcat or textcat_multilabel component "
            f"(its components: {components})"
        )
    labels = [(pipe, str(lab)) for pipe, _ in classifiers for lab in nlp.get_pipe(pipe).labels]
    chosen = _choose_label(labels, label)
    if chosen is None:
        listed = ", ".join(dict.fromkeys(lab for _, lab in labels)) or "none"
        what = f"no label {label!r}" if label else "no single claim label"
        return None, (
            f"spaCy pipeline {name!r} has {what} (its labels: {listed}): "
            f"name the claim label as spacy:{name}#LABEL"
        )
    component, claim_label = chosen
    if component in nlp.disabled:
        nlp.enable_pipe(component)
    unwanted = [p for p in nlp.pipe_names if p != component and p not in _SHARED]
    if unwanted:
        nlp.select_pipes(disable=unwanted)
    return SpacyTextcatSuggester(nlp, name, component, claim_label, claim_types), ""


def _choose_label(labels: list[tuple[str, str]], wanted: str) -> tuple[str, str] | None:
    """(component, label): the one named ``wanted`` (exactly, else in any case), or the single
    label whose name says "claim"; None when there is none or more than one."""
    if wanted:
        exact = [pair for pair in labels if pair[1] == wanted]
        folded = [pair for pair in labels if pair[1].lower() == wanted.lower()]
        found = exact or folded
        return found[0] if len({lab for _, lab in found}) == 1 else None
    named = [pair for pair in labels if pair[1].lower() in CLAIM_LABELS]
    return named[0] if len({lab for _, lab in named}) == 1 else None


def load(
    spec: str, claim_types: Sequence[str] | None = None
) -> tuple[SpacyTextcatSuggester | None, str]:
    """``NAME_OR_PATH[#LABEL]`` loaded: (suggester, "") or (None, what is wrong and what to do)."""
    name, _, label = spec.partition("#")
    name, label = name.strip(), label.strip()
    if not name:
        return None, (
            "no spaCy pipeline named: use --suggester spacy:NAME_OR_PATH[#LABEL] "
            "(a pipeline with a textcat component)"
        )
    spacy, problem = import_spacy()
    if spacy is None:
        return None, problem
    hint = f"install it (python -m spacy download {name}, or pip install its package)"
    nlp, problem = load_pipeline(spacy, name, hint)
    if nlp is None:
        return None, problem
    return from_nlp(nlp, name, label, claim_types)
