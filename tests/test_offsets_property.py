"""Property: offsets survive store → export for any Unicode text (code points, half-open)."""

from __future__ import annotations

import io
import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotations.export import export
from annotations.store import Store

PIECES = st.sampled_from(
    [
        "a",
        "é",
        "e\u0301",
        "한",
        "中文",
        "😀",
        "👨‍👩‍👧",
        "🇰🇷",
        "\r\n",
        "\n",
        " ",
        "[bold]",
        "\x1b[31m",
        "\u202e",
        "\t",
        "x",
    ]
)
ANY = st.text(
    st.characters(blacklist_characters="\x00", blacklist_categories=["Cs"]), min_size=1, max_size=3
)
TEXTS = st.lists(st.one_of(PIECES, ANY), min_size=1, max_size=30).map("".join)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=TEXTS, data=st.data())
def test_claim_offsets_round_trip_through_store_and_export(text: str, data: st.DataObject) -> None:
    store = Store(None, annotator="p")
    doc, _ = store.add_document(text, "t")
    spans = data.draw(
        st.lists(st.tuples(st.integers(0, len(text) - 1), st.integers(1, len(text))), max_size=4)
    )
    saved = []
    for a, b in spans:
        start, end = min(a, b), max(a, b)
        if end > start:
            saved.append(store.add_claim(doc.id, start, end, "other"))
    out = io.StringIO()
    export(store, "json", out, "none")
    (record,) = json.loads(out.getvalue())["documents"]
    assert record["text"] == text
    exported = {c["id"]: c for c in record["claims"]}
    for claim in saved:
        got = exported[claim.id]
        assert (got["start"], got["end"]) == (claim.start, claim.end)
        assert text[got["start"] : got["end"]] == got["quote"] == claim.quote
    store.close()


def test_nul_characters_are_refused_as_binary(store: Store) -> None:
    import pytest

    from annotations.store import StoreError

    with pytest.raises(StoreError, match="NUL"):
        store.add_document("a\x00b", "t")
    with pytest.raises(StoreError, match="surrogate"):
        store.add_document("a\ud800b", "t")
    assert store.documents() == []
