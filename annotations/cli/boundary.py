"""The CLI's error boundary: whatever goes wrong ends as one line on stderr and a non-zero exit.

Commands raise what they meet (``sqlite3.Error``, ``OSError``, ``AnnottyError``); ``explain``
turns it into a sentence naming the file, and ``one_line`` makes sure that sentence cannot forge
more lines or drive the terminal (file names and SQLite messages are data). A traceback is kept
for ``ANNOTTY_DEBUG=1``.
"""

from __future__ import annotations

import errno
import sqlite3
from pathlib import Path
from typing import Protocol

from annotations.errors import RECOVER_HINT, AnnottyError
from annotations.screen_text import screen_safe
from annotations.store import sqlite as dbmod
from annotations.store.sqlite_check import quick_check
from annotations.terminal_safe import clean


class DatabaseSession(Protocol):
    """What the boundary needs to know about the command's database (``cli.Settings``)."""

    db: Path

    def documents_added(self) -> int | None: ...


def one_line(message: str) -> str:
    """Control characters made harmless, newlines shown as ↵, unencodable text replaced."""
    flat = clean(screen_safe(message.strip()).replace("\n", " ↵ "))  # + bidi marks, U+2028
    return flat.encode("utf-8", "replace").decode("utf-8")


def _damaged(candidates: list[Path]) -> list[Path]:
    """Which of the files a command opened is damaged (only called after SQLite said so)."""
    if len(candidates) <= 1:
        return candidates
    found = []
    for path in candidates:
        try:
            if quick_check(path) != "ok":
                found.append(path)
        except (AnnottyError, sqlite3.Error, OSError):
            found.append(path)
    return found or candidates


def explain_sqlite(exc: sqlite3.Error, session: DatabaseSession | None) -> str:
    """A SQLite error met while a command ran, as a line naming the database."""
    opened = [p for p in dbmod.opened_files() if p.exists()]
    if not opened and session is not None:
        opened = [session.db]
    code = getattr(exc, "sqlite_errorcode", None)
    text = str(exc)
    names = ", ".join(str(p) for p in opened) or "the database"
    if code == sqlite3.SQLITE_FULL or code == sqlite3.SQLITE_IOERR_WRITE or "disk is full" in text:
        added = session.documents_added() if session is not None else None
        done = (
            ""
            if added is None
            else f"; {added} new document{'' if added == 1 else 's'} had been imported and "
            "saved before it"
        )
        return (
            f"{names}: the disk is full, the last change was not saved{done}; free some "
            "space and run the command again (what is already saved is skipped)"
        )
    if code in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB) or "malformed" in text:
        damaged = _damaged(opened)
        where = ", ".join(str(p) for p in damaged) or "the database"
        hint = RECOVER_HINT.format(path=damaged[0] if len(damaged) == 1 else "FILE")
        return f"{where}: the database is damaged ({text}); {hint}"
    if code == sqlite3.SQLITE_READONLY or "readonly" in text:
        return f"{names}: read-only: changes cannot be saved ({text})"
    if code in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
        return f"{names}: the database stayed locked by another process ({text}); try again"
    return f"{names}: database error: {text}"


def explain_os(exc: OSError) -> str:
    """A file-system error as a line naming the file."""
    what = exc.strerror or str(exc)
    where = exc.filename if exc.filename is not None else None
    if exc.errno == errno.ENOSPC:
        what = "no space left on the device; what was written before it is kept"
    return f"{where}: {what}" if where is not None else what


def explain(exc: BaseException, session: DatabaseSession | None) -> str:
    """Any exception that reached the top, as the message (without the ``annotty:`` prefix)."""
    if isinstance(exc, AnnottyError):
        return str(exc)
    if isinstance(exc, sqlite3.Error):
        return explain_sqlite(exc, session)
    if isinstance(exc, OSError):
        return explain_os(exc)
    if isinstance(exc, UnicodeError):
        return f"text that is not valid Unicode ({exc})"
    if isinstance(exc, MemoryError):
        return "out of memory (a file too large to read whole?); nothing more was saved"
    if isinstance(exc, RecursionError):
        return "input nested too deeply to read"
    return (
        f"internal error: {type(exc).__name__}: {exc} (everything saved before it is kept;"
        " ANNOTTY_DEBUG=1 shows the traceback)"
    )
