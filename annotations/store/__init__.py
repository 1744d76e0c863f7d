"""The annotation store: every change is one durable SQLite transaction plus a history row.

``Store`` is the core's public API for documents, entities, claims and history. It is safe to call
from worker threads (one connection, serialised by a lock); writes are short ``BEGIN IMMEDIATE``
transactions so several annotty processes can share one file.

The store is split by kind of record, one mixin per module: ``documents``, ``claims``,
``reviews``, ``suggestions`` (candidate decisions, suggester models), ``entity_cache``,
``entity_edits``, ``doc_state``, ``assignments`` (who annotates which document), ``settings``,
``changes`` (history, undo/redo), ``counts``, and issue 16's ``comments``, ``timing`` (time on
task), ``versions`` (edited articles) and ``links`` (the same claim),
over the plumbing in ``base`` (connection, lock, transactions). Beside them, the SQLite
machinery: ``sqlite`` (opening the file), ``sqlite_schema`` (migrations), ``sqlite_check``
(file and integrity checks), ``history`` and ``undo_stack`` (the log and the stacks derived
from it), ``history_check`` (rows from another database), ``watcher`` (other processes'
commits) and ``team_merge`` (merging whole databases).

SQL lives here and in a few query modules that read through ``reading()`` (review listing and
filters, stats, agreement, export bundles); ``tests/test_store_seam.py`` keeps it so. A second
backend implements ``Store``'s public methods in a module of its own.
"""

from __future__ import annotations

from annotations.store.assignments import Assignments
from annotations.store.base import TEXT_CACHE, StoreBase, StoreError, Transaction, default_annotator
from annotations.store.changes import UndoHistory, UndoStep
from annotations.store.comments import Comments
from annotations.store.conflicts import ConflictError
from annotations.store.counts import Counts
from annotations.store.doc_state import DocStates
from annotations.store.documents import DocumentName
from annotations.store.entity_cache import EntityCache
from annotations.store.entity_edits import EntityEdits
from annotations.store.learner_data import LearnerData
from annotations.store.links import Links
from annotations.store.reviews import Reviews
from annotations.store.settings import Settings
from annotations.store.suggestions import Suggestions
from annotations.store.timing import TimeOnTask
from annotations.store.versions import Versions

__all__ = [
    "TEXT_CACHE",
    "ConflictError",
    "DocumentName",
    "Store",
    "StoreBase",
    "StoreError",
    "Transaction",
    "UndoStep",
    "default_annotator",
]


class Store(
    Reviews,
    Suggestions,
    LearnerData,
    DocStates,
    EntityCache,
    EntityEdits,
    Settings,
    UndoHistory,
    Counts,
    Assignments,
    Links,
    Comments,
    TimeOnTask,
    Versions,
):
    """The core's public API for documents, entities, claims, state, settings and history."""
