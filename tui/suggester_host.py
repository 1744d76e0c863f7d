"""The app's claim suggester: which one is current, and retraining it as decisions come in.

Every screen that shows candidates asks ``claim_suggester()`` (from a worker: it reads the
store): the suggester the user chose (``--suggester``), or by default the learned model once one
is stored, else the built-in one. It is rebuilt only when the stored model changes. After each
decision a screen calls ``note_decision()``; once ``RETRAIN_BATCH`` decisions and claims are
newer than the stored model, a thread worker retrains it (scikit-learn, about a second) and every
open screen gets ``SuggesterChanged`` to score its candidates again.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING

from textual import work
from textual.app import App

from annotations.errors import AnnottyError
from annotations.screen_text import screen_safe
from annotations.store import StoreError
from tui.messages import SuggesterChanged

if TYPE_CHECKING:
    from annotations.entities import Recognizer
    from annotations.schema import Schema
    from annotations.store import Store
    from annotations.suggest.builtin import Suggester

log = logging.getLogger(__name__)
FAILURES = (StoreError, AnnottyError, sqlite3.Error, OSError)


class SuggesterHost(App[None]):
    """Part of ``AnnottyApp``: the current claim suggester and its retraining."""

    store: Store
    schema: Schema
    recognizer: Recognizer
    suggester_spec: str | None

    def __init__(self) -> None:
        super().__init__()
        self._suggester_lock = threading.Lock()
        self._suggester: tuple[int | None, Suggester] | None = None  # (model version, it)
        self._retraining = False
        self._too_few_at = 0  # history position of the last retrain that had too few examples
        self._suggester_notes: set[str] = set()

    def claim_suggester(self) -> Suggester:
        """The suggester candidates are scored with now. Reads the store: call it in a worker."""
        from annotations.suggest.choice import claim_suggester, model_name

        try:
            stored = self.store.latest_model(model_name(self.suggester_spec))
        except FAILURES as exc:  # the database is busy or gone: keep the one we have
            log.info("stored model not read: %s", exc)
            if self._suggester is not None:
                return self._suggester[1]
            stored = None
        version = None if stored is None else stored[0]
        with self._suggester_lock:
            if self._suggester is None or self._suggester[0] != version:
                model = None if stored is None else stored[1]
                suggester, notes = claim_suggester(self.suggester_spec, model, self._claim_types())
                self._suggester = (version, suggester)
                for note in notes:
                    self._say_once(note)
            return self._suggester[1]

    def _claim_types(self) -> Sequence[str]:
        return [label.name for label in self.schema.claim_types]

    def _say_once(self, note: str) -> None:
        if note not in self._suggester_notes:
            self._suggester_notes.add(note)
            self.notify(screen_safe(note), severity="warning", timeout=10, markup=False)

    def note_decision(self) -> None:
        """A candidate was decided or a claim made: retrain once a batch of them is new."""
        if not self._retraining and not self.store.readonly:
            self._retraining = True
            self.retrain_suggester()

    @work(thread=True, exclusive=True, group="retrain")
    def retrain_suggester(self) -> None:
        """Retrain the model the chosen suggester scores with (the learned n-gram model, or an
        embedding backend's classifier); a built-in or spaCy suggester learns nothing here."""
        from annotations.suggest import training
        from annotations.suggest.choice import backend, model_name
        from annotations.suggest.embeddings import EncoderUnavailable
        from annotations.suggest.learned import MISSING_SKLEARN, LearnerUnavailable, can_train

        kind, name = backend(self.suggester_spec)
        if kind not in ("auto", "learned", "embeddings"):
            self._retraining = False
            return
        store = self.store
        try:
            mark = store.latest_model_mark(model_name(self.suggester_spec))
            floor = max(mark[1] if mark else 0, self._too_few_at)
            if store.learning_changes_since(floor) < training.RETRAIN_BATCH:
                return
            if not can_train():
                self._say_once(MISSING_SKLEARN)
                return
            position = store.history_mark()  # before gathering: changes meanwhile count later
            if kind == "embeddings":
                from annotations.suggest import embeddings

                embeddings.retrain(store, self.recognizer, name)
                stored = store.latest_model_mark(model_name(self.suggester_spec))
                version = stored[0] if stored else 0
            else:
                stances = [label.name for label in self.schema.stances]
                result = training.retrain(
                    store, self.recognizer, self._claim_types(), stances=stances
                )
                version = result.version
        except training.NotEnoughExamples as exc:  # wait for another batch before trying again
            self._too_few_at = position
            log.info("learned suggester not retrained: %s", exc)
            return
        except (LearnerUnavailable, EncoderUnavailable) as exc:
            self._say_once(str(exc))
            return
        except (ValueError, *FAILURES) as exc:  # a busy database, a model refused: the
            log.info("learned suggester not retrained: %r", exc)  # next batch tries again
            return
        finally:
            self._retraining = False
        self.call_from_thread(self._suggester_changed, version)

    def _suggester_changed(self, version: int) -> None:
        self.notify(f"Suggestions learned again from the team's decisions (model {version}).")
        for screen in self.screen_stack:
            screen.post_message(SuggesterChanged(version))
