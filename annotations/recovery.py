"""Never losing a claim whose save fails: kept in memory, in a journal, and retried.

A save can fail for reasons that pass (the disk is full, another writer held the lock longer
than the limit, a network file system hiccups). The claim must not be lost nor the app crash:
``SaveQueue`` tries the save; on such a failure it appends the save to ``<db>.recovery.jsonl``
(one JSON object a line, ``O_APPEND`` and ``fsync``, never through a symlink, created
exclusively with mode 0600) and keeps it in memory; ``retry`` tries again (a UI worker calls it
every few seconds); ``recover`` on the next start replays what an earlier session could not
save. Replays are idempotent: a new claim carries its id, so a claim already in the database is
not added twice; an edit already applied is not applied again. A line records that a save went
through, and the file is removed once everything in it is saved.

Not only claims: a document's status and stance, an entity correction and a review decision
are annotation work too, and go through the same queue (ops ``status``, ``stance``, ``entity``,
``review``), in the order they were made.

A failure that cannot pass by itself (the database is read-only or damaged) is not retried in a
loop: the save is kept in the journal (replayed at the next start) and ``blocked`` says why,
until the session ends. Bad requests (a span outside the document, an unknown claim) are not
kept: they raise ``StoreError`` at once, as before.

Nor is a conflict: an edit, deletion or review decision carries the version of the claim its
user saw (``expected``); if someone else changed the claim meanwhile the store refuses it
(``ConflictError``, with the claim as it is now), and so does a late retry or a replay from the
journal. It is not retried nor kept: the save raises it for the UI to show, or, for a save
replayed without anyone waiting on it, ``dropped`` gets its message.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from dataclasses import replace
from pathlib import Path
from typing import Any

from annotations.errors import RECOVER_HINT, DatabaseProblem, ServerUnavailable
from annotations.model import NO_CLAIM, Claim, new_id
from annotations.recovery_decisions import decision_values, kept_decision
from annotations.recovery_journal import Journal, PendingSave, key_of, outstanding
from annotations.store import ConflictError, Store, StoreError
from annotations.suggest.candidate import Candidate

RETRYABLE: tuple[type[BaseException], ...] = (sqlite3.OperationalError, OSError, ServerUnavailable)
"""Failures that pass: locked, disk full, I/O, a server away. ``WriterBusy`` is an
OperationalError."""


def permanent_problem(exc: BaseException, database: Path | str | None) -> str:
    """Why no retry can help (read-only or damaged database), as a line naming the file; ""
    for a failure that may pass (a lock, a full disk) or is not the database's fault."""
    where = str(database) if database is not None else "the database"
    if isinstance(exc, DatabaseProblem):
        return str(exc)
    if not isinstance(exc, sqlite3.DatabaseError):
        return ""
    code = (getattr(exc, "sqlite_errorcode", None) or 0) & 0xFF
    text = str(exc)
    if code == sqlite3.SQLITE_READONLY or "readonly" in text or "read-only" in text:
        return f"{where}: read-only: changes cannot be saved ({text})"
    if code in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB) or "malformed" in text:
        return f"{where}: the database is damaged ({text}); " + RECOVER_HINT.format(path=where)
    return ""


class SaveQueue:
    """Saves claims through the store; keeps and retries the ones that fail for a while.

    Thread-safe: the UI saves from worker threads and retries from a timer's worker.
    """

    def __init__(self, store: Store) -> None:
        self.store = store
        self.journal = Journal(store.local_base)
        self._pending: list[PendingSave] = []
        self._lock = threading.RLock()
        self.journal_error = ""
        """Why the journal could not be written (then the saves are in memory only)."""
        self.dropped: list[str] = []
        """A line per kept save that turned out impossible (the UI shows and clears them)."""
        self.blocked = ""
        """Why no save can go through in this session (read-only or damaged database); kept
        saves then wait in the journal for a later start instead of being retried."""
        self._asking = ""  # the key of the save a caller waits on while earlier ones retry
        self._refused: ConflictError | None = None  # ... and its conflict, if it met one

    @property
    def pending(self) -> list[PendingSave]:
        with self._lock:
            return list(self._pending)

    @property
    def unsaved(self) -> int:
        """How many saves are kept; lock-free, so a UI can ask while a retry waits."""
        return len(self._pending)

    @property
    def last_error(self) -> str:
        """Why the oldest kept save failed (lock-free, like ``unsaved``)."""
        try:
            return self._pending[0].error
        except IndexError:
            return ""

    def add_claim(
        self, doc_id: str, start: int, end: int, claim_type: str, **labels: str
    ) -> Claim | None:
        """The saved claim, or None when the save failed and is kept for a retry."""
        values = {"start": start, "end": end, "claim_type": claim_type, **labels}
        return self._save(PendingSave("add", new_id(), self.store.annotator, doc_id, values))[1]

    def update_claim(
        self, claim_id: str, *, expected: str | None = None, **changes: Any
    ) -> Claim | None:
        """The edited claim, or None when the edit failed and is kept for a retry.
        ``expected``: the version the user edited (``ConflictError`` if changed since)."""
        save = PendingSave(
            "update", claim_id, self.store.annotator, values=changes, expected=expected
        )
        return self._save(save)[1]

    def delete_claim(self, claim_id: str, expected: str | None = None) -> bool:
        """True when the claim is gone now, False when the deletion is kept for a retry."""
        save = PendingSave("delete", claim_id, self.store.annotator, expected=expected)
        return self._save(save)[0]

    def set_status(self, doc_id: str, status: str) -> bool:
        """Mark the document (to do, in progress, done, skipped); False when kept."""
        return self._save(
            PendingSave("status", new_id(), self.store.annotator, doc_id, {"status": status})
        )[0]

    def set_doc_stance(self, doc_id: str, stance: str) -> bool:
        """The document's stance as a whole ("" unsets it); False when kept."""
        return self._save(
            PendingSave("stance", new_id(), self.store.annotator, doc_id, {"stance": stance})
        )[0]

    def correct_entity(self, doc_id: str, start: int, end: int, label: str) -> bool:
        """Make ``[start, end)`` an entity of type ``label`` ("" removes it); False when kept."""
        from annotations.entities import corrections  # here: the app's start does not need it

        if label:
            label = corrections.check_label(label)  # a bad label is refused now, not kept
        return self._save(
            PendingSave(
                "entity",
                new_id(),
                self.store.annotator,
                doc_id,
                {"start": start, "end": end, "label": label},
            )
        )[0]

    def decide(
        self, claim_id: str, decision: str, reason: str = "", expected: str | None = None
    ) -> bool:
        """A review decision (accepted, rejected with a reason, pending); False when kept.
        ``expected``: the version the reviewer saw (``ConflictError`` if changed since)."""
        from annotations.review import decisions

        decisions.check_decision(decision)
        return self._save(
            PendingSave(
                "review",
                claim_id,
                self.store.annotator,
                values={"decision": decision, "reason": reason},
                expected=expected,
            )
        )[0]

    def accept_candidate(
        self,
        doc_id: str,
        candidate: Candidate,
        suggester: str,
        claim_fields: dict[str, Any] | None = None,
        span: tuple[int, int] | None = None,
    ) -> Claim | None:
        """Save the candidate as a claim with its decision (``Store.accept_candidate``: one
        undo step), on ``span`` when the annotator adjusted it; None when kept for a retry."""
        values = decision_values(candidate, suggester)
        values["fields"] = dict(claim_fields or {})
        values["span"] = list(span) if span is not None else None
        return self._save(PendingSave("accept", new_id(), self.store.annotator, doc_id, values))[1]

    def reject_candidate(self, doc_id: str, candidate: Candidate, suggester: str) -> bool:
        """Record that the candidate holds no claim; False when kept for a retry."""
        values = decision_values(candidate, suggester)
        return self._save(PendingSave("reject", new_id(), self.store.annotator, doc_id, values))[0]

    def seen_version(self, claim: Claim) -> str | None:
        """The version to pass as ``expected`` for a write on ``claim`` as shown (which
        ``shown_claims`` may have made from saves still kept): with kept saves on it, the
        version the first of them was made on (``NO_CLAIM`` for a kept new claim), since the
        claim shown is that plus this user's own changes; else the claim's own version."""
        for save in self.pending:
            if save.claim_id == claim.id:
                return NO_CLAIM if save.op in ("add", "accept") else save.expected
        return claim.version

    def kept_decisions(self, doc_id: str) -> set[tuple[int, int]]:
        """The candidate spans of ``doc_id`` decided but not saved yet: not offered again."""
        return {
            (int(s.values["start"]), int(s.values["end"]))
            for s in self.pending
            if s.op in ("accept", "reject") and s.doc_id == doc_id
        }

    def kept_state(self, doc_id: str) -> dict[str, str]:
        """The document's status and stance as last set but not saved yet (keys present only
        for those kept), so a reopened document shows them."""
        state: dict[str, str] = {}
        for save in self.pending:
            if save.doc_id == doc_id and save.op in ("status", "stance"):
                state[save.op] = str(save.values.get(save.op, ""))
        return state

    def kept_entity_edits(self, doc_id: str) -> list[tuple[int, int, str]]:
        """Entity corrections made in the document but not saved yet: (start, end, label), in
        the order made ("" removes)."""
        return [
            (int(s.values["start"]), int(s.values["end"]), str(s.values["label"]))
            for s in self.pending
            if s.op == "entity" and s.doc_id == doc_id
        ]

    def shown_claims(self, doc_id: str, stored: list[Claim], text: str) -> list[Claim]:
        """A document's claims as the annotator made them: the stored ones with the kept saves
        applied, so work waiting for a retry stays on screen (and is not tagged twice)."""
        claims = {c.id: c for c in stored}
        for save in self.pending:
            values = dict(save.values)
            if save.op == "add" and save.doc_id == doc_id:
                start, end = values.pop("start"), values.pop("end")
                claims[save.claim_id] = Claim(
                    id=save.claim_id,
                    doc_id=doc_id,
                    start=start,
                    end=end,
                    quote=text[start:end],
                    claim_type=values.pop("claim_type"),
                    annotator=save.annotator,
                    created_at=save.at,
                    updated_at=save.at,
                    **values,
                )
            elif save.op == "accept" and save.doc_id == doc_id:
                accepted = kept_decision(save)
                start, end = accepted.span or (accepted.start, accepted.end)
                claims[save.claim_id] = Claim(
                    id=save.claim_id,
                    doc_id=doc_id,
                    start=start,
                    end=end,
                    quote=text[start:end],
                    annotator=save.annotator,
                    created_at=save.at,
                    updated_at=save.at,
                    **accepted.claim_labels(),
                )
            elif save.claim_id not in claims:
                continue
            elif save.op == "delete":
                del claims[save.claim_id]
            elif save.op == "update":
                claim = replace(claims[save.claim_id], **values)
                claims[save.claim_id] = replace(claim, quote=text[claim.start : claim.end])
            elif save.op == "review":
                claims[save.claim_id] = replace(
                    claims[save.claim_id],
                    review_status=values["decision"],
                    review_note=values.get("reason", ""),
                    reviewer=save.annotator,
                )
        return sorted(claims.values(), key=lambda c: (c.start, c.end))

    def _save(self, save: PendingSave) -> tuple[bool, Claim | None]:
        """(saved now, the claim as saved); a save that fails for a passing reason is kept,
        and so is one the database cannot take in this session (``blocked``)."""
        with self._lock:
            if self._pending:  # keep the order: an edit must not overtake the claim's creation
                self._keep(save, "waiting for earlier saves")
                self._asking, self._refused = key_of(save), None
                try:
                    self.retry()
                finally:
                    self._asking, refused, self._refused = "", self._refused, None
                if refused is not None:
                    raise refused
                if any(s is save for s in self._pending):
                    return False, None
                if save.op not in ("add", "update", "accept"):
                    return True, None
                try:
                    return True, self.store.claim(save.claim_id)
                except StoreError:
                    return True, None  # deleted
            try:
                return True, self._apply(save)
            except RETRYABLE as exc:
                self._keep(save, self._failed(exc))
                return False, None
            except (DatabaseProblem, sqlite3.DatabaseError) as exc:
                if not self._failed(exc):
                    raise
                self._keep(save, self.blocked)
                return False, None

    def _failed(self, exc: BaseException) -> str:
        """Why a save failed; a permanent reason also blocks further retries this session."""
        problem = permanent_problem(exc, self.store.where)
        if problem:
            self.blocked = problem
        return problem or str(exc)

    def _apply(self, save: PendingSave) -> Claim | None:
        """Do the save; idempotent, so a replay after a crash does not do it twice."""
        from annotations.entities import corrections
        from annotations.review import decisions

        store, values = self.store, dict(save.values)
        if save.op == "status":
            store.set_status(save.doc_id, values["status"])
            return None
        if save.op == "stance":
            store.set_doc_stance(save.doc_id, values["stance"])
            return None
        if save.op == "entity":  # idempotent: the same label again changes nothing
            corrections.set_entity(
                store, save.doc_id, values["start"], values["end"], values["label"]
            )
            return None
        if save.op == "review":
            current = self._current(save.claim_id)
            reason = str(values.get("reason", "")).strip()
            if (
                current is not None
                and (current.review_status, current.review_note) == (values["decision"], reason)
                and current.reviewer in ("", store.annotator)
            ):
                return current  # already decided so (a replay)
            return decisions.decide(
                store, save.claim_id, values["decision"], reason, expected=save.expected
            )
        if save.op == "accept":
            accepted = kept_decision(save)
            claim, _ = store.accept_candidate(
                save.doc_id,
                accepted.start,
                accepted.end,
                claim_fields=accepted.fields,
                claim_id=save.claim_id,
                claim_span=accepted.span,
                **accepted.proposal,
            )
            return claim
        if save.op == "reject":
            rejected = kept_decision(save)
            if not store.has_decision(
                save.doc_id, rejected.start, rejected.end, "rejected", save.annotator
            ):  # else a replay: rejected already
                store.reject_candidate(
                    save.doc_id, rejected.start, rejected.end, **rejected.proposal
                )
            return None
        if save.op == "add":
            start, end, kind = values.pop("start"), values.pop("end"), values.pop("claim_type")
            return store.add_claim(save.doc_id, start, end, kind, claim_id=save.claim_id, **values)
        if save.op == "delete":
            try:
                store.delete_claim(save.claim_id, expected=save.expected)
            except ConflictError as exc:
                if exc.fresh is not None:
                    raise
            except StoreError:  # already gone: deleted before a crash, or by an earlier replay
                pass
            return None
        current = self._current(save.claim_id)
        if current is not None and all(getattr(current, k, None) == v for k, v in values.items()):
            return current  # already so (a replay)
        return store.update_claim(save.claim_id, expected=save.expected, **values)

    def _current(self, claim_id: str) -> Claim | None:
        """The claim as stored, or None when there is none (the write then says why)."""
        try:
            return self.store.claim(claim_id)
        except StoreError:
            return None

    def _keep(self, save: PendingSave, why: str) -> None:
        save.error = why
        self._pending.append(save)
        try:
            self.journal.append(save.record())
            self.journal_error = ""
        except OSError as exc:
            self.journal_error = f"{self.journal.path}: {exc.strerror or exc}"

    def retry(self, blocking: bool = True) -> int:
        """Try the kept saves in order until one fails again; how many are still pending.

        ``blocking=False`` returns at once when a save or retry is under way (a timer must not
        pile up threads behind a save that waits for a stopped writer).
        """
        if self.blocked or not self._lock.acquire(blocking=blocking):
            return self.unsaved
        try:
            while self._pending and not self.blocked:
                save = self._pending[0]
                try:
                    self._apply(save)
                except RETRYABLE as exc:
                    save.error = self._failed(exc)
                    break
                except (DatabaseProblem, sqlite3.DatabaseError) as exc:
                    save.error = self._failed(exc)
                    if not self.blocked:
                        raise
                    break
                except ConflictError as exc:  # someone else changed the claim: not retried
                    if key_of(save) == self._asking:
                        self._refused = exc  # the caller shows it
                    else:
                        self.dropped.append(f"{save.describe()} not saved: {exc}")
                except StoreError as exc:  # can never succeed (its document is gone): say so
                    self.dropped.append(f"{save.describe()} given up: {exc}")
                self._pending.pop(0)
                self._done(save)
            if not self._pending:
                self._tidy()
            return len(self._pending)
        finally:
            self._lock.release()

    def _done(self, save: PendingSave) -> None:
        with contextlib.suppress(OSError):  # else the replay finds the claim saved (its id)
            self.journal.append({"op": "done", "key": key_of(save)})

    def _tidy(self) -> None:
        with contextlib.suppress(OSError):
            self.journal.remove_if_resolved()

    def recover(self) -> tuple[int, int, list[str]]:
        """Replay this annotator's saves an earlier session left in the journal.

        Returns (saved now, still pending, problems). Other annotators' saves (a shared
        database) are left for their own sessions.
        """
        records, problems = self.journal.read()
        mine = [s for s in outstanding(records) if s.annotator == self.store.annotator]
        with self._lock:
            known = {key_of(s) for s in self._pending}
            for save in mine:
                if key_of(save) not in known:
                    self._pending.append(save)
            before = len(self._pending)
            left = self.retry()
        return before - left, left, problems
