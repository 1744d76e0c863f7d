"""The command line gives the same answers on an SQLite file and on a PostgreSQL server: one
flow (import, claims, assignments, stats, export, agreement) run against each, compared."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from annotations.cli import cli
from annotations.store import Store
from tests.conftest import SEEDS


def run(db: str, *args: str) -> str:
    result = CliRunner().invoke(cli, ["--db", db, *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def tag(db: str) -> None:
    """Two annotators tag the first sentence of every seed, bob a little differently."""
    for who, shift in (("alice", 0), ("bob", 2)):
        store = Store(db, annotator=who)
        try:
            for doc in store.documents():
                text = store.document(doc.id).text
                end = text.find(".", 20, 400) if "." in text[20:400] else 40
                store.add_claim(doc.id, shift, end, "causal" if shift else "other", stance="favor")
        finally:
            store.close()


def flow(db: str, tmp_path: Path) -> dict[str, Any]:
    run(db, "import", str(SEEDS))
    tag(db)
    run(db, "assign", "--annotators", "alice,bob", "--per-document", "2")
    out = tmp_path / "export.json"
    run(db, "export", "--format", "json", "-o", str(out))
    exported = json.loads(out.read_text(encoding="utf-8"))
    for doc in exported["documents"]:
        for claim in doc["claims"]:
            assert doc["text"][claim["start"] : claim["end"]] == claim["quote"]
            claim.pop("id"), claim.pop("created_at"), claim.pop("updated_at")
    stats = json.loads(run(db, "stats", "--json"))
    return {
        "documents": [(d["id"], d["title"], d["claims"]) for d in exported["documents"]],
        "stats": {k: v for k, v in stats.items() if k not in ("database",)},
        "agreement": json.loads(run(db, "agreement", "--json")),
        "assign": run(db, "assign", "--show"),
    }


def test_the_same_flow_gives_the_same_answers(pg_url: str, tmp_path: Path) -> None:
    """The flow on a file, then on a server database: the same answers."""
    (tmp_path / "ref").mkdir()
    reference = flow(str(tmp_path / "reference.db"), tmp_path / "ref")
    assert flow(pg_url, tmp_path) == reference
    assert reference["stats"]["claims"] == 10
