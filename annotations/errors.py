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


def read_text_file(path: str | Path, what: str) -> str:
    """A small UTF-8 config file (schema, gazetteer) as text; errors name the file."""
    p = Path(path)
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise InputError(p, f"cannot read {what} ({exc.strerror or exc})") from exc
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(p, f"{what} is not valid UTF-8") from exc
