"""The label schema: the default loads; bad files name the file, the line and the field."""

from __future__ import annotations

from pathlib import Path

import pytest

from annotations import schema
from annotations.errors import InputError


def test_default_schema_has_the_published_labels() -> None:
    s = schema.load(None)
    assert [lab.name for lab in s.stances] == ["favor", "against", "none"]
    assert "statistical" in [lab.name for lab in s.claim_types]
    assert [lab.name for lab in s.attributions] == ["author", "direct_quote", "reported"]
    assert s.targets


@pytest.mark.parametrize(
    ("content", "line", "field"),
    [
        ("claim_types: [\n", 2, ""),
        (
            "claim_types:\n  - {name: a, key: '1'}\n  - {name: b, key: '1'}\n"
            "stances: [{name: n, key: n}]\n",
            3,
            "claim_types[1].key",
        ),
        (
            "claim_types:\n  - {name: a, key: '1', colour: notacolour}\n"
            "stances: [{name: n, key: n}]\n",
            2,
            "claim_types[0].colour",
        ),
        ("claim_types:\n  - {name: a, key: '1'}\n", 1, "stances"),
        (
            "claim_types:\n  - {name: a, key: '1'}\nstances: [{name: n, key: n}]\nbogus: 1\n",
            4,
            "bogus",
        ),
    ],
)
def test_bad_schema_errors_name_file_line_and_field(
    tmp_path: Path, content: str, line: int, field: str
) -> None:
    path = tmp_path / "labels.yaml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        schema.load(path)
    message = str(caught.value)
    assert message.startswith(f"{path}:{line}:")
    assert field in message
    assert "\n" not in message


def test_a_key_shared_by_two_fields_is_refused_with_file_line_and_field(tmp_path: Path) -> None:
    """The claim form gives a key to the focused field, else to the first field using it
    (tui/widgets/claim_form.py ``_choose``); with focus on the claim type, a stance sharing a
    claim type's key could never be picked by "type key, stance key, enter"."""
    path = tmp_path / "labels.yaml"
    path.write_text(
        "claim_types:\n  - {name: alpha, key: a}\n"
        "stances:\n  - {name: favor, key: f}\n  - {name: against, key: a}\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError) as caught:
        schema.load(path)
    message = str(caught.value)
    assert message.startswith(f"{path}:5: stances[1].key:")
    assert "claim_types[0] 'alpha'" in message


def test_keys_differing_only_in_case_are_different_keys(tmp_path: Path) -> None:
    path = tmp_path / "labels.yaml"
    path.write_text(
        "claim_types: [{name: alpha, key: a}]\nstances: [{name: against, key: A}]\n",
        encoding="utf-8",
    )
    assert [lab.key for lab in schema.load(path).stances] == ["A"]


def test_the_default_schema_keys_are_unique_across_fields() -> None:
    s = schema.load(None)
    keys = [lab.key for field in schema.LABEL_FIELDS for lab in s.field(field)]
    assert len(keys) == len(set(keys))
