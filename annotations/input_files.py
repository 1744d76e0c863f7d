"""Opening files named by a user (or found in a folder) for import, safely.

Only regular files are read: a FIFO named on the command line would block the import forever and
a symlink to ``/dev/zero`` would be read until memory runs out. The file is opened without
blocking and checked with ``fstat`` on the open descriptor (not the name, which could be swapped
meanwhile). Where a file or a record is read whole, its size is capped and the message says so.
"""

from __future__ import annotations

import io
import os
import stat
from pathlib import Path
from typing import BinaryIO

from annotations.errors import InputError
from annotations.terminal_safe import clean

MAX_TEXT_FILE = 256 * 1024 * 1024
"""A .txt/.md document is read whole: larger files are refused (split them)."""
MAX_RECORD = 64 * 1024 * 1024
"""One JSONL line or one element of a JSON array is decoded whole: larger ones are refused."""


def shown(path: str | Path) -> str:
    """A file name as it may appear in a report line: control characters made visible."""
    return clean(str(path))


def stored_name(path: str | Path) -> str:
    """A file name as text a database can hold: bytes that are not UTF-8 (kept by Python as
    lone surrogates) become U+FFFD instead of making the record impossible to store."""
    return str(path).encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISDIR(mode):
        return "a folder"
    return "not a regular file"


def open_regular(path: Path) -> BinaryIO:
    """``path`` opened for binary reading if it is a regular file, else ``InputError``."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise InputError(shown(path), f"cannot read ({exc.strerror or exc})") from None
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise InputError(
                shown(path), f"is {_kind(mode)}, only regular files are imported; skipped"
            )
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        return io.open(fd, "rb", closefd=True)  # noqa: UP020 - from a descriptor
    except BaseException:
        os.close(fd)
        raise


def size_text(limit: int) -> str:
    """A cap as the user reads it: 64 MB."""
    return f"{limit // (1024 * 1024)} MB" if limit >= 1024 * 1024 else f"{limit:,} bytes"


def read_whole(path: Path, limit: int | None = None) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes (default ``MAX_TEXT_FILE``)."""
    limit = MAX_TEXT_FILE if limit is None else limit
    with open_regular(path) as f:
        data = f.read(limit + 1)
    if len(data) > limit:
        raise InputError(
            shown(path),
            f"larger than {size_text(limit)}, the most one document may hold; skipped (split it)",
        )
    return data


def regular_size(path: Path) -> int:
    """Size in bytes for progress, 0 when it cannot be known (the import reports why later)."""
    try:
        info = path.stat()
    except OSError:
        return 0
    return info.st_size if stat.S_ISREG(info.st_mode) else 0
