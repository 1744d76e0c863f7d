"""``annotty copy SRC DEST`` as a user runs it: per-table counts, a rerun that copies nothing,
one-line refusals, and never the password of a server URL."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from annotations.store import Store
from tests.test_cli_support import Ran
from tests.test_copy_store import build_project, dump, opened

ROOT = Path(__file__).resolve().parent.parent
SECRET = "s3cret-Pw"


def with_password(url: str) -> str:
    """The test cluster trusts loopback, so a password in the URL is accepted and unused:
    what matters is that it is never shown."""
    assert url.startswith("postgresql://postgres@")
    return url.replace("postgres@", f"postgres:{SECRET}@", 1)


@pytest.fixture
def project_file(tmp_path: Path) -> Path:
    path = tmp_path / "project.db"
    store = Store(path, annotator="tester")
    build_project(store)
    store.close()
    return path


def test_copy_to_a_server_and_back(
    project_file: Path, pg_url: str, tmp_path: Path, annotty: Callable[..., Ran]
) -> None:
    url = with_password(pg_url)
    first = annotty("copy", str(project_file), url)
    assert first.returncode == 0, first.stderr
    out = first.stdout + first.stderr
    assert SECRET not in out
    assert pg_url in out  # the URL as it may be shown: without the password
    claims_line = next(line for line in first.stdout.splitlines() if "claims" in line)
    assert "copied" in claims_line and "already there" in claims_line
    assert " 0 copied" not in claims_line

    again = annotty("copy", str(project_file), url)
    assert again.returncode == 0, again.stderr
    assert "nothing new" in again.stdout and SECRET not in again.stdout + again.stderr

    back = tmp_path / "new" / "back.db"
    back.parent.mkdir()
    home = annotty("copy", url, str(back))
    assert home.returncode == 0, home.stderr
    assert back.is_file() and SECRET not in home.stdout + home.stderr
    with opened(project_file) as original, opened(back) as copy:
        assert dump(copy) == dump(original)


def test_a_different_project_is_one_line_without_the_password(
    project_file: Path, pg_url: str, tmp_path: Path, annotty: Callable[..., Ran]
) -> None:
    url = with_password(pg_url)
    assert annotty("copy", str(project_file), url).returncode == 0
    other = tmp_path / "other.db"
    with opened(other) as store:
        doc, _ = store.add_document("Another project's only document.", "other")
        store.add_claim(doc.id, 0, 7, "causal")
    refused = annotty("copy", str(other), url)
    assert refused.returncode == 1
    assert refused.stdout == ""
    lines = refused.stderr.splitlines()
    assert len(lines) == 1, refused.stderr
    assert lines[0].startswith(f"annotty: {pg_url} already holds a different project (")
    assert lines[0].endswith("differs): use `annotty merge`")
    assert SECRET not in refused.stderr


def test_a_missing_source_is_one_line(tmp_path: Path, annotty: Callable[..., Ran]) -> None:
    missing = tmp_path / "nope.db"
    result = annotty("copy", str(missing), str(tmp_path / "dest.db"))
    assert result.returncode == 1
    assert result.stderr.strip() == f"annotty: {missing}: no such database file"
    assert not (tmp_path / "dest.db").exists()


def test_sqlite_to_sqlite_creates_dest(
    project_file: Path, tmp_path: Path, annotty: Callable[..., Ran]
) -> None:
    dest = tmp_path / "copy.db"
    result = annotty("copy", str(project_file), str(dest))
    assert result.returncode == 0, result.stderr
    assert f"to {dest} in " in result.stdout
    with opened(project_file) as original, opened(dest) as copy:
        assert dump(copy) == dump(original)
