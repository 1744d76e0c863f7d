"""Errors the user sees as one line naming the file (and line and field where known)."""

from __future__ import annotations

from pathlib import Path


class AnnottyError(Exception):
    """An error with a message fit to show the user as it is."""


class InputError(AnnottyError):
    """Bad input in a file: ``path:line: field: problem``."""

    def __init__(self, path: str | Path, problem: str, line: int | None = None, field: str = ""):
        self.path = str(path)
        self.problem = problem
        self.line = line
        self.field = field
        where = self.path if line is None else f"{self.path}:{line}"
        what = f"{field}: {problem}" if field else problem
        super().__init__(f"{where}: {what}")


class DatabaseProblem(AnnottyError):
    """A database that cannot be used as asked; the message names the file and what to do."""

    def __init__(self, path: str | Path, message: str) -> None:
        self.path = str(path)
        super().__init__(message)


class MissingDatabase(DatabaseProblem):
    """A command that only reads was pointed at a file that does not exist (a typo in --db)."""

    def __init__(self, path: str | Path) -> None:
        super().__init__(path, f"no database at {path} (check --db); `annotty import` creates one")


class ReadOnlyDatabase(DatabaseProblem):
    """A write was asked of a database this user can only read; nothing was changed."""

    def __init__(self, path: str | Path, why: str = "") -> None:
        why = f" ({why})" if why else ""
        super().__init__(path, f"{path}: read-only{why}: changes cannot be saved")


class ServerUnavailable(AnnottyError):
    """The database server cannot be reached or dropped the connection. It may pass (a restart,
    a network blip), so a save that meets it is kept and retried, unlike a ``DatabaseProblem``."""

    def __init__(self, where: str, detail: str) -> None:
        self.where = where
        super().__init__(f"{where}: server unavailable ({detail})")


RECOVER_HINT = "recover with `sqlite3 {path} .recover | sqlite3 recovered.db` or restore a backup"


class DamagedDatabase(DatabaseProblem):
    """SQLite found broken pages; annotty refuses to write so the damage does not spread."""

    def __init__(self, path: str | Path, detail: str) -> None:
        hint = RECOVER_HINT.format(path=path)
        super().__init__(
            path, f"{path}: the database is damaged ({detail}); nothing was written; {hint}"
        )


def first_line(exc: BaseException) -> str:
    """An exception's first line, cut to 160 characters (a library's errors can run long), for
    a message of one line."""
    text = str(exc).strip().splitlines()
    return text[0][:160] if text else type(exc).__name__
