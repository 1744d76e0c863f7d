"""Naming a document: id, unique id prefix, file it came from, title; clear errors otherwise."""

from __future__ import annotations

import pytest

from annotations.doc_ref import DocRefError, resolve_all, resolve_document
from annotations.store import Store


@pytest.fixture
def docs(store: Store) -> Store:
    store.add_document("Alpha text.", "Alpha", "corpus/a.txt", doc_id="aa11")
    store.add_document("Alpha again.", "Alpha", "other/b.txt", doc_id="aa22")
    store.add_document("Beta text.", "Beta \x1b]52;c;aGk=\x07", "corpus/b.txt", doc_id="bb33")
    store.add_document("One.", "one", "data.jsonl#1", doc_id="cc44")
    store.add_document("Two.", "two", "data.jsonl#2", doc_id="cc55")
    return store


@pytest.mark.parametrize(
    ("ref", "doc_id"),
    [
        ("aa11", "aa11"),  # the id
        ("bb", "bb33"),  # a unique prefix
        ("corpus/a.txt", "aa11"),  # the source path as stored
        ("./corpus/a.txt", "aa11"),  # ... as a shell completes it
        ("a.txt", "aa11"),  # the file name alone
        ("data.jsonl#2", "cc55"),  # one record of a JSONL file
        ("Beta \x1b]52;c;aGk=\x07", "bb33"),  # the exact title
    ],
)
def test_a_document_is_found_by_id_prefix_file_or_title(docs: Store, ref: str, doc_id: str) -> None:
    assert resolve_document(docs, ref) == doc_id


@pytest.mark.parametrize(
    ("ref", "kind", "ids"),
    [
        ("aa", "id prefix", ["aa11", "aa22"]),
        ("b.txt", "file name", ["aa22", "bb33"]),
        ("data.jsonl", "file", ["cc44", "cc55"]),
        ("Alpha", "title", ["aa11", "aa22"]),
    ],
)
def test_an_ambiguous_name_lists_the_candidates(
    docs: Store, ref: str, kind: str, ids: list[str]
) -> None:
    with pytest.raises(DocRefError) as caught:
        resolve_document(docs, ref)
    message = str(caught.value)
    assert f"is the {kind} of {len(ids)} documents" in message
    assert all(i in message for i in ids)


def test_errors_show_names_from_the_data_harmlessly(docs: Store) -> None:
    docs.add_document("Beta two.", "Beta \x1b]52;c;aGk=\x07", "x/y.txt", doc_id="bb34")
    for ref in ("bb", "nothing\x1b[2J\n"):
        with pytest.raises(DocRefError) as caught:
            resolve_document(docs, ref)
        assert "\x1b" not in str(caught.value) and "\n" not in str(caught.value)
        assert "\\x1b" in str(caught.value)


def test_nothing_matching_says_what_can_be_given(docs: Store) -> None:
    with pytest.raises(DocRefError, match="no document 'zz': give an id, a unique id prefix"):
        resolve_document(docs, "zz")
    with pytest.raises(DocRefError):
        resolve_document(docs, "  ")


def test_resolve_all_keeps_order_and_drops_repeats(docs: Store) -> None:
    assert resolve_all(docs, ["bb", "a.txt", "bb33"]) == ("bb33", "aa11")


def test_like_wildcards_in_a_name_are_literal(docs: Store) -> None:
    with pytest.raises(DocRefError, match="no document"):
        resolve_document(docs, "%.txt")
