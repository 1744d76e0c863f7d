"""Hostile YAML config files (schema, project gazetteer): one line naming the file, quickly.

Each file here would otherwise take minutes and gigabytes (alias bombs), hang (a FIFO), or crash
the interpreter (libyaml's composer recurses in C: deep nesting segfaults). The tests assert on
the outcome; a bomb that got through would not finish at all.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from annotations import config_yaml, schema
from annotations.cli import main
from annotations.entities import project_gazetteer
from annotations.errors import InputError
from annotations.store import Store

GOOD_SCHEMA = "claim_types: [{name: statistical, key: '1'}]\nstances: [{name: favor, key: f}]\n"


def laughs(levels: int = 9, width: int = 9) -> str:
    """The billion laughs: ``width ** levels`` strings (387,420,489 here) in 1 KB of YAML."""
    lines = ["a0: &a0 [" + ", ".join(["lol"] * width) + "]"]
    for i in range(1, levels + 1):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * width) + "]")
    return "\n".join(lines) + "\n"


def reused_alias_lists(entries: int = 15_000, names: int = 10_000) -> str:
    """The shape measured in the issue (one alias list reused by every entry: 96 KB took 5 s and
    190 MB), scaled to 800 KB: 150 million aliases to read, many gigabytes."""
    shared = ", ".join(f"Name{i}" for i in range(names))
    rows = [f"  - {{name: N0, label: ORG, aliases: &names [{shared}]}}"]
    rows += [f"  - {{name: N{i}, label: ORG, aliases: *names}}" for i in range(1, entries)]
    return "entities:\n" + "\n".join(rows) + "\n"


def test_the_billion_laughs_is_refused_before_it_expands(tmp_path: Path) -> None:
    path = tmp_path / "labels.yaml"
    path.write_text(laughs() + GOOD_SCHEMA, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        schema.load(path)
    assert str(caught.value).startswith(f"{path}:5: too many aliases")


def test_a_gazetteer_reusing_one_alias_list_everywhere_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "entities.yaml"
    path.write_text(reused_alias_lists(), encoding="utf-8")
    with pytest.raises(InputError) as caught:
        project_gazetteer.load(path)
    assert str(caught.value).startswith(f"{path}:")
    assert "too many aliases" in str(caught.value)


def test_a_few_small_aliases_are_still_fine(tmp_path: Path) -> None:
    path = tmp_path / "labels.yaml"
    path.write_text(
        "claim_types:\n  - {name: a, key: '1', colour: &c '#4e9af1'}\n"
        "  - {name: b, key: '2', colour: *c}\n"
        "stances: [{name: f, key: f, colour: *c}]\n",
        encoding="utf-8",
    )
    assert [lab.colour for lab in schema.load(path).claim_types] == ["#4e9af1", "#4e9af1"]


def test_a_recursive_alias_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "entities.yaml"
    path.write_text("ignore: &loop [a, *loop]\n", encoding="utf-8")
    with pytest.raises(InputError, match=r":1: alias \*loop refers to a node that contains it"):
        project_gazetteer.load(path)


def test_a_config_over_the_size_cap_is_refused_naming_file_and_cap(tmp_path: Path) -> None:
    path = tmp_path / "entities.yaml"
    row = "  - {name: Some Company Name, label: ORG}\n"
    path.write_text("entities:\n" + row * (config_yaml.MAX_BYTES // len(row) + 1), encoding="utf-8")
    with pytest.raises(InputError) as caught:
        project_gazetteer.load(path)
    assert str(caught.value) == (
        f"{path}: gazetteer is larger than 1 MiB; annotty reads config files up to 1 MiB"
    )


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_a_fifo_given_as_schema_is_refused_not_waited_on(tmp_path: Path) -> None:
    fifo = tmp_path / "labels.yaml"
    os.mkfifo(fifo)
    with pytest.raises(InputError, match="not a regular file"):
        schema.load(fifo)


def test_deep_nesting_is_refused_without_crashing_the_interpreter(tmp_path: Path) -> None:
    """Run in a child: before the bound, libyaml's recursive composer killed the process."""
    path = tmp_path / "entities.yaml"
    path.write_text("ignore: " + "[" * 200_000 + "]" * 200_000 + "\n", encoding="utf-8")
    code = (
        "import sys; from annotations.cli import main; "
        "main(['--db', sys.argv[1], 'entities', sys.argv[2], '--entities', sys.argv[3]])"
    )
    doc = tmp_path / "d.txt"
    doc.write_text("China", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path / "t.db"), str(doc), str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).parent.parent)},
    )
    assert done.returncode == 1, done.stderr
    assert done.stderr.strip() == f"annotty: {path}:1: nested more than 32 levels deep"


@pytest.mark.parametrize("where", ["--schema", "--entities", "beside"])
def test_every_cli_route_to_a_config_file_is_bounded(
    tmp_path: Path, where: str, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "t.db"
    doc = tmp_path / "d.txt"
    doc.write_text("China", encoding="utf-8")
    if where == "--schema":
        bomb = tmp_path / "labels.yaml"
        bomb.write_text(laughs() + GOOD_SCHEMA, encoding="utf-8")
        Store(db, annotator="me").close()
        args = ["--db", str(db), "--schema", str(bomb)]  # the app: the schema loads first
    else:
        bomb = tmp_path / ("entities.yaml" if where == "beside" else "bomb.yaml")
        bomb.write_text(reused_alias_lists(), encoding="utf-8")
        args = ["--db", str(db), "entities", str(doc)]
        if where == "--entities":
            args += ["--entities", str(bomb)]
    with pytest.raises(SystemExit) as exit_info:
        main(args)
    assert exit_info.value.code == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"annotty: {bomb}:") and "too many aliases" in err
    assert "\n" not in err


@pytest.mark.parametrize("bad", ["\x00", "\x1b", "\x9b"])
def test_control_characters_in_a_config_give_one_line_with_the_line(
    tmp_path: Path, bad: str
) -> None:
    path = tmp_path / "labels.yaml"
    path.write_text(GOOD_SCHEMA + f"targets: [a{bad}b]\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        schema.load(path)
    assert str(caught.value) == (
        f"{path}:3: malformed YAML: character U+{ord(bad):04X} is not allowed in YAML"
    )
