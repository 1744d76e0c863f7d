"""Shared fixtures: an in-memory store, the seed corpus, and an app at a fixed size."""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from _pytest.assertion.rewrite import AssertionRewritingHook

from annotations.entities import builtin
from annotations.seeding import import_with_entities
from annotations.store import Store
from tests.pg_cluster import PgCluster, pg_fixtures
from tests.test_cli_support import annotty  # noqa: F401  (a fixture: in-process CLI runs)

pg_cluster, pg_url = pg_fixtures()

# pytest rewrites the asserts of every module of a distribution that ships a pytest plugin, from
# source, in every process: all of Hypothesis (and platformdirs) was compiled anew by each xdist
# worker, ~1.3 s of CPU each (PYTHONDONTWRITEBYTECODE keeps nothing). Their asserts are internal
# invariants, not test assertions: load them from their installed bytecode instead. Must run
# before the first ``import hypothesis`` (the plugin itself imports it lazily).
LIBRARIES_NOT_REWRITTEN = {"hypothesis", "platformdirs"}


def _libraries_not_rewritten() -> None:
    """(pytest 8's private set of names to rewrite; without it, nothing changes.)"""
    for finder in sys.meta_path:
        marked = getattr(finder, "_must_rewrite", None)
        if isinstance(finder, AssertionRewritingHook) and isinstance(marked, set):
            marked -= LIBRARIES_NOT_REWRITTEN
            finder._marked_for_rewrite_cache.clear()


_libraries_not_rewritten()

# Each Pilot test builds and drops a whole Textual app, many short-lived objects: with Python's
# default threshold (a young collection every 700 allocations) the cyclic collector took about
# an eighth of those tests' CPU. Every 10,000 costs about 30 MB more per worker; the older
# generations keep their default ratios, so a full collection still comes every million.
gc.set_threshold(10_000, 10, 10)

pytest_plugins = ["tests.browser"]  # the `browser` fixture: a headless Chromium

BACKENDS = ("sqlite", "postgresql")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "both_backends: run the module's store-based tests on SQLite and on a real PostgreSQL",
    )


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Tests of a ``both_backends`` module that use ``backend`` (through ``store``, ``seeded``
    or ``db_target``) run once per backend."""
    if "backend" in metafunc.fixturenames and metafunc.definition.get_closest_marker(
        "both_backends"
    ):
        metafunc.parametrize("backend", BACKENDS, indirect=True)


@pytest.fixture
def backend(request: pytest.FixtureRequest) -> str:
    return str(getattr(request, "param", "sqlite"))


@pytest.fixture(scope="session")
def pg_template(pg_cluster: PgCluster) -> str:
    """A database migrated once, copied for each test (much faster than migrating each)."""
    url = pg_cluster.create_database("annotty_template")
    Store(url, annotator="tester").close()
    return "annotty_template"


@pytest.fixture(scope="session")
def pg_work(pg_cluster: PgCluster, pg_template: str) -> str:
    """One migrated database per test worker, emptied before each test that uses it
    (``db_target``): emptying takes ~25 ms, a fresh copy of the template ~100 ms."""
    return pg_cluster.create_database(template=pg_template)


def _emptied(url: str) -> bool:
    """Every table of ``url`` emptied and its identities restarted (the schema stays); False
    if a connection a test left open holds a lock on a table (then use a fresh database)."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        tables = [
            r[0]
            for r in conn.execute(
                "select tablename from pg_tables where schemaname = current_schema()"
                " and tablename <> 'schema_version'"
            )
        ]
        conn.execute("set lock_timeout = '3s'")
        try:
            conn.execute(f"truncate {', '.join(tables)} restart identity")  # our own table names
        except psycopg.errors.LockNotAvailable:
            return False
    return True


@pytest.fixture
def db_target(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[str]:
    """Where a test's database lives: a file path, or an empty PostgreSQL database's URL."""
    if backend == "sqlite":
        yield str(tmp_path / "annotty.db")
        return
    url: str = request.getfixturevalue("pg_work")
    if _emptied(url):
        yield url
        return
    cluster: PgCluster = request.getfixturevalue("pg_cluster")
    fresh = cluster.create_database(template=request.getfixturevalue("pg_template"))
    yield fresh
    cluster.drop_database(fresh.rsplit("/", 1)[1])


ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch):
    """No test may touch the user's real database or data directory."""
    home = tmp_path_factory.mktemp("annotty-home")
    monkeypatch.setenv("ANNOTTY_HOME", str(home))
    monkeypatch.delenv("ANNOTTY_DB", raising=False)
    monkeypatch.setenv("TEXTUAL_ANIMATIONS", "none")
    os.environ.pop("NO_COLOR", None)


@pytest.fixture
def store(backend: str, request: pytest.FixtureRequest) -> Iterator[Store]:
    """An empty store: in memory, or on PostgreSQL in ``both_backends`` modules."""
    target = None if backend == "sqlite" else request.getfixturevalue("db_target")
    s = Store(target, annotator="tester")
    yield s
    s.close()


@pytest.fixture
def seeded(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Store]:
    """A database holding the five seed documents with their machine entities (a file, or
    PostgreSQL in ``both_backends`` modules)."""
    target = tmp_path / "seeded.db" if backend == "sqlite" else request.getfixturevalue("db_target")
    s = Store(target, annotator="tester")
    import_with_entities(s, [SEEDS], builtin())
    yield s
    s.close()
