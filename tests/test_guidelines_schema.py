"""Guidelines in the label schema: descriptions, examples and a guidelines file per choice.

Old schemas (no examples, no guidelines) load as before; a malformed description, example or
guidelines path is one line naming the file, the line and the field; the Markdown generated from
a schema's descriptions is literal text (a description can make no link, heading or HTML).
"""

from __future__ import annotations

import tomllib
from fnmatch import fnmatch
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from annotations import schema
from annotations.errors import InputError

BASE = "claim_types:\n  - {name: a, key: '1'}\nstances: [{name: n, key: n}]\n"


def test_the_built_in_schema_describes_every_choice_and_names_its_guidelines() -> None:
    s = schema.load(None)
    for field in schema.LABEL_FIELDS:
        for lab in s.field(field):
            assert lab.description and "\n" not in lab.description, lab.name
            assert 1 <= len(lab.examples) <= schema.MAX_EXAMPLES, lab.name
    path = Path(s.guidelines)
    assert path.is_absolute() and path.name == "guidelines.md"
    text = schema.read_guidelines(s)
    assert text.startswith("# ") and "## Stance" in text and "check_worthy" in text


def test_an_old_schema_without_examples_or_guidelines_loads_unchanged(tmp_path: Path) -> None:
    path = tmp_path / "labels.yaml"
    path.write_text(
        "claim_types:\n  - {name: statistical, key: '1', description: Numbers}\n"
        "stances: [{name: favor, key: f}]\n",
        encoding="utf-8",
    )
    s = schema.load(path)
    assert s.claim_types[0].description == "Numbers" and s.claim_types[0].examples == ()
    assert s.stances[0].description == "" and s.guidelines == ""


def test_examples_and_a_guidelines_path_relative_to_the_schema(tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "guide.md").write_text("# Our guide\n", encoding="utf-8")
    path = tmp_path / "labels.yaml"
    path.write_text(
        "guidelines: docs/guide.md\n"
        "claim_types:\n"
        "  - name: statistical\n    key: '1'\n    description: '  Numbers  '\n"
        "    examples: ['Jobs rose 3%.', 'Prices doubled.']\n"
        "  - {name: causal, key: '2', examples: X leads to Y.}\n"
        "stances: [{name: n, key: n}]\n",
        encoding="utf-8",
    )
    s = schema.load(path)
    assert s.claim_types[0].description == "Numbers"
    assert s.claim_types[0].examples == ("Jobs rose 3%.", "Prices doubled.")
    assert s.claim_types[1].examples == ("X leads to Y.",)  # one example may be a plain string
    assert s.guidelines == str((tmp_path / "docs" / "guide.md").resolve())
    assert schema.read_guidelines(s) == "# Our guide\n"


@pytest.mark.parametrize(
    ("extra", "line", "field", "problem"),
    [
        ("    description: [a, b]\n", 4, "claim_types[0].description", "must be a string"),
        ("    description: |\n      one\n      two\n", 4, "claim_types[0].description", "one line"),
        ("    examples: [a, b, c]\n", 4, "claim_types[0].examples", "one or 2"),
        ("    examples: []\n", 4, "claim_types[0].examples", "one or 2"),
        ("    examples: ['ok', '  ']\n", 4, "claim_types[0].examples[1]", "non-empty"),
        ("    examples:\n      - {a: b}\n", 5, "claim_types[0].examples[0]", "non-empty"),
        ('    examples: "a\\nb"\n', 4, "claim_types[0].examples", "one line"),
    ],
)
def test_a_malformed_description_or_example_is_one_line_with_file_and_line(
    tmp_path: Path, extra: str, line: int, field: str, problem: str
) -> None:
    path = tmp_path / "labels.yaml"
    path.write_text(
        "version: 1\nclaim_types:\n  - name: a\n" + extra + "    key: '1'\n"
        "stances: [{name: n, key: n}]\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError) as caught:
        schema.load(path)
    message = str(caught.value)
    assert message.startswith(f"{path}:{line}: {field}:"), message
    assert problem in message and "\n" not in message


@pytest.mark.parametrize(
    ("value", "problem"),
    [("missing.md", "guidelines file not found"), (".", "is not a file"), ("[a]", "Markdown")],
)
def test_a_bad_guidelines_path_is_refused_at_load_with_file_and_line(
    tmp_path: Path, value: str, problem: str
) -> None:
    path = tmp_path / "labels.yaml"
    path.write_text(BASE + f"guidelines: {value}\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        schema.load(path)
    message = str(caught.value)
    assert message.startswith(f"{path}:4: guidelines:") and problem in message
    assert "\n" not in message


def test_markdown_from_a_schema_is_literal_text(tmp_path: Path) -> None:
    """Descriptions are data: nothing in them becomes a link, heading, emphasis or HTML."""
    path = tmp_path / "labels.yaml"
    hostile = "[run](file:///etc/passwd) <b>x</b> # h *em* https://example.com \x1b[31m"
    path.write_text(
        "claim_types:\n  - name: a_b\n    key: '1'\n"
        f"    description: {hostile!r}\n    examples: ['`code` ![img](x.png)']\n"
        "stances: [{name: n, key: n}]\n",
        encoding="utf-8",
    )
    markdown = schema.guidelines_from_schema(schema.load(path))
    tokens = MarkdownIt("gfm-like").parse(markdown)
    inline = [child for tok in tokens for child in (tok.children or [])]
    kinds = {child.type for child in inline}
    assert not kinds & {"link_open", "image", "html_inline", "em_open", "code_inline"}
    assert not any(tok.type == "html_block" for tok in tokens)
    headings = [tokens[i + 1].content for i, t in enumerate(tokens) if t.type == "heading_open"]
    assert headings == ["Labels", "Claim type", "Stance"]
    shown = "".join(child.content for child in inline if child.type == "text")
    assert "[run](file:///etc/passwd) <b>x</b> # h *em* https://example.com" in shown
    assert "a_b" in shown and "`code` ![img](x.png)" in shown and "\x1b" not in shown


def test_the_built_in_guidelines_are_package_data() -> None:
    """The built-in schema names them: a wheel without them would refuse to start."""
    root = Path(__file__).resolve().parent.parent
    config = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = config["tool"]["setuptools"]["package-data"]["annotations"]
    assert any(fnmatch("guidelines.md", pattern) for pattern in patterns)
