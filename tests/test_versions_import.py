"""Importing an edited article: the same file path, the same JSONL id, or ``--as`` makes a new
version whose claims follow their words; the report, ``annotty versions`` and the export say so.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import jsonschema
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotations.cli import cli
from annotations.export import export
from annotations.export.annotty_json import schema
from annotations.imports.plain_files import import_paths
from annotations.store import Store
from tests.conftest import SEEDS

SEED = next(SEEDS.glob("003_*.txt")).read_text(encoding="utf-8")
NOTE = "The article reflects the author's opinions and not necessarily the views of CGTN.\n\n"
INSERTED = "Update, May 26: the forum's organisers added two more days of talks.\n\n"
REWORDED = (
    "Science and technological progress play a pivotal role for human progress.",
    "Scientific and technological progress plays a pivotal role in human progress.",
)
DELETED = " In short, technology can be used to make the world a better place for everyone."
BEFORE = "Zhongguancun Forum is held in Beijing, capital of China, May 24, 2023."
AFTER = "In today's interconnected world, the realm of technology knows no boundaries."
EDITED = SEED.replace(NOTE, NOTE + INSERTED).replace(*REWORDED).replace(DELETED, "")


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def _claims(store: Store, doc_id: str) -> dict[str, str]:
    text = store.document(doc_id).text
    ids = {}
    for quote in (BEFORE, AFTER, REWORDED[0], DELETED.strip()):
        start = text.index(quote)
        ids[quote] = store.add_claim(doc_id, start, start + len(quote), "fact").id
    return ids


def test_seed_003_edited_and_imported_again_from_the_same_file(tmp_path: Path) -> None:
    article = tmp_path / "article.txt"
    article.write_text(SEED, encoding="utf-8")
    db = str(tmp_path / "t.db")
    assert run("--db", db, "import", str(article))[0] == 0
    store = Store(db, annotator="ann")
    doc_id = store.documents()[0].id
    ids = _claims(store, doc_id)
    store.close()

    article.write_text(EDITED, encoding="utf-8")
    code, out, _ = run("--db", db, "import", str(article))
    assert code == 0
    assert (
        "doc Embracing technological advancements for a shared future: version 2; "
        "2 claims placed exactly, 0 moved, 1 changed (review), 1 lost (kept, flagged)"
    ) in out
    assert "  changed: 'Science and technological progress play" in out
    assert "-> 'Scientific and technological progress plays" in out
    assert "  lost: 'In short, technology" in out
    assert "0 added, 1 new version, 0 already there, 0 errors" in out

    store = Store(db, annotator="ann")
    assert [d.id for d in store.documents()] == [doc_id]  # no second document
    claims = {c.id: c for c in store.claims(doc_id)}
    assert claims[ids[BEFORE]].start == SEED.index(BEFORE)  # before the insertion: unmoved
    assert claims[ids[AFTER]].start == SEED.index(AFTER) + len(INSERTED)  # shifted
    assert claims[ids[REWORDED[0]]].quote == REWORDED[1]
    lost = claims[ids[DELETED.strip()]]
    assert EDITED[lost.start : lost.end] == lost.quote
    anchors = store.claim_anchors(doc_id)
    assert anchors[ids[REWORDED[0]]].flag == "review"
    assert anchors[ids[DELETED.strip()]].flag == "lost"
    assert anchors[ids[DELETED.strip()]].old_quote == DELETED.strip()

    # the export says which version the claims are on, and how the flagged ones got there
    buffer = io.StringIO()
    export(store, "json", buffer, "")
    data = json.loads(buffer.getvalue())
    jsonschema.Draft202012Validator(schema()).validate(data)
    (doc,) = data["documents"]
    assert doc["doc_version"] == 2
    by_id = {c["id"]: c for c in doc["claims"]}
    assert "anchor" not in by_id[ids[AFTER]]
    assert by_id[ids[DELETED.strip()]]["anchor"]["old_quote"] == DELETED.strip()
    assert by_id[ids[REWORDED[0]]]["anchor"]["kind"] == "fuzzy"
    store.close()

    # the same edited file again: nothing happens
    code, out, _ = run("--db", db, "import", str(article))
    assert "already imported" in out and "version" not in out
    code, out, _ = run("--db", db, "versions", doc_id[:8])
    assert code == 0 and "version 1" in out and "version 2" in out and "(current)" in out
    assert "1 flagged" not in out and "2 flagged for review" in out
    code, out, _ = run("--db", db, "versions", doc_id, "--show", "1")
    assert code == 0 and REWORDED[0] in out and DELETED.strip() in out
    code, _, err = run("--db", db, "versions", doc_id, "--show", "7")
    assert code != 0 and "no version 7" in err


def test_jsonl_same_id_new_text_is_version_2(tmp_path: Path) -> None:
    store = Store(tmp_path / "t.db", annotator="ann")
    path = tmp_path / "news.jsonl"
    path.write_text(json.dumps({"id": "n1", "text": "Prices rose 3% in May. Rents fell."}) + "\n")
    import_paths(store, [path])
    start = store.document("n1").text.index("Rents fell.")
    claim = store.add_claim("n1", start, start + 11, "fact")
    path.write_text(json.dumps({"id": "n1", "text": "Prices rose 4% in May. Rents fell."}) + "\n")
    report = import_paths(store, [path])
    assert report.versions_count == 1 and report.n_added == 0 and not report.notes
    assert report.versions[0].version == 2
    assert store.claim(claim.id).quote == "Rents fell."
    again = import_paths(store, [path])
    assert again.versions_count == 0 and again.n_duplicates == 1
    assert store.document_version_number("n1") == 2
    store.close()


def test_import_as_a_version_of_another_document(tmp_path: Path) -> None:
    db = str(tmp_path / "t.db")
    first, second = tmp_path / "a.txt", tmp_path / "b.txt"
    first.write_text("Ministers met today. They agreed on a budget.\n", encoding="utf-8")
    second.write_text(
        "Ministers met on Tuesday. They agreed on a budget.\n\nMore soon.\n", encoding="utf-8"
    )
    run("--db", db, "import", str(first))
    store = Store(db, annotator="ann")
    doc = store.documents()[0]
    store.add_claim(doc.id, 21, 45, "fact")
    store.close()
    code, out, _ = run("--db", db, "import", str(second), "--as", doc.id)
    assert code == 0 and "version 2; 1 claim placed exactly" in out
    store = Store(db, annotator="ann")
    assert [d.id for d in store.documents()] == [doc.id]
    assert store.document(doc.id).title == doc.title  # --as keeps the stored title
    (claim,) = store.claims(doc.id)
    assert claim.quote == "They agreed on a budget."
    store.close()
    code, _, err = run("--db", db, "import", str(second), "--as", "no-such-doc")
    assert code != 0 and "no-such-doc" in err
    code, _, err = run("--db", db, "import", str(first), str(second), "--as", doc.id)
    assert code != 0 and "exactly one file" in err


WORDS = st.sampled_from(["the", "bridge", "cost", "four", "million", ".", "\n\n", "Critics", "é"])


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    old=st.lists(WORDS, min_size=3, max_size=40).map(" ".join),
    edits=st.lists(
        st.tuples(st.integers(0, 400), st.integers(0, 30), st.lists(WORDS, max_size=5)),
        max_size=4,
    ),
    spans=st.lists(st.tuples(st.integers(0, 400), st.integers(1, 60)), min_size=1, max_size=6),
)
def test_every_claim_holds_its_quote_after_any_edit(
    old: str, edits: list[tuple[int, int, list[str]]], spans: list[tuple[int, int]]
) -> None:
    new = old
    for at, cut, words in edits:
        at = at % (len(new) + 1)
        new = new[:at] + " ".join(words) + new[at + cut :]
    if not new.strip():
        new = "x"
    store = Store(None, annotator="ann")
    doc, _ = store.add_document(old, "t")
    for start, length in spans:
        start = start % len(old)
        store.add_claim(doc.id, start, min(len(old), start + length), "fact")
    store.new_version(doc.id, new)
    claims = store.claims(doc.id)
    assert len(claims) == len(spans)  # nothing deleted
    for claim in claims:
        assert 0 <= claim.start < claim.end <= len(new)
        assert new[claim.start : claim.end] == claim.quote
    store.close()
