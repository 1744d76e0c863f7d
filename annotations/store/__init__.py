"""The annotation store: every change is one durable SQLite transaction plus a history row.

``Store`` is the core's public API for documents, entities, claims and history. It is safe to call
from worker threads (one connection, serialised by a lock); writes are short ``BEGIN IMMEDIATE``
transactions so several annotty processes can share one file.

The store is split by kind of record, one mixin per module: ``documents``, ``claims``,
``entity_cache``, ``doc_state``, ``settings``, ``changes`` (history, undo/redo) and ``counts``,
over the plumbing in ``base`` (connection, lock, transactions). Callers import from here only.
"""

from __future__ import annotations

from annotations.store.base import TEXT_CACHE, StoreBase, StoreError, default_annotator
from annotations.store.changes import Changes
from annotations.store.claims import Claims
from annotations.store.counts import Counts
from annotations.store.doc_state import DocStates
from annotations.store.entity_cache import EntityCache
from annotations.store.settings import Settings

__all__ = ["TEXT_CACHE", "Store", "StoreBase", "StoreError", "default_annotator"]


class Store(Claims, DocStates, EntityCache, Settings, Changes, Counts):
    """The core's public API for documents, entities, claims, state, settings and history."""
