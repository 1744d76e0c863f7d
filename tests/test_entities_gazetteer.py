"""Project gazetteers: the YAML format, its errors, "apply everywhere" edits, recognizer keys."""

from __future__ import annotations

from pathlib import Path

import pytest

from annotations.entities import builtin, default_gazetteer_path, resolve
from annotations.entities import project_gazetteer as pg
from annotations.errors import InputError

GOOD = """\
# our names
entities:
  - name: Guo Jiakun
    label: PERSON
    aliases: [Guo]
  - {name: Zhongguancun Forum, label: EVENT, aliases: [ZGC Forum]}
ignore:
  - Search Trends
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "entities.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_good_file_maps_aliases_to_canonical_names(tmp_path: Path) -> None:
    g = pg.load(write(tmp_path, GOOD))
    assert [e.name for e in g.entries] == ["Guo Jiakun", "Zhongguancun Forum"]
    assert g.surfaces()["ZGC Forum"] == ("EVENT", "Zhongguancun Forum")
    assert g.ignore == ("Search Trends",)
    assert g.entries[1].line == 6


def test_missing_and_empty_files_are_empty_gazetteers(tmp_path: Path) -> None:
    assert pg.load(tmp_path / "nope.yaml").entries == ()
    assert pg.load(write(tmp_path, "# nothing yet\n")).entries == ()
    assert pg.load(None).digest == pg.ProjectGazetteer().digest


@pytest.mark.parametrize(
    ("text", "line", "field", "problem"),
    [
        ("entities:\n  - name: X\n    label: [ORG\n", 3, "", "malformed YAML"),
        ("entities:\n  - name: X\n", 2, "entities[0].label", "required field is missing"),
        (
            "entities:\n  - {name: X, label: ORG}\n  - {name: Y, label: org}\n",
            3,
            "entities[1].label",
            "bad label 'org'",
        ),
        (
            "entities:\n  - {name: X, label: ORG, colour: red}\n",
            2,
            "entities[0].colour",
            "unknown field",
        ),
        (
            "entities:\n  - {name: X, label: ORG, aliases: Y}\n",
            2,
            "entities[0].aliases",
            "must be a list",
        ),
        ("entities:\n  - {name: '', label: ORG}\n", 2, "entities[0].name", "must not be empty"),
        ("entities: {name: X}\n", 1, "entities", "must be a list"),
        ("names:\n  - X\n", 1, "names", "unknown field"),
        ("ignore:\n  - [a, b]\n", 2, "ignore[0]", "must be a string"),
    ],
)
def test_errors_name_the_file_line_and_field(
    tmp_path: Path, text: str, line: int, field: str, problem: str
) -> None:
    path = write(tmp_path, text)
    with pytest.raises(InputError) as caught:
        pg.load(path)
    error = caught.value
    assert error.path == str(path) and error.line == line and error.field == field
    assert problem in str(error) and str(error).startswith(f"{path}:{line}: ")


def test_digest_follows_meaning_not_layout(tmp_path: Path) -> None:
    one = pg.parse(GOOD, "a")
    reformatted = pg.parse(GOOD.replace("# our names\n", "") + "\n\n", "b")
    changed = pg.parse(GOOD.replace("EVENT", "ORG"), "c")
    assert one.digest == reformatted.digest != changed.digest


def test_add_entry_appends_one_line_and_keeps_comments(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD)
    result = pg.add_entry(path, "Mao Ning", "PERSON")
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# our names\n") and "  - {name: Mao Ning, label: PERSON}\n" in text
    assert [e.name for e in result.entries][-1] == "Mao Ning"
    assert result.ignore == ("Search Trends",)  # the list after "entities" is untouched


def test_a_later_entry_relabels_and_adding_twice_is_a_no_op(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD)
    pg.add_entry(path, "Zhongguancun Forum", "ORG")
    size = path.stat().st_size
    g = pg.add_entry(path, "Zhongguancun Forum", "ORG")
    assert path.stat().st_size == size
    assert g.surfaces()["Zhongguancun Forum"] == ("ORG", "Zhongguancun Forum")
    assert g.surfaces()["ZGC Forum"] == ("EVENT", "Zhongguancun Forum")


def test_add_entry_creates_the_file_and_handles_block_entries(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "entities.yaml"
    pg.add_entry(path, "Xinhua", "ORG")
    pg.add_entry(path, 'O\'Brien: the "quoted" one', "PERSON", ("O'Brien",))
    assert [e.name for e in pg.load(path).entries] == ["Xinhua", 'O\'Brien: the "quoted" one']
    block = write(tmp_path, "entities:\n  - name: A\n    label: ORG\n\nignore: [Z]\n")
    pg.add_entry(block, "B", "GPE")
    pg.add_ignore(block, "Y")
    g = pg.load(block)
    assert [(e.name, e.label) for e in g.entries] == [("A", "ORG"), ("B", "GPE")]
    assert g.ignore == ("Z", "Y")


def test_ignoring_then_adding_a_name_takes_it_off_the_ignore_list(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD)
    pg.add_ignore(path, "Guo")
    assert "Guo" in pg.load(path).ignore
    assert "Guo" not in pg.add_entry(path, "Guo", "PERSON").ignore


def test_project_names_win_and_change_the_recognizer_key(tmp_path: Path) -> None:
    text = "Search Trends show Zhongguancun Forum news; Huawei said so."
    plain = builtin()
    path = write(tmp_path, GOOD + "  - Huawei\n")
    project = builtin(path)
    assert plain.key != project.key
    assert {(e.text, e.label) for e in project.recognize(text)} == {("Zhongguancun Forum", "EVENT")}
    pg.add_entry(path, "Search Trends", "PRODUCT")
    again = builtin(path)
    assert again.key != project.key
    assert ("Search Trends", "PRODUCT") in {(e.text, e.label) for e in again.recognize(text)}


def test_default_location_is_beside_the_database(tmp_path: Path) -> None:
    assert default_gazetteer_path(tmp_path / "x" / "annotty.db") == tmp_path / "x" / "entities.yaml"


def test_resolve_reports_a_malformed_gazetteer(tmp_path: Path) -> None:
    path = write(tmp_path, "entities:\n  - {name: X, label: bad}\n")
    with pytest.raises(InputError, match=r"entities\.yaml:2: entities\[0\]\.label"):
        resolve(None, path)
