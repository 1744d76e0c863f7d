"""Looking at a database file before trusting it, without changing a byte of it.

Three levels, chosen by cost (measured on a 1.2 GB annotty database, ``bench`` machine):

* ``inspect_file`` reads the 100-byte header: not SQLite, a truncated file (fewer bytes than the
  header's page count, with no WAL to hold the rest), an impossible page size. Microseconds.
* ``probe`` opens a connection that cannot write (``mode=ro``; ``immutable=1`` for a WAL-mode file
  at rest, because even a read-only connection leaves ``-wal``/``-shm`` files behind) and reads the
  schema and ``user_version``. Under a millisecond at any size.
* ``IntegrityGate`` runs ``PRAGMA quick_check`` (every page, 0.8 s warm and 22 s cold at 1.2 GB,
  so never on the way to the first screen). It starts in a thread when a database is opened for
  writing, the first write waits for its verdict, and an "ok" is remembered for the file's exact
  state (device, inode, size, mtime of the file and its WAL) so the next session skips it unless
  something else changed the file. Readers never wait: a damaged page they meet becomes one
  line naming the file.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sqlite3
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote  # = urllib.request.pathname2url on POSIX, 20 ms faster to load

from annotations import paths
from annotations.errors import DamagedDatabase, InputError

MAGIC = b"SQLite format 3\x00"
CHECK_CACHE = "checked-databases.json"
CHECK_CACHE_LIMIT = 200  # remembered file states


FileId = tuple[int, int]
_LIVE: dict[FileId, int] = {}  # open connections per file in this process
_IMMUTABLE: dict[FileId, int] = {}  # of which opened with immutable=1 (they hold no locks)
_LIVE_LOCK = threading.Lock()


def file_id(path: Path) -> FileId | None:
    try:
        info = path.stat()  # stat opens no descriptor, so it is safe at any time
    except OSError:
        return None
    return info.st_dev, info.st_ino


def live(path: Path) -> bool:
    """Whether this process has an SQLite connection open on ``path``.

    Then nothing may open and close a descriptor of the file: closing any descriptor drops all
    of the process's POSIX locks on it (SQLite's "How To Corrupt", 2.2), another process then
    believes it is the last user and deletes the WAL under a live writer. Found by the SIGKILL
    test, which lost the last claims of a writer this way.
    """
    key = file_id(path)
    with _LIVE_LOCK:
        return key is not None and _LIVE.get(key, 0) > 0


SIDE_FILES = ("-wal", "-shm", "-journal")
"""Files SQLite keeps beside a database; ``-shm`` carries POSIX locks of its own."""


def in_use(path: str | Path) -> bool:
    """Whether ``path`` (by any name: symlinks are followed) is a database this process has
    open, or one of its ``SIDE_FILES``: then it must not be opened as an ordinary file at all,
    because closing that descriptor drops this process's locks on it (see ``live``). Only
    stats, so it is safe to ask before reading any file a user names (import, config)."""
    try:
        real = Path(path).resolve()
    except (OSError, RuntimeError):  # a symlink loop: nothing SQLite has open
        return False
    if live(real):
        return True
    name = str(real)
    return any(name.endswith(side) and live(Path(name[: -len(side)])) for side in SIDE_FILES)


def _sqlite_header(path: Path) -> bool:
    """Whether ``path`` is a regular file starting like an SQLite database (never read when
    this process has it open: see ``in_use``)."""
    if in_use(path):
        return True
    try:
        return path.is_file() and read_unless_live(path, len(MAGIC)) == MAGIC
    except OSError:
        return False


def database_at(path: str | Path) -> str:
    """Why a file written to ``path`` (renamed onto it) would destroy a database, or "".

    An export named like the database (``-o team.db``, a typo of ``--db``) used to replace it,
    and one named like its ``-wal`` threw away the saves not yet checkpointed. A symlink at
    ``path`` is replaced itself, not what it points to, so it is no danger.
    """
    target = Path(path)
    if target.is_symlink():
        return ""
    if in_use(target):
        return "is a database file annotty has open"
    if _sqlite_header(target):
        return "is an SQLite database"
    name = str(target)
    for side in SIDE_FILES:
        base = Path(name[: -len(side)])
        if name.endswith(side) and _sqlite_header(base):
            return f"belongs to the SQLite database {base.name} (its {side[1:]} file)"
    return ""


def read_unless_live(path: Path, size: int) -> bytes | None:
    """The first ``size`` bytes of ``path``, or None when this process has it open (see
    ``live``). Checked and read under the lock that ``TrackedConnection.track`` takes, so no
    connection of another thread can start (and take its first lock) before our descriptor is
    closed again."""
    key = file_id(path)
    with _LIVE_LOCK:
        if key is not None and _LIVE.get(key, 0) > 0:
            return None
        with path.open("rb") as handle:
            return handle.read(size)


def live_only_immutable(path: Path) -> bool:
    """Every connection this process has on ``path`` is immutable (a file we cannot lock)."""
    key = file_id(path)
    with _LIVE_LOCK:
        return key is not None and 0 < _LIVE.get(key, 0) == _IMMUTABLE.get(key, 0)


class TrackedConnection(sqlite3.Connection):
    """An SQLite connection that counts itself in ``_LIVE`` until closed."""

    _annotty_file: FileId | None = None
    _annotty_immutable = False

    def track(self, path: Path, immutable: bool) -> None:
        key = file_id(path)
        if key is not None:
            with _LIVE_LOCK:
                _LIVE[key] = _LIVE.get(key, 0) + 1
                if immutable:
                    _IMMUTABLE[key] = _IMMUTABLE.get(key, 0) + 1
            self._annotty_file, self._annotty_immutable = key, immutable

    def close(self) -> None:
        key, self._annotty_file = self._annotty_file, None
        super().close()
        if key is not None:
            with _LIVE_LOCK:
                for counts, mine in ((_LIVE, True), (_IMMUTABLE, self._annotty_immutable)):
                    if mine:
                        counts[key] -= 1
                        if counts[key] <= 0:
                            del counts[key]


def connect(
    target: str, path: Path, immutable: bool = False, **options: object
) -> TrackedConnection:
    """``sqlite3.connect`` for a database file, counted as live while open."""
    conn = sqlite3.connect(target, factory=TrackedConnection, **options)  # type: ignore[call-overload]
    assert isinstance(conn, TrackedConnection)
    conn.track(path, immutable)
    return conn


@dataclass(frozen=True)
class FileState:
    """What the header says about an existing, non-empty SQLite file."""

    wal_mode: bool
    has_wal: bool


def inspect_file(path: Path) -> FileState | None:
    """None for a file that does not exist or is empty (a database to create); else its state.

    Raises ``InputError`` for anything SQLite should not be pointed at: a folder, a device or FIFO
    (reading one can hang or never end), a file that is not SQLite, or one whose header says it
    is longer than it is.
    """
    try:
        info = path.stat()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise InputError(path, f"cannot read the database ({exc.strerror or exc})") from exc
    if path.is_dir():
        raise InputError(path, "is a folder, not a database file")
    if not path.is_file():
        raise InputError(path, "is not a regular file (a device or pipe?), not a database")
    if info.st_size == 0:
        return None
    try:
        header = read_unless_live(path, 100)
    except OSError as exc:
        raise InputError(path, f"cannot read the database ({exc.strerror or exc})") from exc
    if header is None:  # opened and checked by this process already; not to be read
        return FileState(wal_mode=False, has_wal=Path(f"{path}-wal").exists())
    if not header.startswith(MAGIC) or len(header) < 100:
        raise InputError(path, "not an annotty database (not an SQLite file)")
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    if page_size < 512 or page_size & (page_size - 1):
        raise DamagedDatabase(path, f"impossible page size {page_size} in the header")
    has_wal = Path(f"{path}-wal").exists()
    pages = int.from_bytes(header[28:32], "big")
    counter_valid = header[24:28] == header[92:96]
    if not has_wal and (
        info.st_size % page_size or (counter_valid and pages and info.st_size < pages * page_size)
    ):
        raise DamagedDatabase(
            path,
            f"the file is cut short: {info.st_size} bytes, the header "
            f"says {pages} pages of {page_size}",
        )
    return FileState(wal_mode=header[18] == 2, has_wal=has_wal)


def uri(path: Path, *, immutable: bool = False) -> str:
    """A read-only SQLite URI for ``path`` (escaped, so ``?`` or ``#`` in a name stay a name)."""
    flags = "mode=ro" + ("&immutable=1" if immutable else "")
    return f"file:{quote(str(path.absolute()))}?{flags}"


def read_only_connection(path: Path, state: FileState | None) -> sqlite3.Connection:
    """A connection that cannot change the file or leave files beside it.

    A WAL-mode file with no ``-wal`` beside it is at rest: ``immutable=1`` reads it without
    creating ``-wal``/``-shm``. Otherwise ``mode=ro``; when that cannot make the shared-memory
    file (a read-only folder), immutable is the only way to read it at all.
    """
    at_rest = state is not None and state.wal_mode and not state.has_wal
    if live(path):  # see ``live``: only what the open connections already do
        at_rest = live_only_immutable(path)
    conn = connect(uri(path, immutable=at_rest), path, at_rest, uri=True, check_same_thread=False)
    try:
        conn.execute("select 1 from sqlite_master limit 1").fetchall()
        return conn
    except sqlite3.OperationalError:
        conn.close()
        if at_rest or live(path):
            raise
        return connect(uri(path, immutable=True), path, True, uri=True, check_same_thread=False)


def state_key(path: Path) -> str | None:
    """The file's identity and exact state; any write by anyone changes it."""
    try:
        parts = [path.stat()]
        wal = Path(f"{path}-wal")
        if wal.exists():
            parts.append(wal.stat())
    except OSError:
        return None
    return ";".join(f"{s.st_dev}:{s.st_ino}:{s.st_size}:{s.st_mtime_ns}" for s in parts)


def _cache_file() -> Path:
    return paths.data_dir() / CHECK_CACHE


def _cache_read() -> dict[str, str]:
    try:
        data = json.loads(_cache_file().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return (
        {k: v for k, v in data.items() if isinstance(k, str) and isinstance(v, str)}
        if isinstance(data, dict)
        else {}
    )


def _cache_name(path: Path) -> str:
    return hashlib.sha256(str(path.resolve()).encode("utf-8", "surrogateescape")).hexdigest()


def remember_ok(path: Path) -> None:
    """Record that ``path`` in its current state passed ``quick_check`` (best effort)."""
    key = state_key(path)
    if key is None:
        return
    cache = _cache_read()
    cache.pop(_cache_name(path), None)
    cache[_cache_name(path)] = key
    while len(cache) > CHECK_CACHE_LIMIT:
        cache.pop(next(iter(cache)))
    target = _cache_file()
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".checked-", suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(cache, handle)
        os.replace(tmp, target)
    except OSError:
        pass  # only a cache: the next session checks again


def known_ok(path: Path) -> bool:
    key = state_key(path)
    return key is not None and _cache_read().get(_cache_name(path)) == key


def is_damage(exc: sqlite3.Error) -> bool:
    """SQLite's own word that pages are broken (not that it was busy or interrupted)."""
    code = getattr(exc, "sqlite_errorcode", None)
    return code in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB) or "malformed" in str(exc)


def quick_check(
    path: Path,
    *,
    full: bool = False,
    opened: Callable[[sqlite3.Connection | None], None] | None = None,
) -> str:
    """``"ok"`` or SQLite's first complaint; ``full`` runs ``integrity_check`` (also indexes).

    ``opened`` is told the connection while the check runs (and None after), so that a store
    closing meanwhile can interrupt it.
    """
    state = inspect_file(path)
    try:
        conn = read_only_connection(path, state)
    except sqlite3.DatabaseError as exc:
        if is_damage(exc):
            return str(exc)
        raise
    if opened is not None:
        opened(conn)
    try:
        conn.execute("PRAGMA busy_timeout=10000")
        pragma = "integrity_check" if full else "quick_check"
        try:
            rows = conn.execute(f"PRAGMA {pragma}(1)").fetchall()
        except sqlite3.DatabaseError as exc:
            if is_damage(exc):
                return str(exc)
            raise  # busy, interrupted, I/O: no verdict about the file's pages
        first = str(rows[0][0]) if rows else "ok"
        return first.removeprefix("*** in database main ***").strip()
    finally:
        if opened is not None:
            opened(None)
        conn.close()


UNKNOWN = "\0unknown"  # the check itself failed (busy, I/O): nothing known about the pages


class IntegrityGate:
    """``quick_check`` in a thread from the moment a database is opened for writing.

    ``require()`` (before every write) waits for the verdict once and raises
    ``DamagedDatabase`` if the file is damaged; ``remember()`` (on close) records the state the
    session leaves, when nothing but this session changed the file since it was checked.
    """

    def __init__(
        self,
        path: Path,
        conn: sqlite3.Connection,
        background: bool = True,
        known_good: bool = False,
    ) -> None:
        """``known_good``: ``known_ok(path)`` was true before ``conn`` opened (opening a
        connection makes a ``-wal`` file, which changes the state key)."""
        self.path = path
        self._checking: sqlite3.Connection | None = None
        self._closing = False
        self._verdict: str | None = "ok" if known_good else None
        self._thread: threading.Thread | None = None
        self._data_version = conn.execute("PRAGMA data_version").fetchone()[0]
        if self._verdict is None and background:
            self._start()

    def _start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="annotty-quick-check", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        def opened(conn: sqlite3.Connection | None) -> None:
            self._checking = conn
            if conn is not None and self._closing:
                conn.interrupt()

        try:
            verdict: str | None = quick_check(self.path, opened=opened)
        except (sqlite3.Error, OSError, InputError):
            verdict = UNKNOWN  # no verdict: writes go on, SQLite still checks what they touch
        self._verdict = None if self._closing else verdict

    def close(self) -> None:
        """The store is closing: stop a check still running (a cold 1 GB file takes ~30 s), so
        quitting is immediate and no connection outlives the store's."""
        self._closing = True
        conn, thread = self._checking, self._thread
        if conn is not None:
            with contextlib.suppress(sqlite3.Error):  # it may have finished meanwhile
                conn.interrupt()
        if thread is not None:
            thread.join()
            self._thread = None

    def _wait(self) -> None:
        if self._verdict is None and self._thread is None:
            self._start()
        if self._thread is not None:
            self._thread.join()
            self._thread = None

    def require(self) -> None:
        """Before a write: wait for the verdict (once); a damaged file refuses every write."""
        if self._verdict not in ("ok", UNKNOWN):
            self._wait()
            if self._verdict not in ("ok", UNKNOWN):
                raise DamagedDatabase(self.path, self._verdict or "quick_check failed")

    @property
    def ok(self) -> bool:
        """The check is done and found nothing (or this file state was checked before)."""
        return self._verdict == "ok"  # set only once the check has finished

    def unchanged_by_others(self, conn: sqlite3.Connection) -> bool:
        """True when no other connection committed since the check began (call before close)."""
        if self._verdict != "ok":
            return False
        try:
            return bool(conn.execute("PRAGMA data_version").fetchone()[0] == self._data_version)
        except sqlite3.Error:
            return False

    def remember(self) -> None:
        """After close: the state this session leaves is known good (our own writes only)."""
        remember_ok(self.path)
