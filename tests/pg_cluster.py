"""A throwaway PostgreSQL cluster for one test session, for testing against a real server.

Why: the PostgreSQL backend (issue 14) must be tested against a real server, and neither CI nor
a developer machine runs one. Debian's PostgreSQL binaries are enough: ``initdb`` a cluster into
a fresh temporary folder, listen on 127.0.0.1 only (trust auth, loopback only), hand each test a
database of its own, and stop and remove everything at the end, also on failure or Ctrl-C.
PostgreSQL refuses to run as root, so as root the server programs run as the ``postgres`` system
user; as anyone else they run directly. The settings trade durability for start-up time: a test
cluster's data is thrown away anyway (``durable=True`` keeps PostgreSQL's defaults, for benches).

Use it from a conftest::

    from tests.pg_cluster import pg_fixtures

    pg_cluster, pg_url = pg_fixtures()  # session-scoped cluster, per-test database URL
"""

from __future__ import annotations

import atexit
import contextlib
import os
import pwd
import re
import shlex
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any, Literal

PG_MAJOR = 15
MIN_MAJOR = 13  # DROP DATABASE ... WITH (FORCE)
DEBIAN_PACKAGE = "postgresql"
BIN_ENV = "ANNOTTY_PG_BIN"  # a folder holding initdb, pg_ctl, postgres and psql, if not Debian's
SERVER_USER = "postgres"
DIR_PREFIX = "annotty-pg-"
HOST = "127.0.0.1"
NEEDED = ("initdb", "pg_ctl", "postgres", "psql")
_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")

# Test-only settings: nothing here must survive a crash, so nothing is flushed to disk.
FAST_SETTINGS: dict[str, str] = {
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "wal_level": "minimal",
    "max_wal_senders": "0",
    "shared_buffers": "32MB",
    "jit": "off",
}


class PgUnavailable(RuntimeError):
    """PostgreSQL cannot be started here; ``str()`` is one line saying why and how to fix it."""


def find_bin_dir() -> Path:
    """The folder with the PostgreSQL server programs, or PgUnavailable naming the package."""
    candidates: list[Path] = []
    if os.environ.get(BIN_ENV):
        candidates.append(Path(os.environ[BIN_ENV]))
    candidates.append(Path(f"/usr/lib/postgresql/{PG_MAJOR}/bin"))
    on_path = shutil.which("initdb")
    if on_path:
        candidates.append(Path(on_path).parent)
    for folder in candidates:
        if all(os.access(folder / name, os.X_OK) for name in NEEDED):
            _check_version(folder)
            return folder
    raise PgUnavailable(
        f"PostgreSQL server programs ({', '.join(NEEDED)}) not found in "
        f"{', '.join(str(c) for c in candidates)}: install the Debian package "
        f"'{DEBIAN_PACKAGE}' (apt-get install -y {DEBIAN_PACKAGE}) or set {BIN_ENV}"
    )


def _check_version(folder: Path) -> None:
    out = subprocess.run(
        [str(folder / "postgres"), "--version"], capture_output=True, text=True, check=False
    ).stdout
    found = re.search(r"(\d+)(?:\.\d+)?", out)
    if found is None or int(found.group(1)) < MIN_MAJOR:
        raise PgUnavailable(
            f"{folder / 'postgres'} reports {out.strip()!r}; PostgreSQL {MIN_MAJOR} or newer is "
            f"needed: install the Debian package '{DEBIAN_PACKAGE}'"
        )


def _as_server_user() -> list[str]:
    """The command prefix that runs a server program as a user PostgreSQL accepts."""
    if os.geteuid() != 0:
        return []
    try:
        pwd.getpwnam(SERVER_USER)
    except KeyError:
        raise PgUnavailable(
            f"running as root and there is no '{SERVER_USER}' system user to run PostgreSQL as: "
            f"install the Debian package '{DEBIAN_PACKAGE}', which creates it"
        ) from None
    runuser = shutil.which("runuser")
    if runuser is None:
        raise PgUnavailable("running as root and 'runuser' (util-linux) is missing")
    return [runuser, "-u", SERVER_USER, "--"]


def _clean_env() -> dict[str, str]:
    """The caller's environment without PG* variables, which would redirect the programs."""
    return {k: v for k, v in os.environ.items() if not k.startswith("PG")}


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie is dead for our purposes: it holds no port, no files.
    with contextlib.suppress(OSError):
        status = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        return status != "Z"
    return True


def _children(pid: int) -> set[int]:
    """The processes whose parent is ``pid`` (the postmaster's backends and helpers)."""
    found: set[int] = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError, IndexError, ValueError):
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) == pid:
                found.add(int(entry.name))
    return found


def _traversable_base() -> Path:
    """A temporary folder the server user can reach (pytest's own are private to root)."""
    base = Path(tempfile.gettempdir())
    if os.geteuid() == 0 and any(not p.stat().st_mode & 0o001 for p in (base, *base.parents)):
        return Path("/tmp")
    return base


def reap_stale(bin_dir: Path, base: Path | None = None) -> int:
    """Stop and remove clusters left by test sessions that died (kill -9, a killed worker).

    A cluster's folder names the process that made it; if that process is gone, nobody will
    stop that cluster. Returns how many were removed.
    """
    base = base or _traversable_base()
    removed = 0
    for folder in base.glob(f"{DIR_PREFIX}*"):
        with contextlib.suppress(OSError, ValueError):
            owner = int((folder / "owner").read_text())
            if owner == os.getpid() or _alive(owner):
                continue
            _stop_postmaster(folder / "data", bin_dir)
            shutil.rmtree(folder, ignore_errors=True)
            removed += 1
    return removed


def _postmaster_pid(data: Path) -> int | None:
    with contextlib.suppress(OSError, ValueError, IndexError):
        return int((data / "postmaster.pid").read_text().split()[0])
    return None


def _stop_postmaster(
    data: Path, bin_dir: Path, timeout: float = 10.0, mode: str = "immediate"
) -> None:
    """Stop the server and wait until no process is left: at once (``immediate``: the cluster
    runs without fsync or synchronous commit, so its last commits may be lost; for a cluster
    being thrown away), or ``fast``, writing out every commit first (a server that goes away
    and comes back with its data)."""
    pid = _postmaster_pid(data)
    if pid is None or not _alive(pid):
        return
    family = {pid} | _children(pid)
    subprocess.run(
        [*_as_server_user(), str(bin_dir / "pg_ctl"), "stop", "-D", str(data), "-m", mode]
        + ["-w", "-s", "-t", str(int(timeout))],
        capture_output=True,
        env=_clean_env(),
        cwd=data.parent,
        check=False,
    )
    deadline = time.monotonic() + timeout
    while any(_alive(p) for p in family):
        if time.monotonic() > deadline:  # pg_ctl could not stop it: nothing may be left behind
            for p in family:
                with contextlib.suppress(OSError):
                    os.kill(p, signal.SIGKILL)
            deadline = time.monotonic() + timeout
        time.sleep(0.01)


class PgCluster:
    """One PostgreSQL server in a temporary folder; a context manager that always cleans up."""

    def __init__(
        self,
        bin_dir: Path | None = None,
        *,
        durable: bool = False,
        settings: Mapping[str, str] | None = None,
    ) -> None:
        self.bin_dir = bin_dir or find_bin_dir()
        self.settings = {**({} if durable else FAST_SETTINGS), **(settings or {})}
        self.host = HOST
        self.port = 0
        self.dir: Path | None = None
        self._prefix = _as_server_user()
        self._count = 0

    # -- life cycle ----------------------------------------------------------------------------
    def start(self) -> PgCluster:
        """initdb, then start listening on a free loopback port; cleans up if anything fails."""
        try:
            self._start()
        except BaseException:
            self.stop()
            raise
        atexit.register(self.stop)
        return self

    def _start(self) -> None:
        base = _traversable_base()
        reap_stale(self.bin_dir, base)
        self.dir = Path(tempfile.mkdtemp(prefix=DIR_PREFIX, dir=base))
        (self.dir / "owner").write_text(str(os.getpid()))
        if self._prefix:
            pw = pwd.getpwnam(SERVER_USER)
            os.chown(self.dir, pw.pw_uid, pw.pw_gid)
        self._server(
            "initdb", "-D", str(self.data), "-U", SERVER_USER, "--auth=trust", "-E", "UTF8",
            "--locale=C.UTF-8", "--no-sync", "--no-instructions",
        )  # fmt: skip
        for attempt in range(3):  # another process may take the free port before the server
            self.port = _free_port()
            self._write_settings()
            try:
                self._server(
                    "pg_ctl", "start", "-D", str(self.data), "-l", str(self.log), "-w", "-s",
                    "-t", "60",
                )  # fmt: skip
                return
            except PgUnavailable:
                if attempt == 2 or "could not bind" not in self.log_tail():
                    raise

    def _write_settings(self) -> None:
        assert self.dir is not None
        conf = {
            **self.settings,
            "listen_addresses": f"'{HOST}'",
            "port": str(self.port),
            "unix_socket_directories": f"'{self.dir}'",
            "logging_collector": "off",
        }
        # postgresql.auto.conf is read last, so a restart on another port replaces the former.
        text = "".join(f"{key} = {value}\n" for key, value in conf.items())
        (self.data / "postgresql.auto.conf").write_text(text)

    def stop(self) -> None:
        """Stop the server, wait until none of its processes is left, remove the folder."""
        atexit.unregister(self.stop)
        if self.dir is None:
            return
        try:
            _stop_postmaster(self.data, self.bin_dir)
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)
            self.dir = None

    def stop_server(self) -> None:
        """Stop the server but keep its data (a server going away under a running app)."""
        _stop_postmaster(self.data, self.bin_dir, mode="fast")

    def start_server(self) -> None:
        """Start the stopped server again on the same port, with the same data."""
        self._server(
            "pg_ctl", "start", "-D", str(self.data), "-l", str(self.log), "-w", "-s", "-t", "60"
        )

    def __enter__(self) -> PgCluster:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- facts -------------------------------------------------------------------------------
    @property
    def data(self) -> Path:
        assert self.dir is not None, "the cluster is not started"
        return self.dir / "data"

    @property
    def log(self) -> Path:
        assert self.dir is not None, "the cluster is not started"
        return self.dir / "server.log"

    def log_tail(self, lines: int = 20) -> str:
        with contextlib.suppress(OSError):
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        return ""

    def server_pids(self) -> set[int]:
        """The postmaster and every process it started (empty when stopped)."""
        pid = _postmaster_pid(self.data) if self.dir else None
        return {pid} | _children(pid) if pid is not None and _alive(pid) else set()

    def url(self, dbname: str = "postgres") -> str:
        return f"postgresql://{SERVER_USER}@{self.host}:{self.port}/{dbname}"

    # -- databases ---------------------------------------------------------------------------
    def create_database(self, name: str | None = None, *, template: str | None = None) -> str:
        """A new empty database (or a copy of ``template``); returns its URL."""
        if name is None:
            self._count += 1
            name = f"annotty_t{os.getpid()}_{self._count}"
        source = f" TEMPLATE {_ident(template)}" if template else ""
        self.sql(f"CREATE DATABASE {_ident(name)}{source}")
        return self.url(name)

    def drop_database(self, name: str) -> None:
        """Drop a database, closing whatever connections a test left open on it."""
        self.sql(f"DROP DATABASE IF EXISTS {_ident(name)} WITH (FORCE)")

    def sql(self, query: str, dbname: str = "postgres") -> str:
        """Run SQL through psql (no driver needed); returns unaligned rows, one per line."""
        proc = subprocess.run(
            [str(self.bin_dir / "psql"), "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1"]
            + ["-d", self.url(dbname), "-c", query],
            capture_output=True,
            text=True,
            env=_clean_env(),
            check=False,
        )
        if proc.returncode != 0:
            raise RuntimeError(f"psql failed: {proc.stderr.strip()}")
        return proc.stdout.strip()

    def _server(self, program: str, *args: str) -> None:
        """Run a server program as the server user; a failure is one line plus the log."""
        assert self.dir is not None
        cmd = [*self._prefix, str(self.bin_dir / program), *args]
        proc = subprocess.run(
            cmd, capture_output=True, text=True, env=_clean_env(), cwd=self.dir, check=False
        )
        if proc.returncode != 0:
            detail = " | ".join(
                line for line in (proc.stderr + "\n" + self.log_tail(3)).splitlines() if line
            )
            raise PgUnavailable(f"{shlex.join(cmd)} failed ({proc.returncode}): {detail}")


def _ident(name: str) -> str:
    """A database name we made ourselves; anything else is refused, never quoted into SQL."""
    if not _NAME.fullmatch(name):
        raise ValueError(f"not a test database name: {name!r}")
    return name


def pg_fixtures(
    *,
    cluster_name: str = "pg_cluster",
    url_name: str = "pg_url",
    missing: Literal["fail", "skip"] = "fail",
    settings: Mapping[str, str] | None = None,
) -> tuple[Callable[..., Any], Callable[..., Any]]:
    """Two fixtures: a session-scoped PgCluster and a fresh database URL for each test.

    Without PostgreSQL the tests that need it fail with one line naming the package to install
    (``missing="skip"`` skips them with that line instead); they are never silently skipped.
    pytest is imported here so that benches can start a cluster without it.
    """
    import pytest

    @pytest.fixture(scope="session", name=cluster_name)
    def _cluster() -> Iterator[PgCluster]:
        try:
            cluster = PgCluster(settings=settings).start()
        except PgUnavailable as exc:
            if missing == "skip":
                pytest.skip(str(exc))
            pytest.fail(str(exc), pytrace=False)
        try:
            yield cluster
        finally:
            cluster.stop()

    @pytest.fixture(name=url_name)
    def _url(request: pytest.FixtureRequest) -> Iterator[str]:
        cluster: PgCluster = request.getfixturevalue(cluster_name)
        url = cluster.create_database()
        yield url
        cluster.drop_database(url.rsplit("/", 1)[1])

    return _cluster, _url
