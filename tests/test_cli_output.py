"""``annotations.terminal_safe``: what the CLI prints from data cannot act on the terminal."""

from __future__ import annotations

import json
import sys
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from annotations import terminal_safe
from annotations.terminal_safe import NoTerminal, clean, dumps, plural, require_terminal, thing

KEPT_FORMAT = {"\u200c", "\u200d"}


def should_escape(ch: str) -> bool:
    code = ord(ch)
    if code < 0x20 or 0x7F <= code <= 0x9F:
        return True
    return (
        code >= 0xA0
        and ch not in KEPT_FORMAT
        and unicodedata.category(ch) in ("Cf", "Zl", "Zp", "Cs")
    )


def test_the_built_in_table_matches_this_pythons_unicode_data() -> None:
    """The class in ``terminal_safe`` was generated from ``unicodedata``; a newer Python with
    new format characters must not slip past it."""
    missed = [
        f"U+{c:04X}"
        for c in range(0x110000)
        if should_escape(chr(c)) and not terminal_safe._UNSAFE.match(chr(c))
    ]
    extra = [
        f"U+{c:04X}"
        for c in range(0x110000)
        if terminal_safe._UNSAFE.match(chr(c)) and not should_escape(chr(c))
    ]
    assert missed == [] and extra == []


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("\x1b]52;c;aGk=\x07", "\\x1b]52;c;aGk=\\x07"),
        ("a\x1b[2Jb", "a\\x1b[2Jb"),
        ("\x9b31m", "\\x9b31m"),
        ("line\nadded FORGED\r\t", "line\\nadded FORGED\\r\\t"),
        ("\u202etxt.exe\u2066", "\\u202etxt.exe\\u2066"),
        ("a\u2028b\u00adc\ufeff", "a\\u2028b\\xadc\\ufeff"),
        ("tag\U000e0041", "tag\\U000e0041"),
        ("\ud800", "\\ud800"),
        ("Zürich “quoted” 北京 👩‍💻 می‌خواهم C:\\dir", "Zürich “quoted” 北京 👩‍💻 می‌خواهم C:\\dir"),
    ],
)
def test_clean_shows_controls_visibly_and_keeps_ordinary_text(raw: str, shown: str) -> None:
    assert clean(raw) == shown


@given(st.text())
def test_clean_output_is_one_inert_line(text: str) -> None:
    out = clean(text)
    assert not any(should_escape(ch) for ch in out)
    assert len(out.splitlines()) <= 1


@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(),
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
        max_leaves=12,
    )
)
def test_dumps_is_the_same_json_with_nothing_active(value: object) -> None:
    out = dumps(value, indent=2)
    assert json.loads(out) == value
    assert not any(should_escape(ch) for ch in out if ch != "\n")


def test_dumps_escapes_what_json_dumps_leaves_raw() -> None:
    value = {"t": "\x85\u2028\u202e\x1b"}
    assert "\x85" in json.dumps(value, ensure_ascii=False)  # the gap this closes
    assert dumps(value) == '{"t": "\\u0085\\u2028\\u202e\\u001b"}'


@pytest.mark.parametrize(
    ("count", "noun", "expected"),
    [
        (0, "claim", "0 claims"),
        (1, "claim", "1 claim"),
        (2, "match", "2 matches"),
        (1, "match", "1 match"),
        (3, "entity", "3 entities"),
        (1, "entity", "1 entity"),
        (2, "status", "2 statuses"),
        (2, "day", "2 days"),
    ],
)
def test_plural_agrees_with_the_count(count: int, noun: str, expected: str) -> None:
    assert plural(count, noun) == expected


def test_plural_with_thousands_and_an_irregular_form() -> None:
    assert plural(12345, "claim", thousands=True) == "12,345 claims"
    assert plural(2, "person", "people") == "2 people"


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        ("entity_edit", "an entity edit"),
        ("claim", "a claim"),
        ("document", "a document"),
        ("annotation", "an annotation"),
    ],
)
def test_kinds_get_their_article(kind: str, expected: str) -> None:
    assert thing(kind) == expected


class _Stream:
    def __init__(self, tty: bool) -> None:
        self.tty = tty

    def isatty(self) -> bool:
        return self.tty


@pytest.mark.parametrize(
    ("stdin", "stdout", "name"),
    [(False, True, "input"), (True, False, "output"), (False, False, "input")],
)
def test_the_app_needs_a_terminal_on_both_sides(
    monkeypatch: pytest.MonkeyPatch, stdin: bool, stdout: bool, name: str
) -> None:
    monkeypatch.setattr(sys, "stdin", _Stream(stdin))
    monkeypatch.setattr(sys, "stdout", _Stream(stdout))
    with pytest.raises(NoTerminal, match=f"standard {name} is not one"):
        require_terminal("annotty review")


def test_a_terminal_on_both_sides_is_enough(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", _Stream(True))
    monkeypatch.setattr(sys, "stdout", _Stream(True))
    require_terminal()
