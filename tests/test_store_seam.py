"""SQL lives in the store package and its named query modules only (issue 11).

That is the seam a second backend (PostgreSQL) plugs into: if SQL leaked into the record
logic elsewhere, a new backend would mean edits everywhere. This test parses every module of
``annotations`` and ``tui`` and finds SQL two ways: string constants (and f-string text) that
read as an SQL statement, and calls to ``execute``/``executemany``/``executescript``.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

STORE = "annotations/store/"
QUERY_MODULES = frozenset(
    {
        "annotations/review/listing.py",  # the review table's paged reads
        "annotations/review/filters.py",  # a review filter's WHERE clause
        "annotations/stats.py",
        "annotations/agreement.py",
        "annotations/export/bundles.py",  # one consistent read of everything exported
    }
)
"""The store's query modules outside the package: reads too many or too shaped for a method."""

_SQL = re.compile(
    r"""^\s*(?:
        select\s.+?\sfrom\s
      | select\s+(?:\d|\*|count\s*\(|coalesce\s*\(|max\s*\(|min\s*\(|exists\s*\()
      | insert\s+(?:or\s+\w+\s+)?into\s
      | update\s+["\w]+\s+set\s
      | delete\s+from\s
      | create\s+(?:unique\s+|virtual\s+|temp\s+)?(?:table|index|trigger|view)\s
      | drop\s+(?:table|index|trigger|view)\s
      | pragma\s+\w+
      | with\s+(?:recursive\s+)?\w+(?:\s*\([^)]*\))?\s+as\s*\(
      | attach\s+(?:database\s+)?\S
      | detach\s+(?:database\s+)?\w
      | replace\s+into\s
      | begin(?:\s+immediate|\s+exclusive)?\s*;?\s*$
    )""",
    re.IGNORECASE | re.VERBOSE | re.DOTALL,
)
_RUNS_SQL = ("execute", "executemany", "executescript")


def _docstrings(tree: ast.AST) -> set[int]:
    """ids of docstring nodes: prose that may begin "Select ..." is not SQL."""
    out: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                out.add(id(body[0].value))
    # attribute docstrings: a bare string right after an assignment
    for node in ast.walk(tree):
        for field in ("body", "orelse", "finalbody"):
            stmts = getattr(node, field, None)
            if not isinstance(stmts, list):
                continue
            for stmt in stmts:
                if isinstance(stmt, ast.Expr) and isinstance(
                    stmt.value, ast.Constant | ast.JoinedStr
                ):
                    out.add(id(stmt.value))
    return out


def _text(node: ast.AST) -> str | None:
    """A string constant's text, or an f-string's with each ``{...}`` read as a word."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(
            part.value if isinstance(part, ast.Constant) else " x "
            for part in node.values
            if isinstance(part, ast.Constant | ast.FormattedValue)
        )
    return None


def sql_in(source: str, name: str) -> list[str]:
    """Where ``source`` holds SQL text or runs SQL: ``name:line what``."""
    tree = ast.parse(source, filename=name)
    prose = _docstrings(tree)
    inner: set[int] = set()  # constants inside an f-string are judged as the whole f-string
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            inner.update(id(part) for part in node.values)
    hits: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            if node.func.attr in _RUNS_SQL:
                hits.append(f"{name}:{node.lineno} .{node.func.attr}()")
            continue
        if id(node) in prose or id(node) in inner:
            continue
        text = _text(node)
        if text is not None and _SQL.match(text):
            hits.append(f"{name}:{getattr(node, 'lineno', 0)} {text.strip()[:50]!r}")
    return hits


def _modules() -> list[Path]:
    return sorted([*(ROOT / "annotations").rglob("*.py"), *(ROOT / "tui").rglob("*.py")])


def _allowed(rel: str) -> bool:
    return rel.startswith(STORE) or rel in QUERY_MODULES


def test_sql_stays_in_the_store_and_its_query_modules() -> None:
    leaks = [
        hit
        for path in _modules()
        if not _allowed(rel := path.relative_to(ROOT).as_posix())
        for hit in sql_in(path.read_text(encoding="utf-8"), rel)
    ]
    assert leaks == [], "SQL outside the store:\n" + "\n".join(leaks)


def test_the_named_query_modules_exist() -> None:
    """A renamed query module must be renamed here too, not silently dropped from the list."""
    assert [m for m in sorted(QUERY_MODULES) if not (ROOT / m).is_file()] == []


@pytest.mark.parametrize(
    "snippet",
    [
        'q = "select id from claims where doc_id = ?"',
        "q = f'select {cols} from claims {where}'",
        "conn.execute(q)",
        "db.executemany(q, rows)",
        'q = "insert or replace into settings(key, value) values (?, ?)"',
        "q = 'update \"claims\" set stance = ?'",
        'q = "delete from entity_edits where id = ?"',
        'q = "pragma data_version"',
        'q = "attach database ? as theirs"',
        'q = "with recent(seq) as (select 1) select * from recent"',
        'q = "create index if not exists h on history(seq)"',
        'q = "select count(*) as n from documents"',
    ],
)
def test_the_finder_sees_sql(snippet: str) -> None:
    assert sql_in(snippet, "m.py") != []


@pytest.mark.parametrize(
    "snippet",
    [
        'def f():\n    """Select the claims from a document."""',
        'label = "Delete claim? (y/n)"',
        'hint = "update the list"',
        'title = "Select a document"',
        'note = "with the text as it is"',
        'x = "Insert text here"',
    ],
)
def test_the_finder_ignores_prose(snippet: str) -> None:
    assert sql_in(snippet, "m.py") == []
