"""Replacing files and folders in shared folders without following anyone's symlinks.

A predictable temporary name (``out.json.partial``) in a folder others can write is an invitation:
plant a symlink there and a plain ``open(..., "w")`` writes through it into whatever it points at.
Everything here writes into a *new* file or folder created exclusively, with a random name, in
the target's own folder (``tempfile.mkstemp``/``mkdtemp``: ``O_CREAT | O_EXCL``, mode 0600/0700,
and ``O_NOFOLLOW`` where the platform has it), flushes it to disk and renames it onto the target
with ``os.replace``. ``rename`` replaces a symlink at the target *itself* (the link goes, its
destination is untouched), so the only file ever written is the one we created. A failure removes
the temporary and leaves the target as it was.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import stat
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any, TextIO, TypeVar, cast

from annotations.errors import AnnottyError
from annotations.store import sqlite_check as db_check

T = TypeVar("T")
PREFIX = ".annotty-"
"""Temporaries start with a dot and this prefix, so a half-written one is easy to recognise."""


class UnsafeTarget(AnnottyError):
    """The target cannot be replaced safely (a folder where a file should go, and so on)."""


def _fsync_dir(folder: Path) -> None:
    """Make the rename itself durable (POSIX); a no-op where folders cannot be opened."""
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _about_target(exc: OSError, target: Path, temp: Path | None = None) -> None:
    """Make an error met while writing our temporary name ``target``, the path the user gave.

    The temporary's random name (``.annotty-out.json.x1y2.tmp``) means nothing to the user, and
    a failed write (a full disk) names no file at all; either way the line should say which
    output failed. ``temp`` is the temporary (a file inside it, for a folder); ``None`` while it
    is being created, when ``mkstemp``/``mkdtemp`` name their own candidate. Errors naming any
    other file are left as they are.
    """
    if exc.errno is None:
        return  # not a system call's error: str() would not show a file name properly
    for attr in ("filename", "filename2"):
        name = getattr(exc, attr)
        if name is None:
            if attr == "filename":
                exc.filename = str(target)
            continue
        try:
            path = Path(os.fsdecode(name))
        except TypeError:  # a file descriptor
            continue
        if temp is None:
            if path.parent == target.parent and path.name.startswith(PREFIX):
                setattr(exc, attr, str(target))
            continue
        try:
            inside = path.relative_to(temp)
        except ValueError:
            continue
        setattr(exc, attr, str(target / inside) if inside.parts else str(target))
    if exc.filename2 is not None and exc.filename2 == exc.filename:
        exc.filename2 = None  # "out.json -> out.json" after a failed rename says nothing


def _check_file_target(target: Path) -> None:
    try:
        mode = os.lstat(target).st_mode
    except FileNotFoundError:
        return
    if stat.S_ISDIR(mode):
        raise UnsafeTarget(f"{target}: is a folder; give a file name")
    database = db_check.database_at(target)  # -o team.db replaced the whole database
    if database:
        raise UnsafeTarget(f"{target}: {database}; choose another output file")


@contextlib.contextmanager
def open_for_replace(
    target: str | Path, mode: str = "w", *, encoding: str | None = "utf-8", newline: str | None = ""
) -> Iterator[IO[Any]]:
    """A new, exclusively created file beside ``target``, renamed onto it when the block ends.

    ``mode`` is ``"w"`` (text) or ``"wb"`` (bytes). An exception inside the block removes the
    temporary and re-raises; ``target`` keeps its old content (or stays absent). A symlink at
    ``target`` is replaced by the new file, never written through.
    """
    target = Path(target)
    if mode not in ("w", "wb"):
        raise ValueError(f"mode must be 'w' or 'wb', not {mode!r}")
    folder = target.parent
    folder.mkdir(parents=True, exist_ok=True)
    _check_file_target(target)
    try:
        fd, name = tempfile.mkstemp(
            dir=folder, prefix=f"{PREFIX}{target.name[:40]}.", suffix=".tmp"
        )
    except OSError as exc:
        _about_target(exc, target)
        raise
    temp = Path(name)
    try:
        binary = mode == "wb"
        with os.fdopen(
            fd, mode, encoding=None if binary else encoding, newline=None if binary else newline
        ) as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        _keep_mode(target, temp)
        os.replace(temp, target)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            temp.unlink()
        if isinstance(exc, OSError):
            _about_target(exc, target, temp)
        raise
    _fsync_dir(folder)


def _umask() -> int:
    """The process umask, read without changing it (``os.umask`` is process-wide: setting it to
    read it would race the other threads); 0o022 where /proc does not say."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    return 0o022


def _keep_mode(target: Path, temp: Path) -> None:
    """A replaced regular file keeps its permissions; a new one gets the usual 0666 & ~umask
    (``mkstemp`` creates 0600, right for a temporary, surprising for an export)."""
    try:
        st = os.lstat(target)
    except FileNotFoundError:
        st = None
    if st is not None and stat.S_ISREG(st.st_mode):
        os.chmod(temp, stat.S_IMODE(st.st_mode))
    else:  # new, or a symlink we replace: the usual mode, not the link's
        os.chmod(temp, 0o666 & ~_umask())


def write_text(target: str | Path, text: str, *, newline: str | None = "") -> None:
    """Replace ``target`` with ``text`` (UTF-8), safely."""
    with open_for_replace(target, "w", newline=newline) as out:
        out.write(text)


def write_bytes(target: str | Path, data: bytes) -> None:
    """Replace ``target`` with ``data``, safely."""
    with open_for_replace(target, "wb") as out:
        out.write(data)


def replace_folder(target: str | Path, fill: Callable[[Path], T]) -> T:
    """Let ``fill(folder)`` write into a fresh private folder, then rename it to ``target``.

    ``target`` must be absent or an empty folder (a non-empty one is refused, never merged or
    deleted); a symlink at ``target`` is refused, so nothing is ever written through it. Files
    ``fill`` creates inside the fresh folder cannot meet a planted link: nobody else can write a
    folder made by ``mkdtemp`` (mode 0700) until it is renamed into place.
    """
    target = Path(target)
    if target.is_symlink():
        raise UnsafeTarget(f"{target}: is a symbolic link; choose a new folder name")
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise UnsafeTarget(f"{target}: exists and is not an empty folder; choose a new folder name")
    parent = target.parent
    parent.mkdir(parents=True, exist_ok=True)
    try:
        temp = Path(tempfile.mkdtemp(dir=parent, prefix=f"{PREFIX}{target.name[:40]}."))
    except OSError as exc:
        _about_target(exc, target)
        raise
    try:
        result = fill(temp)
        os.chmod(temp, 0o777 & ~_umask())
        if target.exists():
            target.rmdir()  # empty (checked above); rmdir refuses if someone filled it since
        os.replace(temp, target)
    except BaseException as exc:
        shutil.rmtree(temp, ignore_errors=True)
        if isinstance(exc, OSError):
            _about_target(exc, target, temp)
        raise
    _fsync_dir(parent)
    return result


def create_file(folder: Path, name: str) -> TextIO:
    """Open ``folder/name`` for writing only if it does not exist yet, never through a link.

    For files inside a folder from ``replace_folder``: ``O_EXCL`` refuses a name already there
    (a link included) and ``O_NOFOLLOW`` refuses a link where the platform supports it.
    """
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    fd = os.open(folder / name, flags, 0o666)
    return cast(TextIO, os.fdopen(fd, "w", encoding="utf-8", newline=""))
