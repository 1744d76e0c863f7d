"""Label Studio files as Label Studio writes them: code-point offsets, multi-line region text,
and region ids shared between annotations (or repeated in one) that must not cost a claim."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from annotations.imports.annotation_files import import_file
from annotations.store import Store

# Label Studio's own editor test, web/libs/editor/tests/integration/e2e/ner/emoji.cy.ts in
# HumanSignal/label-studio: "Should calculate offsets by code points in text" expects start 21,
# end 25, text "test" for the data of tests/integration/data/ner/emoji.ts ...
EMOJI_TEXT = "🐱 Warning: This is a test text"
# ... and "Should calculate offsets by code points in multiline text" expects start 2, end 27 and
# text "Warning:\\n🐱 This is a test" (the JavaScript literal: a backslash and an n where the
# line break is) for this text.
MULTILINE_TEXT = "🐱 Warning:\n🐱 This is a test text"
MULTILINE_REGION = "Warning:\\n🐱 This is a test"


def task(
    text: str, *regions: tuple[int, int, str], annotations: int = 1, **extra: Any
) -> dict[str, Any]:
    result = [
        {
            "id": f"r{n}",
            "from_name": "label",
            "to_name": "text",
            "type": "labels",
            "value": {"start": s, "end": e, "text": quote, "labels": ["Claim", "other"]},
        }
        for n, (s, e, quote) in enumerate(regions)
    ]
    return {
        "data": {"text": text},
        "annotations": [
            {
                "completed_by": k + 1,
                "result": json.loads(json.dumps(result)),
                "updated_at": f"2024-01-0{k + 1}T00:00:00+00:00",
            }
            for k in range(annotations)
        ],
        **extra,
    }


def write(path: Path, tasks: list[dict[str, Any]]) -> Path:
    path.write_text(json.dumps(tasks, ensure_ascii=False), encoding="utf-8")
    return path


def test_offsets_are_code_points_as_label_studio_counts_them(store: Store, tmp_path: Path) -> None:
    assert EMOJI_TEXT[21:25] == "test"
    result = import_file(store, write(tmp_path / "ls.json", [task(EMOJI_TEXT, (21, 25, "test"))]))
    assert not result.errors and not result.moved
    assert [(c.start, c.end, c.quote) for c in store.claims()] == [(21, 25, "test")]


def test_without_a_region_text_offsets_are_still_code_points(store: Store, tmp_path: Path) -> None:
    region = task(EMOJI_TEXT, (21, 25, "test"))
    del region["annotations"][0]["result"][0]["value"]["text"]
    import_file(store, write(tmp_path / "ls.json", [region]))
    assert [c.quote for c in store.claims()] == ["test"]  # UTF-16 would read "est "


def test_a_multi_line_region_as_label_studio_writes_it(store: Store, tmp_path: Path) -> None:
    assert MULTILINE_TEXT[2:27].replace("\n", "\\n") == MULTILINE_REGION
    result = import_file(
        store, write(tmp_path / "ls.json", [task(MULTILINE_TEXT, (2, 27, MULTILINE_REGION))])
    )
    assert not result.errors and not result.moved
    assert [(c.start, c.end, c.quote) for c in store.claims()] == [
        (2, 27, "Warning:\n🐱 This is a test")
    ]


def test_a_multi_line_region_with_wrong_offsets_is_placed_by_its_text(
    store: Store, tmp_path: Path
) -> None:
    text = "Intro.\r\n" + MULTILINE_TEXT
    quote = "Warning:\\n\\n🐱 This is a test".replace("\\n\\n", "\\n")
    result = import_file(store, write(tmp_path / "ls.json", [task(text, (0, 5, quote))]))
    assert [c.quote for c in store.claims()] == ["Warning:\n🐱 This is a test"]
    assert len(result.moved) == 1


@settings(max_examples=60, deadline=None)
@given(st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=40), st.data())
def test_any_span_round_trips_through_label_studio_offsets(text: str, data: st.DataObject) -> None:
    start = data.draw(st.integers(0, len(text) - 1))
    end = data.draw(st.integers(start + 1, len(text)))
    quote = text[start:end].replace("\r", "\\n").replace("\n", "\\n")
    from annotations.export.label_studio_read import offsets
    from annotations.export.utf16 import Utf16Index

    s, e = offsets(Utf16Index(text), text, start, end, quote)
    assert (s, e) == (start, end)


def test_two_annotators_sharing_region_ids_keep_both_claims(store: Store, tmp_path: Path) -> None:
    """Label Studio numbers regions per annotation: two annotators' "r0" are two claims."""
    one = task(EMOJI_TEXT, (21, 25, "test"), annotations=2)
    one["annotations"][1]["result"][0]["value"] = {
        "start": 3,
        "end": 10,
        "text": "Warning",
        "labels": ["Claim", "other"],
    }
    path = write(tmp_path / "ls.json", [one])
    result = import_file(store, path)
    assert not result.errors
    assert sorted((c.quote, c.annotator) for c in store.claims()) == [
        ("Warning", "label-studio:2"),
        ("test", "label-studio:1"),
    ]
    again = import_file(store, path)
    assert again.claims_added == 0 and again.claims_unchanged == 2
    assert len(store.claims()) == 2


def test_a_region_id_repeated_in_one_annotation(store: Store, tmp_path: Path) -> None:
    one = task(EMOJI_TEXT, (21, 25, "test"), (3, 10, "Warning"))
    results = one["annotations"][0]["result"]
    results[1]["id"] = "r0"  # the same id for another span: a second region, kept and reported
    same = dict(results[0], from_name="claim")  # the same span again: one region, two controls
    results.append(same)
    result = import_file(store, write(tmp_path / "ls.json", [one]))
    assert sorted(c.quote for c in store.claims()) == ["Warning", "test"]
    assert len(result.errors) == 1
    assert "region id 'r0' is used again for another span [3, 10)" in result.errors[0]
    assert "ls.json: record 1: annotation 1" in result.errors[0]
