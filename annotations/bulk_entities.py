"""Entities for many documents at once: in worker processes while the import goes on.

Recognition is most of the cost of importing short documents (about 60 % with the built-in
recognizer), and it is pure CPU work on one text at a time, so a bulk import hands each batch of
texts to a pool of worker processes and reads and stores the next batch meanwhile. Workers are
*spawned* (never forked from a process holding an open database) and build the recognizer from
the same specification the user gave (``--recognizer``, ``--entities``); a worker whose
recognizer key differs from this process's (the gazetteer changed meanwhile) is not trusted and
the batch is recognised here, as is everything when no worker can start. Small imports never
start a pool: a few thousand documents take less time than starting one.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from annotations.entities import Recognizer, resolve
from annotations.model import Entity

Spans = list[tuple[int, int, str, str]]


@dataclass(frozen=True)
class RecognizerSpec:
    """How to build the recognizer again in another process (the CLI's global options)."""

    spec: str | None
    gazetteer: str | None


_worker: Recognizer | None = None


def _start(spec: RecognizerSpec) -> None:
    global _worker
    try:
        _worker = resolve(spec.spec, Path(spec.gazetteer) if spec.gazetteer else None)[0]
    except Exception:  # e.g. the gazetteer became invalid meanwhile: the parent recognises
        _worker = None


def _recognize(texts: list[str]) -> tuple[str, list[Spans]]:
    if _worker is None:
        return "", []
    return _worker.key, [
        [(e.start, e.end, e.label, e.source) for e in _worker.recognize(t)] for t in texts
    ]


def worker_count() -> int:
    """Leave one core for reading and writing; at most four workers."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return max(1, min(4, (cores or 1) - 1))


class BulkRecognizer:
    """``submit`` texts, get a function that returns their entities (waiting if needed)."""

    def __init__(
        self, recognizer: Recognizer, spec: RecognizerSpec | None = None, workers: int | None = None
    ) -> None:
        self.recognizer = recognizer
        self.spec = spec
        self.workers = worker_count() if workers is None else workers
        self._pool: ProcessPoolExecutor | None = None
        self._failed = spec is None or self.workers < 1

    @property
    def key(self) -> str:
        return self.recognizer.key

    def _here(self, texts: list[str]) -> list[list[Entity]]:
        return [self.recognizer.recognize(t) for t in texts]

    def submit(self, texts: list[str], parallel: bool) -> Callable[[], list[list[Entity]]]:
        if not parallel or self._failed or self.spec is None:
            result = self._here(texts)
            return lambda: result
        try:
            if self._pool is None:
                self._pool = ProcessPoolExecutor(
                    self.workers,
                    mp_context=multiprocessing.get_context("spawn"),
                    initializer=partial(_start, self.spec),
                )
            # this process recognises a share too, while it waits: it is otherwise idle for
            # part of each batch (reading and storing cost less than recognising)
            mine = len(texts) // (self.workers + 2)
            sent = texts[: len(texts) - mine]
            size = max(1, len(sent) // (self.workers * 2))
            futures: list[Future[tuple[str, list[Spans]]]] = [
                self._pool.submit(_recognize, sent[i : i + size]) for i in range(0, len(sent), size)
            ]
        except (OSError, RuntimeError, BrokenProcessPool):
            self._failed = True
            result = self._here(texts)
            return lambda: result

        def collect() -> list[list[Entity]]:
            local = self._here(texts[len(sent) :])
            try:
                out: list[list[Entity]] = []
                for future in futures:
                    key, spans = future.result()
                    if key != self.recognizer.key:
                        raise RuntimeError("a worker's recognizer differs from this one")
                    out += [[Entity(*s) for s in doc] for doc in spans]
                return out + local
            except Exception:  # a broken or different worker: recognise here, as without one
                self._failed = True
                return self._here(texts)

        return collect

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
            self._pool = None
