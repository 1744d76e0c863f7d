"""Remapping keys: the ``keys:`` loader (core) and the app using the remapped keys (Pilot)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from rich.console import Console
from textual.keys import Keys, _character_to_key

from annotations.errors import InputError
from annotations.keymap import (
    CHARACTER_NAMES,
    NAMED_KEYS,
    character_key,
    find_keymap,
    is_key_name,
    load_keymap,
)
from annotations.store import Store
from tests import test_reader_support as support
from tui.app import AnnottyApp, binding_ids, make_app
from tui.screens.help import HelpScreen, bindings_table
from tui.widgets.claim_form import ClaimForm

TEXT = "The minister said exports grew 12% in 2024. Critics called the figure misleading.\n"
SIZE = (100, 30)


def write(tmp_path: Path, text: str, name: str = "keys.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_keys_section_becomes_textuals_keymap(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "theme: dark\nkeys:\n  reader.claim: k\n"
        "  reader.search: slash, ctrl+f\n  reader.goto: [colon, g]\n",
    )
    keymap = load_keymap(path)
    assert keymap.as_dict() == {
        "reader.claim": "k",
        "reader.search": "slash,ctrl+f",
        "reader.goto": "colon,g",
    }
    assert [c.line for c in keymap.choices] == [3, 4, 5]


# "\\a": YAML's escape for a control character (BEL), which is no key name
@pytest.mark.parametrize("bad", ["ctrl+", "control+k", "escpe", "ctrl+ctrl+k", "k k", "\\a"])
def test_a_bad_key_name_names_file_line_and_binding(tmp_path: Path, bad: str) -> None:
    path = write(tmp_path, f'keys:\n  reader.claim: c\n  reader.edit: "{bad}"\n')
    with pytest.raises(InputError) as caught:
        load_keymap(path)
    assert str(caught.value).startswith(f"{path}:3: reader.edit: ")
    assert "is not a key name" in str(caught.value)


def test_an_unknown_binding_id_names_file_line_and_id(tmp_path: Path) -> None:
    path = write(tmp_path, "keys:\n  reader.claim: k\n\n  reader.clam: c\n")
    keymap = load_keymap(path)  # the core does not know the app's ids...
    with pytest.raises(InputError) as caught:
        keymap.check_ids(binding_ids())  # ...the app checks them before it starts
    assert str(caught.value).startswith(f"{path}:4: reader.clam: no such binding id")


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("keys:\n  reader.claim: k\n  reader.claim: j\n", 3),  # given twice
        ("keys:\n  reader.claim:\n", 2),  # no key
        ("keys: [reader.claim]\n", 1),  # not a mapping
        ("keys:\n  reader.claim: [k, [j]]\n", 2),  # a list inside the list
    ],
)
def test_malformed_sections_name_the_line(tmp_path: Path, text: str, line: int) -> None:
    path = write(tmp_path, text)
    with pytest.raises(InputError) as caught:
        load_keymap(path)
    assert str(caught.value).startswith(f"{path}:{line}: ")


def test_the_config_beside_the_database_is_found_and_keys_wins(tmp_path: Path) -> None:
    db = tmp_path / "annotty.db"
    assert find_keymap(db) is None  # no annotty.yaml: no keymap
    write(tmp_path, "keys:\n  reader.claim: k\n", "annotty.yaml")
    found = find_keymap(db)
    assert found is not None and found.as_dict() == {"reader.claim": "k"}
    explicit = write(tmp_path, "keys:\n  reader.claim: j\n")
    chosen = find_keymap(db, explicit)
    assert chosen is not None and chosen.as_dict() == {"reader.claim": "j"}


def test_the_key_names_are_textuals() -> None:
    """The core checks key names without importing Textual: its lists must stay Textual's
    (textual/keys.py: ``Keys`` and ``_character_to_key``)."""
    textual_named = {k.value for k in Keys if "+" not in k.value and not k.value.startswith("<")}
    assert textual_named - {"ctrl-at", "return"} == NAMED_KEYS  # neither is typed as a name
    for code in range(0x21, 0x7F):
        assert character_key(chr(code)) == _character_to_key(chr(code))
    assert {"question_mark", "slash", "colon", "left_square_bracket"} <= CHARACTER_NAMES
    assert all(
        is_key_name(k)
        for k in ("k", "K", "?", "é", "ctrl+shift+left", "f12", "question_mark", "shift+tab")
    )


def test_every_binding_has_an_id() -> None:
    """A keymap can reach only bindings with an id: annotty's all have one."""
    from textual.binding import Binding
    from textual.dom import DOMNode

    binding_ids()  # imports every screen
    missing = []
    pending: list[type[DOMNode]] = [DOMNode]
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        if cls.__module__.startswith("tui."):
            missing += [
                (cls.__name__, b.key)
                for b in vars(cls).get("BINDINGS", ())
                if isinstance(b, Binding) and not b.id
            ]
    assert missing == []


def table_text(app: AnnottyApp) -> str:
    out = io.StringIO()
    Console(file=out, width=100, color_system=None).print(bindings_table(app.screen))
    return out.getvalue()


async def test_a_remapped_key_works_and_shows_in_help_and_footer(
    store: Store, tmp_path: Path
) -> None:
    doc, _ = store.add_document(TEXT, "t")
    keymap = load_keymap(write(tmp_path, "keys:\n  reader.claim: h\n"))
    app = make_app(store, keymap=keymap)
    async with app.run_test(size=SIZE) as pilot:
        reader = await support.open_reader(app, pilot, doc.id)
        await pilot.press("s", "c")  # the old key does nothing now
        await pilot.pause()
        assert app.screen is reader
        await pilot.press("h")
        await pilot.pause()
        assert isinstance(app.screen, ClaimForm)
        await pilot.press("3", "a", "enter")
        await pilot.pause()
        await app.workers.wait_for_complete()
        assert app.screen is reader
        shown = {key: active.binding.action for key, active in reader.active_bindings.items()}
        assert shown.get("h") == "tag_claim" and "c" not in shown  # what the footer shows
        line = next(row for row in table_text(app).splitlines() if "Claim" in row.split())
        assert line.split()[0] == "h"
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
    (claim,) = store.claims()
    assert (claim.claim_type, claim.stance) == ("causal", "against")


def test_the_cli_refuses_a_bad_keys_file_in_one_line(tmp_path: Path, capsys) -> None:
    from annotations.cli import main

    keys = write(tmp_path, "keys:\n  reader.claim: ctrl+\n")
    with pytest.raises(SystemExit) as exited:
        main(["--db", str(tmp_path / "a.db"), "--keys", str(keys)])
    assert exited.value.code != 0
    err = capsys.readouterr().err.strip()
    assert f"{keys}:2: reader.claim: 'ctrl+' is not a key name" in err
    assert len(err.splitlines()) == 1
