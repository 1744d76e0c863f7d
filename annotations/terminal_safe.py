"""Data on a terminal: what the CLI prints from documents, file names and databases.

Titles, file names, annotator, speaker and target names are data: a document could clear the
screen (``ESC [2J``), set the window title, write the clipboard (OSC 52, ``ESC ]52;c;...BEL``),
reorder a line with bidi overrides, or forge report lines with a newline. ``clean`` makes every
such character *visible* instead of acting on it, so the user sees that something odd is there:

* ``\\n``, ``\\r``, ``\\t`` are shown as those two-character escapes (every printed field is one
  line, so a newline in a file name never starts a new report line);
* other C0 controls, DEL and C1 controls (U+0080-U+009F, e.g. the 8-bit CSI U+009B) as ``\\xNN``;
* format characters that spoof (bidi embeddings, overrides and isolates U+202A-U+202E,
  U+2066-U+2069, marks, zero-width space, soft hyphen... every category ``Cf`` but the joiners
  U+200C/U+200D that Persian, Indic scripts and emoji need), line and paragraph separators and
  lone surrogates as ``\\uNNNN`` (``\\UNNNNNNNN`` above U+FFFF).

Backslashes themselves are left as they are (paths and regexes stay readable), so the escapes are
for reading, not for decoding back. ``dumps`` is ``json.dumps`` for the terminal: JSON escapes
C0 controls itself, but with ``ensure_ascii=False`` it writes C1 controls, U+2028/U+2029 and
bidi controls raw; those become ``\\uNNNN`` escapes there (still valid JSON, same value).
"""

from __future__ import annotations

import json
import re
import sys
from typing import Any

from annotations.errors import AnnottyError

_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


# C0 controls, DEL, C1 controls, then every format (Cf), line/paragraph separator (Zl, Zp) and
# surrogate (Cs) code point of Unicode 14 but ZWNJ/ZWJ, as ranges (generated once from
# ``unicodedata``; ``tests/test_cli_output.py`` checks it against the running Python's table).
_UNSAFE = re.compile(
    "[\x00-\x1f\x7f-\x9f\xad\u0600-\u0605\u061c\u06dd\u070f\u0890-\u0891\u08e2\u180e"
    "\u200b\u200e-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f\ud800-\udfff\ufeff"
    "\ufff9-\ufffb\U000110bd\U000110cd\U00013430-\U00013438\U0001bca0-\U0001bca3"
    "\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f]"
)
# In JSON output the C0 controls are already escaped inside strings, and outside them only the
# indentation's newlines occur: those must stay.
_JSON_UNSAFE = re.compile(_UNSAFE.pattern.replace("\x00-\x1f", "", 1))


def _visible(match: re.Match[str]) -> str:
    ch = match.group()
    if ch in _NAMED:
        return _NAMED[ch]
    code = ord(ch)
    if code <= 0xFF:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def clean(text: object) -> str:
    """``text`` as one harmless line: controls and spoofing format characters made visible."""
    return _UNSAFE.sub(_visible, str(text))


def _json_escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    code -= 0x10000  # JSON spells an astral character as its UTF-16 surrogate pair
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"


def dumps(value: Any, **kwargs: Any) -> str:
    """JSON for scripts *and* terminals: readable Unicode, but no character that acts there."""
    kwargs.setdefault("ensure_ascii", False)
    # Outside strings JSON is ASCII, so every unsafe character found is inside a string, where a
    # \\uNNNN escape means the same character to any JSON reader.
    return _JSON_UNSAFE.sub(_json_escape, json.dumps(value, **kwargs))


def plural(count: int, noun: str, many: str | None = None, *, thousands: bool = False) -> str:
    """``1 claim``, ``2 claims``, ``0 matches``: the count and the noun agreeing with it."""
    word = noun if count == 1 else (many or _plural(noun))
    return f"{count:,} {word}" if thousands else f"{count} {word}"


def _plural(noun: str) -> str:
    if noun.endswith(("s", "x", "ch", "sh")):
        return noun + "es"
    if noun.endswith("y") and noun[-2:-1] not in "aeiou":
        return noun[:-1] + "ies"
    return noun + "s"


def with_article(phrase: str) -> str:
    """``an entity edit``, ``a claim``: the phrase with the indefinite article it takes."""
    return ("an " if phrase[:1].lower() in "aeiou" else "a ") + phrase


KIND_WORDS = {"suggestion": "candidate decision"}
"""Stored kinds whose name reads badly to a user (a ``suggestion`` row is a decision on one)."""


def thing(kind: str) -> str:
    """A stored kind (``entity_edit``) as words with an article: ``an entity edit``."""
    return with_article(KIND_WORDS.get(kind, kind.replace("_", " ")))


class NoTerminal(AnnottyError):
    """The app was asked to start where there is no terminal to draw on or read keys from."""


def require_terminal(command: str = "annotty") -> None:
    """Refuse to start the full-screen app without a terminal on stdin and stdout.

    Without one Textual has no keys to wait for and spins (85% CPU was measured), so a script
    or a pipe gets one line instead of a hang.
    """
    for name, stream in (("input", sys.stdin), ("output", sys.stdout)):
        try:
            tty = stream is not None and stream.isatty()
        except (ValueError, OSError):
            tty = False
        if not tty:
            raise NoTerminal(
                f"{command} opens a full-screen app and needs a terminal; standard "
                f"{name} is not one (use the other commands in scripts: "
                "annotty --help)"
            )
