"""``copy_project``: a whole project between SQLite and a real PostgreSQL (tests/pg_cluster.py),
row for row with its keys, idempotent, refusing a different project and what PostgreSQL
cannot hold before anything is written."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotations.entities import builtin
from annotations.entities.corrections import add_entity
from annotations.errors import DatabaseProblem, InputError
from annotations.seeding import import_with_entities
from annotations.store import Store, project_copy
from annotations.store.dialect import columns, table_names
from annotations.store.project_copy import TABLES, copy_project
from tests.conftest import SEEDS
from tests.pg_cluster import PgCluster

Dump = dict[str, list[tuple[Any, ...]]]


def dump(store: Store) -> Dump:
    """Every copied table's rows (less the columns the destination fills), documents and
    claims in rowid (import) order, the others by key: equal dumps, equal projects."""
    out: Dump = {}
    with store.reading() as conn:
        names = table_names(conn)
        for table in TABLES:
            if table.name not in names:
                continue
            cols = [c for c in columns(conn, table.name) if c not in project_copy.SKIP_COLUMNS]
            order = "rowid" if table.by_rowid else ", ".join(f'"{k}"' for k in table.key)
            quoted = ", ".join(f'"{c}"' for c in cols)
            rows = conn.execute(f"select {quoted} from {table.name} order by {order}").fetchall()
            out[table.name] = [tuple(r) for r in rows]
    return out


def build_project(store: Store) -> None:
    """A project using every table: seeds with entities, claims added, edited, reviewed,
    deleted and undone, statuses and stances, an entity correction, candidate decisions, a
    learned model, a setting and assignments."""
    import_with_entities(store, [SEEDS], builtin())
    docs = [d.id for d in store.documents()]
    first, second = docs[0], docs[1]
    c1 = store.add_claim(first, 0, 40, "causal", stance="favor", note="emoji 😀 é")
    c2 = store.add_claim(first, 50, 90, "opinion")
    store.add_claim(second, 10, 30, "statistical", speaker="Ann")
    store.update_claim(c1.id, stance="against", target="policy")
    store.review_claim(
        c2.id,
        {
            "review_status": "accepted",
            "reviewer": "rev",
            "review_note": "fine",
            "reviewed_at": "2026-01-01T00:00:00Z",
        },
    )
    store.delete_claim(c2.id)
    store.undo(first)
    store.set_status(first, "done")
    store.set_doc_stance(second, "favor")
    store.set_position(first, 12)
    add_entity(store, first, 0, 5, "ORG")
    store.accept_candidate(
        second, 40, 80, score=0.75, claim_type="causal", speaker="", suggester="builtin"
    )
    store.reject_candidate(
        second, 90, 120, score=0.25, claim_type="other", speaker="", suggester="builtin"
    )
    store.save_model("claims", {"weights": [0.5, -1.25], "bias": 0.1})
    store.set_setting("project.note", "copied ✓")
    store.assign([(first, "alice"), (first, "bob"), (second, "carol")])


@pytest.fixture
def project(tmp_path: Path) -> Iterator[Store]:
    store = Store(tmp_path / "project.db", annotator="tester")
    build_project(store)
    yield store
    store.close()


@contextmanager
def opened(target: str | Path) -> Iterator[Store]:
    store = Store(target, annotator="tester")
    try:
        yield store
    finally:
        store.close()


def file_copy(store: Store, dest: Path) -> None:
    """A file holding the store as it is now (its WAL included: a plain file copy may not)."""
    with sqlite3.connect(store.path or "") as src, sqlite3.connect(dest) as out:
        src.backup(out)
    out.close()
    src.close()


def check_quotes(store: Store) -> None:
    for doc in store.documents():
        text = store.document(doc.id).text
        for claim in store.claims(doc.id):
            assert claim.quote == text[claim.start : claim.end]


def test_sqlite_to_postgres_to_sqlite_keeps_every_table(
    project: Store, pg_url: str, tmp_path: Path
) -> None:
    before = dump(project)
    assert all(before[t] for t in ("documents", "claims", "history", "entities", "doc_state"))
    assert all(before[t] for t in ("entity_edits", "suggestions", "suggest_models", "settings"))
    assert before["assignments"]
    with opened(pg_url) as pg, opened(tmp_path / "back.db") as back:
        there = copy_project(project, pg)
        assert there.tables["claims"].copied == len(before["claims"])
        assert there.tables["history"].copied == len(before["history"])
        assert dump(pg) == before
        copy_project(pg, back)
        assert dump(back) == before
        check_quotes(pg)
        check_quotes(back)
        # the copy reads as the original: undo history, search and lists work on it
        doc = project.documents()[0].id
        assert back.history(doc) == pg.history(doc) == project.history(doc)
        assert [d.id for d in pg.documents()] == [d.id for d in project.documents()]
        # undo on the copy takes back the same change as on the original
        step = pg.undo(doc)
        assert step is not None and step == project.undo(doc)
        assert dump(pg)["claims"] == dump(project)["claims"]


def test_postgres_to_postgres(project: Store, pg_url: str, pg_cluster: PgCluster) -> None:
    other = pg_cluster.create_database()
    try:
        with opened(pg_url) as first, opened(other) as second:
            copy_project(project, first)
            copy_project(first, second)
            assert dump(second) == dump(project)
            assert copy_project(first, second).copied == 0
    finally:
        pg_cluster.drop_database(other.rsplit("/", 1)[1])


def test_a_rerun_copies_nothing(project: Store, pg_url: str) -> None:
    with opened(pg_url) as pg:
        first = copy_project(project, pg)
        again = copy_project(project, pg)
        assert first.copied > 0 and again.copied == 0
        assert again.present == first.copied
        assert {n: c.present for n, c in again.tables.items()} == {
            n: c.copied for n, c in first.tables.items()
        }
        assert dump(pg) == dump(project)


def test_a_partial_destination_is_completed(project: Store, tmp_path: Path) -> None:
    """What an interrupted copy leaves (some rows there, equal) is finished by a rerun."""
    dest = tmp_path / "dest.db"
    file_copy(project, dest)  # a file holding everything up to now
    project.add_claim(project.documents()[2].id, 5, 25, "prediction")
    with opened(dest) as copy:
        done = copy_project(project, copy)
        assert done.tables["claims"].copied == 1 and done.tables["history"].copied == 1
        assert dump(copy) == dump(project)


def test_a_different_project_is_refused_before_anything_is_written(
    project: Store, pg_url: str, tmp_path: Path
) -> None:
    twin_path = tmp_path / "twin.db"
    file_copy(project, twin_path)
    doc = project.documents()[3].id
    with opened(twin_path) as twin, opened(pg_url) as pg:
        # both continue the same history from here, differently
        project.add_claim(doc, 0, 10, "causal")
        twin.add_claim(doc, 20, 30, "opinion")
        copy_project(project, pg)
        held = dump(pg)
        top = max(row[0] for row in held["history"])
        with pytest.raises(DatabaseProblem) as err:
            copy_project(twin, pg)
        message = str(err.value)
        assert message == (
            f"{pg.location} already holds a different project (history {top} differs): "
            "use `annotty merge`"
        )
        assert "\n" not in message
        assert dump(pg) == held


def test_copy_refuses_the_same_database(project: Store) -> None:
    with opened(project.path or "") as again, pytest.raises(InputError, match="same database"):
        copy_project(project, again)


def test_identity_sequences_move_past_the_copied_rows(project: Store, pg_url: str) -> None:
    """Rows copied with explicit ids do not advance PostgreSQL's identity sequences."""
    with opened(pg_url) as pg:
        copy_project(project, pg)
        held = dump(pg)
        top_seq = max(row[0] for row in held["history"])
        top_entity = max(row[0] for row in held["entities"])
        doc = pg.documents()[0].id
        claim = pg.add_claim(doc, 100, 120, "causal")
        assert pg.claim(claim.id) is not None
        seqs = [e["seq"] for e in pg.history(doc)]
        assert max(seqs) == top_seq + 1
        new_doc, _ = pg.add_document("A document added after the copy, at the end.", "late")
        assert [d.id for d in pg.documents()][-1] == new_doc.id
        with pg.transaction() as txn:
            txn.execute(
                'insert into entities(doc_id, start, "end", label, source, recognizer)'
                " values (?, 0, 1, 'ORG', 'test', 'test')",
                [new_doc.id],
            )
        assert max(row[0] for row in dump(pg)["entities"]) == top_entity + 1


def test_nul_characters_are_refused_naming_table_and_key(project: Store, pg_url: str) -> None:
    claim = project.claims(project.documents()[0].id)[0]
    with project.transaction() as txn:
        txn.execute("update claims set note = ? where id = ?", ["bad\x00note", claim.id])
    with opened(pg_url) as pg:
        empty = dump(pg)
        with pytest.raises(InputError) as err:
            copy_project(project, pg)
        assert f"claims {claim.id}: text with a NUL character" in str(err.value)
        assert "\n" not in str(err.value)
        assert dump(pg) == empty  # not even the documents before it


def test_binary_data_bound_for_postgres_is_refused(project: Store, pg_url: str) -> None:
    """SQLite lets a text column hold bytes (a hostile or damaged file); PostgreSQL's text
    cannot, so the copy names the row instead of failing half-way."""
    with project.transaction() as txn:
        txn.execute("update settings set value = ? where key = 'project.note'", [b"\xff\x00"])
    with opened(pg_url) as pg:
        empty = dump(pg)
        with pytest.raises(InputError, match=r"settings project\.note: binary data"):
            copy_project(project, pg)
        assert dump(pg) == empty


def test_a_table_it_does_not_know_is_refused_not_dropped(project: Store, tmp_path: Path) -> None:
    with project.transaction() as txn:
        txn.execute("create table later_feature (id text primary key)")
    with opened(tmp_path / "dest.db") as dest, pytest.raises(InputError) as err:
        copy_project(project, dest)
    assert "table 'later_feature' is not one annotty knows how to copy" in str(err.value)


def test_a_failure_midway_leaves_dest_as_it_was_and_a_rerun_finishes(
    project: Store, pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = project_copy._copy_into_postgres

    def failing(dest: Store, txn: Any, table: str, *rest: Any) -> None:
        if table == "history":
            raise RuntimeError("the disk went away")
        real(dest, txn, table, *rest)

    with opened(pg_url) as pg:
        empty = dump(pg)
        monkeypatch.setattr(project_copy, "_copy_into_postgres", failing)
        with pytest.raises(RuntimeError):
            copy_project(project, pg)
        assert dump(pg) == empty
        monkeypatch.setattr(project_copy, "_copy_into_postgres", real)
        copy_project(project, pg)
        assert dump(pg) == dump(project)


def test_sqlite_to_sqlite(project: Store, tmp_path: Path) -> None:
    with opened(tmp_path / "other.db") as other:
        copy_project(project, other)
        assert dump(other) == dump(project)
        assert copy_project(project, other).copied == 0
        check_quotes(other)


# Text as annotators paste it: any script, emoji (astral, outside UTF-16's BMP), combining
# marks; never NUL (refused above) or lone surrogates (not text).
TEXT = st.text(
    st.characters(codec="utf-8", blacklist_characters="\x00"),
    min_size=1,
    max_size=40,
).map(lambda s: s + "😀é\u0301")


@st.composite
def small_projects(draw: st.DrawFn) -> list[tuple[str, list[tuple[int, int, str]]]]:
    """Documents (distinct texts) each with claims at drawn offsets and notes."""
    texts = draw(st.lists(TEXT, min_size=1, max_size=4, unique=True))
    out = []
    for text in texts:
        spans = []
        for _ in range(draw(st.integers(0, 3))):
            start = draw(st.integers(0, len(text) - 1))
            end = draw(st.integers(start + 1, len(text)))
            spans.append((start, end, draw(TEXT)))
        out.append((text, spans))
    return out


@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(plan=small_projects())
def test_round_trip_property(
    plan: list[tuple[str, list[tuple[int, int, str]]]],
    pg_cluster: PgCluster,
    pg_template: str,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    folder = tmp_path_factory.mktemp("copy-property")
    url = pg_cluster.create_database(template=pg_template)
    try:
        with opened(folder / "a.db") as a, opened(url) as pg, opened(folder / "b.db") as b:
            ids = []
            for n, (text, spans) in enumerate(plan):
                doc, _ = a.add_document(text, f"doc {n}")
                ids.append(doc.id)
                for start, end, note in spans:
                    a.add_claim(doc.id, start, end, "causal", note=note)
            copy_project(a, pg)
            copy_project(pg, b)
            assert dump(b) == dump(pg) == dump(a)
            for doc_id, (text, spans) in zip(ids, plan, strict=True):
                assert b.document(doc_id).text == text
                got = sorted((c.start, c.end, c.quote) for c in b.claims(doc_id))
                assert got == sorted((s, e, text[s:e]) for s, e, _ in spans)
    finally:
        pg_cluster.drop_database(url.rsplit("/", 1)[1])
